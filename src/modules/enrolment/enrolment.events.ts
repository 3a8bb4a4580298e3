/**
 * Events the enrolment module publishes (see platform/events), in the transaction that made the
 * change. The payload is the contract: fields are only ever added.
 */
import type { EnrolmentSource } from './enrolment.tables.ts'

/** A learner gained access to a course: a new enrolment, or a cancelled or expired one made active again. */
export const ENROLMENT_CREATED = 'enrolment.enrolled'

export type EnrolmentCreatedPayload = {
  enrolmentId: string
  userId: string
  courseId: string
  source: EnrolmentSource
  /** RFC 3339. */
  enrolledAt: string
  expiresAt: string | null
}

/** Access ended because its expiry date passed (the expiry job). */
export const ENROLMENT_EXPIRED = 'enrolment.expired'

export type EnrolmentExpiredPayload = {
  enrolmentId: string
  userId: string
  courseId: string
  expiresAt: string
}

/**
 * Access ended before its time: the school cancelled the enrolment ('staff'), or every grant
 * behind it was revoked ('revoked': a refund, a lost dispute). An enrolment cancelled after it
 * had expired publishes it too.
 */
export const ENROLMENT_CANCELLED = 'enrolment.cancelled'

export type EnrolmentCancelledPayload = {
  enrolmentId: string
  userId: string
  courseId: string
  reason: 'staff' | 'revoked'
  /** RFC 3339. */
  endedAt: string
}
