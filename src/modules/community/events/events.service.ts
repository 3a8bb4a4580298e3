/**
 * Community events: created, edited and cancelled by holders of the community permission
 * events:manage; seen by those who see the community's inside (requireInsider: members, and
 * everyone of the tenant for a public community); answered by active members. Seats are decided in
 * seats.ts with the event's row locked; reminders are scheduled in reminders.ts.
 */
import { and, asc, eq, sql } from 'drizzle-orm'
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { Tx } from '../../../platform/db/database.ts'
import { assertVersion } from '../../../platform/http/etag.ts'
import { keysetCursor, positiveInteger, uuid, type PageResult } from '../../../platform/http/pagination.ts'
import { principalId } from '../../../platform/http/principal.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { parseCurrencyCode } from '../../commerce/index.ts'
import { callerIn, loadActiveCommunity, loadCommunity, requireInsider, requirePermission } from '../community-access.ts'
import { communityErrors } from '../community.errors.ts'
import { COMMUNITY_EVENT_CANCELLED, type EventCancelledPayload } from '../community.events.ts'
import { canonicalTimeZone, wallTime } from './event-time.ts'
import { eventErrors } from './events.errors.ts'
import { eventsCursor, selectEvents, type EventWithCounts } from './events.repository.ts'
import type {
  Attendee,
  CommunityEvent,
  CreateEventBody,
  EventListQuery,
  MyRsvp,
  UpdateEventBody,
} from './events.schemas.ts'
import { communityEvents, eventRsvps, type EventRsvpRow, type RsvpState } from './events.tables.ts'
import { scheduleReminders } from './reminders.ts'
import { answer, fillSeats, lockEvent, type SeatDeps } from './seats.ts'

const MAX_DURATION_MS = 31 * 24 * 3600_000
const attendeesCursor = keysetCursor(positiveInteger, uuid)

export function presentRsvp(row: EventRsvpRow, ahead: number | null): MyRsvp {
  return {
    state: row.state,
    waitlistAhead: row.state === 'waitlisted' ? ahead : null,
    offerExpiresAt: row.offerExpiresAt?.toISOString() ?? null,
  }
}

export function presentEvent({ event, going, waitlisted, mine, ahead }: EventWithCounts): CommunityEvent {
  return {
    id: event.id,
    communityId: event.communityId,
    title: event.title,
    description: event.description,
    startsAt: event.startsAt.toISOString(),
    endsAt: event.endsAt.toISOString(),
    timeZone: event.timeZone,
    startsAtLocal: wallTime(event.startsAt, event.timeZone),
    endsAtLocal: wallTime(event.endsAt, event.timeZone),
    location: event.location,
    onlineUrl: event.onlineUrl,
    capacity: event.capacity,
    price:
      event.priceAmount !== null && event.priceCurrency !== null
        ? { amount: event.priceAmount, currency: event.priceCurrency }
        : null,
    status: event.status,
    going,
    waitlisted,
    sequence: event.sequence,
    version: event.version,
    createdBy: event.createdBy,
    createdAt: event.createdAt.toISOString(),
    cancelledAt: event.cancelledAt?.toISOString() ?? null,
    myRsvp: mine ? presentRsvp(mine, ahead) : null,
  }
}

function checkSchedule(startsAt: Date, endsAt: Date): void {
  const length = endsAt.getTime() - startsAt.getTime()
  if (!(length > 0 && length <= MAX_DURATION_MS)) throw eventErrors.invalidSchedule()
}

function timeZoneOf(input: string): string {
  const zone = canonicalTimeZone(input)
  if (!zone) throw eventErrors.invalidTimeZone(input)
  return zone
}

/** The calling person's id (events are answered and read as people; API keys manage only). */
const userOf = (ctx: RequestContext): string | null => (ctx.principal.kind === 'user' ? ctx.principal.userId : null)

