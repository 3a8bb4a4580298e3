/**
 * Reminders 24 h and 1 h before an event's start, by job. Each reminder is a job sent with
 * startAfter at its due time and a singleton key naming the event, the reminder and the start it
 * was scheduled for, so scheduling the same start twice queues one job. A reschedule sends new jobs
 * for the new start and leaves the old ones to find, when they run, that the start they carry is no
 * longer the event's (or that the event is cancelled): they publish nothing. A reminder is
 * published once per start (reminded_24h_for / reminded_1h_for, under the event's row lock), so a
 * redelivered job does nothing either.
 */
import { eq } from 'drizzle-orm'
import type { Logger } from 'pino'
import { tenantScope, type Database, type Tx } from '../../../platform/db/database.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import type { Jobs } from '../../../platform/jobs/index.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import { COMMUNITY_EVENT_REMINDER_DUE, type EventReminderDuePayload } from '../community.events.ts'
import { goingAttendees } from './attendees.ts'
import { communityEvents, type CommunityEventRow } from './events.tables.ts'

export const SEND_EVENT_REMINDERS = 'community.send_event_reminders'
const LEADS = { '24h': 24 * 3600_000, '1h': 3600_000 } as const
export type ReminderLead = keyof typeof LEADS

export interface ReminderJob {
  tenantId: string
  eventId: string
  due: ReminderLead
  /** The start the reminder was scheduled for (RFC 3339). */
  startsAt: string
}

/** Sends the reminder jobs of the event's current start whose due time is still ahead. */
export async function scheduleReminders(tx: Tx, jobs: Jobs, event: CommunityEventRow, now = new Date()) {
  if (event.status !== 'scheduled') return
  for (const due of Object.keys(LEADS) as ReminderLead[]) {
    const at = new Date(event.startsAt.getTime() - LEADS[due])
    if (at <= now) continue
    const startsAt = event.startsAt.toISOString()
    await jobs.send<ReminderJob>(
      tx,
      SEND_EVENT_REMINDERS,
      { tenantId: event.tenantId, eventId: event.id, due, startsAt },
      { startAfter: at, singletonKey: `${event.id}:${due}:${startsAt}` },
    )
  }
}

/** The reminder job's work; returns how many attendees were reminded (0 for a stale job). */
export async function sendReminders(database: Database, events: EventPublisher, job: ReminderJob): Promise<number> {
  const ctx = systemContext(database, job.tenantId, `job:${SEND_EVENT_REMINDERS}`)
  return database.transaction(tenantScope(job.tenantId), async (tx) => {
    const [event] = await tx.select().from(communityEvents).where(eq(communityEvents.id, job.eventId)).for('update')
    if (!event || event.status !== 'scheduled') return 0
    // The job carries the start it was scheduled for: after a reschedule it is stale.
    if (event.startsAt.toISOString() !== job.startsAt) return 0
    const sentFor = job.due === '24h' ? event.reminded24hFor : event.reminded1hFor
    if (sentFor !== null && sentFor.getTime() === event.startsAt.getTime()) return 0
    const column = job.due === '24h' ? { reminded24hFor: event.startsAt } : { reminded1hFor: event.startsAt }
    await tx.update(communityEvents).set(column).where(eq(communityEvents.id, event.id))
    // Reminders go to going attendees in good standing only (attendees.ts).
    const going = await goingAttendees(tx, event)
    for (const userId of going) {
      const payload: EventReminderDuePayload = {
        communityId: event.communityId,
        eventId: event.id,
        userId,
        due: job.due,
        title: event.title,
        startsAt: job.startsAt,
        timeZone: event.timeZone,
      }
      await events.publish(tx, ctx, { type: COMMUNITY_EVENT_REMINDER_DUE, payload })
    }
    return going.length
  })
}

export function defineReminderJob(deps: { database: Database; events: EventPublisher; jobs: Jobs; logger: Logger }) {
  deps.jobs.define<ReminderJob>({
    name: SEND_EVENT_REMINDERS,
    retryLimit: 5,
    retryDelaySeconds: 30,
    retryDelayMaxSeconds: 600,
    expireInSeconds: 300,
    handler: async (job) => {
      const reminded = await sendReminders(deps.database, deps.events, job)
      deps.logger.info({ eventId: job.eventId, due: job.due, reminded }, 'community event reminders')
    },
  })
}
