/**
 * Moderation's flows over HTTP (journey 11): the word filter holds content until a moderator
 * releases it, follow-up jobs act once and only when their rule still holds, and appeals are
 * decided by another moderator. Reports, actions and the queue: moderation.routes.test.ts.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../platform/db/database.ts'
import { ageCase, moderationAudit, moderationEvents, moderationStage, runFollowUpNow } from './testing.ts'

let t: TestApp
let stage: ReturnType<typeof moderationStage>
let mod: ReturnType<typeof moderationStage>['mod']
let posts: ReturnType<typeof moderationStage>['posts']
beforeAll(async () => {
  t = await buildTestApp()
  stage = moderationStage(t)
  ;({ mod, posts } = stage)
})
afterAll(async () => t?.close())

const cast = () => stage.cast()
const postBy: ReturnType<typeof moderationStage>['postBy'] = (...args) => stage.postBy(...args)
const feedIds: ReturnType<typeof moderationStage>['feedIds'] = (...args) => stage.feedIds(...args)

describe('word filter', () => {
  it('holds matching posts and comments for review, visible to their author as hidden, until released', async () => {
    const { c, author, reporter, moderator } = await cast()
    const filterUrl = `/v1/communities/${c.communityId}/moderation/word-filter`
    expect((await mod.call('PUT', filterUrl, reporter.token, { phrases: ['x'] })).statusCode).toBe(403)
    expect((await mod.call('PUT', filterUrl, moderator.token, { phrases: ['!!'] })).json().code).toBe(
      'WORD_FILTER_PHRASE_EMPTY',
    )
    const set = await mod.call('PUT', filterUrl, moderator.token, { phrases: ['Crypto Giveaway', 'Scäm'] })
    expect(set.json()).toEqual({ phrases: ['crypto giveaway', 'scam'] })
    expect((await mod.call('GET', filterUrl, moderator.token)).json().phrases).toHaveLength(2)
    const clean = await postBy(c, author, 'A classic scampi recipe')
    expect((await feedIds(c.communityId, reporter.token)).map((p) => p.id)).toContain(clean)
    const held = await posts.post(c.communityId, author.token, { body: 'Join the CRYPTO giveaway now' })
    expect(held.statusCode, held.body).toBe(201)
    expect(held.json().hidden).toBe(true)
    const heldId = held.json().id as string
    expect((await feedIds(c.communityId, reporter.token)).map((p) => p.id)).not.toContain(heldId)
    expect(await feedIds(c.communityId, author.token)).toContainEqual(
      expect.objectContaining({ id: heldId, hidden: true }),
    )
    // The case carries the signal and the system's hold; a moderator releases the post by undoing it.
    const queue = (await mod.queue(c.communityId, moderator.token)).json() as {
      data: Array<{ id: string; targetId: string; wordFilterMatch: string | null; reporterCount: number }>
    }
    const heldCase = queue.data.find((x) => x.targetId === heldId)!
    expect(heldCase).toMatchObject({ wordFilterMatch: 'crypto giveaway', reporterCount: 0 })
    const detail = (await mod.detail(heldCase.id, moderator.token)).json()
    expect(detail.actions).toEqual([expect.objectContaining({ kind: 'hide', takenBy: null })])
    expect((await mod.undo(detail.actions[0].id, moderator.token)).statusCode).toBe(200)
    expect((await feedIds(c.communityId, reporter.token)).map((p) => p.id)).toContain(heldId)
    // A comment edited into a match is held too, and a moderator may remove it instead.
    const comment = await posts.comment(c.communityId, clean, author.token, { body: 'Nice' })
    const commentId = comment.json().id as string
    const edited = await mod.call('PATCH', `/v1/communities/${c.communityId}/comments/${commentId}`, author.token, {
      body: 'total scam',
    })
    expect(edited.statusCode, edited.body).toBe(200)
    expect(edited.json().hidden).toBe(true)
    const commentCase = (await mod.queue(c.communityId, moderator.token, '?targetKind=comment')).json().data[0]
    expect(commentCase.targetId).toBe(commentId)
    expect((await mod.act(commentCase.id, moderator.token, { kind: 'delete' })).statusCode).toBe(201)
  })

  it("does not tell a post's author about a comment the filter holds for review", async () => {
    const { c, author, reporter, moderator } = await cast()
    const filterUrl = `/v1/communities/${c.communityId}/moderation/word-filter`
    await mod.call('PUT', filterUrl, moderator.token, { phrases: ['crypto giveaway'] })
    const postId = await postBy(c, author, 'Our reading list')
    const held = await posts.comment(c.communityId, postId, reporter.token, { body: 'crypto giveaway here' })
    expect(held.json().hidden).toBe(true)
    const shown = await posts.comment(c.communityId, postId, reporter.token, { body: 'Thanks for this' })
    expect(shown.json().hidden).toBe(false)
    const events = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ id: string; payload: { commentId: string; held?: boolean } }>(
        tx,
        sql`SELECT id, payload FROM platform.domain_events
             WHERE tenant_id = ${c.tenantId} AND type = 'community.comment_created' ORDER BY occurred_at, id`,
      ),
    )
    expect(events.map((e) => [e.payload.commentId, e.payload.held])).toEqual([
      [held.json().id, true],
      [shown.json().id, false],
    ])
    for (const event of events) await t.platform.events.dispatch({ eventId: event.id, tenantId: c.tenantId })
    const inbox = await mod.call('GET', '/v1/me/notifications', author.token)
    const about = (inbox.json() as { data: Array<{ type: string }> }).data.filter(
      (item) => item.type === 'community.comment_created',
    )
    expect(about).toHaveLength(1)
  })
})

describe('follow-up jobs', () => {
  it('escalate an untriaged case once, and only when due', async () => {
    const { c, author, reporter } = await cast()
    const postId = await postBy(c, author)
    const caseId = (await mod.report(reporter.token, { targetKind: 'post', targetId: postId, category: 'hate' })).json()
      .caseId as string
    expect(await runFollowUpNow(t, 'escalate', c.tenantId, caseId)).toBe('rescheduled')
    await ageCase(t, caseId, 7)
    expect(await runFollowUpNow(t, 'escalate', c.tenantId, caseId)).toBe('escalated')
    expect(await runFollowUpNow(t, 'escalate', c.tenantId, caseId)).toBe('skipped')
    expect((await moderationEvents(t, c.tenantId)).map((e) => e.type)).toContain('moderation.case_escalated')
  })

  it('expire a lone low-severity report nobody acted on, but not a grave one', async () => {
    const { c, author, reporter, reporter2 } = await cast()
    const low = await postBy(c, author)
    const grave = await postBy(c, author, 'threat')
    const lowCase = (await mod.report(reporter.token, { targetKind: 'post', targetId: low, category: 'spam' })).json()
      .caseId as string
    const graveCase = (
      await mod.report(reporter2.token, { targetKind: 'post', targetId: grave, category: 'self_harm' })
    ).json().caseId as string
    for (const caseId of [lowCase, graveCase]) await ageCase(t, caseId, 13)
    expect(await runFollowUpNow(t, 'reject', c.tenantId, graveCase)).toBe('skipped')
    expect(await runFollowUpNow(t, 'reject', c.tenantId, lowCase)).toBe('expired')
    expect(await runFollowUpNow(t, 'reject', c.tenantId, lowCase)).toBe('skipped')
    // A closed case frees the reporter to report again: a new case.
    const again = await mod.report(reporter.token, { targetKind: 'post', targetId: low, category: 'spam' })
    expect(again.statusCode).toBe(201)
    expect(again.json().caseId).not.toBe(lowCase)
  })

  it('suppress the content of a case still open, as an undoable system action', async () => {
    const { c, author, reporter, moderator } = await cast()
    const postId = await postBy(c, author)
    const caseId = (
      await mod.report(reporter.token, { targetKind: 'post', targetId: postId, category: 'sexual' })
    ).json().caseId as string
    // A community may shorten the delay within bounds; the job follows the setting at run time.
    const settings = await mod.call('PUT', `/v1/communities/${c.communityId}/moderation/settings`, c.owner.token, {
      escalateHours: 2,
      rejectHours: 4,
      suppressHours: 3,
    })
    expect(settings.statusCode, settings.body).toBe(200)
    const outOfBounds = await mod.call('PUT', `/v1/communities/${c.communityId}/moderation/settings`, c.owner.token, {
      escalateHours: 0,
      rejectHours: 4,
      suppressHours: 3,
    })
    expect(outOfBounds.statusCode).toBe(400)
    await ageCase(t, caseId, 3.5)
    expect(await runFollowUpNow(t, 'suppress', c.tenantId, caseId)).toBe('suppressed')
    expect(await runFollowUpNow(t, 'suppress', c.tenantId, caseId)).toBe('skipped')
    expect((await feedIds(c.communityId, reporter.token)).map((p) => p.id)).not.toContain(postId)
    const actions = (await mod.detail(caseId, moderator.token)).json().actions
    expect(actions).toEqual([expect.objectContaining({ kind: 'hide', takenBy: null })])
    expect((await mod.undo(actions[0].id, moderator.token)).statusCode).toBe(200)
    expect((await feedIds(c.communityId, reporter.token)).map((p) => p.id)).toContain(postId)
    // Released by a moderator: a later run (a redelivery) leaves that decision alone.
    expect(await runFollowUpNow(t, 'suppress', c.tenantId, caseId)).toBe('skipped')
    expect((await feedIds(c.communityId, reporter.token)).map((p) => p.id)).toContain(postId)
  })

  it('leaves a claimed case’s content to the moderator who claimed it', async () => {
    const { c, author, reporter, moderator } = await cast()
    const postId = await postBy(c, author)
    const caseId = (
      await mod.report(reporter.token, { targetKind: 'post', targetId: postId, category: 'sexual' })
    ).json().caseId as string
    expect((await mod.call('POST', `/v1/moderation/cases/${caseId}/claim`, moderator.token)).statusCode).toBe(200)
    await ageCase(t, caseId, 25)
    expect(await runFollowUpNow(t, 'suppress', c.tenantId, caseId)).toBe('skipped')
    expect((await feedIds(c.communityId, reporter.token)).map((p) => p.id)).toContain(postId)
  })
})

describe('appeals', () => {
  it('are filed once by the subject and decided by another moderator; granted undoes the action', async () => {
    const { c, author, reporter, moderator, moderator2 } = await cast()
    const postId = await postBy(c, author)
    const caseId = (await mod.report(reporter.token, { targetKind: 'post', targetId: postId, category: 'spam' })).json()
      .caseId as string
    const hidden = (await mod.act(caseId, moderator.token, { kind: 'hide' })).json()
    const mine = await mod.call('GET', '/v1/me/moderation-actions', author.token)
    expect(mine.json().data.map((a: { id: string }) => a.id)).toEqual([hidden.id])
    expect((await mod.appeal(hidden.id, reporter.token)).statusCode).toBe(404)
    const appeal = await mod.appeal(hidden.id, author.token)
    expect(appeal.statusCode, appeal.body).toBe(201)
    expect((await mod.appeal(hidden.id, author.token)).json().code).toBe('MODERATION_APPEAL_EXISTS')
    const appealId = appeal.json().id as string
    const bySame = await mod.decide(appealId, moderator.token, 'granted')
    expect([bySame.statusCode, bySame.json().code]).toEqual([403, 'MODERATION_APPEAL_SAME_MODERATOR'])
    expect((await mod.decide(appealId, author.token, 'granted')).statusCode).toBe(404)
    const granted = await mod.decide(appealId, moderator2.token, 'granted')
    expect(granted.json()).toMatchObject({ status: 'granted', decidedBy: moderator2.userId })
    expect((await mod.decide(appealId, c.owner.token, 'denied')).json().code).toBe('MODERATION_APPEAL_DECIDED')
    expect((await feedIds(c.communityId, reporter.token)).map((p) => p.id)).toContain(postId)
    expect((await mod.call('GET', `/v1/moderation/appeals/${appealId}`, author.token)).json().status).toBe('granted')
    const audit = (await moderationAudit(t, c.tenantId)).map((row) => row.action)
    expect(audit).toEqual(expect.arrayContaining(['moderation.appeal_filed', 'moderation.appeal_granted']))
    expect((await moderationEvents(t, c.tenantId)).map((e) => e.type)).toContain('moderation.appeal_decided')
  })

  it('denied leaves the action in force', async () => {
    const { c, author, reporter, moderator, moderator2 } = await cast()
    const postId = await postBy(c, author)
    const caseId = (await mod.report(reporter.token, { targetKind: 'post', targetId: postId, category: 'spam' })).json()
      .caseId as string
    const deleted = (await mod.act(caseId, moderator.token, { kind: 'delete' })).json()
    const appealId = (await mod.appeal(deleted.id, author.token)).json().id as string
    expect((await mod.decide(appealId, moderator2.token, 'denied')).json().status).toBe('denied')
    expect((await feedIds(c.communityId, author.token)).map((p) => p.id)).not.toContain(postId)
    expect((await mod.close(caseId, 'resolve', moderator.token)).json().resolution).toBe('actioned')
  })
})
