/**
 * Test helpers of community posts: HTTP calls, the scheduling job run in place, and moving a
 * scheduled post's instant into the past (what waiting for it would do).
 */
import { eq, sql } from 'drizzle-orm'
import type { TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../../platform/db/database.ts'
import { createLogger } from '../../../platform/observability/logger.ts'
import { posts } from './posts.tables.ts'
import { publishScheduledPost, type PublishScheduledPostJob } from './publishing.ts'

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export function postsClient(t: TestApp) {
  const call = (method: Method, url: string, token: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: t.auth(token),
      ...(payload === undefined ? {} : { payload: payload as object }),
    })
  const base = (communityId: string) => `/v1/communities/${communityId}`
  return {
    call,
    post: (communityId: string, token: string, body: Record<string, unknown>) =>
      call('POST', `${base(communityId)}/posts`, token, body),
    feed: (communityId: string, token: string, query = '') => call('GET', `${base(communityId)}/posts${query}`, token),
    home: (token: string, query = '') => call('GET', `/v1/me/feed${query}`, token),
    comment: (communityId: string, postId: string, token: string, body: Record<string, unknown>) =>
      call('POST', `${base(communityId)}/posts/${postId}/comments`, token, body),
    react: (communityId: string, postId: string, kind: string, token: string, on = true) =>
      call(on ? 'PUT' : 'DELETE', `${base(communityId)}/posts/${postId}/reactions/${kind}`, token),
    block: (userId: string, token: string) => call('PUT', `/v1/me/blocks/${userId}`, token),
    mute: (userId: string, token: string) => call('PUT', `/v1/me/mutes/${userId}`, token),
  }
}

/** The scheduled post's instant moved to `secondsAgo` in the past; returns the job to run for it. */
export async function makeDue(t: TestApp, tenantId: string, postId: string, secondsAgo = 1) {
  const publishAt = new Date(Date.now() - secondsAgo * 1000)
  await t.platform.database.transaction(platformScope, (tx) =>
    tx.update(posts).set({ publishAt }).where(eq(posts.id, postId)),
  )
  return { tenantId, postId, publishAt: publishAt.toISOString() } satisfies PublishScheduledPostJob
}

/** The scheduling job's handler, run now. */
export const runPublishJob = (t: TestApp, job: PublishScheduledPostJob) =>
  publishScheduledPost(
    { database: t.platform.database, events: t.platform.events, logger: createLogger('silent') },
    job,
  )

/** The publishing jobs queued for a post: their start instants. */
export const queuedPublications = (t: TestApp, postId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ startAfter: Date | string }>(
      tx,
      sql`SELECT start_after AS "startAfter" FROM pgboss.job WHERE name = 'community.publish_scheduled_post' AND data->>'postId' = ${postId}`,
    ),
  )
