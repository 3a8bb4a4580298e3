/**
 * The moderation area of the development seed, made through the public API (ADR 0012): a member
 * of the study hall reports another member's post, which opens a case in the community's
 * moderation queue (its moderator, Maya, sees it). Idempotent: a second report by the same member
 * while the case is open is 409 REPORT_ALREADY_OPEN, which counts as present.
 */
import { listAll } from './api-client.ts'
import { actorOf, type SeedArea, type SeedContext } from './areas.ts'
import { DEMO_COMMUNITY } from './community/index.ts'

export interface ModerationSpec {
  community: string
  reporter: string
  /** The title of the post reported (the community area writes it). */
  postTitle: string
  category: 'spam' | 'other'
  note: string
}

export const DEMO_REPORT: ModerationSpec = {
  community: DEMO_COMMUNITY.slug,
  reporter: 'amara@demo.localhost',
  postTitle: 'My first FizzBuzz',
  category: 'spam',
  note: 'Demo report: an example case for the moderation queue.',
}

export function moderationArea(spec: ModerationSpec = DEMO_REPORT): SeedArea {
  return {
    name: 'moderation',
    version: 1,
    summary: `a report on "${spec.postTitle}" in ${spec.community}, an open case in its moderation queue`,
    run: (ctx) => seedReport(ctx, spec),
  }
}

async function seedReport(ctx: SeedContext, spec: ModerationSpec): Promise<void> {
  const { api, accounts } = ctx
  const reporter = actorOf(ctx, accounts.people.get(spec.reporter), spec.reporter)
  const token = await reporter.token()
  const community = (await listAll<{ id: string; slug: string }>(api, '/v1/communities', token)).find(
    (c) => c.slug === spec.community,
  )
  if (!community) throw new Error(`the moderation seed needs the community ${spec.community}`)
  const posts = await listAll<{ id: string; title: string | null }>(api, `/v1/communities/${community.id}/posts`, token)
  const post = posts.find((p) => p.title === spec.postTitle)
  if (!post) throw new Error(`the moderation seed reports a post the community area did not write: ${spec.postTitle}`)
  const filed = await api.call<{ code?: string }>('POST', '/v1/moderation/reports', {
    token,
    payload: { targetKind: 'post', targetId: post.id, category: spec.category, note: spec.note },
    expect: [201, 409],
  })
  if (filed.status === 409 && filed.body.code !== 'REPORT_ALREADY_OPEN')
    throw new Error(`the demo report was refused: ${JSON.stringify(filed.body)}`)
}
