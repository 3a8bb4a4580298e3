/**
 * Two app instances on one PostgreSQL and one Redis, a socket.io-client on each (issue 12): a
 * publish on node A reaches the member connected to node B, presence on either node shows both
 * nodes' users, an eviction on node A removes the member's socket on node B from the room at
 * once, and a session ended through node A closes its socket on node B. The chat module's channel
 * rooms across nodes: a message sent over REST on node A reaches a member's socket on node B, and
 * a ban on node A evicts that member's socket on node B (only node A runs the worker, so its outbox
 * subscribers reach node B through the Redis adapter). A group DM with a blocked pair withholds the
 * blocked member's typing (sent on node A) and read receipt from the blocker on node B, and a member
 * who leaves over REST on node A leaves the room on node B.
 *
 * Needs TEST_DATABASE_URL and TEST_REDIS_URL; without them the file skips loudly.
 */
import { randomUUID } from 'node:crypto'
import { Type } from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Socket } from 'socket.io-client'
import { buildTestApp, testDatabaseUrl, type TestApp } from './build-test-app.ts'
import type { RealtimeGateway } from '../src/platform/realtime/realtime.types.ts'
import {
  client,
  collect,
  connected,
  disconnected,
  eventually,
  listen,
  nextEvent,
  request,
} from '../src/platform/realtime/realtime.testing.ts'
import { buildCommunity, communityClient } from '../src/modules/community/testing.ts'

const missing = !testDatabaseUrl()
  ? 'PostgreSQL (TEST_DATABASE_URL)'
  : !process.env.TEST_REDIS_URL
    ? 'Redis (TEST_REDIS_URL)'
    : ''
if (missing) console.warn(`\n*** test/realtime-two-nodes.test.ts SKIPPED: it needs ${missing} ***\n`)

const members = new Map<string, Set<string>>()

function registerClub(gateway: RealtimeGateway): void {
  gateway.registerServerEvent('club.message', Type.Object({ text: Type.String({ maxLength: 100 }) }))
  gateway.registerRoomKind('club', {
    description: 'A test club',
    async authorise(ctx, roomId) {
      const userId = ctx.principal.kind === 'user' ? ctx.principal.userId : ''
      return members.get(roomId)?.has(userId) ? true : { code: 'NOT_A_MEMBER', detail: 'Members only' }
    },
  })
}

