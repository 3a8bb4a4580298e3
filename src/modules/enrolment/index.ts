/**
 * Enrolment: who may learn what, since when and until when. Owns the `enrolment` schema. The
 * entitlement service (checkLessonAccess) is the only answer to "may this user read this lesson
 * now"; other modules use it and findEnrolment through this file.
 */
import type { Logger } from 'pino'
import type { Database, Tx } from '../../platform/db/database.ts'
import type { Events } from '../../platform/events/events.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import type { Mailer } from '../../platform/mail/index.ts'
import { subscribeCourseCompletion } from './completion.ts'
import { defineEnrolmentJobs, expireEnrolments } from './enrolment.jobs.ts'
import { createEnrolmentRoutes } from './enrolment.routes.ts'
import { createEnrolmentService } from './enrolment.service.ts'
import { createImportsService } from './imports.service.ts'
import { checkLessonAccess, type CompletedLessons, type LessonAccessQuery } from './lesson-access.ts'

export type { EnrolmentRow, EnrolmentSource, EnrolmentStatus } from './enrolment.tables.ts'
export {
  checkLessonAccess,
  findEnrolment,
  lockEnrolmentForCompletion,
  type CompletedLessons,
  type LessonAccessQuery,
} from './lesson-access.ts'
export {
  decideLessonAccess,
  releaseInstant,
  lessonReleaseInstant,
  dripAnchor,
  enrolmentStanding,
  type EnrolmentStanding,
  type AccessDecision,
  type AccessDenial,
  type AccessGrant,
  type DenialReason,
} from './entitlement.ts'
export {
  ENROLMENT_CREATED,
  ENROLMENT_EXPIRED,
  type EnrolmentCreatedPayload,
  type EnrolmentExpiredPayload,
} from './enrolment.events.ts'
export { EXPIRE_ENROLMENTS } from './enrolment.jobs.ts'

export interface EnrolmentDeps {
  database: Database
  jobs: Jobs
  events: Events
  mail: Mailer
  logger: Logger
  /** The lessons a learner completed under an enrolment: the progress module's answer, wired in app.ts. */
  completedLessons: CompletedLessons
}

export function createEnrolmentModule(deps: EnrolmentDeps) {
  defineEnrolmentJobs(deps)
  subscribeCourseCompletion(deps.events)
  const service = createEnrolmentService({ events: deps.events, completedLessons: deps.completedLessons })
  const imports = createImportsService({ events: deps.events })
  return {
    routes: createEnrolmentRoutes(service, imports),
    entitlements: {
      /** checkLessonAccess with this module's completedLessons already supplied. */
      checkLessonAccess: (tx: Tx, query: Omit<LessonAccessQuery, 'completedLessons'>) =>
        checkLessonAccess(tx, { ...query, completedLessons: deps.completedLessons }),
    },
    /** Runs the expiry now (what the scheduled job does); for operations and tests. */
    expireEnrolments: (now?: Date) => expireEnrolments(deps, now),
  }
}

export type EnrolmentModule = ReturnType<typeof createEnrolmentModule>
