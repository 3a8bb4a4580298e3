/**
 * Seats under concurrency, over HTTP: 50 simultaneous RSVPs against 10 seats admit exactly 10 and
 * queue 40 in arrival order; concurrent withdrawals promote exactly the first waitlisted, once
 * each; a raised capacity fills from the waitlist; banned, suspended and outsiders cannot answer;
 * a paid event holds seats until the payment is confirmed, and an expired hold moves on.
 */
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope } from '../../../platform/db/database.ts'
import type { TestMember } from '../../enrolment/testing.ts'
import {
  buildCommunity,
  communityClient,
  dispatchCommunityEvents,
  domainEventTypes,
  type CommunityFixture,
} from '../testing.ts'
import { releaseExpiredOffers } from './events.module.ts'
import { sendReminders } from './reminders.ts'
import { eventRsvps } from './events.tables.ts'

let t: TestApp
let client: ReturnType<typeof communityClient>
beforeAll(async () => {
  t = await buildTestApp()
  client = communityClient(t)
})
afterAll(async () => t?.close())

const inDays = (days: number) => new Date(Date.now() + days * 86400_000)
const eventBody = (extra: Record<string, unknown> = {}) => ({
  title: 'Study night',
  startsAt: inDays(3).toISOString(),
  endsAt: new Date(inDays(3).getTime() + 2 * 3600_000).toISOString(),
  timeZone: 'Europe/Berlin',
  ...extra,
})

async function createEvent(c: CommunityFixture, extra: Record<string, unknown> = {}) {
  const created = await client.call('POST', `/v1/communities/${c.communityId}/events`, c.owner.token, eventBody(extra))
  expect(created.statusCode, created.body).toBe(201)
  return created.json() as { id: string; capacity: number | null; startsAt: string }
}

async function joinedMembers(c: CommunityFixture, n: number): Promise<TestMember[]> {
  const members = await Promise.all(Array.from({ length: n }, () => c.member()))
  for (const m of members) expect((await client.join(c.communityId, m.token)).statusCode).toBe(201)
  return members
}

const rsvp = (c: CommunityFixture, eventId: string, token: string, response: 'going' | 'not_going') =>
  client.call('PUT', `/v1/communities/${c.communityId}/events/${eventId}/rsvp`, token, { response })

const rsvpRows = (tenantId: string, eventId: string) =>
  t.platform.database.transaction(tenantScope(tenantId), (tx) =>
    tx.select().from(eventRsvps).where(eq(eventRsvps.eventId, eventId)).orderBy(eventRsvps.position),
  )

const promotions = async (tenantId: string) =>
  (await domainEventTypes(t, tenantId)).filter((e) => e.type === 'community.event_seat_promoted')

