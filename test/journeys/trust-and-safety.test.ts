/**
 * Journey 11, trust and safety, walked as clients do: over HTTP and Socket.IO against a listening
 * app whose worker runs the jobs. Members report a post, a channel message and a member; the case
 * gets a severity from its signals (never from the reporter); moderators hide (and undo), suspend
 * and ban, and connected clients see it at once; the unclaimed case is escalated by its follow-up
 * job on the real queue; an appeal is decided by a moderator who did not act; every step is in
 * the audit log. Then blocks and mutes hold in DMs (REST and realtime), feeds and search.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { sql } from 'drizzle-orm'
import { buildTestApp, type TestApp } from '../build-test-app.ts'
import { journeyClients } from './clients.ts'
import { platformScope } from '../../src/platform/db/database.ts'
import { collect, listen, nextEvent, request } from '../../src/platform/realtime/realtime.testing.ts'
import { buildCommunity, communityClient } from '../../src/modules/community/testing.ts'
import { ageCase, moderationClient } from '../../src/modules/moderation/testing.ts'
import { createMember, type TestMember } from '../../src/modules/enrolment/testing.ts'

let t: TestApp
let url: string
let clients: ReturnType<typeof journeyClients>

beforeAll(async () => {
  t = await buildTestApp({ worker: true })
  url = await listen(t)
  clients = journeyClients(t, () => url)
})
afterAll(async () => {
  clients?.closeSockets()
  await t?.close()
})

const call: ReturnType<typeof journeyClients>['call'] = (...args) => clients.call(...args)
const slugOf = (tenantId: string) => clients.slugOf(tenantId)
const connect = (slug: string, member: TestMember) => clients.connect(slug, member)
const idOf = (response: { json(): unknown }) => (response.json() as { id: string }).id
const POLL = { timeout: 60_000, interval: 250 }

describe('journey 11: trust and safety', () => {
  it('reports, cases, undoable actions, the follow-up job, an appeal and the audit trail', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const slug = await slugOf(c.tenantId)
    const base = `/v1/communities/${c.communityId}`
    const mod = moderationClient(t)
    const [moderator, rex, ana, ben] = [await c.member(), await c.member(), await c.member(), await c.member()]
    for (const m of [moderator, rex, ana, ben])
      expect((await communityClient(t).join(c.communityId, m.token)).statusCode).toBe(201)
    const promoted = await communityClient(t).setRole(c.communityId, moderator.userId, c.owner.token, {
      role: 'moderator',
    })
    expect(promoted.statusCode, promoted.body).toBe(200)
    const channelId = idOf(await communityClient(t).channel(c.communityId, c.owner.token, { name: 'general' }))

    // Rex posts spam and harasses in the channel, where Ana is connected.
    const post = await call('POST', `${base}/posts`, rex.token, { body: 'Cheap followers at example.test!!!' })
    expect(post.statusCode, post.body).toBe(201)
    const postId = idOf(post)
    const [sAna, sRex] = [await connect(slug, ana), await connect(slug, rex)]
    for (const s of [sAna, sRex])
      expect(await request(s, 'room.join', { room: `channel:${channelId}` })).toMatchObject({ ok: true })
    const sent = await request(sRex, 'chat.send', { channelId, body: 'nobody wants you here' })
    expect(sent).toMatchObject({ ok: true })
    const messageId = (sent as { data: { id: string } }).data.id

    // Reports: a severity sent by the reporter is refused; two reporters share one case.
    const report = (m: TestMember, body: Record<string, unknown>) => mod.report(m.token, body)
    const forged = await report(ana, { targetKind: 'post', targetId: postId, category: 'spam', severity: 100 })
    expect(forged.statusCode).toBe(400)
    expect((await report(rex, { targetKind: 'post', targetId: postId, category: 'spam' })).statusCode).toBe(403)
    const first = await report(ana, { targetKind: 'post', targetId: postId, category: 'spam' })
    expect(first.statusCode, first.body).toBe(201)
    const second = await report(ben, { targetKind: 'post', targetId: postId, category: 'harassment' })
    const postCaseId = (first.json() as { caseId: string }).caseId
    expect((second.json() as { caseId: string }).caseId).toBe(postCaseId)
    const messageReport = await report(ana, {
      targetKind: 'channel_message',
      targetId: messageId,
      category: 'harassment',
    })
    expect(messageReport.statusCode, messageReport.body).toBe(201)
    const messageCaseId = (messageReport.json() as { caseId: string }).caseId

    // The queue: both cases, the post's with two reporters and a computed severity.
    const queue = await mod.queue(c.communityId, moderator.token)
    expect(queue.statusCode, queue.body).toBe(200)
    const listed = (queue.json() as { data: Array<{ id: string; reporterCount: number; severity: number }> }).data
    expect(listed.map((x) => x.id).sort()).toEqual([postCaseId, messageCaseId].sort())
    const postCase = listed.find((x) => x.id === postCaseId)!
    expect(postCase.reporterCount).toBe(2)
    expect(postCase.severity).toBeGreaterThan(0)
    expect((await mod.queue(c.communityId, ana.token)).statusCode).toBe(403)

    // Hide the post: gone from Ben's feed, marked for Rex; undone, it is back; hidden again.
    const feedIds = async (m: TestMember) =>
      ((await call('GET', `${base}/posts`, m.token)).json() as { data: Array<{ id: string }> }).data.map((p) => p.id)
    const hidden = await mod.act(postCaseId, moderator.token, { kind: 'hide', reason: 'spam' })
    expect(hidden.statusCode, hidden.body).toBe(201)
    expect(await feedIds(ben)).not.toContain(postId)
    expect((await call('GET', `${base}/posts/${postId}`, rex.token)).json()).toMatchObject({ hidden: true })
    expect((await mod.undo(idOf(hidden), moderator.token)).statusCode).toBe(200)
    expect(await feedIds(ben)).toContain(postId)
    expect((await mod.act(postCaseId, moderator.token, { kind: 'hide', reason: 'spam' })).statusCode).toBe(201)
    expect(await feedIds(ben)).not.toContain(postId)

    // Hide the message: Ana's connected client drops it at once.
    const dropped = nextEvent<{ messageId: string }>(sAna, 'chat.message.deleted')
    expect((await mod.act(messageCaseId, moderator.token, { kind: 'hide' })).statusCode).toBe(201)
    expect((await dropped).messageId).toBe(messageId)

    // A member report: suspend, then ban; the ban takes Rex out of the room live and sticks.
    const userReport = await report(ben, {
      targetKind: 'user',
      targetId: rex.userId,
      communityId: c.communityId,
      category: 'harassment',
    })
    expect(userReport.statusCode, userReport.body).toBe(201)
    const userCaseId = (userReport.json() as { caseId: string }).caseId
    const until = new Date(Date.now() + 86_400_000).toISOString()
    expect((await mod.act(userCaseId, moderator.token, { kind: 'suspend', until })).statusCode).toBe(201)
    const whileSuspended = await call('POST', `${base}/posts`, rex.token, { body: 'I am back' })
    expect(whileSuspended.statusCode).toBe(403)
    const evicted = nextEvent<{ room: string }>(sRex, 'room.evicted')
    const ban = await mod.act(userCaseId, moderator.token, { kind: 'ban', reason: 'repeated harassment' })
    expect(ban.statusCode, ban.body).toBe(201)
    expect((await evicted).room).toBe(`channel:${channelId}`)
    expect((await communityClient(t).join(c.communityId, rex.token)).statusCode).toBe(403)

    // Rex appeals the ban; the moderator who banned may not decide it, the owner denies it.
    const appeal = await mod.appeal(idOf(ban), rex.token, 'I was provoked')
    expect(appeal.statusCode, appeal.body).toBe(201)
    const appealId = idOf(appeal)
    expect((await mod.decide(appealId, moderator.token, 'denied')).statusCode).toBe(403)
    const decided = await mod.decide(appealId, c.owner.token, 'denied')
    expect(decided.statusCode, decided.body).toBe(200)
    expect((await communityClient(t).join(c.communityId, rex.token)).statusCode).toBe(403)

    // The follow-up job on the real queue: a case nobody claimed is escalated once it is due.
    const late = await call('POST', `${base}/posts`, ben.token, { body: 'Anyone selling notes?' })
    const lateReport = await report(ana, { targetKind: 'post', targetId: idOf(late), category: 'spam' })
    const lateCaseId = (lateReport.json() as { caseId: string }).caseId
    await ageCase(t, lateCaseId, 7)
    await t.platform.database.transaction(platformScope, (tx) =>
      tx.execute(
        sql`UPDATE pgboss.job SET start_after = now() WHERE name = 'moderation.escalate_case' AND data->>'caseId' = ${lateCaseId}`,
      ),
    )
    await vi.waitFor(async () => {
      const detail = (await mod.detail(lateCaseId, moderator.token)).json() as { case?: { status: string } }
      expect(detail.case?.status ?? (detail as { status?: string }).status).toBe('escalated')
    }, POLL)

    // The audit trail, as the tenant's administrator reads it.
    const admin = await createMember(t, c.tenantId, ['tenant_admin'])
    for (const action of [
      'moderation.action_taken',
      'moderation.action_undone',
      'moderation.appeal_filed',
      'moderation.appeal_denied',
      'community.member_suspended',
      'community.member_banned',
    ]) {
      const audit = await call('GET', `/v1/audit-events?action=${action}`, admin.token)
      expect(audit.statusCode, audit.body).toBe(200)
      expect((audit.json() as { data: unknown[] }).data.length, action).toBeGreaterThan(0)
    }
  })

  it('blocks and mutes hold in direct messages, feeds, search and realtime', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const slug = await slugOf(c.tenantId)
    const base = `/v1/communities/${c.communityId}`
    const [ana, ben, cy] = [await c.member(), await c.member(), await c.member()]
    for (const m of [ana, ben, cy]) expect((await communityClient(t).join(c.communityId, m.token)).statusCode).toBe(201)
    const channelId = idOf(await communityClient(t).channel(c.communityId, c.owner.token, { name: 'general' }))
    const postId = idOf(await call('POST', `${base}/posts`, cy.token, { body: 'Study group tonight' }))
    expect(
      (await call('POST', `/v1/channels/${channelId}/messages`, cy.token, { body: 'study group tonight' })).statusCode,
    ).toBe(201)
    const searchHits = async (m: TestMember) =>
      (
        (await call('GET', `/v1/channels/${channelId}/messages/search?q=study`, m.token)).json() as {
          data: unknown[]
        }
      ).data.length
    const feedIds = async (m: TestMember) =>
      ((await call('GET', `${base}/posts`, m.token)).json() as { data: Array<{ id: string }> }).data.map((p) => p.id)
    expect(await searchHits(ben)).toBe(1)
    expect(await feedIds(ben)).toContain(postId)

    // Ben blocks Cy: no DM either way (REST and live), Cy gone from Ben's feed and search.
    const [sBen, sCy] = [await connect(slug, ben), await connect(slug, cy)]
    const thread = await call('POST', '/v1/dm/threads', cy.token, { participantIds: [ben.userId] })
    const threadId = idOf(thread)
    for (const s of [sBen, sCy])
      expect(await request(s, 'room.join', { room: `dm:${threadId}` })).toMatchObject({ ok: true })
    const seenByBen = collect(sBen, 'dm.message.created')
    expect((await call('PUT', `/v1/me/blocks/${cy.userId}`, ben.token)).statusCode).toBeLessThan(300)
    expect(await request(sCy, 'dm.send', { threadId, body: 'why?' })).toMatchObject({ ok: false })
    expect((await call('POST', `/v1/dm/threads/${threadId}/messages`, cy.token, { body: 'why?' })).statusCode).toBe(403)
    expect(seenByBen).toEqual([])
    expect(await feedIds(ben)).not.toContain(postId)
    expect(await searchHits(ben)).toBe(0)

    // Ana mutes Cy: hidden from her feed and search, never refused.
    expect((await call('PUT', `/v1/me/mutes/${cy.userId}`, ana.token)).statusCode).toBeLessThan(300)
    expect(await feedIds(ana)).not.toContain(postId)
    expect(await searchHits(ana)).toBe(0)
    expect((await call('POST', '/v1/dm/threads', cy.token, { participantIds: [ana.userId] })).statusCode).toBe(201)
  })
})
