/**
 * The realtime gateway over real socket.io-client connections to a listening app: handshake
 * authentication and tenant, rooms joined only with the owner's authorisation (a kind registered
 * here, in the test), evictions, publishing to members only, payload validation and the
 * session ending with the socket.
 */
import { randomUUID } from 'node:crypto'
import { Type } from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Socket } from 'socket.io-client'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import type { RealtimeGateway } from './realtime.types.ts'
import {
  client,
  collect,
  connected,
  disconnected,
  eventually,
  listen,
  nextEvent,
  refusal,
  request,
} from './realtime.testing.ts'

/** Rooms `club:<id>`: members are listed here; `club:closed` does not exist for anyone. */
const clubMembers = new Map<string, Set<string>>()
/** Clubs whose membership ends while a join is between its check and the join (an eviction's race). */
const endsDuringJoin = new Set<string>()
const history = [
  { event: 'club.message', payload: { text: 'one' }, cursor: '1' },
  { event: 'club.message', payload: { text: 'two' }, cursor: '2' },
  { event: 'club.message', payload: { text: 'three' }, cursor: '3' },
]

function registerClub(gateway: RealtimeGateway): void {
  gateway.registerServerEvent('club.message', Type.Object({ text: Type.String({ maxLength: 100 }) }))
  gateway.registerRoomKind('club', {
    description: 'A test club',
    async authorise(ctx, roomId) {
      if (roomId === 'closed') return { code: 'CLUB_NOT_FOUND', detail: 'No such club', status: 404 }
      const userId = ctx.principal.kind === 'user' ? ctx.principal.userId : ''
      const allowed = clubMembers.get(roomId)?.has(userId) === true
      // Says yes once, and the membership is gone by the time the socket is in the room.
      if (allowed && endsDuringJoin.delete(roomId)) clubMembers.get(roomId)!.delete(userId)
      return allowed ? true : { code: 'NOT_A_MEMBER', detail: 'Members only' }
    },
    async catchUp(_ctx, _roomId, cursor, limit) {
      const after = history.filter((e) => cursor === null || Number(e.cursor) > Number(cursor))
      return { events: after.slice(0, limit), nextCursor: after.length > limit ? after[limit - 1]!.cursor : null }
    },
    async members(_ctx, roomId, userIds) {
      return userIds.filter((id) => clubMembers.get(roomId)?.has(id))
    },
  })
  gateway.registerClientEvent(
    'club.shout',
    Type.Object({ text: Type.String({ minLength: 1, maxLength: 20 }) }, { additionalProperties: false }),
    async (_ctx, { text }) => {
      if (text === 'crash') throw new Error('handler bug')
      return { shouted: text.toUpperCase() }
    },
  )
}

let t: TestApp
let url: string
let tenant: { id: string; slug: string }
let host: string
const sockets: Socket[] = []

const open = (options: Parameters<typeof client>[1]) => {
  const socket = client(url, { host, ...options })
  sockets.push(socket)
  return socket
}

async function member(clubs: string[] = []) {
  const userId = randomUUID()
  for (const club of clubs) {
    if (!clubMembers.has(club)) clubMembers.set(club, new Set())
    clubMembers.get(club)!.add(userId)
  }
  const token = await t.tokenFor(tenant.id, ['learner'], userId)
  const socket = await connected(open({ token }))
  return { userId, token, socket }
}

beforeAll(async () => {
  t = await buildTestApp({ realtime: { register: registerClub } })
  url = await listen(t)
  tenant = await t.createTenant()
  host = `${tenant.slug}.localhost`
})
let closed = false
afterAll(async () => {
  for (const socket of sockets) socket.close()
  if (!closed) await t?.close()
})

