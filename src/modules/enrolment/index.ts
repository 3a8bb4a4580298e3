/**
 * Enrolment: who may learn what, since when and until when. Owns the `enrolment` schema. The
 * entitlement service (checkLessonAccess) is the only answer to "may this user read this lesson
 * now"; other modules use it and findEnrolment through this file. Access granted by other
 * modules (purchases, subscriptions) goes through the module's `access` API (ADR 0008).
 */
import type { Logger } from 'pino'
import type { Database, Tx } from '../../platform/db/database.ts'
import type { Events } from '../../platform/events/events.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import {
  checkGrantAdmission,
  grantAccess,
  revokeGrants,
  type GrantAccessInput,
  type GrantAdmissionInput,
  type RevokeGrantsInput,
} from './access-grants.ts'
import type { RealtimeGateway } from '../../platform/realtime/realtime.types.ts'
import { subscribeCourseCompletion } from './completion.ts'
import { registerCourseRoom } from './course-room.realtime.ts'
import { defineEnrolmentJobs, expireEnrolments } from './enrolment.jobs.ts'
import type { EnrolmentNotifier } from './enrolment.notifications.ts'
import { createEnrolmentRoutes } from './enrolment.routes.ts'
import { createEnrolmentService } from './enrolment.service.ts'
import { createImportsService } from './imports.service.ts'
import { checkLessonAccess, type CompletedLessons, type LessonAccessQuery } from './lesson-access.ts'

export type {
  AccessGrantRow,
  EnrolmentRow,
  EnrolmentSource,
  EnrolmentStatus,
  ExternalGrantSource,
} from './enrolment.tables.ts'
export type {
  GrantAccessInput,
  GrantAccessResult,
  GrantAdmission,
  GrantAdmissionInput,
  RevokeGrantsInput,
  RevokeGrantsResult,
  RevokedEnrolment,
} from './access-grants.ts'
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
  ENROLMENT_CANCELLED,
  ENROLMENT_CREATED,
  ENROLMENT_EXPIRED,
  type EnrolmentCancelledPayload,
  type EnrolmentCreatedPayload,
  type EnrolmentExpiredPayload,
} from './enrolment.events.ts'
export { enrolmentEventIds, enrolmentPublicEvents } from './enrolment.public-events.ts'
export { EXPIRE_ENROLMENTS } from './enrolment.jobs.ts'
export type { EnrolmentNotifier } from './enrolment.notifications.ts'
export { activeLearnerIds } from './course-learners.ts'

export interface EnrolmentDeps {
  database: Database
  jobs: Jobs
  events: Events
  /** The notification center's notify: welcome and access-ended notices (app.ts wires it; enrolment never imports notifications). */
  notify: EnrolmentNotifier
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
    /**
     * Access granted and revoked by outside events (purchases, subscriptions), in the caller's
     * transaction (tenant scope of input.tenantId); see access-grants.ts for the rules.
     */
    access: {
      /** Adds a grant (idempotent per source and sourceRef), opening access when the learner has none. */
      grantAccess: (tx: Tx, ctx: RequestContext, input: GrantAccessInput) => grantAccess(tx, ctx, deps.events, input),
      /** Revokes the grants of a reference; access ends only where no grant remains. */
      revokeGrants: (tx: Tx, ctx: RequestContext, input: RevokeGrantsInput) =>
        revokeGrants(tx, ctx, deps.events, input),
      /** The refusals grantAccess would throw, without writing (checkout asks before taking money). */
      checkGrantAdmission: (tx: Tx, ctx: RequestContext, input: GrantAdmissionInput) =>
        checkGrantAdmission(tx, ctx, input),
    },
    /** Runs the expiry now (what the scheduled job does); for operations and tests. */
    expireEnrolments: (now?: Date) => expireEnrolments(deps, now),
    /** Registers the `course:` live room (enrolled learners and staff) and its evictions. */
    registerRealtime: (gateway: RealtimeGateway) => registerCourseRoom(gateway, deps.events),
  }
}

export type EnrolmentModule = ReturnType<typeof createEnrolmentModule>
/** The API the commerce modules grant and revoke access through (app.ts passes `enrolment.access`). */
export type AccessGrants = EnrolmentModule['access']
