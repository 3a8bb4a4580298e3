/**
 * iCalendar (RFC 5545) for community events, written with ical-generator, and the feed tokens that
 * let calendar apps (which cannot send a bearer token) subscribe to a community's events.
 *
 * Times: DTSTART and DTEND are UTC instants (`...Z`). The organiser's IANA zone is kept on the event
 * and shown by the API (startsAtLocal), but the ICS does not carry a TZID: RFC 5545 requires a
 * VTIMEZONE for every TZID, and writing one means shipping zone rules (with their DST
 * transitions) that would drift from Node's ICU; a UTC instant is exact in every calendar, which
 * shows it in the reader's zone. Events are single occurrences, so no recurrence needs local rules.
 * UID is `<event id>@lyceum` (stable across edits), SEQUENCE the event's edit count, DTSTAMP its
 * last change, and a cancelled event stays in the feed with STATUS:CANCELLED so calendars drop it.
 *
 * Feed tokens: 32 random bytes (base64url, 43 characters) in the URL; only their SHA-256 is
 * stored. One live token per member and community: issuing another revokes the old one, and
 * DELETE revokes it. Every read re-checks that the token's owner's account is still active and
 * that they still see the community.
 */
import { createHash, randomBytes } from 'node:crypto'
import { and, asc, eq, gt, isNull } from 'drizzle-orm'
import ical, { ICalEventStatus } from 'ical-generator'
import type { Tx } from '../../../platform/db/database.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { activeUser } from '../../identity/index.ts'
import { loadCommunity, memberActor, requireInsider } from '../community-access.ts'
import { communityErrors } from '../community.errors.ts'
import type { CommunityRow } from '../community.tables.ts'
import { eventErrors } from './events.errors.ts'
import { calendarFeedTokens, communityEvents, type CommunityEventRow } from './events.tables.ts'

export const CALENDAR_CONTENT_TYPE = 'text/calendar; charset=utf-8'
/** Past events stay in a feed this long (calendars keep what they showed). */
const FEED_PAST_DAYS = 30
const FEED_MAX_EVENTS = 500

export const eventUid = (eventId: string) => `${eventId}@lyceum`

export function renderCalendar(name: string, events: CommunityEventRow[]): string {
  const calendar = ical({ name, prodId: { company: 'Lyceum', product: 'community-events', language: 'EN' } })
  for (const event of events) {
    calendar.createEvent({
      id: eventUid(event.id),
      sequence: event.sequence,
      stamp: event.updatedAt,
      created: event.createdAt,
      lastModified: event.updatedAt,
      start: event.startsAt,
      end: event.endsAt,
      summary: event.title,
      description: event.description || null,
      location: event.location ?? event.onlineUrl ?? null,
      url: event.onlineUrl ?? null,
      status: event.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    })
  }
  return calendar.toString()
}

const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex')

async function feedEvents(tx: Tx, communityId: string): Promise<CommunityEventRow[]> {
  return tx
    .select()
    .from(communityEvents)
    .where(
      and(
        eq(communityEvents.communityId, communityId),
        gt(communityEvents.endsAt, new Date(Date.now() - FEED_PAST_DAYS * 86400_000)),
      ),
    )
    .orderBy(asc(communityEvents.startsAt), asc(communityEvents.id))
    .limit(FEED_MAX_EVENTS)
}

/** Whether the user still sees the community's inside (the rule of requireInsider, for a stored user). */
async function stillInsider(tx: Tx, community: CommunityRow, userId: string): Promise<boolean> {
  const { actor } = await memberActor(tx, community.id, userId)
  if (actor.standing === 'active') return true
  return community.visibility === 'public' && actor.standing !== 'banned'
}

export function createCalendarService() {
  return {
    async event(ctx: RequestContext, communityId: string, eventId: string): Promise<string> {
      return ctx.inTenant(async (tx) => {
        const community = await loadCommunity(tx, communityId)
        await requireInsider(tx, ctx, community)
        const [event] = await tx
          .select()
          .from(communityEvents)
          .where(and(eq(communityEvents.id, eventId), eq(communityEvents.communityId, communityId)))
        if (!event) throw eventErrors.eventNotFound(eventId)
        return renderCalendar(`${community.name}: ${event.title}`, [event])
      })
    },

    async community(ctx: RequestContext, communityId: string): Promise<string> {
      return ctx.inTenant(async (tx) => {
        const community = await loadCommunity(tx, communityId)
        await requireInsider(tx, ctx, community)
        return renderCalendar(community.name, await feedEvents(tx, communityId))
      })
    },

    /** A new feed token for the caller (the previous one, if any, is revoked). Shown once. */
    async issue(ctx: RequestContext, communityId: string) {
      if (ctx.principal.kind !== 'user') throw communityErrors.personRequired()
      const userId = ctx.principal.userId
      return ctx.inTenant(async (tx) => {
        const community = await loadCommunity(tx, communityId)
        await requireInsider(tx, ctx, community)
        await revokeFeed(tx, communityId, userId)
        const token = randomBytes(32).toString('base64url')
        const [row] = await tx
          .insert(calendarFeedTokens)
          .values({ tenantId: community.tenantId, communityId, userId, tokenHash: hashToken(token) })
          .returning()
        return { url: `/v1/calendar/${token}.ics`, token, createdAt: row!.createdAt.toISOString() }
      })
    },

    async revoke(ctx: RequestContext, communityId: string): Promise<void> {
      if (ctx.principal.kind !== 'user') throw communityErrors.personRequired()
      const userId = ctx.principal.userId
      await ctx.inTenant(async (tx) => {
        await loadCommunity(tx, communityId)
        if (!(await revokeFeed(tx, communityId, userId))) throw eventErrors.feedNotFound()
      })
    },

    /** The feed behind a token (anonymous, on the tenant's host): 404 for unknown, revoked or no longer allowed. */
    async feed(ctx: RequestContext, token: string): Promise<string> {
      return ctx.inTenant(async (tx) => {
        const [row] = await tx
          .select()
          .from(calendarFeedTokens)
          .where(and(eq(calendarFeedTokens.tokenHash, hashToken(token)), isNull(calendarFeedTokens.revokedAt)))
        if (!row) throw eventErrors.feedNotFound()
        // A disabled account's URL stops with it: the token stands for the user, not for itself.
        if (!(await activeUser(tx, row.userId))) throw eventErrors.feedNotFound()
        const community = await loadCommunity(tx, row.communityId)
        if (!(await stillInsider(tx, community, row.userId))) throw eventErrors.feedNotFound()
        return renderCalendar(community.name, await feedEvents(tx, community.id))
      })
    },
  }
}

async function revokeFeed(tx: Tx, communityId: string, userId: string): Promise<boolean> {
  const revoked = await tx
    .update(calendarFeedTokens)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(calendarFeedTokens.communityId, communityId),
        eq(calendarFeedTokens.userId, userId),
        isNull(calendarFeedTokens.revokedAt),
      ),
    )
    .returning({ id: calendarFeedTokens.id })
  return revoked.length > 0
}

export type CalendarService = ReturnType<typeof createCalendarService>
