/**
 * Seats of an event, decided with the event's row locked (SELECT ... FOR UPDATE): every RSVP,
 * withdrawal, capacity change, hold expiry and payment confirmation of one event queues on that
 * lock, counts the seats taken and decides in the same transaction, so concurrent callers never
 * over-admit and each freed seat goes to exactly one waitlisted member (the first by position).
 *
 * Seats taken are `going` answers and `offered` holds not yet expired. A paid event never admits
 * straight to `going`: the seat is held (`offered`) until confirmEventSeatPayment records the
 * payment; a hold that runs out becomes `expired` and the seat goes to the next in line.
 */
import { and, asc, count, eq, inArray, lte, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import type { Jobs } from '../../../platform/jobs/index.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { COMMUNITY_EVENT_SEAT_PROMOTED, type EventSeatPromotedPayload } from '../community.events.ts'
import { memberships } from '../community.tables.ts'
import { membershipStanding } from '../membership-rules.ts'
import { findMembership } from '../membership-store.ts'
import { eventErrors } from './events.errors.ts'
import { communityEvents, eventRsvps, type CommunityEventRow, type EventRsvpRow } from './events.tables.ts'

/** How long a seat is held for payment. */
export const SEAT_HOLD_HOURS = 24
export const EXPIRE_SEAT_OFFERS = 'community.expire_event_seat_offers'
export interface ExpireOffersJob {
  tenantId: string
  eventId: string
}

export interface SeatDeps {
  events: EventPublisher
  jobs: Jobs
}

export const isPaid = (event: CommunityEventRow) => event.priceAmount !== null

/** The event, its row locked until the transaction ends; 404 unless it belongs to the community. */
export async function lockEvent(tx: Tx, eventId: string, communityId?: string): Promise<CommunityEventRow> {
  const [row] = await tx.select().from(communityEvents).where(eq(communityEvents.id, eventId)).for('update')
  if (!row || (communityId !== undefined && row.communityId !== communityId)) throw eventErrors.eventNotFound(eventId)
  return row
}

export async function findRsvp(tx: Tx, eventId: string, userId: string): Promise<EventRsvpRow | undefined> {
  const [row] = await tx
    .select()
    .from(eventRsvps)
    .where(and(eq(eventRsvps.eventId, eventId), eq(eventRsvps.userId, userId)))
  return row
}

/** Holds past their end become `expired` (under the event lock); returns how many. */
async function expireOffers(tx: Tx, eventId: string, now: Date): Promise<number> {
  const expired = await tx
    .update(eventRsvps)
    .set({ state: 'expired', offerExpiresAt: null, updatedAt: now })
    .where(and(eq(eventRsvps.eventId, eventId), eq(eventRsvps.state, 'offered'), lte(eventRsvps.offerExpiresAt, now)))
    .returning({ id: eventRsvps.id })
  return expired.length
}

async function seatsTaken(tx: Tx, eventId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(eventRsvps)
    .where(and(eq(eventRsvps.eventId, eventId), sql`${eventRsvps.state} IN ('going', 'offered')`))
  return Number(row?.n ?? 0)
}

const freeSeats = (event: CommunityEventRow, taken: number) =>
  event.capacity === null ? Number.POSITIVE_INFINITY : Math.max(0, event.capacity - taken)

/** The state a member admitted to a seat gets, and the hold's end for a paid event. */
function admission(event: CommunityEventRow, now: Date): { state: 'going' | 'offered'; offerExpiresAt: Date | null } {
  if (!isPaid(event)) return { state: 'going', offerExpiresAt: null }
  const end = new Date(now.getTime() + SEAT_HOLD_HOURS * 3600_000)
  // A hold never outlives the event's start: an unpaid seat at the start is nobody's.
  return { state: 'offered', offerExpiresAt: end < event.startsAt ? end : event.startsAt }
}

async function scheduleExpiry(tx: Tx, deps: SeatDeps, event: CommunityEventRow, at: Date | null): Promise<void> {
  if (at === null) return
  await deps.jobs.send<ExpireOffersJob>(
    tx,
    EXPIRE_SEAT_OFFERS,
    { tenantId: event.tenantId, eventId: event.id },
    { startAfter: at },
  )
}

/**
 * Expires stale holds, then gives free seats to the waitlist in position order (the event's row
 * must be locked by the caller). Each promotion publishes community.event_seat_promoted once.
 */
export async function fillSeats(
  tx: Tx,
  ctx: RequestContext,
  deps: SeatDeps,
  event: CommunityEventRow,
  now = new Date(),
): Promise<number> {
  await expireOffers(tx, event.id, now)
  if (event.status !== 'scheduled' || event.endsAt <= now) return 0
  const free = freeSeats(event, await seatsTaken(tx, event.id))
  if (free === 0) return 0
  // Only members in good standing now (membershipStanding) get a seat: a banned, suspended or
  // departed user still waitlisted (their RSVPs are withdrawn by withdrawRsvps, but that runs
  // after their membership event is dispatched) is passed over and keeps no claim on the seat.
  const waiting = await tx
    .select({ rsvp: eventRsvps, state: memberships.state, suspendedUntil: memberships.suspendedUntil })
    .from(eventRsvps)
    .leftJoin(
      memberships,
      and(eq(memberships.communityId, event.communityId), eq(memberships.userId, eventRsvps.userId)),
    )
    .where(and(eq(eventRsvps.eventId, event.id), eq(eventRsvps.state, 'waitlisted')))
    .orderBy(asc(eventRsvps.position))
  const next = waiting
    .filter(
      (w) =>
        w.state !== null && membershipStanding({ state: w.state, suspendedUntil: w.suspendedUntil }, now) === 'active',
    )
    .slice(0, Number.isFinite(free) ? free : undefined)
    .map((w) => w.rsvp)
  const seat = admission(event, now)
  for (const rsvp of next) {
    await tx
      .update(eventRsvps)
      .set({ ...seat, updatedAt: now })
      .where(eq(eventRsvps.id, rsvp.id))
    const payload: EventSeatPromotedPayload = {
      communityId: event.communityId,
      eventId: event.id,
      userId: rsvp.userId,
      state: seat.state,
      offerExpiresAt: seat.offerExpiresAt?.toISOString() ?? null,
      at: now.toISOString(),
    }
    await deps.events.publish(tx, ctx, { type: COMMUNITY_EVENT_SEAT_PROMOTED, payload })
  }
  if (next.length > 0) await scheduleExpiry(tx, deps, event, seat.offerExpiresAt)
  return next.length
}

/**
 * The member's answer, with the event locked by the caller. "going" takes a free seat (held for
 * payment on a paid event) unless others wait, else joins the waitlist at the next position; a
 * repeated "going" keeps the place already held. "not_going" gives up a seat or a place, and a
 * freed seat goes to the first waitlisted member.
 */
export async function answer(
  tx: Tx,
  ctx: RequestContext,
  deps: SeatDeps,
  event: CommunityEventRow,
  userId: string,
  response: 'going' | 'not_going',
  now = new Date(),
): Promise<EventRsvpRow> {
  const existing = await findRsvp(tx, event.id, userId)
  const holding = existing && ['going', 'offered', 'waitlisted'].includes(existing.state)
  if (response === 'going') {
    await expireOffers(tx, event.id, now)
    const current = existing ? await findRsvp(tx, event.id, userId) : undefined
    if (current && ['going', 'offered', 'waitlisted'].includes(current.state)) return current
    const position = event.lastPosition + 1
    await tx.update(communityEvents).set({ lastPosition: position }).where(eq(communityEvents.id, event.id))
    event.lastPosition = position
    const [waiting] = await tx
      .select({ n: count() })
      .from(eventRsvps)
      .where(and(eq(eventRsvps.eventId, event.id), eq(eventRsvps.state, 'waitlisted')))
    const seatFree = Number(waiting?.n ?? 0) === 0 && freeSeats(event, await seatsTaken(tx, event.id)) > 0
    const values = seatFree
      ? { ...admission(event, now), position, updatedAt: now }
      : { state: 'waitlisted' as const, offerExpiresAt: null, position, updatedAt: now }
    const [row] = await tx
      .insert(eventRsvps)
      .values({ tenantId: event.tenantId, eventId: event.id, userId, ...values })
      .onConflictDoUpdate({ target: [eventRsvps.tenantId, eventRsvps.eventId, eventRsvps.userId], set: values })
      .returning()
    if (seatFree) await scheduleExpiry(tx, deps, event, values.offerExpiresAt)
    return row!
  }
  const values = { state: 'not_going' as const, offerExpiresAt: null, updatedAt: now }
  const [row] = await tx
    .insert(eventRsvps)
    .values({ tenantId: event.tenantId, eventId: event.id, userId, position: 0, ...values })
    .onConflictDoUpdate({ target: [eventRsvps.tenantId, eventRsvps.eventId, eventRsvps.userId], set: values })
    .returning()
  if (holding && existing.state !== 'waitlisted') await fillSeats(tx, ctx, deps, event, now)
  return row!
}

export interface SeatPayment {
  eventId: string
  userId: string
  amount: number
  currency: string
  /** The caller's reference of the payment (e.g. the order id); a replay with it is a no-op. */
  paymentRef: string
}

/**
 * Records the payment of a held seat: offered → going. Idempotent per paymentRef (a replayed
 * confirmation of a seat already confirmed by it changes nothing). Refused for a hold that ran out
 * (its seat may already be someone else's), a free event, or a price that does not match.
 */
export async function confirmSeat(tx: Tx, input: SeatPayment, now = new Date()): Promise<EventRsvpRow> {
  const event = await lockEvent(tx, input.eventId)
  if (!isPaid(event)) throw eventErrors.freeEvent()
  if (event.priceAmount !== input.amount || event.priceCurrency !== input.currency) throw eventErrors.priceMismatch()
  const rsvp = await findRsvp(tx, event.id, input.userId)
  if (rsvp?.state === 'going' && rsvp.paymentRef === input.paymentRef) return rsvp
  if (rsvp?.state === 'expired' || (rsvp?.state === 'offered' && rsvp.offerExpiresAt! <= now))
    throw eventErrors.offerExpired()
  if (rsvp?.state !== 'offered') throw eventErrors.offerNotFound()
  // A hold is confirmed only for a member in good standing: a user banned, suspended or gone since
  // the offer is refused (their hold is withdrawn and the seat goes to the next in line).
  const member = await findMembership(tx, event.communityId, input.userId)
  if (!member || membershipStanding(member, now) !== 'active') throw eventErrors.membersOnly()
  const [row] = await tx
    .update(eventRsvps)
    .set({ state: 'going', offerExpiresAt: null, paymentRef: input.paymentRef, updatedAt: now })
    .where(eq(eventRsvps.id, rsvp.id))
    .returning()
  return row!
}

const LIVE_RSVP_STATES = ['going', 'offered', 'waitlisted'] as const

/**
 * Withdraws a user's live RSVPs (going, offered, waitlisted → not_going) in the community's events
 * that have not ended, and gives each freed seat to the next in line. Called when the user is
 * banned, suspended or leaves (the subscribers in events.module.ts). Idempotent: a redelivery
 * finds nothing live; and a user back in good standing by the time it runs (unbanned, rejoined,
 * suspension lifted) keeps their answers. Events are locked in id order, like every other writer
 * that locks more than one.
 */
export async function withdrawRsvps(
  tx: Tx,
  ctx: RequestContext,
  deps: SeatDeps,
  communityId: string,
  userId: string,
  now = new Date(),
): Promise<number> {
  const member = await findMembership(tx, communityId, userId)
  if (member && membershipStanding(member, now) === 'active') return 0
  const live = await tx
    .selectDistinct({ eventId: eventRsvps.eventId })
    .from(eventRsvps)
    .innerJoin(communityEvents, eq(communityEvents.id, eventRsvps.eventId))
    .where(
      and(
        eq(communityEvents.communityId, communityId),
        eq(eventRsvps.userId, userId),
        inArray(eventRsvps.state, [...LIVE_RSVP_STATES]),
        sql`${communityEvents.endsAt} > ${now}`,
      ),
    )
    .orderBy(eventRsvps.eventId)
  let withdrawn = 0
  for (const { eventId } of live) {
    const event = await lockEvent(tx, eventId, communityId)
    const [row] = await tx
      .update(eventRsvps)
      .set({ state: 'not_going', offerExpiresAt: null, updatedAt: now })
      .where(
        and(
          eq(eventRsvps.eventId, eventId),
          eq(eventRsvps.userId, userId),
          inArray(eventRsvps.state, [...LIVE_RSVP_STATES]),
        ),
      )
      .returning({ id: eventRsvps.id })
    if (!row) continue
    withdrawn++
    await fillSeats(tx, ctx, deps, event, now)
  }
  return withdrawn
}