describe('the handshake', () => {
  it('refuses a connection without a credential', async () => {
    const refused = await refusal(open({}))
    expect(refused.data).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' })
  })

  it('refuses a forged or malformed token', async () => {
    expect((await refusal(open({ token: 'eyJhbGciOiJub25lIn0.e30.forged' }))).data?.status).toBe(401)
    expect((await refusal(open({ auth: { token: 42 } }))).data).toMatchObject({ code: 'INVALID_TOKEN' })
  })

  it("refuses a token of another tenant than the host's", async () => {
    const other = await t.createTenant()
    const token = await t.tokenFor(other.id)
    expect((await refusal(open({ token }))).data).toMatchObject({ status: 403, code: 'TENANT_MISMATCH' })
  })

  it('refuses operators and unknown tenant hosts', async () => {
    expect((await refusal(open({ token: t.operatorToken }))).data).toMatchObject({ code: 'PERSON_REQUIRED' })
    const token = await t.tokenFor(tenant.id)
    expect((await refusal(open({ token, host: 'no-such-tenant.localhost' }))).data).toMatchObject({ status: 404 })
  })

  it("refuses an impersonation token: an impersonator may not read or send the member's messages", async () => {
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
    const learnerId = randomUUID()
    await t.tokenFor(tenant.id, ['learner'], learnerId)
    const started = await t.app.inject({
      method: 'POST',
      url: '/v1/impersonations',
      headers: { host, ...t.auth(admin) },
      payload: { userId: learnerId, reason: 'Ticket 9001: the learner cannot see their messages' },
    })
    expect(started.statusCode, started.body).toBe(201)
    const { accessToken } = started.json() as { accessToken: string }
    const refused = await refusal(open({ token: accessToken }))
    expect(refused.data).toMatchObject({ status: 403, code: 'IMPERSONATION_FORBIDDEN' })
  })

  it('accepts a member with a live session, over WebSocket and long polling', async () => {
    const { socket } = await member()
    expect(socket.connected).toBe(true)
    const token = await t.tokenFor(tenant.id)
    const polling = await connected(open({ token, transports: ['polling'] }))
    expect(polling.connected).toBe(true)
  })
})

