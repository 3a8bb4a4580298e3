/**
 * Test helpers of moderation: HTTP calls, a case's opening moved into the past (what waiting
 * for its follow-ups would do), the follow-up jobs' handler run now, and the audit actions.
 */
import { eq, sql } from 'drizzle-orm'
import { expect } from 'vitest'
import type { TestApp } from '../../../test/build-test-app.ts'
import { buildCommunity, communityClient, type CommunityFixture } from '../community/testing.ts'
import { platformScope, rowsOf } from '../../platform/db/database.ts'
import { createLogger } from '../../platform/observability/logger.ts'
import { runFollowUp, type FollowUpKind } from './follow-up.ts'
import { cases } from './moderation.tables.ts'

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export function moderationClient(t: TestApp) {
  const call = (method: Method, url: string, token: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: t.auth(token),
      ...(payload === undefined ? {} : { payload: payload as object }),
    })
  return {
    call,
    report: (token: string, body: Record<string, unknown>) => call('POST', '/v1/moderation/reports', token, body),
    queue: (communityId: string, token: string, query = '') =>
      call('GET', `/v1/communities/${communityId}/moderation/cases${query}`, token),
    detail: (caseId: string, token: string) => call('GET', `/v1/moderation/cases/${caseId}`, token),
    act: (caseId: string, token: string, body: Record<string, unknown>) =>
      call('POST', `/v1/moderation/cases/${caseId}/actions`, token, body),
    undo: (actionId: string, token: string) => call('POST', `/v1/moderation/actions/${actionId}/undo`, token),
    close: (caseId: string, verb: 'dismiss' | 'resolve', token: string) =>
      call('POST', `/v1/moderation/cases/${caseId}/${verb}`, token),
    appeal: (actionId: string, token: string, statement = 'This was a misunderstanding') =>
      call('POST', `/v1/moderation/actions/${actionId}/appeal`, token, { statement }),
    decide: (appealId: string, token: string, decision: 'granted' | 'denied') =>
      call('POST', `/v1/moderation/appeals/${appealId}/decision`, token, { decision }),
  }
}

/** Moves the case's opening `hours` into the past. */
export async function ageCase(t: TestApp, caseId: string, hours: number): Promise<void> {
  const openedAt = new Date(Date.now() - hours * 3_600_000)
  await t.platform.database.transaction(platformScope, (tx) =>
    tx.update(cases).set({ openedAt }).where(eq(cases.id, caseId)),
  )
}

/** A follow-up job's handler, run now. */
export const runFollowUpNow = (t: TestApp, kind: FollowUpKind, tenantId: string, caseId: string) =>
  runFollowUp(
    {
      database: t.platform.database,
      events: t.platform.events,
      jobs: t.platform.jobs,
      logger: createLogger('silent'),
    },
    kind,
    { tenantId, caseId },
  )

/** The follow-up jobs queued for a case: their queue names. */
export const queuedFollowUps = (t: TestApp, caseId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ name: string }>(
      tx,
      sql`SELECT name FROM pgboss.job WHERE name LIKE 'moderation.%' AND data->>'caseId' = ${caseId} ORDER BY name`,
    ),
  )

export const moderationAudit = (t: TestApp, tenantId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ action: string }>(
      tx,
      sql`SELECT action FROM platform.audit_log WHERE tenant_id = ${tenantId} AND (action LIKE 'moderation.%' OR action LIKE 'community.member_%') ORDER BY occurred_at`,
    ),
  )

export const moderationEvents = (t: TestApp, tenantId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ type: string }>(
      tx,
      sql`SELECT type FROM platform.domain_events WHERE tenant_id = ${tenantId} AND type LIKE 'moderation.%' ORDER BY occurred_at, id`,
    ),
  )

/** Community posts over HTTP (the community module's own post helpers are its tests' only). */
export function postsApi(call: ReturnType<typeof moderationClient>['call']) {
  const base = (communityId: string) => `/v1/communities/${communityId}`
  return {
    call,
    post: (communityId: string, token: string, body: Record<string, unknown>) =>
      call('POST', `${base(communityId)}/posts`, token, body),
    feed: (communityId: string, token: string) => call('GET', `${base(communityId)}/posts`, token),
    home: (token: string) => call('GET', '/v1/me/feed', token),
    comment: (communityId: string, postId: string, token: string, body: Record<string, unknown>) =>
      call('POST', `${base(communityId)}/posts/${postId}/comments`, token, body),
  }
}

export type Member = Awaited<ReturnType<CommunityFixture['member']>>
export interface Cast {
  c: CommunityFixture
  author: Member
  reporter: Member
  reporter2: Member
  moderator: Member
  moderator2: Member
  stranger: Member
}

/**
 * The moderation tests' stage on one app: its clients, a private community with an author, two
 * reporters, two moderators and a stranger of the tenant (`cast`), a post by someone (`postBy`),
 * and a member's view of the community's feed (`feedIds`).
 */
export function moderationStage(t: TestApp) {
  const mod = moderationClient(t)
  const posts = postsApi(mod.call)
  const community = communityClient(t)

  async function cast(): Promise<Cast> {
    const c = await buildCommunity(t, { visibility: 'private' })
    const people: Member[] = []
    for (let i = 0; i < 5; i++) {
      const member = await c.member()
      expect((await community.add(c.communityId, member.userId, c.owner.token)).statusCode).toBe(201)
      people.push(member)
    }
    const [author, reporter, reporter2, moderator, moderator2] = people as [Member, Member, Member, Member, Member]
    for (const m of [moderator, moderator2])
      expect((await community.setRole(c.communityId, m.userId, c.owner.token, { role: 'moderator' })).statusCode).toBe(
        200,
      )
    return { c, author, reporter, reporter2, moderator, moderator2, stranger: await c.member() }
  }

  async function postBy(c: CommunityFixture, author: Member, body = 'Buy cheap pills now') {
    const written = await posts.post(c.communityId, author.token, { body })
    expect(written.statusCode, written.body).toBe(201)
    return written.json().id as string
  }

  const feedIds = async (communityId: string, token: string) =>
    ((await posts.feed(communityId, token)).json() as { data: Array<{ id: string; hidden: boolean }> }).data

  return { mod, posts, community, cast, postBy, feedIds }
}