export function createEventsService(deps: SeatDeps) {
  async function readEvent(tx: Tx, ctx: RequestContext, communityId: string, eventId: string) {
    const [row] = await selectEvents(tx, userOf(ctx), { communityId, eventId })
    if (!row) throw eventErrors.eventNotFound(eventId)
    return presentEvent(row)
  }

  async function audit(
    tx: Tx,
    ctx: RequestContext,
    action: string,
    eventId: string,
    details?: Record<string, unknown>,
  ) {
    await recordAudit(tx, ctx, {
      action: `community.event_${action}`,
      targetType: 'community_event',
      targetId: eventId,
      ...(details ? { details } : {}),
    })
  }

  return {
    async create(ctx: RequestContext, communityId: string, body: CreateEventBody): Promise<CommunityEvent> {
      const startsAt = new Date(body.startsAt)
      const endsAt = new Date(body.endsAt)
      checkSchedule(startsAt, endsAt)
      const timeZone = timeZoneOf(body.timeZone)
      const currency = body.price ? parseCurrencyCode(body.price.currency, 'body.price.currency') : null
      return ctx.inTenant(async (tx) => {
        const community = await loadActiveCommunity(tx, communityId)
        const caller = await requirePermission(tx, ctx, community, 'events:manage')
        const [event] = await tx
          .insert(communityEvents)
          .values({
            tenantId: community.tenantId,
            communityId,
            title: body.title,
            description: body.description ?? '',
            startsAt,
            endsAt,
            timeZone,
            location: body.location ?? null,
            onlineUrl: body.onlineUrl ?? null,
            capacity: body.capacity ?? null,
            priceAmount: body.price?.amount ?? null,
            priceCurrency: currency,
            createdBy: caller.userId ?? community.createdBy,
          })
          .returning()
        await scheduleReminders(tx, deps.jobs, event!)
        await audit(tx, ctx, 'created', event!.id)
        return readEvent(tx, ctx, communityId, event!.id)
      })
    },

    async list(ctx: RequestContext, communityId: string, query: EventListQuery): Promise<PageResult<CommunityEvent>> {
      const after = eventsCursor.decode(query.cursor)
      return ctx.inTenant(async (tx) => {
        await requireInsider(tx, ctx, await loadCommunity(tx, communityId))
        const rows = await selectEvents(tx, userOf(ctx), {
          communityId,
          after,
          limit: query.limit,
          ...(query.upcoming === false ? {} : { endingAfter: new Date() }),
        })
        const page = eventsCursor.page(rows, query.limit, (row) => [row.position, row.event.id])
        return { data: page.data.map(presentEvent), nextCursor: page.nextCursor }
      })
    },

    async get(ctx: RequestContext, communityId: string, eventId: string): Promise<CommunityEvent> {
      return ctx.inTenant(async (tx) => {
        await requireInsider(tx, ctx, await loadCommunity(tx, communityId))
        return readEvent(tx, ctx, communityId, eventId)
      })
    },

    /** Edits bump the calendar SEQUENCE; a new start reschedules reminders; more seats fill from the waitlist. */
    async update(
      ctx: RequestContext,
      communityId: string,
      eventId: string,
      body: UpdateEventBody,
      expected?: number,
    ): Promise<CommunityEvent> {
      return ctx.inTenant(async (tx) => {
        const community = await loadActiveCommunity(tx, communityId)
        await requirePermission(tx, ctx, community, 'events:manage')
        const event = await lockEvent(tx, eventId, communityId)
        assertVersion(expected, event.version)
        if (event.status === 'cancelled') throw eventErrors.cancelled()
        const startsAt = body.startsAt ? new Date(body.startsAt) : event.startsAt
        const endsAt = body.endsAt ? new Date(body.endsAt) : event.endsAt
        checkSchedule(startsAt, endsAt)
        const [updated] = await tx
          .update(communityEvents)
          .set({
            ...(body.title !== undefined ? { title: body.title } : {}),
            ...(body.description !== undefined ? { description: body.description } : {}),
            ...(body.timeZone !== undefined ? { timeZone: timeZoneOf(body.timeZone) } : {}),
            ...(body.location !== undefined ? { location: body.location } : {}),
            ...(body.onlineUrl !== undefined ? { onlineUrl: body.onlineUrl } : {}),
            ...(body.capacity !== undefined ? { capacity: body.capacity } : {}),
            startsAt,
            endsAt,
            sequence: sql`${communityEvents.sequence} + 1`,
            version: sql`${communityEvents.version} + 1`,
            updatedAt: new Date(),
          })
          .where(eq(communityEvents.id, eventId))
          .returning()
        if (startsAt.getTime() !== event.startsAt.getTime()) await scheduleReminders(tx, deps.jobs, updated!)
        await fillSeats(tx, ctx, deps, updated!)
        await audit(tx, ctx, 'updated', eventId, { fields: Object.keys(body) })
        return readEvent(tx, ctx, communityId, eventId)
      })
    },

    /** Cancelled events keep their answers; calendars get STATUS:CANCELLED and reminders stop. */
    async cancel(ctx: RequestContext, communityId: string, eventId: string): Promise<void> {
      await ctx.inTenant(async (tx) => {
        const community = await loadCommunity(tx, communityId)
        await requirePermission(tx, ctx, community, 'events:manage')
        const event = await lockEvent(tx, eventId, communityId)
        if (event.status === 'cancelled') return
        const now = new Date()
        await tx
          .update(communityEvents)
          .set({
            status: 'cancelled',
            cancelledAt: now,
            updatedAt: now,
            sequence: sql`${communityEvents.sequence} + 1`,
            version: sql`${communityEvents.version} + 1`,
          })
          .where(eq(communityEvents.id, eventId))
        const payload: EventCancelledPayload = {
          communityId,
          eventId,
          actor: principalId(ctx.principal),
          at: now.toISOString(),
        }
        await deps.events.publish(tx, ctx, { type: COMMUNITY_EVENT_CANCELLED, payload })
        await audit(tx, ctx, 'cancelled', eventId)
      })
    },

    /** The caller's answer: active members only (banned, suspended, pending and outsiders are refused). */
    async respond(
      ctx: RequestContext,
      communityId: string,
      eventId: string,
      response: 'going' | 'not_going',
    ): Promise<MyRsvp> {
      const userId = userOf(ctx)
      if (!userId) throw communityErrors.personRequired()
      return ctx.inTenant(async (tx) => {
        const community = await loadActiveCommunity(tx, communityId)
        // A ban is said as such (the banned know the community); everyone else not inside gets 404.
        const { actor } = await callerIn(tx, ctx, community)
        if (response === 'going' && actor.standing === 'banned') throw communityErrors.banned()
        await requireInsider(tx, ctx, community)
        if (response === 'going' && actor.standing !== 'active') throw eventErrors.membersOnly()
        const event = await lockEvent(tx, eventId, communityId)
        if (response === 'going' && event.status === 'cancelled') throw eventErrors.cancelled()
        if (response === 'going' && event.endsAt <= new Date()) throw eventErrors.ended()
        await answer(tx, ctx, deps, event, userId, response)
        const [row] = await selectEvents(tx, userId, { communityId, eventId })
        return presentRsvp(row!.mine!, row!.ahead)
      })
    },

    async attendees(
      ctx: RequestContext,
      communityId: string,
      eventId: string,
      query: { cursor?: string; limit: number; state?: RsvpState },
    ): Promise<PageResult<Attendee>> {
      const after = attendeesCursor.decode(query.cursor)
      return ctx.inTenant(async (tx) => {
        await requireInsider(tx, ctx, await loadCommunity(tx, communityId))
        const [event] = await selectEvents(tx, null, { communityId, eventId })
        if (!event) throw eventErrors.eventNotFound(eventId)
        const rows = await tx
          .select()
          .from(eventRsvps)
          .where(
            and(
              eq(eventRsvps.eventId, eventId),
              query.state
                ? eq(eventRsvps.state, query.state)
                : sql`${eventRsvps.state} IN ('going', 'offered', 'waitlisted')`,
              sql`${eventRsvps.position} > 0`,
              attendeesCursor.after(after, [eventRsvps.position, eventRsvps.id], 'asc'),
            ),
          )
          .orderBy(asc(eventRsvps.position), asc(eventRsvps.id))
          .limit(query.limit + 1)
        const page = attendeesCursor.page(rows, query.limit, (row) => [row.position, row.id])
        return {
          data: page.data.map((row) => ({
            userId: row.userId,
            state: row.state,
            position: row.position,
            offerExpiresAt: row.offerExpiresAt?.toISOString() ?? null,
          })),
          nextCursor: page.nextCursor,
        }
      })
    },
  }
}

export type EventsService = ReturnType<typeof createEventsService>
