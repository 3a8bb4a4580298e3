/**
 * Who hears about an event: its going attendees in good standing (membershipStanding), so a
 * banned, suspended or departed user whose RSVP is not yet withdrawn gets nothing. Reminders use
 * it when they are due, and the notification center when an event is cancelled (through
 * index.ts: it never reads community's tables).
 */
import { and, eq } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { memberships } from '../community.tables.ts'
import { membershipStanding } from '../membership-rules.ts'
import { communityEvents, eventRsvps } from './events.tables.ts'

export async function goingAttendees(
  tx: Tx,
  event: { id: string; communityId: string },
  now = new Date(),
): Promise<string[]> {
  const attendees = await tx
    .select({ userId: eventRsvps.userId, state: memberships.state, suspendedUntil: memberships.suspendedUntil })
    .from(eventRsvps)
    .innerJoin(
      memberships,
      and(eq(memberships.communityId, event.communityId), eq(memberships.userId, eventRsvps.userId)),
    )
    .where(and(eq(eventRsvps.eventId, event.id), eq(eventRsvps.state, 'going')))
  return attendees.filter((a) => membershipStanding(a, now) === 'active').map((a) => a.userId)
}

/** An event's title, start and going attendees in good standing; undefined when it is gone. */
export async function eventAudience(
  tx: Tx,
  eventId: string,
): Promise<{ title: string; startsAt: string; attendees: string[] } | undefined> {
  const [event] = await tx
    .select({
      id: communityEvents.id,
      communityId: communityEvents.communityId,
      title: communityEvents.title,
      startsAt: communityEvents.startsAt,
    })
    .from(communityEvents)
    .where(eq(communityEvents.id, eventId))
  if (!event) return undefined
  return { title: event.title, startsAt: event.startsAt.toISOString(), attendees: await goingAttendees(tx, event) }
}