describe('capacity and the waitlist', () => {
  it('admits exactly 10 of 50 concurrent RSVPs, queues 40 in order, and promotes exactly once per freed seat', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const event = await createEvent(c, { capacity: 10 })
    const members = await joinedMembers(c, 50)
    const answers = await Promise.all(members.map((m) => rsvp(c, event.id, m.token, 'going')))
    for (const a of answers) expect(a.statusCode, a.body).toBe(200)
    const rows = await rsvpRows(c.tenantId, event.id)
    const going = rows.filter((r) => r.state === 'going')
    const waiting = rows.filter((r) => r.state === 'waitlisted')
    expect(going).toHaveLength(10)
    expect(waiting).toHaveLength(40)
    // Arrival order under the event's lock: seats to positions 1-10, the waitlist 11-50 in order.
    expect(going.map((r) => r.position)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1))
    expect(waiting.map((r) => r.position)).toEqual(Array.from({ length: 40 }, (_, i) => i + 11))
    const tokenOf = new Map(members.map((m) => [m.userId, m.token]))
    // The answer tells each waiting member how many wait before them.
    const last = await client.call(
      'GET',
      `/v1/communities/${c.communityId}/events/${event.id}`,
      tokenOf.get(waiting[39]!.userId)!,
    )
    expect(last.json()).toMatchObject({ going: 10, waitlisted: 40, myRsvp: { state: 'waitlisted', waitlistAhead: 39 } })

    // Three going members withdraw at once, and one answers going again (keeps their seat).
    const leavers = going.slice(0, 3)
    const again = await Promise.all([
      ...leavers.map((r) => rsvp(c, event.id, tokenOf.get(r.userId)!, 'not_going')),
      rsvp(c, event.id, tokenOf.get(going[5]!.userId)!, 'going'),
    ])
    for (const a of again) expect(a.statusCode, a.body).toBe(200)
    const after = await rsvpRows(c.tenantId, event.id)
    expect(after.filter((r) => r.state === 'going')).toHaveLength(10)
    const promoted = await promotions(c.tenantId)
    expect(promoted.map((e) => e.payload.userId).sort()).toEqual(
      waiting
        .slice(0, 3)
        .map((r) => r.userId)
        .sort(),
    )
    expect(after.filter((r) => r.state === 'waitlisted').map((r) => r.position)[0]).toBe(14)

    // Raising the capacity gives the new seats to the next in line.
    const raised = await client.call('PATCH', `/v1/communities/${c.communityId}/events/${event.id}`, c.owner.token, {
      capacity: 12,
    })
    expect(raised.statusCode, raised.body).toBe(200)
    expect(raised.json()).toMatchObject({ going: 12, waitlisted: 35, sequence: 1 })
    expect(await promotions(c.tenantId)).toHaveLength(5)

    // The attendee list pages in arrival order.
    const page = await client.call(
      'GET',
      `/v1/communities/${c.communityId}/events/${event.id}/attendees?state=waitlisted&limit=5`,
      c.owner.token,
    )
    expect(page.json().data.map((a: { position: number }) => a.position)).toEqual([16, 17, 18, 19, 20])
    expect(page.json().nextCursor).toEqual(expect.any(String))
  })

  it('refuses banned, suspended and non-members, and 404s an event of another community or tenant', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const event = await createEvent(c)
    const [banned, suspended] = await joinedMembers(c, 2)
    const outsider = await c.member()
    expect((await client.ban(c.communityId, banned!.userId, c.owner.token)).statusCode).toBe(200)
    expect((await client.suspend(c.communityId, suspended!.userId, c.owner.token, inDays(2))).statusCode).toBe(200)
    expect((await rsvp(c, event.id, banned!.token, 'going')).json().code).toBe('COMMUNITY_MEMBER_BANNED')
    expect((await rsvp(c, event.id, suspended!.token, 'going')).json().code).toBe('EVENT_MEMBERS_ONLY')
    expect((await rsvp(c, event.id, outsider.token, 'going')).json().code).toBe('EVENT_MEMBERS_ONLY')
    // A plain member cannot create events.
    const plain = (await joinedMembers(c, 1))[0]!
    const refused = await client.call('POST', `/v1/communities/${c.communityId}/events`, plain.token, eventBody())
    expect(refused.json().code).toBe('COMMUNITY_PERMISSION_REQUIRED')
    const other = await buildCommunity(t, { visibility: 'public' })
    const elsewhere = await client.call(
      'GET',
      `/v1/communities/${other.communityId}/events/${event.id}`,
      other.owner.token,
    )
    expect(elsewhere.statusCode).toBe(404)
    const otherTenant = await buildCommunity(t, { visibility: 'public' })
    const crossTenant = await client.call(
      'GET',
      `/v1/communities/${c.communityId}/events/${event.id}`,
      otherTenant.owner.token,
    )
    expect(crossTenant.json().code).toBe('COMMUNITY_NOT_FOUND')
    // Private community: its events are for members only.
    const closed = await buildCommunity(t, { visibility: 'private' }, c.tenantId, c.owner)
    const hidden = await createEvent(closed)
    const peek = await client.call('GET', `/v1/communities/${closed.communityId}/events/${hidden.id}`, outsider.token)
    expect(peek.json().code).toBe('COMMUNITY_NOT_FOUND')
  })

  it('validates time zones, schedules and currencies', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const post = (extra: Record<string, unknown>) =>
      client.call('POST', `/v1/communities/${c.communityId}/events`, c.owner.token, eventBody(extra))
    expect((await post({ timeZone: 'Mars/Olympus' })).json().code).toBe('INVALID_TIME_ZONE')
    expect((await post({ endsAt: inDays(2).toISOString() })).json().code).toBe('INVALID_EVENT_SCHEDULE')
    expect((await post({ price: { amount: 500, currency: 'XYZ' } })).json().code).toBe('UNKNOWN_CURRENCY')
    const kiritimati = await post({
      timeZone: 'Pacific/Kiritimati',
      startsAt: '2030-01-15T10:00:00Z',
      endsAt: '2030-01-15T12:00:00Z',
    })
    expect(kiritimati.json()).toMatchObject({ startsAtLocal: '2030-01-16T00:00:00+14:00' })
    const kolkata = await post({
      timeZone: 'Asia/Kolkata',
      startsAt: '2030-01-15T04:30:00Z',
      endsAt: '2030-01-15T06:00:00Z',
    })
    expect(kolkata.json()).toMatchObject({ timeZone: 'Asia/Kolkata', startsAtLocal: '2030-01-15T10:00:00+05:30' })
  })
})

