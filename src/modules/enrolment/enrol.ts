/**
 * Opening access, shared by every source (self, staff, import, purchase, subscription): the
 * learner's one row per course (new, or an expired or cancelled one made active again), its
 * first grant of the new access period, a seat for capacity-limited courses, and the
 * ENROLMENT_CREATED event, all in the caller's transaction. A cohort that has ended takes nobody
 * new, whatever the source. Refusals are thrown before anything is written (the seat is taken
 * first), so a caller may catch one and carry on with its own transaction.
 */
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { isFreeCourse, readPublishedCourse, type PublishedCourseOutline } from '../catalogue/index.ts'
import { enrolmentErrors } from './enrolment.errors.ts'
import { ENROLMENT_CREATED, type EnrolmentCreatedPayload } from './enrolment.events.ts'
import { enrolmentRepository as repository } from './enrolment.repository.ts'
import type { AccessGrantRow, EnrolmentRow, EnrolmentSource } from './enrolment.tables.ts'
import { accessStart, cohortEnded } from './entitlement.ts'
import { summarizeGrants } from './grant-summary.ts'
import { grantsRepository as grants } from './grants.repository.ts'

const DAY_MS = 86_400_000

/** Sources the learner uses on their own: after the school cancelled them, only staff bring them back. */
const SELF_SERVICE: ReadonlySet<EnrolmentSource> = new Set(['self', 'purchase', 'subscription'])

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

/** What opening access did: opened it with `grant`, or found that a concurrent request had opened it first. */
export type Opened =
  { outcome: 'opened'; enrolment: EnrolmentRow; grant: AccessGrantRow } | { outcome: 'lost'; enrolment: EnrolmentRow }

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

/** A new enrolment, or a cancelled one, takes a seat; an expired one still holds the seat it had. */
const needsSeat = (course: PublishedCourseOutline, existing: EnrolmentRow | undefined): boolean =>
  course.capacity != null && (existing === undefined || existing.status === 'cancelled')

/** 409 ENROLMENT_CANCELLED when the school cancelled the learner and they try to come back on their own. */
export function assertNotCancelledByStaff(existing: EnrolmentRow | undefined, source: EnrolmentSource): void {
  if (existing?.status === 'cancelled' && existing.cancelledByStaff && SELF_SERVICE.has(source))
    throw enrolmentErrors.enrolmentCancelled()
}

/**
 * Opens access for a learner without it: `existing` is their enrolment when it is not active
 * (expired, cancelled, or active with its end passed), undefined when they have none; a caller
 * that locked it passes it locked, with its grants when it read them. The admission rules
 * (staff, prerequisites) are the caller's; the cohort's end, a school cancellation and the seat
 * are checked here.
 */
export async function openAccess(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  input: EnrolInput,
  existing: EnrolmentRow | undefined,
  priorGrants?: readonly AccessGrantRow[],
): Promise<Opened> {
  const { course, now } = input
  const courseId = course.courseId
  assertCohortOpen(course, now)
  assertNotCancelledByStaff(existing, input.source)
  const endsAt = input.expiresAt === undefined ? defaultExpiry(course, now) : input.expiresAt
  const seat = needsSeat(course, existing)
  if (
    seat &&
    !(await repository.takeSeat(tx, {
      tenantId: input.tenantId,
      courseId,
      capacity: course.capacity!,
      userId: input.userId,
    }))
  )
    throw enrolmentErrors.courseFull(courseId)
  // A reactivated enrolment's earlier grants have all ended or been revoked, but they are still its grants.
  const earlier = existing ? (priorGrants ?? (await grants.forEnrolment(tx, existing.id))) : []
  const summary = summarizeGrants([...earlier, { endsAt, revokedAt: null }])
  const values = {
    source: input.source,
    sourceRef: input.sourceRef,
    enrolledBy: input.enrolledBy,
    enrolledAt: now,
    expiresAt: summary.access === 'granted' ? summary.expiresAt : endsAt,
  }
  const row = existing
    ? await repository.reactivate(tx, existing.id, existing.status, values)
    : await repository.insertIfAbsent(tx, { tenantId: input.tenantId, userId: input.userId, courseId, ...values })
  if (!row) {
    // A concurrent request for the same learner and course got there first: theirs is the enrolment.
    if (seat) await repository.releaseSeat(tx, courseId)
    const winner = await repository.find(tx, input.userId, courseId)
    if (!winner) throw new Error('enrolment vanished between insert and read')
    return { outcome: 'lost', enrolment: winner }
  }
  const grant = await grants.insert(tx, {
    tenantId: input.tenantId,
    enrolmentId: row.id,
    source: input.source,
    sourceRef: input.sourceRef,
    grantedBy: input.enrolledBy,
    startsAt: now,
    endsAt,
  })
  if (!grant) throw new Error(`enrolment ${row.id} already holds a ${input.source} grant for ${input.sourceRef}`)
  const payload: EnrolmentCreatedPayload = {
    enrolmentId: row.id,
    userId: row.userId,
    courseId,
    source: row.source,
    enrolledAt: row.enrolledAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
  }
  await events.publish(tx, ctx, { type: ENROLMENT_CREATED, tenantId: input.tenantId, payload })
  return { outcome: 'opened', enrolment: row, grant }
}

/**
 * Enrolment by the school's own paths (self, staff, import): opens access unless the learner
 * already has an active enrolment, which answers as it is (created false) and gains no grant.
 */
export async function enrol(
  tx: Tx,
  ctx: RequestContext,
  events: EventPublisher,
  input: EnrolInput,
): Promise<EnrolResult> {
  // Locked: grant changes happen under the enrolment's row lock (grants.ts).
  const existing = await repository.findForUpdate(tx, input.userId, input.course.courseId)
  if (existing?.status === 'active') return { enrolment: existing, created: false }
  const opened = await openAccess(tx, ctx, events, input, existing)
  return { enrolment: opened.enrolment, created: opened.outcome === 'opened' }
}
