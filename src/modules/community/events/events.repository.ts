/** Drizzle reads of community events: an event with its seat counts and the caller's RSVP, one statement. */
import { and, asc, eq, gt, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../../platform/http/pagination.ts'
import { communityEvents, eventRsvps, type CommunityEventRow, type EventRsvpRow } from './events.tables.ts'

/** Event lists page by start, soonest first: (startsAt, id). */
export const eventsCursor = keysetCursor(instant, uuid)
export type EventPosition = PositionOf<typeof eventsCursor>

export interface EventWithCounts {
  event: CommunityEventRow
  going: number
  waitlisted: number
  mine: EventRsvpRow | null
  /** Waitlisted before the caller (null unless the caller waits). */
  ahead: number | null
  position: string
}

function countOf(state: 'seats' | 'waitlisted') {
  const states = state === 'seats' ? sql`('going', 'offered')` : sql`('waitlisted')`
  return sql<number>`(SELECT count(*)::int FROM ${eventRsvps} r WHERE r.event_id = ${communityEvents.id} AND r.state IN ${states})`
}

export async function selectEvents(
  tx: Tx,
  userId: string | null,
  where: {
    communityId: string
    eventId?: string
    after?: EventPosition | undefined
    endingAfter?: Date
    limit?: number
  },
): Promise<EventWithCounts[]> {
  const mine = userId ? and(eq(eventRsvps.eventId, communityEvents.id), eq(eventRsvps.userId, userId)) : sql`false`
  const rows = await tx
    .select({
      event: communityEvents,
      going: countOf('seats'),
      waitlisted: countOf('waitlisted'),
      mine: eventRsvps,
      ahead: sql<
        number | null
      >`CASE WHEN ${eventRsvps.state} = 'waitlisted' THEN (SELECT count(*)::int FROM ${eventRsvps} w
        WHERE w.event_id = ${communityEvents.id} AND w.state = 'waitlisted' AND w.position < ${eventRsvps.position}) END`,
      position: instantText(communityEvents.startsAt),
    })
    .from(communityEvents)
    .leftJoin(eventRsvps, mine)
    .where(
      and(
        eq(communityEvents.communityId, where.communityId),
        where.eventId ? eq(communityEvents.id, where.eventId) : undefined,
        where.endingAfter ? gt(communityEvents.endsAt, where.endingAfter) : undefined,
        eventsCursor.after(where.after, [communityEvents.startsAt, communityEvents.id], 'asc'),
      ),
    )
    .orderBy(asc(communityEvents.startsAt), asc(communityEvents.id))
    .limit((where.limit ?? 0) + 1)
  return rows.map((row) => ({ ...row, going: Number(row.going), waitlisted: Number(row.waitlisted) }))
}