describe.skipIf(Boolean(missing))('the realtime gateway on two nodes (PostgreSQL + Redis)', () => {
  let a: TestApp
  let b: TestApp
  const urls: Record<'a' | 'b', string> = { a: '', b: '' }
  let tenant: { id: string; slug: string }
  const sockets: Socket[] = []

  beforeAll(async () => {
    // Node A alone runs the worker: the outbox subscribers that feed (and evict) the chat rooms run
    // there, so what node B's sockets receive of them crossed Redis.
    a = await buildTestApp({ realtime: { register: registerClub }, worker: true })
    b = await buildTestApp({ realtime: { register: registerClub } })
    urls.a = await listen(a)
    urls.b = await listen(b)
    tenant = await a.createTenant()
  })
  afterAll(async () => {
    for (const socket of sockets) socket.close()
    await b?.close()
    await a?.close()
  })

  async function memberOn(node: 'a' | 'b', club: string) {
    const userId = randomUUID()
    if (!members.has(club)) members.set(club, new Set())
    members.get(club)!.add(userId)
    const token = await a.tokenFor(tenant.id, ['learner'], userId)
    const socket = await connected(client(urls[node], { host: `${tenant.slug}.localhost`, token }))
    sockets.push(socket)
    expect(await request(socket, 'room.join', { room: `club:${club}` })).toMatchObject({ ok: true })
    return { userId, token, socket }
  }

  it('delivers a publish on node A to a member connected to node B', async () => {
    const club = randomUUID()
    const [onA, onB] = [await memberOn('a', club), await memberOn('b', club)]
    const toB = nextEvent(onB.socket, 'club.message')
    const toA = nextEvent(onA.socket, 'club.message')
    a.platform.realtime.publish(tenant.id, `club:${club}`, 'club.message', { text: 'across' })
    expect(await toB).toEqual({ text: 'across' })
    expect(await toA).toEqual({ text: 'across' })
  })

  it("shows both nodes' users in presence, on either node", async () => {
    const club = randomUUID()
    const [onA, onB] = [await memberOn('a', club), await memberOn('b', club)]
    for (const node of [a, b])
      expect(await node.platform.realtime.presenceOf(tenant.id, [onA.userId, onB.userId])).toEqual([
        { userId: onA.userId, online: true },
        { userId: onB.userId, online: true },
      ])
    onB.socket.close()
    await eventually(async () => !(await a.platform.realtime.presenceOf(tenant.id, [onB.userId]))[0]!.online)
  })

  it('removes a member from the room on node B when node A evicts them', async () => {
    const club = randomUUID()
    const [kept, banned] = [await memberOn('a', club), await memberOn('b', club)]
    const evicted = nextEvent(banned.socket, 'room.evicted')
    members.get(club)!.delete(banned.userId)
    await a.platform.realtime.evict({ tenantId: tenant.id, kind: 'club', roomId: club, userId: banned.userId })
    expect(await evicted).toEqual({ room: `club:${club}` })
    const internal = `${tenant.id}/club:${club}`
    await eventually(async () => (await b.realtime.io.in(internal).fetchSockets()).length === 1)
    const seen = collect(banned.socket, 'club.message')
    const toKept = nextEvent(kept.socket, 'club.message')
    a.platform.realtime.publish(tenant.id, `club:${club}`, 'club.message', { text: 'after the ban' })
    await toKept
    // A later publish to the banned user's own room arrives: nothing else was on its way.
    const own = nextEvent(banned.socket, 'club.message')
    a.platform.realtime.publish(tenant.id, `user:${banned.userId}`, 'club.message', { text: 'direct' })
    expect(await own).toEqual({ text: 'direct' })
    expect(seen).toEqual([{ text: 'direct' }])
  })

  it('closes the socket on node B when its session ends through node A', async () => {
    const member = await memberOn('b', randomUUID())
    const gone = disconnected(member.socket)
    const logout = await a.app.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      headers: { host: `${tenant.slug}.localhost`, ...a.auth(member.token) },
    })
    expect(logout.statusCode).toBe(204)
    expect(await gone).toBe('io server disconnect')
  })
  describe('group DM rooms', () => {
    it('withholds typing and receipts across nodes from a blocked member, and evicts a leaver on node B', async () => {
      const people = [randomUUID(), randomUUID(), randomUUID()]
      const [blocker, blocked, third] = await Promise.all(
        people.map(async (userId) => ({ userId, token: await a.tokenFor(tenant.id, ['learner'], userId) })),
      )
      const call = (method: 'POST' | 'PUT' | 'DELETE', url: string, token: string, payload?: object) =>
        a.app.inject({ method, url, headers: a.auth(token), ...(payload ? { payload } : {}) })
      const created = await call('POST', '/v1/dm/threads', blocker!.token, {
        participantIds: [blocked!.userId, third!.userId],
      })
      expect(created.statusCode, created.body).toBe(201)
      const threadId = (created.json() as { id: string }).id
      const room = `dm:${threadId}`
      const connect = async (node: 'a' | 'b', token: string) => {
        const socket = await connected(client(urls[node], { host: `${tenant.slug}.localhost`, token }))
        sockets.push(socket)
        expect(await request(socket, 'room.join', { room })).toMatchObject({ ok: true })
        return socket
      }
      // The blocker and the third member on node B; the blocked member on node A.
      const [onB, thirdOnB, blockedOnA] = [
        await connect('b', blocker!.token),
        await connect('b', third!.token),
        await connect('a', blocked!.token),
      ]
      const sent = await call('POST', `/v1/dm/threads/${threadId}/messages`, third!.token, { body: 'hello' })
      expect(sent.statusCode).toBe(201)
      expect((await call('PUT', `/v1/me/blocks/${blocked!.userId}`, blocker!.token)).statusCode).toBeLessThan(300)

      const typingOnB = collect<{ userId: string }>(onB, 'typing')
      const receiptsOnB = collect<{ userId: string }>(onB, 'dm.receipt')
      const typingAtThird = nextEvent<{ userId: string }>(thirdOnB, 'typing')
      expect(await request(blockedOnA, 'typing', { room })).toMatchObject({ ok: true, data: { broadcast: true } })
      expect((await typingAtThird).userId).toBe(blocked!.userId)
      const receiptAtThird = nextEvent<{ userId: string }>(thirdOnB, 'dm.receipt')
      const messageId = (sent.json() as { id: string }).id
      const read = await call('PUT', `/v1/dm/threads/${threadId}/read-marker`, blocked!.token, { messageId })
      expect(read.statusCode).toBe(200)
      expect((await receiptAtThird).userId).toBe(blocked!.userId)
      // Published after the withheld ones on the same node and channel: once it arrived, they would have.
      const later = nextEvent<{ body: string }>(onB, 'dm.message.created')
      expect(
        (await call('POST', `/v1/dm/threads/${threadId}/messages`, third!.token, { body: 'later' })).statusCode,
      ).toBe(201)
      expect((await later).body).toBe('later')
      expect(typingOnB).toEqual([])
      expect(receiptsOnB).toEqual([])

      const evicted = nextEvent(thirdOnB, 'room.evicted')
      const left = await call('DELETE', `/v1/dm/threads/${threadId}/participants/${third!.userId}`, third!.token)
      expect(left.statusCode).toBe(204)
      expect(await evicted).toEqual({ room, reason: 'left' })
      await eventually(async () =>
        (await b.realtime.io.in(`${tenant.id}/${room}`).fetchSockets()).every((socket) => socket.id !== thirdOnB.id),
      )
    })
  })

  describe('channel chat rooms', () => {
    async function channelWithMemberOnB() {
      const c = await buildCommunity(a, { visibility: 'public' }, tenant.id)
      const created = await communityClient(a).channel(c.communityId, c.owner.token, { name: 'general' })
      expect(created.statusCode, created.body).toBe(201)
      const channelId = (created.json() as { id: string }).id
      const [sender, reader] = [await c.member(), await c.member()]
      for (const member of [sender, reader])
        expect((await communityClient(a).join(c.communityId, member.token)).statusCode).toBeLessThan(300)
      const socket = await connected(client(urls.b, { host: `${tenant.slug}.localhost`, token: reader.token }))
      sockets.push(socket)
      expect(await request(socket, 'room.join', { room: `channel:${channelId}` })).toMatchObject({ ok: true })
      const send = (body: string) =>
        a.app.inject({
          method: 'POST',
          url: `/v1/channels/${channelId}/messages`,
          headers: a.auth(sender.token),
          payload: { body },
        })
      return { c, channelId, reader, socket, send }
    }

    it('delivers a channel message sent over REST on node A to a member connected to node B', async () => {
      const { channelId, socket, send } = await channelWithMemberOnB()
      const live = nextEvent<{ body: string; channelId: string; seq: number }>(socket, 'chat.message.created')
      const sent = await send('across the nodes')
      expect(sent.statusCode, sent.body).toBe(201)
      expect(await live).toMatchObject({ channelId, seq: 1, body: 'across the nodes' })
    })

    it("evicts a member's socket on node B when node A bans them: nothing later reaches it", async () => {
      const { c, channelId, reader, socket, send } = await channelWithMemberOnB()
      const evicted = nextEvent(socket, 'room.evicted')
      expect((await communityClient(a).ban(c.communityId, reader.userId, c.owner.token)).statusCode).toBeLessThan(300)
      expect(await evicted).toEqual({ room: `channel:${channelId}`, reason: 'banned' })
      const internal = `${tenant.id}/channel:${channelId}`
      await eventually(async () => (await b.realtime.io.in(internal).fetchSockets()).length === 0)
      const seen = collect(socket, 'chat.message.created')
      // A second member on node A sees the later message arrive, so the banned socket had its chance.
      const watcher = await c.member()
      expect((await communityClient(a).join(c.communityId, watcher.token)).statusCode).toBeLessThan(300)
      const onA = await connected(client(urls.a, { host: `${tenant.slug}.localhost`, token: watcher.token }))
      sockets.push(onA)
      expect(await request(onA, 'room.join', { room: `channel:${channelId}` })).toMatchObject({ ok: true })
      const toWatcher = nextEvent(onA, 'chat.message.created')
      expect((await send('after the ban')).statusCode).toBe(201)
      await toWatcher
      expect(seen).toEqual([])
      expect(await request(socket, 'room.join', { room: `channel:${channelId}` })).toMatchObject({
        ok: false,
        error: { status: 403, code: 'CHANNEL_ACCESS_DENIED' },
      })
    })
  })
})
