/**
 * Progress: lesson starts and completions, time spent and resume positions, per-course totals and
 * completion, the drip unlock schedule with its "lesson unlocked" notifications, and the learner and
 * instructor dashboards. Owns the `progress` schema; other modules use only this file.
 */
import type { Logger } from 'pino'
import type { Database } from '../../platform/db/database.ts'
import type { Events } from '../../platform/events/events.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { readPublishedCourse } from '../catalogue/index.ts'
import { ENROLMENT_CREATED, type EnrolmentCreatedPayload } from '../enrolment/index.ts'
import { createDashboardService } from './dashboard.service.ts'
import { createLearnerService } from './learner.service.ts'
import { progressRoutes } from './progress.routes.ts'
import { trackEnrolment } from './progress.tracking.ts'
import { defineUnlockJob, type UnlockNotifier } from './unlock.job.ts'

export {
  PROGRESS_COURSE_COMPLETED,
  PROGRESS_LESSON_COMPLETED,
  type CourseCompletedPayload,
  type LessonCompletedPayload,
} from './progress.events.ts'
export {
  completedLessons,
  markLessonCompleted,
  type MarkLessonCompletedInput,
  type CompletionResult,
  type NotRecordedReason,
} from './progress.tracking.ts'
export { progressPublicEvents } from './progress.public-events.ts'
export { RELEASE_UNLOCKS, releaseDueUnlocks, type UnlockNotifier } from './unlock.job.ts'

export interface ProgressDeps {
  database: Database
  events: Events
  jobs: Jobs
  /** The notification center's notify: "lesson unlocked" (app.ts wires it; progress never imports notifications). */
  notify: UnlockNotifier
  logger: Logger
}

export function createProgressModule(deps: ProgressDeps) {
  // A new (or reactivated) enrolment gets its progress row and drip schedule; redelivery skips existing rows.
  deps.events.subscribe<EnrolmentCreatedPayload>(ENROLMENT_CREATED, 'progress.track_enrolment', async (event, tx) => {
    const { enrolmentId, userId, courseId, enrolledAt } = event.payload
    const published = await readPublishedCourse(tx, courseId)
    if (!published || !event.tenantId) return
    await trackEnrolment(
      tx,
      { tenantId: event.tenantId, enrolmentId, userId, courseId },
      published.course,
      new Date(enrolledAt),
    )
  })
  defineUnlockJob(deps.jobs, {
    database: deps.database,
    notify: deps.notify,
    logger: deps.logger.child({ component: 'progress' }),
  })
  const learner = createLearnerService({ events: deps.events })
  const dashboards = createDashboardService()
  return { routes: progressRoutes(learner, dashboards) }
}

export type ProgressModule = ReturnType<typeof createProgressModule>
