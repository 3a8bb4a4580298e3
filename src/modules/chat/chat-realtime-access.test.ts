/**
 * Live rooms that lose their readers without a membership event (worker on, so the outbox
 * subscribers evict): an archived community or channel closes its rooms for everyone connected;
 * a cancelled enrolment takes a member who stays in the community out of its `access: course`
 * channel. And malformed room ids of the modules' kinds are 400 problems, never a 500.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Socket } from 'socket.io-client'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { client, collect, connected, eventually, listen, request } from '../../platform/realtime/realtime.testing.ts'
import { buildPublishedCourse } from '../catalogue/testing.ts'
import { communityClient } from '../community/testing.ts'
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

async function connect(tenantSlug: string, token: string): Promise<Socket> {
  const socket = await connected(client(url, { host: `${tenantSlug}.localhost`, token }))
  sockets.push(socket)
  return socket
}

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, token: string, payload?: object) =>
  t.app.inject({ method, url: path, headers: t.auth(token), ...(payload ? { payload } : {}) })

/** A tenant with a course and a public community linked to it, owned by the course's instructor. */
async function linkedCommunity() {
  const tenant = await t.createTenant()
  const instructor = await createMember(t, tenant.id, ['instructor'])
  const course = await buildPublishedCourse(t.platform.database, tenant.id, instructor.userId)
  const community = await communityClient(t).create(instructor.token, {
    slug: `c-${randomUUID().slice(0, 8)}`,
    name: 'Cohort hall',
    visibility: 'public',
    courseId: course.courseId,
  })
  expect(community.statusCode, community.body).toBe(201)
  const communityId = (community.json() as { id: string }).id
  const channel = async (body: Record<string, unknown>) => {
    const created = await communityClient(t).channel(communityId, instructor.token, body)
    expect(created.statusCode, created.body).toBe(201)
    return (created.json() as { id: string }).id
  }
  return { tenant, instructor, courseId: course.courseId, communityId, channel }
}

/** A member who joined the community themselves, connected and in the given channel rooms. */
async function inRooms(tenant: { id: string; slug: string }, communityId: string, channelIds: string[]) {
  const member: TestMember = await createMember(t, tenant.id)
  expect((await communityClient(t).join(communityId, member.token)).statusCode).toBeLessThan(300)
  const socket = await connect(tenant.slug, member.token)
  for (const id of channelIds)
    expect(await request(socket, 'room.join', { room: `channel:${id}` })).toMatchObject({ ok: true })
  return { member, socket, evicted: collect<{ room: string; reason?: string }>(socket, 'room.evicted') }
}

describe('rooms closed without a membership event', () => {
  it('evicts every connected member when the community is archived', async () => {
    const c = await linkedCommunity()
    const [general, random] = [await c.channel({ name: 'general' }), await c.channel({ name: 'random' })]
    const one = await inRooms(c.tenant, c.communityId, [general, random])
    expect((await call('DELETE', `/v1/communities/${c.communityId}`, c.instructor.token)).statusCode).toBe(204)
    await eventually(() => one.evicted.length === 2)
    expect(one.evicted.sort((a, b) => a.room.localeCompare(b.room))).toEqual(
      [general, random]
        .map((id) => ({ room: `channel:${id}`, reason: 'community_archived' }))
        .sort((a, b) => a.room.localeCompare(b.room)),
    )
    // Nobody reads a channel of an archived community: rejoining is refused.
    expect(await request(one.socket, 'room.join', { room: `channel:${general}` })).toMatchObject({ ok: false })
  })

  it('closes an archived channel’s room', async () => {
    const c = await linkedCommunity()
    const [kept, archived] = [await c.channel({ name: 'kept' }), await c.channel({ name: 'old' })]
    const one = await inRooms(c.tenant, c.communityId, [kept, archived])
    const gone = await call('DELETE', `/v1/communities/${c.communityId}/channels/${archived}`, c.instructor.token)
    expect(gone.statusCode, gone.body).toBe(204)
    await eventually(() => one.evicted.length === 1)
    expect(one.evicted).toEqual([{ room: `channel:${archived}`, reason: 'channel_archived' }])
  })

  it('takes a member who stays in the community out of the course channel when their enrolment is cancelled', async () => {
    const c = await linkedCommunity()
    const [general, cohort] = [
      await c.channel({ name: 'general' }),
      await c.channel({ name: 'cohort', access: 'course' }),
    ]
    const learner = await createMember(t, c.tenant.id)
    // Joined first, so a source of their own keeps them a member once the course's is gone.
    expect((await communityClient(t).join(c.communityId, learner.token)).statusCode).toBe(201)
    const enrolled = await enrolmentClient(t).selfEnrol(c.courseId, learner.token)
    expect(enrolled.statusCode, enrolled.body).toBe(201)
    const socket = await connect(c.tenant.slug, learner.token)
    for (const id of [general, cohort])
      expect(await request(socket, 'room.join', { room: `channel:${id}` })).toMatchObject({ ok: true })
    const evicted = collect<{ room: string; reason?: string }>(socket, 'room.evicted')

    const admin = await createMember(t, c.tenant.id, ['tenant_admin'])
    const enrolmentId = (enrolled.json() as { id: string }).id
    expect((await call('DELETE', `/v1/enrolments/${enrolmentId}`, admin.token)).statusCode).toBe(204)
    const channelEvictions = () => evicted.filter((e) => e.room.startsWith('channel:'))
    await eventually(() => channelEvictions().length > 0)
    expect(channelEvictions()).toEqual([{ room: `channel:${cohort}`, reason: 'enrolment_ended' }])
    // Still a member: the members' channel stays open to them.
    expect(await request(socket, 'room.join', { room: `channel:${general}` })).toMatchObject({ ok: true })
    expect(await request(socket, 'room.join', { room: `channel:${cohort}` })).toMatchObject({
      ok: false,
      error: { status: 403, code: 'CHANNEL_ACCESS_DENIED' },
    })
  })
})

