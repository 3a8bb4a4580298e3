/**
 * The enrolment module's background work: the expiry schedule (cluster-wide cron) and the
 * welcome notification, sent by a subscriber of ENROLMENT_CREATED so the enrolling request never
 * waits on mail and a rolled-back enrolment sends nothing.
 */
import type { Logger } from 'pino'
import { platformScope, tenantScope, type Database } from '../../platform/db/database.ts'
import type { Events } from '../../platform/events/events.ts'
import { systemContext } from '../../platform/http/request-context.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import {
  ENROLMENT_CREATED,
  ENROLMENT_EXPIRED,
  type EnrolmentCreatedPayload,
  type EnrolmentExpiredPayload,
} from './enrolment.events.ts'
import { notifyEnrolled, notifyExpired, type EnrolmentNotifier } from './enrolment.notifications.ts'
import { enrolmentRepository } from './enrolment.repository.ts'

export const EXPIRE_ENROLMENTS = 'enrolment.expire_enrolments'
export const CONFIRMATION_SUBSCRIBER = 'enrolment.send_confirmation'

/** Enrolments expired per transaction: bounded so one tenant's backlog never holds a huge lock set. */
const BATCH = 200

export interface EnrolmentJobDeps {
  database: Database
  jobs: Jobs
  events: Events
  /** The notification center's notify (app.ts wires it). */
  notify: EnrolmentNotifier
  logger: Logger
}

/**
 * Marks every enrolment whose access ended by `now` expired (status expired, endedAt), publishes
 * ENROLMENT_EXPIRED and sends the notice, each batch in one tenant transaction. Cohort seats stay
 * taken: the learner held the seat for the cohort. Returns how many expired.
 */
export async function expireEnrolments(
  deps: Pick<EnrolmentJobDeps, 'database' | 'events' | 'notify'>,
  now = new Date(),
): Promise<number> {
  const { database } = deps
  const tenants = await database.transaction(platformScope, (tx) => enrolmentRepository.tenantsWithDueExpiries(tx, now))
  let total = 0
  for (const tenantId of tenants) {
    const ctx = systemContext(database, tenantId, `job:${EXPIRE_ENROLMENTS}`)
    for (;;) {
      const count = await database.transaction(tenantScope(tenantId), async (tx) => {
        const expired = await enrolmentRepository.expireDue(tx, now, BATCH)
        for (const row of expired) {
          const expiresAt = (row.expiresAt ?? now).toISOString()
          const payload: EnrolmentExpiredPayload = {
            enrolmentId: row.id,
            userId: row.userId,
            courseId: row.courseId,
            expiresAt,
          }
          await deps.events.publish(tx, ctx, { type: ENROLMENT_EXPIRED, payload })
          // The version makes each expiry its own occurrence: a learner enrolled again and expired again hears again.
          await notifyExpired(tx, deps.notify, {
            tenantId,
            userId: row.userId,
            courseId: row.courseId,
            expiresAt,
            eventId: `enrolment.expired:${row.id}:${row.version}`,
          })
        }
        return expired.length
      })
      total += count
      if (count < BATCH) break
    }
  }
  return total
}

export function defineEnrolmentJobs(deps: EnrolmentJobDeps): void {
  deps.jobs.define<Record<string, never>>({
    name: EXPIRE_ENROLMENTS,
    schedule: { cron: '*/10 * * * *' },
    retryLimit: 3,
    retryDelaySeconds: 60,
    retryDelayMaxSeconds: 600,
    expireInSeconds: 600,
    handler: async () => {
      const expired = await expireEnrolments(deps)
      if (expired > 0) deps.logger.info({ expired }, 'enrolments expired')
    },
  })

  deps.events.subscribe<EnrolmentCreatedPayload>(ENROLMENT_CREATED, CONFIRMATION_SUBSCRIBER, async (event, tx) => {
    if (!event.tenantId) return
    const { userId, courseId, expiresAt } = event.payload
    // A disabled or unknown account is told nothing (the center decides, per channel).
    await notifyEnrolled(tx, deps.notify, { tenantId: event.tenantId, userId, courseId, expiresAt, eventId: event.id })
  })
}
