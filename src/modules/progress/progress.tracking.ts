/**
 * The write side other code relies on: setting up an enrolment's progress and drip schedule,
 * completing lessons (by the learner, or by the assessment module when a graded lesson is
 * passed) and keeping the course totals and completion in step, all in the caller's transaction.
 */
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { readPublishedCourse, type PublishedCourse } from '../catalogue/index.ts'
import { PROGRESS_COURSE_COMPLETED, type CourseCompletedPayload } from './progress.events.ts'
import { dripSchedule, isCourseComplete, lessonsInOrder, percentOf } from './progress.policy.ts'
import { progressRepository as repository, type CourseProgressRow, type LessonKey, type LessonProgressRow } from './progress.repository.ts'

export interface EnrolmentRef {
  tenantId: string
  enrolmentId: string
  userId: string
  courseId: string
}

/**
 * Creates the enrolment's progress row and its drip schedule unless they exist (event
 * redelivery, or a learner acting before the enrolment event was handled).
 */
export async function trackEnrolment(tx: Tx, ref: EnrolmentRef, course: PublishedCourse, enrolledAt: Date): Promise<void> {
  const total = lessonsInOrder(course).length
  await repository.insertCourseProgress(tx, { ...ref, totalLessons: total })
  const unlocks = dripSchedule(course, enrolledAt).map((u) => ({ tenantId: ref.tenantId, enrolmentId: ref.enrolmentId, ...u }))
  await repository.insertUnlocks(tx, unlocks)
}

/** The lessons completed under an enrolment (what the entitlement service checks prerequisites against). */
export function completedLessons(tx: Tx, enrolmentId: string): Promise<Set<string>> {
  return repository.completedLessonIds(tx, enrolmentId)
}

export interface Publishing {
  events: EventPublisher
  /** Whose request (or job) made the change; the event carries its request id. */
  ctx: RequestContext
}

/**
 * Recounts the enrolment's totals against the published version, records the activity, and on
 * the first time every lesson is complete stamps course completion and publishes
 * progress.course_completed (which the credentials module issues the certificate from).
 */
export async function refreshCourse(tx: Tx, publishing: Publishing, ref: EnrolmentRef, course: PublishedCourse, activity?: { lessonId: string; at: Date }): Promise<CourseProgressRow> {
  const lessonIds = lessonsInOrder(course).map(({ lesson }) => lesson.id)
  const completed = await repository.countCompleted(tx, ref.enrolmentId, lessonIds)
  const totals = { completedLessons: completed, totalLessons: lessonIds.length, percent: percentOf(completed, lessonIds.length) }
  let row = await repository.updateTotals(tx, ref.enrolmentId, totals, activity)
  if (!row) {
    // The learner got here before the enrolment event was handled; the handler's insert will then skip.
    await repository.insertCourseProgress(tx, { ...ref, ...totals })
    row = await repository.updateTotals(tx, ref.enrolmentId, totals, activity)
    if (!row) throw new Error('course progress row missing right after insert')
  }
  if (!isCourseComplete(completed, lessonIds.length) || row.completedAt) return row
  const at = activity?.at ?? new Date()
  const stamped = await repository.markCourseCompleted(tx, ref.enrolmentId, at)
  if (!stamped) return row
  const payload: CourseCompletedPayload = { enrolmentId: ref.enrolmentId, userId: ref.userId, courseId: ref.courseId, versionId: course.versionId, completedAt: at.toISOString() }
  await publishing.events.publish(tx, publishing.ctx, { type: PROGRESS_COURSE_COMPLETED, payload, tenantId: ref.tenantId })
  return stamped
}

export interface CompletionResult {
  lesson: LessonProgressRow
  course: CourseProgressRow
  /** False when the lesson was already complete (nothing changed). */
  newlyCompleted: boolean
}

export interface MarkLessonCompletedInput extends Publishing {
  enrolmentId: string
  userId: string
  courseId: string
  lessonId: string
  /** The published course when the caller already read it (saves a query). */
  course?: PublishedCourse
  at?: Date
}

/**
 * Completes a lesson for an enrolment, whatever its kind: the learner's own completion route
 * uses it for content lessons, the assessment module when a quiz or assignment is passed.
 * Idempotent: completing a completed lesson changes nothing and returns the current state.
 */
export async function markLessonCompleted(tx: Tx, input: MarkLessonCompletedInput): Promise<CompletionResult> {
  const tenantId = input.ctx.tenantId
  if (!tenantId) throw new Error('markLessonCompleted needs a tenant context')
  const course = input.course ?? (await readPublishedCourse(tx, input.courseId))?.course
  if (!course) throw new Error(`course ${input.courseId} has no published version`)
  const key: LessonKey = { tenantId, enrolmentId: input.enrolmentId, userId: input.userId, courseId: input.courseId, lessonId: input.lessonId }
  const at = input.at ?? new Date()
  const { row, newly } = await repository.complete(tx, key, at)
  if (!newly) {
    const current = await repository.findCourseProgress(tx, input.enrolmentId)
    if (current) return { lesson: row, course: current, newlyCompleted: false }
  }
  const courseRow = await refreshCourse(tx, input, key, course, newly ? { lessonId: input.lessonId, at } : undefined)
  return { lesson: row, course: courseRow, newlyCompleted: newly }
}
