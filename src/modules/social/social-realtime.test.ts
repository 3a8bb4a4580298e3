/**
 * Group DM rooms over real socket.io-client connections to a listening app (worker on, so the
 * outbox subscribers publish and evict): inside a group holding a blocked pair, nothing of one
 * reaches the other live (typing, read receipts, presence, deletions) while the third member gets
 * everything; leaving and removal evict at once, refuse rejoining and stop delivery.
 *
 * "Not received" is shown without sleeping: each socket's events arrive in the order the node sent
 * them, so once a later event has arrived, an earlier one that was withheld will never come.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Socket } from 'socket.io-client'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import {
  client,
  collect,
  connected,
  eventually,
  listen,
  nextEvent,
  request,
} from '../../platform/realtime/realtime.testing.ts'
import { createMember, type TestMember } from '../enrolment/testing.ts'

let t: TestApp
let url: string
const sockets: Socket[] = []

beforeAll(async () => {
  t = await buildTestApp({ worker: true })
  url = await listen(t)
})
afterAll(async () => {
  for (const socket of sockets) socket.close()
  await t?.close()
})

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, token: string, payload?: object) =>
  t.app.inject({ method, url: path, headers: t.auth(token), ...(payload ? { payload } : {}) })

async function trio() {
  const tenant = await t.createTenant()
  const [a, b, c] = [
    await createMember(t, tenant.id),
    await createMember(t, tenant.id),
    await createMember(t, tenant.id),
  ]
  const created = await call('POST', '/v1/dm/threads', a.token, { participantIds: [b.userId, c.userId] })
  expect(created.statusCode, created.body).toBe(201)
  const threadId = (created.json() as { id: string }).id
  const connect = async (m: TestMember) => {
    const socket = await connected(client(url, { host: `${tenant.slug}.localhost`, token: m.token }))
    sockets.push(socket)
    expect(await request(socket, 'room.join', { room: `dm:${threadId}` })).toMatchObject({ ok: true })
    return socket
  }
  return { a, b, c, threadId, room: `dm:${threadId}`, sa: await connect(a), sb: await connect(b), sc: await connect(c) }
}

describe('a group holding a blocked pair', () => {
  it('keeps typing, receipts, presence and deletions of each from the other, not from the third', async () => {
    const { a, b, c, threadId, room, sa, sb, sc } = await trio()
    const fromB = await call('POST', `/v1/dm/threads/${threadId}/messages`, b.token, { body: 'hi' })
    const bMessageId = (fromB.json() as { id: string }).id
    const fromC = await call('POST', `/v1/dm/threads/${threadId}/messages`, c.token, { body: 'hello all' })
    const messageId = (fromC.json() as { id: string }).id
    expect((await call('PUT', `/v1/me/blocks/${b.userId}`, a.token)).statusCode).toBeLessThan(300)

    // Typing: b's reaches c, not a; a's reaches c, not b.
    const typingAtA = collect<{ userId: string }>(sa, 'typing')
    const typingAtB = collect<{ userId: string }>(sb, 'typing')
    const typingAtC = collect<{ userId: string }>(sc, 'typing')
    expect(await request(sb, 'typing', { room })).toMatchObject({ ok: true, data: { broadcast: true } })
    expect(await request(sa, 'typing', { room })).toMatchObject({ ok: true, data: { broadcast: true } })
    await eventually(() => typingAtC.length === 2)
    expect(await request(sc, 'typing', { room })).toMatchObject({ ok: true })
    await eventually(() => typingAtA.length >= 1 && typingAtB.length >= 1)
    expect(typingAtA.map((e) => e.userId)).toEqual([c.userId])
    expect(typingAtB.map((e) => e.userId)).toEqual([c.userId])

    // Read receipts: b's reaches c only (a message of c's, published after it, reaches a first).
    const receiptsAtA = collect<{ userId: string }>(sa, 'dm.receipt')
    const bReceiptAtC = nextEvent<{ userId: string }>(sc, 'dm.receipt')
    expect((await call('PUT', `/v1/dm/threads/${threadId}/read-marker`, b.token, { messageId })).statusCode).toBe(200)
    expect((await bReceiptAtC).userId).toBe(b.userId)
    const barrierAtA = nextEvent<{ body: string }>(sa, 'dm.message.created')
    await call('POST', `/v1/dm/threads/${threadId}/messages`, c.token, { body: 'barrier' })
    expect((await barrierAtA).body).toBe('barrier')
    expect(receiptsAtA).toEqual([])

    // b deletes their message: c is told, a (who never saw it after the block) is not.
    const deletionsAtA = collect<{ messageId: string }>(sa, 'dm.message.deleted')
    const deletedAtC = nextEvent<{ messageId: string }>(sc, 'dm.message.deleted')
    expect((await call('DELETE', `/v1/dm/threads/${threadId}/messages/${bMessageId}`, b.token)).statusCode).toBe(204)
    expect((await deletedAtC).messageId).toBe(bMessageId)
    const laterAtA = nextEvent<{ body: string }>(sa, 'dm.message.created')
    await call('POST', `/v1/dm/threads/${threadId}/messages`, c.token, { body: 'still here' })
    expect((await laterAtA).body).toBe('still here')
    expect(deletionsAtA).toEqual([])

    // Presence: a and b do not see one another; c sees both.
    const ids = [a.userId, b.userId, c.userId]
    const presence = async (s: Socket) =>
      (
        (await request(s, 'presence.query', { room, userIds: ids })) as {
          data: { presence: Array<{ userId: string }> }
        }
      ).data.presence
        .map((p) => p.userId)
        .sort()
    expect(await presence(sa)).toEqual([a.userId, c.userId].sort())
    expect(await presence(sb)).toEqual([b.userId, c.userId].sort())
    expect(await presence(sc)).toEqual([...ids].sort())

    // Writes of the pair stay refused live as over REST.
    expect(await request(sb, 'dm.send', { threadId, body: 'psst' })).toMatchObject({
      ok: false,
      error: { code: 'DM_THREAD_READ_ONLY' },
    })
  })
})

describe('leaving and removal, live', () => {
  it('evicts whoever left or was removed at once, refuses their rejoining and delivers them nothing more', async () => {
    const { a, b, c, threadId, room, sa, sb, sc } = await trio()
    const evictedC = nextEvent(sc, 'room.evicted')
    const toldA = nextEvent<{ userId: string; removedBy: string | null }>(sa, 'dm.participant.left')
    expect((await call('DELETE', `/v1/dm/threads/${threadId}/participants/${c.userId}`, c.token)).statusCode).toBe(204)
    expect(await evictedC).toEqual({ room, reason: 'left' })
    expect(await toldA).toEqual({ threadId, userId: c.userId, removedBy: null })
    expect(await request(sc, 'room.join', { room })).toMatchObject({
      ok: false,
      error: { status: 409, code: 'DM_THREAD_LEFT' },
    })

    const atC = collect(sc, 'dm.message.created')
    const atB = nextEvent<{ body: string }>(sb, 'dm.message.created')
    expect(await request(sa, 'dm.send', { threadId, body: 'after c left' })).toMatchObject({ ok: true })
    expect((await atB).body).toBe('after c left')

    // The owner removes b: evicted with reason removed.
    const evictedB = nextEvent(sb, 'room.evicted')
    expect((await call('DELETE', `/v1/dm/threads/${threadId}/participants/${b.userId}`, a.token)).statusCode).toBe(204)
    expect(await evictedB).toEqual({ room, reason: 'removed' })
    expect(atC).toEqual([])
  })
})
