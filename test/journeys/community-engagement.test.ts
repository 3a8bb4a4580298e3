/**
 * Journey 8, community engagement, walked as clients do: over HTTP and Socket.IO against a
 * listening app whose worker runs the jobs (the scheduled post and the event reminder are
 * published by the real queue, not called in place). Posts with scheduled publishing, comments
 * and reactions, chat with presence, typing and read receipts, an event whose capacity holds and
 * whose waitlist promotes, its reminder, its calendar; and the points, streak and leaderboard the
 * activity earned.
 */
import ICAL from 'ical.js'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { buildTestApp, type TestApp } from '../build-test-app.ts'
import { journeyClients } from './clients.ts'
import { listen, nextEvent, request } from '../../src/platform/realtime/realtime.testing.ts'
import { buildCommunity, communityClient, domainEventTypes } from '../../src/modules/community/testing.ts'
import type { TestMember } from '../../src/modules/enrolment/testing.ts'

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

const POLL = { timeout: 60_000, interval: 250 }

describe('journey 8: community engagement', () => {
  it('posts on schedule, talks live, fills an event, reminds its attendee and ranks the members', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const slug = await slugOf(c.tenantId)
    const base = `/v1/communities/${c.communityId}`
    const [ana, ben] = [await c.member(), await c.member()]
    for (const m of [ana, ben]) expect((await communityClient(t).join(c.communityId, m.token)).statusCode).toBe(201)

    // Posts: the owner schedules one; the queue publishes it into the members' feeds.
    const publishAt = new Date(Date.now() + 1500).toISOString()
    const scheduled = await call('POST', `${base}/posts`, c.owner.token, {
      title: 'Welcome week',
      body: 'Introduce yourself below.',
      publishAt,
    })
    expect(scheduled.statusCode, scheduled.body).toBe(201)
    const post = scheduled.json() as { id: string; state: string }
    expect(post.state).toBe('scheduled')
    const feedIds = async (token: string) =>
      ((await call('GET', `${base}/posts`, token)).json() as { data: Array<{ id: string }> }).data.map((p) => p.id)
    expect(await feedIds(ana.token)).not.toContain(post.id)
    await vi.waitFor(async () => expect(await feedIds(ana.token)).toContain(post.id), POLL)

    // Comments and reactions.
    const comment = await call('POST', `${base}/posts/${post.id}/comments`, ana.token, { body: 'Hi, I am Ana.' })
    expect(comment.statusCode, comment.body).toBe(201)
    const reply = await call('POST', `${base}/posts/${post.id}/comments`, ben.token, {
      body: 'Welcome, Ana!',
      parentId: (comment.json() as { id: string }).id,
    })
    expect(reply.statusCode, reply.body).toBe(201)
    for (const m of [ana, ben])
      expect((await call('PUT', `${base}/posts/${post.id}/reactions/like`, m.token)).statusCode).toBeLessThan(300)
    const shown = (await call('GET', `${base}/posts/${post.id}`, ben.token)).json() as Record<string, unknown>
    expect(shown).toMatchObject({ commentCount: 2, reactionCounts: { like: 2 } })

    // Chat: both in the channel's room; presence, typing, a message and a read receipt.
    const channel = await communityClient(t).channel(c.communityId, c.owner.token, { name: 'general' })
    const channelId = (channel.json() as { id: string }).id
    const room = `channel:${channelId}`
    const [sa, sb] = [await connect(slug, ana), await connect(slug, ben)]
    for (const s of [sa, sb]) expect(await request(s, 'room.join', { room })).toMatchObject({ ok: true })
    expect(await request(sa, 'presence.query', { room, userIds: [ana.userId, ben.userId] })).toMatchObject({
      ok: true,
      data: {
        presence: [
          { userId: ana.userId, online: true },
          { userId: ben.userId, online: true },
        ],
      },
    })
    const typing = nextEvent<{ userId: string }>(sa, 'typing')
    expect(await request(sb, 'typing', { room })).toMatchObject({ ok: true, data: { broadcast: true } })
    expect((await typing).userId).toBe(ben.userId)
    const delivered = nextEvent<{ body: string; seq: number }>(sb, 'chat.message.created')
    expect(await request(sa, 'chat.send', { channelId, body: 'Anyone up for the study session?' })).toMatchObject({
      ok: true,
    })
    const message = await delivered
    expect(message.body).toBe('Anyone up for the study session?')
    const receipt = nextEvent<{ userId: string; lastReadSeq: number }>(sa, 'chat.receipt')
    expect(await request(sb, 'chat.read', { channelId, seq: message.seq })).toMatchObject({ ok: true })
    expect(await receipt).toMatchObject({ userId: ben.userId, lastReadSeq: message.seq })

    // Event: one seat. Ana takes it, Ben waits; Ana withdraws and Ben is promoted.
    // It starts one hour and a few seconds from now, so its 1 h reminder falls due during the test.
    const startsAt = new Date(Date.now() + 3600_000 + 4000)
    startsAt.setUTCMilliseconds(0)
    const created = await call('POST', `${base}/events`, c.owner.token, {
      title: 'Study session',
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 3600_000).toISOString(),
      timeZone: 'Europe/Lisbon',
      capacity: 1,
    })
    expect(created.statusCode, created.body).toBe(201)
    const eventId = (created.json() as { id: string }).id
    const rsvp = (m: TestMember, response: 'going' | 'not_going') =>
      call('PUT', `${base}/events/${eventId}/rsvp`, m.token, { response })
    expect((await rsvp(ana, 'going')).json()).toMatchObject({ state: 'going' })
    expect((await rsvp(ben, 'going')).json()).toMatchObject({ state: 'waitlisted', waitlistAhead: 0 })
    expect((await rsvp(ana, 'not_going')).statusCode).toBe(200)
    const event = (await call('GET', `${base}/events/${eventId}`, ben.token)).json() as Record<string, unknown>
    expect(event).toMatchObject({ going: 1, waitlisted: 0, myRsvp: { state: 'going' } })

    const calendar = await call('GET', `${base}/events/${eventId}/calendar.ics`, ben.token)
    expect(calendar.statusCode).toBe(200)
    const vevent = new ICAL.Component(ICAL.parse(calendar.body) as unknown[]).getFirstSubcomponent('vevent')!
    expect(new ICAL.Event(vevent).startDate.toJSDate().getTime()).toBe(startsAt.getTime())

    // Points from the activity (post 2, each like received 1, comment 1), delivered by the worker:
    // the owner leads the community's board, and everyone who earned has a streak of one day.
    await vi.waitFor(async () => {
      const board = await call('GET', `${base}/leaderboard?period=all`, ana.token)
      expect(board.statusCode, board.body).toBe(200)
      expect((board.json() as { data: unknown[] }).data).toEqual([
        { rank: 1, userId: c.owner.userId, points: 4 },
        ...[ana, ben]
          .map((m) => ({ rank: 2, userId: m.userId, points: 1 }))
          .sort((a, b) => b.userId.localeCompare(a.userId)),
      ])
    }, POLL)
    const mine = (await call('GET', '/v1/me/points', c.owner.token)).json()
    expect(mine).toMatchObject({ lifetimePoints: 4, tier: 'bronze', currentStreak: 1 })
    expect((await call('GET', `${base}/leaderboard/me?period=month`, ben.token)).json()).toMatchObject({
      points: 1,
      rank: 2,
    })

    // The worker sends the 1 h reminder to Ben (going), not to Ana (withdrew).
    await vi.waitFor(async () => {
      const due = (await domainEventTypes(t, c.tenantId)).filter((e) => e.type === 'community.event_reminder_due')
      expect(due.map((e) => [e.payload.userId, e.payload.due])).toEqual([[ben.userId, '1h']])
    }, POLL)
  })
})