describe('presence in a channel room', () => {
  it('shows the channel’s readers only: not a member without the course, a banned member or a stranger', async () => {
    const c = await linkedCommunity()
    const cohort = await c.channel({ name: 'cohort', access: 'course' })
    const reader = await createMember(t, c.tenant.id)
    expect((await enrolmentClient(t).selfEnrol(c.courseId, reader.token)).statusCode).toBe(201)
    const [notEnrolled, banned, stranger] = [
      await createMember(t, c.tenant.id),
      await createMember(t, c.tenant.id),
      await createMember(t, c.tenant.id),
    ]
    for (const m of [notEnrolled, banned])
      expect((await communityClient(t).join(c.communityId, m.token)).statusCode).toBe(201)
    expect((await enrolmentClient(t).selfEnrol(c.courseId, banned.token)).statusCode).toBe(201)
    const ban = await communityClient(t).ban(c.communityId, banned.userId, c.instructor.token)
    expect(ban.statusCode, ban.body).toBeLessThan(300)
    // Everyone online, so only the room's rule can leave someone out.
    const socket = await connect(c.tenant.slug, reader.token)
    for (const m of [notEnrolled, banned, stranger, c.instructor]) await connect(c.tenant.slug, m.token)
    expect(await request(socket, 'room.join', { room: `channel:${cohort}` })).toMatchObject({ ok: true })
    const asked = [reader, notEnrolled, banned, stranger, c.instructor].map((m) => m.userId)
    const answer = await request(socket, 'presence.query', { room: `channel:${cohort}`, userIds: asked })
    expect(answer).toMatchObject({ ok: true })
    const shown = (answer as { data: { presence: Array<{ userId: string; online: boolean }> } }).data.presence
    expect(shown.sort((a, b) => a.userId.localeCompare(b.userId))).toEqual(
      [reader, c.instructor]
        .map((m) => ({ userId: m.userId, online: true }))
        .sort((a, b) => a.userId.localeCompare(b.userId)),
    )
  })
})

describe('malformed room ids', () => {
  it('answers 400 ROOM_ID_INVALID for channel, dm and course rooms, before any query runs', async () => {
    const tenant = await t.createTenant()
    const member = await createMember(t, tenant.id)
    const socket = await connect(tenant.slug, member.token)
    for (const kind of ['channel', 'dm', 'course'])
      for (const id of ['abc', '123', 'not-a-uuid-at-all', `${randomUUID()}x`])
        expect(await request(socket, 'room.join', { room: `${kind}:${id}`, cursor: 'x' })).toMatchObject({
          ok: false,
          error: { status: 400, code: 'ROOM_ID_INVALID' },
        })
    // A well-formed id the caller cannot see stays a 404, not a 400 or a 500.
    expect(await request(socket, 'room.join', { room: `channel:${randomUUID()}` })).toMatchObject({
      ok: false,
      error: { status: 404 },
    })
  })
})