describe('rooms', () => {
  it('joins a room only when its kind authorises the caller', async () => {
    const club = randomUUID()
    const insider = await member([club])
    const outsider = await member()
    expect(await request(insider.socket, 'room.join', { room: `club:${club}` })).toEqual({
      ok: true,
      data: { room: `club:${club}` },
    })
    const refused = await request(outsider.socket, 'room.join', { room: `club:${club}` })
    expect(refused).toMatchObject({ ok: false, error: { status: 403, code: 'NOT_A_MEMBER' } })
    expect(await request(outsider.socket, 'room.join', { room: 'club:closed' })).toMatchObject({
      ok: false,
      error: { status: 404, code: 'CLUB_NOT_FOUND' },
    })
    expect(await request(outsider.socket, 'room.join', { room: 'nowhere:x' })).toMatchObject({
      ok: false,
      error: { code: 'ROOM_KIND_UNKNOWN' },
    })
    expect(await request(outsider.socket, 'room.join', { room: `user:${insider.userId}` })).toMatchObject({
      ok: false,
      error: { code: 'ROOM_FORBIDDEN' },
    })
  })

  it('publishes to the members of a room only, and to a user on every device', async () => {
    const club = randomUUID()
    const [a, b, stranger] = [await member([club]), await member([club]), await member()]
    for (const m of [a, b]) expect((await request(m.socket, 'room.join', { room: `club:${club}` })).ok).toBe(true)
    const seenByStranger = collect(stranger.socket, 'club.message')
    const toB = nextEvent(b.socket, 'club.message')
    const toA = nextEvent(a.socket, 'club.message')
    t.platform.realtime.publish(tenant.id, `club:${club}`, 'club.message', { text: 'hello' })
    expect(await toA).toEqual({ text: 'hello' })
    expect(await toB).toEqual({ text: 'hello' })
    // Another tenant's room of the same name is another room.
    const other = await t.createTenant()
    t.platform.realtime.publish(other.id, `club:${club}`, 'club.message', { text: 'elsewhere' })
    const second = await connected(open({ token: a.token }))
    const onSecond = nextEvent(second, 'club.message')
    t.platform.realtime.publish(tenant.id, `user:${a.userId}`, 'club.message', { text: 'for a' })
    expect(await onSecond).toEqual({ text: 'for a' })
    expect(await request(stranger.socket, 'club.shout', { text: 'sync' })).toMatchObject({ ok: true })
    expect(seenByStranger).toEqual([])
  })

  it('refuses to publish a payload that breaks the event schema', () => {
    expect(() => t.platform.realtime.publish(tenant.id, 'club:x', 'club.message', { text: 1 })).toThrow(/invalid/)
    expect(() => t.platform.realtime.publish(tenant.id, 'club:x', 'nope', {})).toThrow(/not registered/)
  })

  it('evicts a member from the room at once and tells them', async () => {
    const club = randomUUID()
    const [kept, banned] = [await member([club]), await member([club])]
    for (const m of [kept, banned]) await request(m.socket, 'room.join', { room: `club:${club}` })
    const evicted = nextEvent(banned.socket, 'room.evicted')
    clubMembers.get(club)!.delete(banned.userId)
    await t.platform.realtime.evict({
      tenantId: tenant.id,
      kind: 'club',
      roomId: club,
      userId: banned.userId,
      reason: 'banned',
    })
    expect(await evicted).toEqual({ room: `club:${club}`, reason: 'banned' })
    const seen = collect(banned.socket, 'club.message')
    const toKept = nextEvent(kept.socket, 'club.message')
    t.platform.realtime.publish(tenant.id, `club:${club}`, 'club.message', { text: 'after' })
    await toKept
    expect(await request(banned.socket, 'club.shout', { text: 'sync' })).toMatchObject({ ok: true })
    expect(seen).toEqual([])
    // Rejoining asks the authoriser again, which now says no.
    expect(await request(banned.socket, 'room.join', { room: `club:${club}` })).toMatchObject({ ok: false })
  })

  it('asks again once the socket is in the room, so an eviction racing the join leaves it out', async () => {
    const club = randomUUID()
    const [kept, late] = [await member([club]), await member([club])]
    expect((await request(kept.socket, 'room.join', { room: `club:${club}` })).ok).toBe(true)
    endsDuringJoin.add(club)
    expect(await request(late.socket, 'room.join', { room: `club:${club}` })).toMatchObject({
      ok: false,
      error: { status: 403, code: 'NOT_A_MEMBER' },
    })
    const seen = collect(late.socket, 'club.message')
    const toKept = nextEvent(kept.socket, 'club.message')
    t.platform.realtime.publish(tenant.id, `club:${club}`, 'club.message', { text: 'members only' })
    await toKept
    expect(await request(late.socket, 'club.shout', { text: 'sync' })).toMatchObject({ ok: true })
    expect(seen).toEqual([])
  })

  it('closes a room: an eviction without a user takes every connection out and tells each', async () => {
    const club = randomUUID()
    const [a, b] = [await member([club]), await member([club])]
    for (const m of [a, b]) expect((await request(m.socket, 'room.join', { room: `club:${club}` })).ok).toBe(true)
    const told = [a, b].map((m) => nextEvent(m.socket, 'room.evicted'))
    await t.platform.realtime.evict({ tenantId: tenant.id, kind: 'club', roomId: club, reason: 'closed' })
    for (const evicted of told) expect(await evicted).toEqual({ room: `club:${club}`, reason: 'closed' })
    const seen = [a, b].map((m) => collect(m.socket, 'club.message'))
    t.platform.realtime.publish(tenant.id, `club:${club}`, 'club.message', { text: 'nobody' })
    for (const m of [a, b]) expect(await request(m.socket, 'club.shout', { text: 'sync' })).toMatchObject({ ok: true })
    expect(seen).toEqual([[], []])
  })

  it('refuses a malformed id of a kind that declares its id format with 400, not a 500', async () => {
    const { socket } = await member()
    expect(await request(socket, 'room.join', { room: 'user:not-a-uuid' })).toMatchObject({
      ok: false,
      error: { status: 400, code: 'ROOM_ID_INVALID' },
    })
  })

  it('catches up missed events by cursor on join, and pages with room.history', async () => {
    const club = randomUUID()
    const m = await member([club])
    const joined = await request(m.socket, 'room.join', { room: `club:${club}`, cursor: '1' })
    expect(joined).toEqual({
      ok: true,
      data: { room: `club:${club}`, catchUp: { events: history.slice(1), nextCursor: null } },
    })
    const page = await request(m.socket, 'room.history', { room: `club:${club}`, limit: 1 })
    expect(page).toEqual({ ok: true, data: { events: [history[0]], nextCursor: '1' } })
    expect(await request(m.socket, 'room.history', { room: 'club:elsewhere' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_IN_ROOM' },
    })
  })

  it('broadcasts typing to the others in the room, throttled', async () => {
    const club = randomUUID()
    const [a, b] = [await member([club]), await member([club])]
    for (const m of [a, b]) await request(m.socket, 'room.join', { room: `club:${club}` })
    const ownEcho = collect(a.socket, 'typing')
    const typing = nextEvent(b.socket, 'typing')
    expect(await request(a.socket, 'typing', { room: `club:${club}` })).toEqual({ ok: true, data: { broadcast: true } })
    expect(await typing).toEqual({ room: `club:${club}`, userId: a.userId })
    expect(await request(a.socket, 'typing', { room: `club:${club}` })).toEqual({
      ok: true,
      data: { broadcast: false },
    })
    expect(ownEcho).toEqual([])
  })

  it("answers presence for the room's members only", async () => {
    const club = randomUUID()
    const [a, b] = [await member([club]), await member([club])]
    const offline = randomUUID()
    clubMembers.get(club)!.add(offline)
    const stranger = await member()
    await request(a.socket, 'room.join', { room: `club:${club}` })
    const answer = await request(a.socket, 'presence.query', {
      room: `club:${club}`,
      userIds: [b.userId, offline, stranger.userId],
    })
    expect(answer).toEqual({
      ok: true,
      data: {
        presence: [
          { userId: b.userId, online: true },
          { userId: offline, online: false },
        ],
      },
    })
    expect(await t.platform.realtime.presenceOf(tenant.id, [stranger.userId, offline])).toEqual([
      { userId: stranger.userId, online: true },
      { userId: offline, online: false },
    ])
    b.socket.close()
    await eventually(async () => !(await t.platform.realtime.presenceOf(tenant.id, [b.userId]))[0]!.online)
  })
})

describe('client events', () => {
  it("validates the payload against the event's schema before the handler runs", async () => {
    const { socket } = await member()
    expect(await request(socket, 'club.shout', { text: 'hi' })).toEqual({ ok: true, data: { shouted: 'HI' } })
    const invalid = await request(socket, 'club.shout', { text: 'x'.repeat(21), extra: 1 })
    expect(invalid).toMatchObject({ ok: false, error: { status: 400, code: 'VALIDATION_FAILED' } })
    expect((invalid as { error: { errors: unknown[] } }).error.errors.length).toBeGreaterThan(0)
    expect(await request(socket, 'club.shout', { text: 'a\u0000b' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    })
    expect(await request(socket, 'club.shout', 'not an object')).toMatchObject({ ok: false, error: { status: 400 } })
    expect(await request(socket, 'no.such.event', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_EVENT' } })
    expect(await request(socket, 'room.join', { room: 'Not A Room' })).toMatchObject({
      ok: false,
      error: { status: 400 },
    })
  })

  it('answers a failing handler with a 500 problem and keeps the connection', async () => {
    const { socket } = await member()
    expect(await request(socket, 'club.shout', { text: 'crash' })).toMatchObject({
      ok: false,
      error: { status: 500, code: 'INTERNAL_ERROR' },
    })
    expect(await request(socket, 'club.shout', { text: 'still' })).toMatchObject({ ok: true })
  })

  it('sends a problem event when a refused event carried no acknowledgement', async () => {
    const { socket } = await member()
    const problem = nextEvent(socket, 'problem')
    socket.emit('club.shout', { text: 42 })
    expect(await problem).toMatchObject({ event: 'club.shout', error: { code: 'VALIDATION_FAILED' } })
  })
})

describe('sessions', () => {
  it('disconnects the socket when its session ends (logout)', async () => {
    const { socket, token } = await member()
    const ended = nextEvent(socket, 'session.ended')
    const gone = disconnected(socket)
    const logout = await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { host, ...t.auth(token) } })
    expect(logout.statusCode).toBe(204)
    expect(await ended).toMatchObject({ code: expect.any(String) })
    expect(await gone).toBe('io server disconnect')
    expect((await refusal(open({ token }))).data?.status).toBe(401)
  })

  it('replaces the token with auth.refresh, for the same user only', async () => {
    const { socket, userId } = await member()
    const fresh = await t.tokenFor(tenant.id, ['learner'], userId)
    expect(await request(socket, 'auth.refresh', { token: fresh })).toEqual({ ok: true, data: {} })
    const someoneElse = await t.tokenFor(tenant.id)
    expect(await request(socket, 'auth.refresh', { token: someoneElse })).toMatchObject({
      ok: false,
      error: { code: 'PRINCIPAL_MISMATCH' },
    })
  })
})

describe('shutdown (last: it closes the app)', () => {
  it('closes every transport, so clients reconnect elsewhere, and the app closes without waiting on them', async () => {
    const { socket } = await member()
    const gone = disconnected(socket)
    closed = true
    await t.close()
    // A transport close (not a server disconnect) is what socket.io-client reconnects after.
    expect(await gone).toBe('transport close')
  })
})
