/**
 * The write side other code relies on: setting up an enrolment's progress and drip schedule,
 * completing lessons (by the learner, or by the assessment module when a graded lesson is
 * passed) and keeping the course totals and completion in step, all in the caller's transaction.
 */
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { readPublishedCourse, type PublishedCourseOutline } from '../catalogue/index.ts'
import { enrolmentStanding } from '../enrolment/index.ts'
import {
  PROGRESS_COURSE_COMPLETED,
  PROGRESS_LESSON_COMPLETED,
  type CourseCompletedPayload,
  type LessonCompletedPayload,
} from './progress.events.ts'
import { dripSchedule, isCourseComplete, lessonsInOrder, percentOf } from './progress.policy.ts'
import {
  progressRepository as repository,
  type CourseProgressRow,
  type LessonKey,
  type LessonProgressRow,
} from './progress.repository.ts'

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
export async function trackEnrolment(
  tx: Tx,
  ref: EnrolmentRef,
  course: PublishedCourseOutline,
  enrolledAt: Date,
): Promise<void> {
  const total = lessonsInOrder(course).length
  await repository.insertCourseProgress(tx, { ...ref, totalLessons: total })
  const unlocks = dripSchedule(course, enrolledAt).map((u) => ({
    tenantId: ref.tenantId,
    enrolmentId: ref.enrolmentId,
    ...u,
  }))
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
 *
 * The progress row is locked before counting: two lessons completed at once (a quiz passed while
 * an instructor grades the assignment) would otherwise each count without the other's lesson, and
 * neither would complete the course. Under the lock the second one counts both, and it alone sees
 * completedAt still empty, so the event is published once per enrolment.
 */
export async function refreshCourse(
  tx: Tx,
  publishing: Publishing,
  ref: EnrolmentRef,
  course: PublishedCourseOutline,
  activity?: { lessonId: string; at: Date },
): Promise<CourseProgressRow> {
  const lessonIds = lessonsInOrder(course).map(({ lesson }) => lesson.id)
  let locked = await repository.lockCourseProgress(tx, ref.enrolmentId)
  if (!locked) {
    // The learner got here before the enrolment event was handled; the handler's insert will then skip.
    await repository.insertCourseProgress(tx, { ...ref, totalLessons: lessonIds.length })
    locked = await repository.lockCourseProgress(tx, ref.enrolmentId)
    if (!locked) throw new Error('course progress row missing right after insert')
  }
  const completed = await repository.countCompleted(tx, ref.enrolmentId, lessonIds)
  const totals = {
    completedLessons: completed,
    totalLessons: lessonIds.length,
    percent: percentOf(completed, lessonIds.length),
  }
  const completes = isCourseComplete(completed, lessonIds.length) && locked.completedAt === null
  const at = activity?.at ?? new Date()
  const row = await repository.updateTotals(tx, ref.enrolmentId, totals, {
    activity,
    completedAt: completes ? at : undefined,
  })
  if (!row) throw new Error('locked course progress row vanished')
  if (!completes) return row
  const payload: CourseCompletedPayload = {
    enrolmentId: ref.enrolmentId,
    userId: ref.userId,
    courseId: ref.courseId,
    versionId: course.versionId,
    completedAt: at.toISOString(),
  }
  await publishing.events.publish(tx, publishing.ctx, {
    type: PROGRESS_COURSE_COMPLETED,
    payload,
    tenantId: ref.tenantId,
  })
  return row
}

/** Why a completion was not recorded: the enrolment is cancelled or missing (not_enrolled), or its access ended (expired). */
export type NotRecordedReason = 'not_enrolled' | 'expired'

export type CompletionResult =
  | {
      recorded: true
      lesson: LessonProgressRow
      course: CourseProgressRow
      /** False when the lesson was already complete (the course totals were still recounted). */
      newlyCompleted: boolean
    }
  | { recorded: false; reason: NotRecordedReason }

export interface MarkLessonCompletedInput extends Publishing {
  enrolmentId: string
  userId: string
  courseId: string
  lessonId: string
  /** The published course when the caller already read it (saves a query). */
  course?: PublishedCourseOutline
  at?: Date
}

/**
 * Completes a lesson for an enrolment, whatever its kind: the learner's own completion route
 * uses it for content lessons, the assessment module when a quiz or assignment is passed.
 *
 * Only an active enrolment (not cancelled, its access not ended at `at`) records anything; for
 * any other the result says nothing was recorded, and the caller's own work (a grade) stands.
 * The first completion of a lesson publishes progress.lesson_completed (gamification awards it).
 * Idempotent: completing a completed lesson changes no lesson, but recounts the course, so a
 * course row left short by an earlier failure is repaired (and completed, once) by a retry.
 */
export async function markLessonCompleted(tx: Tx, input: MarkLessonCompletedInput): Promise<CompletionResult> {
  const tenantId = input.ctx.tenantId
  if (!tenantId) throw new Error('markLessonCompleted needs a tenant context')
  const at = input.at ?? new Date()
  const enrolment = await repository.lockEnrolment(tx, input.enrolmentId)
  if (!enrolment || enrolment.userId !== input.userId || enrolment.courseId !== input.courseId)
    return { recorded: false, reason: 'not_enrolled' }
  const standing = enrolmentStanding(enrolment, at)
  if (standing !== 'active') return { recorded: false, reason: standing === 'cancelled' ? 'not_enrolled' : 'expired' }
  const course = input.course ?? (await readPublishedCourse(tx, input.courseId))?.course
  if (!course) throw new Error(`course ${input.courseId} has no published version`)
  const key: LessonKey = {
    tenantId,
    enrolmentId: input.enrolmentId,
    userId: input.userId,
    courseId: input.courseId,
    lessonId: input.lessonId,
  }
  const { row, newly } = await repository.complete(tx, key, at)
  if (newly) {
    const { enrolmentId, userId, courseId, lessonId } = key
    const payload: LessonCompletedPayload = { enrolmentId, userId, courseId, lessonId, completedAt: at.toISOString() }
    await input.events.publish(tx, input.ctx, { type: PROGRESS_LESSON_COMPLETED, payload, tenantId })
  }
  const courseRow = await refreshCourse(tx, input, key, course, newly ? { lessonId: input.lessonId, at } : undefined)
  return { recorded: true, lesson: row, course: courseRow, newlyCompleted: newly }
}