describe('seats of users banned, suspended or gone', () => {
  const stateOf = async (c: CommunityFixture, eventId: string, userId: string) =>
    (await rsvpRows(c.tenantId, eventId)).find((r) => r.userId === userId)?.state

  it('passes over a banned waitlisted user, withdraws a banned going attendee, and refills the seat once', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const event = await createEvent(c, { capacity: 1 })
    const [first, bannedWaiting, next, after, leaver] = await joinedMembers(c, 5)
    // Sequential answers: first holds the seat, the others wait in this order.
    for (const m of [first, bannedWaiting, next, after, leaver])
      expect((await rsvp(c, event.id, m!.token, 'going')).statusCode).toBe(200)
    expect((await client.ban(c.communityId, bannedWaiting!.userId, c.owner.token)).statusCode).toBe(200)
    // Before the ban's event is dispatched, a freed seat skips the banned user (fillSeats' filter).
    expect((await rsvp(c, event.id, first!.token, 'not_going')).statusCode).toBe(200)
    expect(await stateOf(c, event.id, bannedWaiting!.userId)).toBe('waitlisted')
    expect(await stateOf(c, event.id, next!.userId)).toBe('going')

    // Reminders before the ban's withdrawal reach good-standing attendees only.
    expect((await client.ban(c.communityId, next!.userId, c.owner.token)).statusCode).toBe(200)
    const reminded = await sendReminders(t.platform.database, t.platform.events, {
      tenantId: c.tenantId,
      eventId: event.id,
      due: '24h',
      startsAt: new Date(event.startsAt).toISOString(),
    })
    expect(reminded).toBe(0)

    // The bans' subscribers withdraw both users' RSVPs; the banned going attendee's seat goes to
    // the first waitlisted in good standing. A redelivery changes nothing.
    expect(await dispatchCommunityEvents(t, c.tenantId, 'community.member_banned')).toBe(2)
    expect(await dispatchCommunityEvents(t, c.tenantId, 'community.member_banned')).toBe(2)
    expect(await stateOf(c, event.id, bannedWaiting!.userId)).toBe('not_going')
    expect(await stateOf(c, event.id, next!.userId)).toBe('not_going')
    expect(await stateOf(c, event.id, after!.userId)).toBe('going')
    expect((await promotions(c.tenantId)).map((e) => e.payload.userId)).toEqual([next!.userId, after!.userId])

    // Leaving withdraws a waitlisted place too.
    expect((await client.leave(c.communityId, leaver!.token)).statusCode).toBe(204)
    await dispatchCommunityEvents(t, c.tenantId, 'community.member_left')
    expect(await stateOf(c, event.id, leaver!.userId)).toBe('not_going')
  })

  it('refuses to confirm a banned user’s paid hold and gives the seat to the next in line', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const event = await createEvent(c, { capacity: 1, price: { amount: 900, currency: 'EUR' } })
    const [held, waiting] = await joinedMembers(c, 2)
    expect((await rsvp(c, event.id, held!.token, 'going')).json().state).toBe('offered')
    expect((await rsvp(c, event.id, waiting!.token, 'going')).json().state).toBe('waitlisted')
    expect((await client.ban(c.communityId, held!.userId, c.owner.token)).statusCode).toBe(200)
    const confirm = t.platform.database.transaction(tenantScope(c.tenantId), (tx) =>
      t.modules.community.confirmEventSeatPayment(tx, {
        eventId: event.id,
        userId: held!.userId,
        amount: 900,
        currency: 'EUR',
        paymentRef: 'order-banned',
      }),
    )
    await expect(confirm).rejects.toMatchObject({ code: 'EVENT_MEMBERS_ONLY' })
    await dispatchCommunityEvents(t, c.tenantId, 'community.member_banned')
    expect(await stateOf(c, event.id, held!.userId)).toBe('not_going')
    expect(await stateOf(c, event.id, waiting!.userId)).toBe('offered')
  })

  it('withdraws a suspended member’s seat', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const event = await createEvent(c, { capacity: 1 })
    const [going, waiting] = await joinedMembers(c, 2)
    for (const m of [going, waiting]) expect((await rsvp(c, event.id, m!.token, 'going')).statusCode).toBe(200)
    expect((await client.suspend(c.communityId, going!.userId, c.owner.token, inDays(2))).statusCode).toBe(200)
    await dispatchCommunityEvents(t, c.tenantId, 'community.member_suspended')
    expect(await stateOf(c, event.id, going!.userId)).toBe('not_going')
    expect(await stateOf(c, event.id, waiting!.userId)).toBe('going')
  })
})

