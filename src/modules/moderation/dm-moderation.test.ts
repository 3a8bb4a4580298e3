/**
 * Moderation of direct messages (docs/moderation.md, "Direct messages"): a participant who reads a
 * DM reports it into a tenant case (no community) that tenant staff with members:manage decide and
 * community moderators never see; hiding leaves it out of the other participants' lists, search
 * and unread counts (its sender sees `hidden: true`) and drops it live from the thread's room;
 * undo and a granted appeal (another staff member) bring it back. Also: chat refuses reactions to
 * a hidden channel message from anyone but its sender and the moderators.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Socket } from 'socket.io-client'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { client, collect, connected, eventually, listen, request } from '../../platform/realtime/realtime.testing.ts'
import { buildCommunity, communityClient, type CommunityFixture } from '../community/testing.ts'
import type { TestMember } from '../enrolment/testing.ts'
import { moderationClient } from './testing.ts'

let t: TestApp
let url: string
let mod: ReturnType<typeof moderationClient>
let community: ReturnType<typeof communityClient>
const sockets: Socket[] = []

beforeAll(async () => {
  t = await buildTestApp({ worker: true })
  url = await listen(t)
  mod = moderationClient(t)
  community = communityClient(t)
})
afterAll(async () => {
  for (const socket of sockets) socket.close()
  await t?.close()
})

interface Message {
  id: string
  body: string | null
  hidden: boolean
}

/** A private community with a moderator; a 1:1 thread where `sender` wrote to `reader`; two tenant admins. */
async function cast() {
  const tenant = await t.createTenant()
  const c: CommunityFixture = await buildCommunity(t, { visibility: 'private' }, tenant.id)
  const [sender, reader, outsider, communityMod] = [
    await c.member(),
    await c.member(),
    await c.member(),
    await c.member(),
  ]
  const [staff, staff2] = [await c.member(['tenant_admin']), await c.member(['tenant_admin'])]
  expect((await community.add(c.communityId, communityMod.userId, c.owner.token)).statusCode).toBe(201)
  const role = await community.setRole(c.communityId, communityMod.userId, c.owner.token, { role: 'moderator' })
  expect(role.statusCode, role.body).toBe(200)
  const thread = await mod.call('POST', '/v1/dm/threads', reader.token, { participantIds: [sender.userId] })
  expect(thread.statusCode, thread.body).toBe(201)
  const threadId = thread.json().id as string
  const sent = await send(threadId, sender, 'Buy cheap pills now')
  return { slug: tenant.slug, c, sender, reader, outsider, communityMod, staff, staff2, threadId, messageId: sent }
}

async function send(threadId: string, who: TestMember, body: string): Promise<string> {
  const sent = await mod.call('POST', `/v1/dm/threads/${threadId}/messages`, who.token, { body })
  expect(sent.statusCode, sent.body).toBe(201)
  return sent.json().id as string
}

const dmTarget = (messageId: string) => ({ targetKind: 'dm_message', targetId: messageId, category: 'spam' })

const listed = async (threadId: string, who: TestMember) => {
  const response = await mod.call('GET', `/v1/dm/threads/${threadId}/messages`, who.token)
  expect(response.statusCode, response.body).toBe(200)
  return (response.json() as { data: Message[] }).data
}
const searched = async (who: TestMember, q: string) => {
  const response = await mod.call('GET', `/v1/dm/messages/search?q=${q}`, who.token)
  expect(response.statusCode, response.body).toBe(200)
  return (response.json() as { data: Message[] }).data.map((m) => m.id)
}
const unread = async (threadId: string, who: TestMember) => {
  const response = await mod.call('GET', `/v1/dm/threads/${threadId}`, who.token)
  expect(response.statusCode, response.body).toBe(200)
  return response.json().unreadCount as number
}
const tenantQueue = async (who: TestMember) => {
  const response = await mod.call('GET', '/v1/moderation/cases', who.token)
  return { status: response.statusCode, ids: ((response.json().data ?? []) as Array<{ id: string }>).map((x) => x.id) }
}

describe('reporting a direct message', () => {
  it('opens a tenant case for its readers only, seen and decided by tenant staff, not community moderators', async () => {
    const { sender, reader, outsider, communityMod, staff, threadId, messageId } = await cast()
    const stranger = await mod.report(outsider.token, dmTarget(messageId))
    expect([stranger.statusCode, stranger.json().code]).toEqual([404, 'DM_MESSAGE_NOT_FOUND'])
    const own = await mod.report(sender.token, dmTarget(messageId))
    expect([own.statusCode, own.json().code]).toEqual([403, 'REPORT_OF_SELF'])
    const report = await mod.report(reader.token, dmTarget(messageId))
    expect(report.statusCode, report.body).toBe(201)
    expect(report.json()).toMatchObject({ communityId: null, targetKind: 'dm_message', targetId: messageId })
    const caseId = report.json().caseId as string

    expect(await tenantQueue(staff)).toMatchObject({ status: 200, ids: expect.arrayContaining([caseId]) })
    expect((await tenantQueue(communityMod)).status).toBe(403)
    expect((await mod.detail(caseId, communityMod.token)).statusCode).toBe(404)
    expect((await mod.act(caseId, communityMod.token, { kind: 'hide' })).statusCode).toBe(404)
    const detail = await mod.detail(caseId, staff.token)
    expect(detail.statusCode, detail.body).toBe(200)
    expect(detail.json()).toMatchObject({ communityId: null, subjectUserId: sender.userId })
    expect(detail.json().reports[0].snapshot).toMatchObject({
      kind: 'dm_message',
      authorId: sender.userId,
      body: 'Buy cheap pills now',
      threadId,
      communityId: null,
    })

    // Only hiding applies: no delete (it would lose the body for good), no community to suspend or ban in.
    const until = new Date(Date.now() + 3_600_000).toISOString()
    for (const body of [{ kind: 'delete' }, { kind: 'ban' }, { kind: 'suspend', until }]) {
      const refused = await mod.act(caseId, staff.token, body)
      expect([refused.statusCode, refused.json().code]).toEqual([409, 'MODERATION_ACTION_NOT_APPLICABLE'])
    }
  })

  it('keeps a case about a staff member from that staff member', async () => {
    const { reader, staff, staff2 } = await cast()
    const thread = await mod.call('POST', '/v1/dm/threads', reader.token, { participantIds: [staff.userId] })
    expect(thread.statusCode, thread.body).toBe(201)
    const messageId = await send(thread.json().id as string, staff, 'From the staff')
    const caseId = (await mod.report(reader.token, dmTarget(messageId))).json().caseId as string
    expect((await tenantQueue(staff)).ids).not.toContain(caseId)
    expect((await mod.detail(caseId, staff.token)).json().code).toBe('MODERATION_OWN_CASE')
    expect((await tenantQueue(staff2)).ids).toContain(caseId)
  })
})

