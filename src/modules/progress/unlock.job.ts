/**
 * The drip release job: every few minutes, cluster-wide, find the unlocks that came due and have
 * not been announced, and tell each learner through the notification center ("lesson unlocked":
 * mail and inbox, by their preferences). The scan runs as the platform role (it must see every
 * tenant); the work runs per tenant in that tenant's scope, so RLS still guards every row it
 * writes. The unlock row is locked while it is announced and the notification's occurrence id is
 * per enrolment and lesson, so overlapping or repeated runs notify once each.
 */
import type { Logger } from 'pino'
import { platformScope, tenantScope, type Database, type Tx } from '../../platform/db/database.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { readPublishedCourse, type PublishedCourseOutline } from '../catalogue/index.ts'
import { enrolmentStanding, findEnrolment } from '../enrolment/index.ts'
import { lessonsInOrder } from './progress.policy.ts'
import { progressRepository as repository } from './progress.repository.ts'

export const RELEASE_UNLOCKS = 'progress.release_unlocks'

/** Unlocks handled per tenant transaction, and tenant batches per run (the next run takes the rest). */
export const UNLOCK_BATCH = 200
const MAX_ROUNDS = 25

/** The notification center's `notify`, as much of it as the unlock job uses. */
export type UnlockNotifier = (
  tx: Tx,
  input: {
    tenantId: string
    type: 'progress.lesson_unlocked'
    eventId: string
    recipient: { userId: string }
    params: {
      courseTitle: string
      lessonTitle: string
      moduleTitle: string
      wholeModule: boolean
      courseId: string
      lessonId: string
    }
  },
) => Promise<unknown>

export interface UnlockJobDeps {
  database: Database
  notify: UnlockNotifier
  logger: Logger
}

/** Announces one tenant's due unlocks; returns how many were handled (notified or skipped). */
async function releaseTenant(tx: Tx, deps: UnlockJobDeps, tenantId: string, now: Date): Promise<number> {
  const due = await repository.claimDueUnlocks(tx, now, UNLOCK_BATCH)
  const learners = await repository.recipients(tx, [...new Set(due.map((u) => u.enrolmentId))])
  const recipients = new Map(learners.map((r) => [r.enrolmentId, r]))
  const courses = new Map<string, PublishedCourseOutline | null>()
  for (const unlock of due) {
    const recipient = recipients.get(unlock.enrolmentId)
    if (!recipient) {
      await repository.stampNotified(tx, unlock.enrolmentId, unlock.lessonId, now)
      continue
    }
    const { userId, courseId } = recipient
    if (!courses.has(courseId)) courses.set(courseId, (await readPublishedCourse(tx, courseId))?.course ?? null)
    const course = courses.get(courseId)
    const lesson = course ? lessonsInOrder(course).find((entry) => entry.lesson.id === unlock.lessonId) : undefined
    const enrolment = await findEnrolment(tx, userId, courseId)
    // Nothing to tell (access ended, the lesson left the course): stamp it so it is not looked at
    // again. A disabled account or one that opted out is the center's to skip.
    const accessOpen = enrolment !== null && enrolmentStanding(enrolment, now) === 'active'
    if (course && lesson && accessOpen)
      await deps.notify(tx, {
        tenantId,
        type: 'progress.lesson_unlocked',
        eventId: `progress.lesson_unlocked:${unlock.enrolmentId}:${unlock.lessonId}`,
        recipient: { userId },
        params: {
          courseTitle: course.title,
          lessonTitle: lesson.lesson.title,
          moduleTitle: lesson.module.title,
          wholeModule: unlock.rule === 'module',
          courseId,
          lessonId: unlock.lessonId,
        },
      })
    await repository.stampNotified(tx, unlock.enrolmentId, unlock.lessonId, now)
  }
  return due.length
}

/** One run: scan across tenants, then announce tenant by tenant, until nothing due is left (or the round cap). */
export async function releaseDueUnlocks(deps: UnlockJobDeps, now = new Date()): Promise<number> {
  let handled = 0
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const due = await deps.database.transaction(platformScope, (tx) => repository.dueUnlocks(tx, now, UNLOCK_BATCH))
    const tenants = [...new Set(due.map((row) => row.tenantId))]
    let progressed = 0
    for (const tenantId of tenants)
      progressed += await deps.database.transaction(tenantScope(tenantId), (tx) =>
        releaseTenant(tx, deps, tenantId, now),
      )
    handled += progressed
    // A short scan means everything due was seen; no progress means the rest is locked by another run.
    if (due.length < UNLOCK_BATCH || progressed === 0) break
  }
  if (handled > 0) deps.logger.info({ handled }, 'drip unlocks announced')
  return handled
}

export function defineUnlockJob(jobs: Jobs, deps: UnlockJobDeps): void {
  jobs.define({
    name: RELEASE_UNLOCKS,
    schedule: { cron: '*/5 * * * *' },
    retryLimit: 3,
    retryDelaySeconds: 30,
    retryDelayMaxSeconds: 300,
    expireInSeconds: 600,
    handler: async () => {
      await releaseDueUnlocks(deps)
    },
  })
}
