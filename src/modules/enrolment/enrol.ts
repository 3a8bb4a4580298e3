/**
 * Granting access, shared by every source (self, staff, import; later purchase and
 * subscription): one row per learner and course, a seat for capacity-limited courses, and the
 * ENROLMENT_CREATED event, all in the caller's transaction so a refused seat rolls everything back.
 * A cohort that has ended takes nobody new, whatever the source.
 */
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { isFreeCourse, readPublishedCourse, type PublishedCourseOutline } from '../catalogue/index.ts'
import { enrolmentErrors } from './enrolment.errors.ts'
import { ENROLMENT_CREATED, type EnrolmentCreatedPayload } from './enrolment.events.ts'
import { enrolmentRepository as repository } from './enrolment.repository.ts'
import type { EnrolmentRow, EnrolmentSource } from './enrolment.tables.ts'
import { accessStart, cohortEnded } from './entitlement.ts'

const DAY_MS = 86_400_000

export interface EnrolInput {
  tenantId: string
  userId: string
  course: PublishedCourseOutline
  source: EnrolmentSource
  sourceRef: string | null
  /** principalId of whoever granted it (the learner themselves for self-enrolment). */
  enrolledBy: string
  /** Explicit end of access; undefined = the course's accessDays (or none), see defaultExpiry. */
  expiresAt?: Date | null
  now: Date
}

export interface EnrolResult {
  enrolment: EnrolmentRow
  /** False when the learner already had active access (nothing changed). */
  created: boolean
}

/** The live published course, or 404 (never published, another tenant's) / 409 (archived). */
export async function liveCourse(tx: Tx, courseId: string): Promise<PublishedCourseOutline> {
  const published = await readPublishedCourse(tx, courseId)
  if (!published) throw enrolmentErrors.courseNotFound(courseId)
  if (published.status === 'archived') throw enrolmentErrors.courseArchived(courseId)
  return published.course
}

/** Whether learners may enrol themselves for free (the catalogue entry says; paid courses come with payments). */
export const isFree = (tx: Tx, courseId: string): Promise<boolean> => isFreeCourse(tx, courseId)

/** The course's access period from now, or from the cohort's start when it has not started yet; null when access never ends. */
export const defaultExpiry = (course: PublishedCourseOutline, now: Date): Date | null =>
  course.accessDays == null ? null : new Date(accessStart(course, now).getTime() + course.accessDays * DAY_MS)

/** 409 COHORT_ENDED once a cohort course's cohort is over. */
export function assertCohortOpen(course: PublishedCourseOutline, now: Date): void {
  if (cohortEnded(course, now)) throw enrolmentErrors.cohortEnded(course.courseId, course.cohortEndsAt!)
}

export async function enrol(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  input: EnrolInput,
): Promise<EnrolResult> {
  const { course, now } = input
  const courseId = course.courseId
  const existing = await repository.find(tx, input.userId, courseId)
  if (existing?.status === 'active') return { enrolment: existing, created: false }
  assertCohortOpen(course, now)
  if (existing?.status === 'cancelled' && input.source === 'self') throw enrolmentErrors.enrolmentCancelled()
  const values = {
    source: input.source,
    sourceRef: input.sourceRef,
    enrolledBy: input.enrolledBy,
    enrolledAt: now,
    expiresAt: input.expiresAt === undefined ? defaultExpiry(course, now) : input.expiresAt,
  }
  const row = existing
    ? await repository.reactivate(tx, existing.id, existing.status, values)
    : await repository.insertIfAbsent(tx, { tenantId: input.tenantId, userId: input.userId, courseId, ...values })
  if (!row) {
    // A concurrent request for the same learner and course got there first: theirs is the answer.
    const winner = await repository.find(tx, input.userId, courseId)
    if (!winner) throw new Error('enrolment vanished between insert and read')
    return { enrolment: winner, created: false }
  }
  // An expired enrolment still holds its seat; a new or cancelled one needs one.
  const needsSeat = course.capacity != null && existing?.status !== 'expired'
  if (
    needsSeat &&
    !(await repository.takeSeat(tx, {
      tenantId: input.tenantId,
      courseId,
      capacity: course.capacity!,
      userId: input.userId,
    }))
  )
    throw enrolmentErrors.courseFull(courseId)
  const payload: EnrolmentCreatedPayload = {
    enrolmentId: row.id,
    userId: row.userId,
    courseId,
    source: row.source,
    enrolledAt: row.enrolledAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
  }
  await events.publish(tx, ctx, { type: ENROLMENT_CREATED, tenantId: input.tenantId, payload })
  return { enrolment: row, created: true }
}