describe('hiding a direct message', () => {
  it('leaves it out for the others (live too), shows it to its sender as hidden, and undoes', async () => {
    const { sender, reader, staff, staff2, slug, threadId, messageId } = await cast()
    const socket = await connected(client(url, { host: `${slug}.localhost`, token: reader.token }))
    sockets.push(socket)
    expect(await request(socket, 'room.join', { room: `dm:${threadId}` })).toMatchObject({ ok: true })
    const deletedLive = collect<{ messageId: string }>(socket, 'dm.message.deleted')
    const createdLive = collect<{ id: string }>(socket, 'dm.message.created')
    expect(await unread(threadId, reader)).toBe(1)
    expect(await searched(reader, 'pills')).toEqual([messageId])

    const caseId = (await mod.report(reader.token, dmTarget(messageId))).json().caseId as string
    const hidden = await mod.act(caseId, staff.token, { kind: 'hide' })
    expect(hidden.statusCode, hidden.body).toBe(201)
    await eventually(() => deletedLive.some((e) => e.messageId === messageId))

    expect((await listed(threadId, reader)).map((m) => m.id)).not.toContain(messageId)
    expect(await listed(threadId, sender)).toEqual([expect.objectContaining({ id: messageId, hidden: true })])
    expect(await searched(reader, 'pills')).toEqual([])
    expect(await searched(sender, 'pills')).toEqual([messageId])
    expect(await unread(threadId, reader)).toBe(0)
    const reacted = await mod.call(
      'PUT',
      `/v1/dm/threads/${threadId}/messages/${messageId}/reactions/heart`,
      reader.token,
    )
    expect([reacted.statusCode, reacted.json().code]).toEqual([404, 'DM_MESSAGE_NOT_FOUND'])
    const marked = await mod.call('PUT', `/v1/dm/threads/${threadId}/read-marker`, reader.token, { messageId })
    expect([marked.statusCode, marked.json().code]).toEqual([404, 'DM_MESSAGE_NOT_FOUND'])
    // Reporting it again: the reader no longer sees it.
    expect((await mod.report(reader.token, dmTarget(messageId))).statusCode).toBe(404)

    const undone = await mod.undo(hidden.json().id as string, staff.token)
    expect(undone.statusCode, undone.body).toBe(200)
    await eventually(() => createdLive.some((e) => e.id === messageId))
    expect(await listed(threadId, reader)).toEqual([expect.objectContaining({ id: messageId, hidden: false })])
    expect(await unread(threadId, reader)).toBe(1)

    // Hidden again; the sender appeals; another staff member than the one who hid it grants it.
    const again = await mod.act(caseId, staff.token, { kind: 'hide' })
    expect(again.statusCode, again.body).toBe(201)
    const appeal = await mod.appeal(again.json().id as string, sender.token)
    expect(appeal.statusCode, appeal.body).toBe(201)
    const appealId = appeal.json().id as string
    expect((await mod.decide(appealId, staff.token, 'granted')).json().code).toBe('MODERATION_APPEAL_SAME_MODERATOR')
    const granted = await mod.decide(appealId, staff2.token, 'granted')
    expect(granted.statusCode, granted.body).toBe(200)
    expect((await listed(threadId, reader)).map((m) => m.id)).toContain(messageId)
  })
})

describe('reactions to a hidden channel message', () => {
  it('are refused as for a missing message, except for its sender and the moderators', async () => {
    const { c, sender, reader, communityMod } = await cast()
    for (const m of [sender, reader])
      expect((await community.add(c.communityId, m.userId, c.owner.token)).statusCode).toBe(201)
    const channel = await community.channel(c.communityId, c.owner.token, { name: 'general' })
    expect(channel.statusCode, channel.body).toBe(201)
    const channelId = channel.json().id as string
    const sent = await mod.call('POST', `/v1/channels/${channelId}/messages`, sender.token, { body: 'Click my link' })
    const messageId = sent.json().id as string
    const target = { targetKind: 'channel_message', targetId: messageId, category: 'spam' }
    const caseId = (await mod.report(reader.token, target)).json().caseId as string
    expect((await mod.act(caseId, communityMod.token, { kind: 'hide' })).statusCode).toBe(201)
    const react = (who: TestMember) =>
      mod.call('PUT', `/v1/channels/${channelId}/messages/${messageId}/reactions/heart`, who.token)
    const refused = await react(reader)
    expect([refused.statusCode, refused.json().code]).toEqual([404, 'CHAT_MESSAGE_NOT_FOUND'])
    expect((await react(sender)).statusCode).toBeLessThan(300)
    expect((await react(communityMod)).statusCode).toBeLessThan(300)
  })
})