describe('paid events', () => {
  it('holds a seat until payment, confirms it, and moves an expired hold to the next in line', async () => {
    const c = await buildCommunity(t, { visibility: 'public' })
    const event = await createEvent(c, { capacity: 1, price: { amount: 1500, currency: 'EUR' } })
    const [first, second] = await joinedMembers(c, 2)
    const held = await rsvp(c, event.id, first!.token, 'going')
    expect(held.json()).toMatchObject({ state: 'offered', offerExpiresAt: expect.any(String) })
    expect((await rsvp(c, event.id, second!.token, 'going')).json().state).toBe('waitlisted')
    const confirm = (userId: string, amount = 1500) =>
      t.platform.database.transaction(tenantScope(c.tenantId), (tx) =>
        t.modules.community.confirmEventSeatPayment(tx, {
          eventId: event.id,
          userId,
          amount,
          currency: 'EUR',
          paymentRef: `order-${userId}`,
        }),
      )
    await expect(confirm(first!.userId, 1000)).rejects.toMatchObject({ code: 'EVENT_PRICE_MISMATCH' })
    await expect(confirm(second!.userId)).rejects.toMatchObject({ code: 'EVENT_SEAT_NOT_OFFERED' })
    expect(await confirm(first!.userId)).toMatchObject({ state: 'going' })
    expect(await confirm(first!.userId)).toMatchObject({ state: 'going' }) // replay: no change

    // The paid seat is given up: the next is offered a hold (never charged), which then runs out.
    expect((await rsvp(c, event.id, first!.token, 'not_going')).statusCode).toBe(200)
    const [third] = await joinedMembers(c, 1)
    expect((await rsvp(c, event.id, third!.token, 'going')).json().state).toBe('waitlisted')
    let rows = await rsvpRows(c.tenantId, event.id)
    expect(rows.find((r) => r.userId === second!.userId)?.state).toBe('offered')
    await t.platform.database.transaction(platformScope, (tx) =>
      tx
        .update(eventRsvps)
        .set({ offerExpiresAt: new Date(Date.now() - 1000) })
        .where(sql`${eventRsvps.eventId} = ${event.id} AND ${eventRsvps.state} = 'offered'`),
    )
    const deps = {
      database: t.platform.database,
      events: t.platform.events,
      jobs: t.platform.jobs,
      logger: t.platform.logger,
    }
    expect(await releaseExpiredOffers(deps, { tenantId: c.tenantId, eventId: event.id })).toBe(1)
    expect(await releaseExpiredOffers(deps, { tenantId: c.tenantId, eventId: event.id })).toBe(0)
    rows = await rsvpRows(c.tenantId, event.id)
    expect(rows.find((r) => r.userId === second!.userId)?.state).toBe('expired')
    expect(rows.find((r) => r.userId === third!.userId)?.state).toBe('offered')
    await expect(confirm(second!.userId)).rejects.toMatchObject({ code: 'EVENT_SEAT_OFFER_EXPIRED' })
    const jobs = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ n: number }>(
        tx,
        sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'community.expire_event_seat_offers' AND data->>'eventId' = ${event.id}`,
      ),
    )
    expect(jobs[0]?.n).toBeGreaterThanOrEqual(2)
  })
})
