/**
 * Rooms of the modules over real socket.io-client connections to a listening app (worker on, so
 * the outbox subscribers publish and evict): blocked DMs refused live (send, join, eviction), the
 * course live room only for the enrolled, channel rooms that deliver REST and socket messages,
 * evict a banned member at once (no rejoin), and catch up by cursor after a reconnect.
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
import { buildPublishedCourse } from '../catalogue/testing.ts'
import { buildCommunity, communityClient, type CommunityFixture } from '../community/testing.ts'
import { createMember, enrolmentClient, type TestMember } from '../enrolment/testing.ts'

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

async function slugOf(tenantId: string): Promise<string> {
  const response = await t.app.inject({
    method: 'GET',
    url: `/v1/tenants/${tenantId}`,
    headers: t.auth(t.operatorToken),
  })
  return (response.json() as { slug: string }).slug
}

async function connect(tenantSlug: string, token: string): Promise<Socket> {
  const socket = await connected(client(url, { host: `${tenantSlug}.localhost`, token }))
  sockets.push(socket)
  return socket
}

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, token: string, payload?: object) =>
  t.app.inject({ method, url: path, headers: t.auth(token), ...(payload ? { payload } : {}) })

describe('dm rooms', () => {
  it('refuses dm.send and the live room of a blocked 1:1 conversation, and evicts both sides on the block', async () => {
    const tenant = await t.createTenant()
    const [a, b] = [await createMember(t, tenant.id), await createMember(t, tenant.id)]
    const thread = await call('POST', '/v1/dm/threads', a.token, { participantIds: [b.userId] })
    expect(thread.statusCode).toBe(201)
    const threadId = (thread.json() as { id: string }).id
    const [sa, sb] = [await connect(tenant.slug, a.token), await connect(tenant.slug, b.token)]
    for (const s of [sa, sb])
      expect(await request(s, 'room.join', { room: `dm:${threadId}` })).toMatchObject({ ok: true })

    const live = nextEvent<{ body: string }>(sb, 'dm.message.created')
    const sent = await request(sa, 'dm.send', { threadId, body: 'hello' })
    expect(sent).toMatchObject({ ok: true, data: { body: 'hello', seq: 1 } })
    expect((await live).body).toBe('hello')

    const evictedA = nextEvent(sa, 'room.evicted')
    const evictedB = nextEvent(sb, 'room.evicted')
    expect((await call('PUT', `/v1/me/blocks/${a.userId}`, b.token)).statusCode).toBeLessThan(300)
    expect(await evictedA).toEqual({ room: `dm:${threadId}`, reason: 'blocked' })
    expect(await evictedB).toEqual({ room: `dm:${threadId}`, reason: 'blocked' })

    const seenByB = collect(sb, 'dm.message.created')
    const refused = await request(sa, 'dm.send', { threadId, body: 'are you there?' })
    expect(refused).toMatchObject({ ok: false, error: { status: 403, code: 'DM_THREAD_READ_ONLY' } })
    for (const s of [sa, sb])
      expect(await request(s, 'room.join', { room: `dm:${threadId}` })).toMatchObject({
        ok: false,
        error: { status: 403, code: 'DM_BLOCKED' },
      })
    expect(seenByB).toEqual([])
  })

  it('refuses the room of a conversation the caller is not in (404)', async () => {
    const tenant = await t.createTenant()
    const [a, b, stranger] = [
      await createMember(t, tenant.id),
      await createMember(t, tenant.id),
      await createMember(t, tenant.id),
    ]
    const threadId = (
      (await call('POST', '/v1/dm/threads', a.token, { participantIds: [b.userId] })).json() as {
        id: string
      }
    ).id
    const socket = await connect(tenant.slug, stranger.token)
    expect(await request(socket, 'room.join', { room: `dm:${threadId}` })).toMatchObject({
      ok: false,
      error: { status: 404 },
    })
    expect(await request(socket, 'dm.send', { threadId, body: 'hi' })).toMatchObject({
      ok: false,
      error: { status: 404 },
    })
  })
})

describe('course live rooms', () => {
  it('admits the enrolled and the course staff, refuses everyone else', async () => {
    const tenant = await t.createTenant()
    const instructor = await createMember(t, tenant.id, ['instructor'])
    const course = await buildPublishedCourse(t.platform.database, tenant.id, instructor.userId)
    const learner = await createMember(t, tenant.id)
    const socket = await connect(tenant.slug, learner.token)
    const room = `course:${course.courseId}`
    expect(await request(socket, 'room.join', { room })).toMatchObject({
      ok: false,
      error: { status: 403, code: 'NOT_ENROLLED' },
    })
    expect((await enrolmentClient(t).selfEnrol(course.courseId, learner.token)).statusCode).toBe(201)
    expect(await request(socket, 'room.join', { room })).toMatchObject({ ok: true })
    const staff = await connect(tenant.slug, instructor.token)
    expect(await request(staff, 'room.join', { room })).toMatchObject({ ok: true })
  })
})

describe('channel rooms', () => {
  let c: CommunityFixture
  let slug: string
  let channelId: string
  let moderator: TestMember

  beforeAll(async () => {
    c = await buildCommunity(t, { visibility: 'public' })
    slug = await slugOf(c.tenantId)
    const created = await communityClient(t).channel(c.communityId, c.owner.token, { name: 'general' })
    channelId = (created.json() as { id: string }).id
    moderator = c.owner
  })

  async function joined(): Promise<{ member: TestMember; socket: Socket }> {
    const member = await c.member()
    expect((await communityClient(t).join(c.communityId, member.token)).statusCode).toBeLessThan(300)
    const socket = await connect(slug, member.token)
    expect(await request(socket, 'room.join', { room: `channel:${channelId}` })).toMatchObject({ ok: true })
    return { member, socket }
  }

  it('delivers a REST message and a chat.send to the room, and persists the socket message', async () => {
    const [one, two] = [await joined(), await joined()]
    const seenByOne = collect<{ body: string }>(one.socket, 'chat.message.created')
    const live = nextEvent<{ body: string }>(two.socket, 'chat.message.created')
    const rest = await call('POST', `/v1/channels/${channelId}/messages`, one.member.token, { body: 'over REST' })
    expect(rest.statusCode).toBe(201)
    expect((await live).body).toBe('over REST')

    const acked = await request(two.socket, 'chat.send', { channelId, body: 'over the socket' })
    expect(acked).toMatchObject({ ok: true, data: { body: 'over the socket' } })
    // The sender is in the room too: `one` sees its own REST message, then two's.
    await eventually(() => seenByOne.some((m) => m.body === 'over the socket'))
    expect(seenByOne.map((m) => m.body)).toEqual(['over REST', 'over the socket'])
    const listed = await call('GET', `/v1/channels/${channelId}/messages?limit=1`, one.member.token)
    expect(listed.json()).toMatchObject({ data: [{ body: 'over the socket' }] })
  })

  it('evicts a banned member at once: nothing more reaches them and they cannot rejoin', async () => {
    const [kept, banned] = [await joined(), await joined()]
    const evicted = nextEvent(banned.socket, 'room.evicted')
    expect(
      (await communityClient(t).ban(c.communityId, banned.member.userId, moderator.token)).statusCode,
    ).toBeLessThan(300)
    expect(await evicted).toEqual({ room: `channel:${channelId}`, reason: 'banned' })
    const seen = collect(banned.socket, 'chat.message.created')
    const toKept = nextEvent(kept.socket, 'chat.message.created')
    await request(kept.socket, 'chat.send', { channelId, body: 'after the ban' })
    await toKept
    expect(seen).toEqual([])
    expect(await request(banned.socket, 'room.join', { room: `channel:${channelId}` })).toMatchObject({
      ok: false,
      error: { status: 403, code: 'CHANNEL_ACCESS_DENIED' },
    })
    expect(await request(banned.socket, 'chat.send', { channelId, body: 'let me in' })).toMatchObject({
      ok: false,
      error: { status: 403 },
    })
  })

  it('catches up the missed messages in order after a reconnect, from the last cursor seen', async () => {
    const [stays, leaves] = [await joined(), await joined()]
    const seen = nextEvent<{ cursor: string }>(leaves.socket, 'chat.message.created')
    await request(stays.socket, 'chat.send', { channelId, body: 'before' })
    const { cursor } = await seen
    leaves.socket.close()
    for (const body of ['missed one', 'missed two', 'missed three'])
      expect(await request(stays.socket, 'chat.send', { channelId, body })).toMatchObject({ ok: true })
    const back = await connect(slug, leaves.member.token)
    const rejoined = await request(back, 'room.join', { room: `channel:${channelId}`, cursor })
    expect(rejoined.ok).toBe(true)
    const events = (rejoined as { data: { catchUp: { events: Array<{ payload: { body: string } }> } } }).data.catchUp
      .events
    expect(events.map((e) => e.payload.body)).toEqual(['missed one', 'missed two', 'missed three'])
  })
})
