/**
 * Moderation over HTTP (journey 11): reports need sight of their target and are one per open case,
 * never of oneself; cases group reports and rank them; actions hide, delete, suspend and ban, each
 * undone and audited, hidden content leaving members' feeds and chat catch-up but not the
 * author's or the moderators'; the queue filters and pages. Word filter, follow-up jobs and
 * appeals: moderation-flows.test.ts.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../platform/db/database.ts'
import { buildCommunity } from '../community/testing.ts'
import { moderationAudit, moderationEvents, moderationStage, queuedFollowUps } from './testing.ts'

let t: TestApp
let stage: ReturnType<typeof moderationStage>
let mod: ReturnType<typeof moderationStage>['mod']
let posts: ReturnType<typeof moderationStage>['posts']
let community: ReturnType<typeof moderationStage>['community']
beforeAll(async () => {
  t = await buildTestApp()
  stage = moderationStage(t)
  ;({ mod, posts, community } = stage)
})
afterAll(async () => t?.close())

const cast = () => stage.cast()
const postBy: ReturnType<typeof moderationStage>['postBy'] = (...args) => stage.postBy(...args)
const feedIds: ReturnType<typeof moderationStage>['feedIds'] = (...args) => stage.feedIds(...args)

describe('reports', () => {
  it('needs sight of the target, refuses self-reports and duplicates, and groups reports into one case', async () => {
    const { c, author, reporter, reporter2, stranger, moderator } = await cast()
    const postId = await postBy(c, author)
    const target = { targetKind: 'post', targetId: postId, category: 'spam' }
    const byStranger = await mod.report(stranger.token, target)
    expect([403, 404]).toContain(byStranger.statusCode)
    const self = await mod.report(author.token, target)
    expect([self.statusCode, self.json().code]).toEqual([403, 'REPORT_OF_SELF'])
    const selfUser = await mod.report(author.token, {
      targetKind: 'user',
      targetId: author.userId,
      communityId: c.communityId,
      category: 'other',
    })
    expect(selfUser.statusCode).toBe(403)
    const first = await mod.report(reporter.token, { ...target, note: 'spam link' })
    expect(first.statusCode, first.body).toBe(201)
    const again = await mod.report(reporter.token, { ...target, category: 'hate' })
    expect([again.statusCode, again.json().code]).toEqual([409, 'REPORT_ALREADY_OPEN'])
    const second = await mod.report(reporter2.token, { ...target, category: 'harassment' })
    expect(second.json().caseId).toBe(first.json().caseId)
    expect((await mod.report(reporter.token, { ...target, category: 'nonsense' })).statusCode).toBe(400)
    // The case: two reporters, a severity computed from them (not sent), its follow-ups queued.
    const caseId = first.json().caseId as string
    const detail = await mod.detail(caseId, moderator.token)
    expect(detail.statusCode, detail.body).toBe(200)
    expect(detail.json()).toMatchObject({ reporterCount: 2, subjectUserId: author.userId, status: 'open' })
    expect(detail.json().severity).toBeGreaterThan(0)
    expect(
      detail
        .json()
        .reports.map((r: { reporterId: string }) => r.reporterId)
        .sort(),
    ).toEqual([reporter.userId, reporter2.userId].sort())
    expect((await queuedFollowUps(t, caseId)).map((job) => job.name)).toEqual([
      'moderation.escalate_case',
      'moderation.expire_case',
      'moderation.suppress_content',
    ])
    // The snapshot outlives the author's edit.
    const edited = await posts.call('PATCH', `/v1/communities/${c.communityId}/posts/${postId}`, author.token, {
      body: 'Nothing to see',
    })
    expect(edited.statusCode).toBe(200)
    const after = await mod.detail(caseId, moderator.token)
    expect(after.json().reports[0].snapshot).toMatchObject({ body: 'Buy cheap pills now', authorId: author.userId })
    // Reporters and members who are not moderators see no case.
    expect((await mod.detail(caseId, reporter.token)).statusCode).toBe(404)
    expect((await mod.queue(c.communityId, reporter.token)).statusCode).toBe(403)
    expect((await moderationEvents(t, c.tenantId)).map((e) => e.type)).toEqual(['moderation.case_opened'])
  })

  it('reports a member of the community, not a stranger to it', async () => {
    const { c, author, reporter, stranger } = await cast()
    const member = { targetKind: 'user', targetId: author.userId, category: 'harassment' }
    expect((await mod.report(reporter.token, member)).json().code).toBe('REPORT_COMMUNITY_REQUIRED')
    expect((await mod.report(reporter.token, { ...member, communityId: c.communityId })).statusCode).toBe(201)
    const notMember = await mod.report(reporter.token, {
      ...member,
      targetId: stranger.userId,
      communityId: c.communityId,
    })
    expect([notMember.statusCode, notMember.json().code]).toEqual([404, 'REPORT_TARGET_NOT_FOUND'])
  })

  it('keeps a member reported in two communities in two cases, each in its own queue', async () => {
    const { c, author, reporter, reporter2, moderator } = await cast()
    const other = await buildCommunity(t, { visibility: 'public' }, c.tenantId)
    for (const m of [author, reporter2]) expect((await community.join(other.communityId, m.token)).statusCode).toBe(201)
    const member = { targetKind: 'user', targetId: author.userId, category: 'harassment' }
    const here = await mod.report(reporter.token, { ...member, communityId: c.communityId })
    const there = await mod.report(reporter2.token, { ...member, communityId: other.communityId, note: 'in B' })
    expect([here.statusCode, there.statusCode]).toEqual([201, 201])
    expect(there.json().caseId).not.toBe(here.json().caseId)
    // A's moderator sees A's case with A's report only, and not B's case at all.
    const detail = (await mod.detail(here.json().caseId, moderator.token)).json()
    expect(detail.reports).toHaveLength(1)
    expect(JSON.stringify(detail)).not.toContain('in B')
    expect((await mod.detail(there.json().caseId, moderator.token)).statusCode).toBe(404)
    const queueOf = async (communityId: string, token: string) =>
      (await mod.queue(communityId, token)).json().data.map((x: { id: string }) => x.id)
    expect(await queueOf(other.communityId, other.owner.token)).toEqual([there.json().caseId])
    expect(await queueOf(c.communityId, moderator.token)).toContain(here.json().caseId)
  })
})

describe('actions', () => {
  it('hides content from members but not from its author or the moderators, and undoes it', async () => {
    const { c, author, reporter, moderator } = await cast()
    const postId = await postBy(c, author)
    const caseId = (await mod.report(reporter.token, { targetKind: 'post', targetId: postId, category: 'spam' })).json()
      .caseId as string
    const hidden = await mod.act(caseId, moderator.token, { kind: 'hide', reason: 'spam' })
    expect(hidden.statusCode, hidden.body).toBe(201)
    expect((await feedIds(c.communityId, reporter.token)).map((p) => p.id)).not.toContain(postId)
    expect(
      (await posts.call('GET', `/v1/communities/${c.communityId}/posts/${postId}`, reporter.token)).statusCode,
    ).toBe(404)
    expect(await feedIds(c.communityId, author.token)).toContainEqual(
      expect.objectContaining({ id: postId, hidden: true }),
    )
    expect((await feedIds(c.communityId, moderator.token)).map((p) => p.id)).toContain(postId)
    expect(
      ((await posts.home(reporter.token)).json() as { data: Array<{ id: string }> }).data.map((p) => p.id),
    ).not.toContain(postId)
    // Nobody takes the same action twice; a moderator cannot dismiss while it stands.
    expect((await mod.act(caseId, moderator.token, { kind: 'hide' })).json().code).toBe('MODERATION_ACTION_IN_FORCE')
    expect((await mod.close(caseId, 'dismiss', moderator.token)).json().code).toBe('MODERATION_CASE_HAS_ACTIONS')
    const undone = await mod.undo(hidden.json().id, moderator.token)
    expect(undone.statusCode, undone.body).toBe(200)
    expect(undone.json().undoneBy).toBe(moderator.userId)
    expect((await mod.undo(hidden.json().id, moderator.token)).json().code).toBe('MODERATION_ACTION_UNDONE')
    expect((await feedIds(c.communityId, reporter.token)).map((p) => p.id)).toContain(postId)
    expect((await mod.close(caseId, 'resolve', moderator.token)).json().code).toBe('MODERATION_CASE_HAS_NO_ACTION')
    const dismissed = await mod.close(caseId, 'dismiss', moderator.token)
    expect(dismissed.json()).toMatchObject({ status: 'closed', resolution: 'dismissed' })
    expect((await mod.act(caseId, moderator.token, { kind: 'hide' })).json().code).toBe('MODERATION_CASE_CLOSED')
    expect(await moderationAudit(t, c.tenantId)).toEqual(
      expect.arrayContaining([
        { action: 'moderation.action_taken' },
        { action: 'moderation.action_undone' },
        { action: 'moderation.case_dismissed' },
      ]),
    )
  })

  it('deletes a comment and restores it, suspends and bans the author, and lifts both', async () => {
    const { c, author, reporter, moderator } = await cast()
    const postId = await postBy(c, reporter, 'A fine post')
    const comment = await posts.comment(c.communityId, postId, author.token, { body: 'You are all idiots' })
    const commentId = comment.json().id as string
    const report = await mod.report(reporter.token, {
      targetKind: 'comment',
      targetId: commentId,
      category: 'harassment',
    })
    const caseId = report.json().caseId as string
    const comments = () =>
      posts.call('GET', `/v1/communities/${c.communityId}/posts/${postId}/comments`, reporter.token)
    const deleted = await mod.act(caseId, moderator.token, { kind: 'delete' })
    expect(deleted.statusCode, deleted.body).toBe(201)
    expect((await comments()).json().data).toEqual([])
    expect((await mod.undo(deleted.json().id, moderator.token)).statusCode).toBe(200)
    expect((await comments()).json().data.map((x: { id: string }) => x.id)).toEqual([commentId])
    const until = new Date(Date.now() + 86_400_000).toISOString()
    expect((await mod.act(caseId, moderator.token, { kind: 'suspend' })).json().code).toBe(
      'MODERATION_SUSPENSION_UNTIL',
    )
    const suspended = await mod.act(caseId, moderator.token, { kind: 'suspend', until })
    expect(suspended.statusCode, suspended.body).toBe(201)
    expect((await community.member(c.communityId, author.userId, c.owner.token)).json().state).toBe('suspended')
    expect((await mod.undo(suspended.json().id, moderator.token)).statusCode).toBe(200)
    expect((await community.member(c.communityId, author.userId, c.owner.token)).json().state).toBe('active')
    const banned = await mod.act(caseId, moderator.token, { kind: 'ban', reason: 'abuse' })
    expect(banned.statusCode, banned.body).toBe(201)
    expect((await community.member(c.communityId, author.userId, c.owner.token)).json().state).toBe('banned')
    expect((await mod.undo(banned.json().id, moderator.token)).statusCode).toBe(200)
    expect((await community.member(c.communityId, author.userId, c.owner.token)).json().state).not.toBe('banned')
    const detail = (await mod.detail(caseId, moderator.token)).json()
    expect(detail.actions.map((a: { kind: string; undoneAt: string | null }) => [a.kind, a.undoneAt !== null])).toEqual(
      [
        ['ban', true],
        ['suspend', true],
        ['delete', true],
      ],
    )
  })

  it('lets no moderator act on a case about themselves, and no member act at all', async () => {
    const { c, reporter, moderator, moderator2 } = await cast()
    const postId = await postBy(c, moderator, 'My moderator post')
    const caseId = (await mod.report(reporter.token, { targetKind: 'post', targetId: postId, category: 'spam' })).json()
      .caseId as string
    const own = await mod.act(caseId, moderator.token, { kind: 'hide' })
    expect([own.statusCode, own.json().code]).toEqual([403, 'MODERATION_OWN_CASE'])
    expect((await mod.detail(caseId, moderator.token)).statusCode).toBe(403)
    const queue = (await mod.queue(c.communityId, moderator.token)).json() as { data: Array<{ id: string }> }
    expect(queue.data.map((x) => x.id)).not.toContain(caseId)
    expect((await mod.act(caseId, reporter.token, { kind: 'hide' })).statusCode).toBe(404)
    // A peer moderator cannot suspend another moderator (community rank), but can hide the post.
    expect((await mod.act(caseId, moderator2.token, { kind: 'hide' })).statusCode).toBe(201)
    const suspend = await mod.act(caseId, moderator2.token, {
      kind: 'suspend',
      until: new Date(Date.now() + 3_600_000).toISOString(),
    })
    expect(suspend.statusCode).toBe(403)
  })
})

describe('channel messages', () => {
  it('are reported by readers of the channel, hidden from members and catch-up, and shown again', async () => {
    const { c, author, reporter, moderator, stranger } = await cast()
    const channel = await community.channel(c.communityId, c.owner.token, { name: 'general' })
    expect(channel.statusCode, channel.body).toBe(201)
    const channelId = channel.json().id as string
    const sent = await mod.call('POST', `/v1/channels/${channelId}/messages`, author.token, { body: 'Click my link' })
    const messageId = sent.json().id as string
    const target = { targetKind: 'channel_message', targetId: messageId, category: 'spam' }
    expect((await mod.report(stranger.token, target)).statusCode).toBe(404)
    expect((await mod.report(author.token, target)).json().code).toBe('REPORT_OF_SELF')
    const report = await mod.report(reporter.token, target)
    expect(report.statusCode, report.body).toBe(201)
    const caseId = report.json().caseId as string
    const messages = async (token: string, query = '') =>
      (
        (await mod.call('GET', `/v1/channels/${channelId}/messages${query}`, token)).json() as {
          data: Array<{ id: string; hidden: boolean }>
        }
      ).data
    expect((await mod.act(caseId, moderator.token, { kind: 'delete' })).json().code).toBe(
      'MODERATION_ACTION_NOT_APPLICABLE',
    )
    const hidden = await mod.act(caseId, moderator.token, { kind: 'hide' })
    expect(hidden.statusCode, hidden.body).toBe(201)
    expect(await messages(reporter.token)).toEqual([])
    expect(await messages(reporter.token, '?order=asc')).toEqual([])
    expect(await messages(author.token)).toEqual([expect.objectContaining({ id: messageId, hidden: true })])
    expect((await messages(moderator.token)).map((m) => m.id)).toEqual([messageId])
    const chatEvents = async () =>
      (
        await t.platform.database.transaction(platformScope, (tx) =>
          rowsOf<{ type: string }>(
            tx,
            sql`SELECT type FROM platform.domain_events WHERE tenant_id = ${c.tenantId} AND type LIKE 'chat.message_%' AND payload->>'messageId' = ${messageId} ORDER BY occurred_at, id`,
          ),
        )
      ).map((e) => e.type)
    // Connected clients drop it as they drop a delete, and take it back when it is shown again.
    expect(await chatEvents()).toEqual(['chat.message_created', 'chat.message_deleted'])
    expect((await mod.undo(hidden.json().id, moderator.token)).statusCode).toBe(200)
    expect((await messages(reporter.token)).map((m) => m.id)).toEqual([messageId])
    expect(await chatEvents()).toEqual(['chat.message_created', 'chat.message_deleted', 'chat.message_created'])
  })
})

describe('queue', () => {
  it('filters by status, severity, target kind and assignment', async () => {
    const { c, author, reporter, moderator } = await cast()
    const spam = await postBy(c, author)
    const threat = await postBy(c, author, 'I know where you live')
    await mod.report(reporter.token, { targetKind: 'post', targetId: spam, category: 'spam' })
    const violent = await mod.report(reporter.token, { targetKind: 'post', targetId: threat, category: 'violence' })
    const ids = async (query: string) =>
      (
        (await mod.queue(c.communityId, moderator.token, query)).json() as { data: Array<{ targetId: string }> }
      ).data.map((x) => x.targetId)
    expect(await ids('')).toEqual([threat, spam])
    expect(await ids('?severityMin=40')).toEqual([threat])
    expect(await ids('?targetKind=user')).toEqual([])
    expect(await ids('?status=closed')).toEqual([])
    expect(await ids('?assigned=me')).toEqual([])
    const claimed = await mod.call('POST', `/v1/moderation/cases/${violent.json().caseId}/claim`, moderator.token)
    expect(claimed.json().assignedTo).toBe(moderator.userId)
    expect(await ids('?assigned=me')).toEqual([threat])
    const page = (await mod.queue(c.communityId, moderator.token, '?limit=1')).json()
    expect(page.nextCursor).not.toBeNull()
    const next = await mod.queue(c.communityId, moderator.token, `?limit=1&cursor=${page.nextCursor}`)
    expect(next.json().data.map((x: { targetId: string }) => x.targetId)).toEqual([spam])
  })
})
