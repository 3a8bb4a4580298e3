/**
 * Who may do what in assessment: course staff (tenant administrators for every course, the
 * course's owner and co-instructors for theirs) author question banks, quiz and assignment
 * settings and grade; learners act on their own attempts and submissions, and only after the
 * entitlement service lets them use the lesson.
 */
import { AuditedRefusal } from '../../platform/audit/refusals.ts'
import type { Tx } from '../../platform/db/database.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { courseStaffRole } from '../catalogue/index.ts'
import {
  assertCourseEditable,
  checkLessonAccess,
  completedLessons,
  type PublishedCourseOutline,
  type PublishedLessonOutline,
} from './assessment.deps.ts'
import { assessmentErrors } from './assessment.errors.ts'
import { assessmentRepository as repository } from './assessment.repository.ts'

export interface Member {
  tenantId: string
  userId: string
  /** Tenant administrators (courses:manage) act on every course; reviewers (courses:review) on none. */
  isAdmin: boolean
}

export function memberOf(ctx: RequestContext): Member {
  if (ctx.principal.kind !== 'user' || !ctx.tenantId) throw assessmentErrors.userRequired()
  return {
    tenantId: ctx.tenantId,
    userId: ctx.principal.userId,
    isAdmin: ctx.principal.permissions.has('courses:manage'),
  }
}

/** The caller is staff of the course; anyone else gets 404, so they learn nothing about it. */
export async function requireCourseStaff(tx: Tx, ctx: RequestContext, courseId: string): Promise<Member> {
  const member = memberOf(ctx)
  const allowed = member.isAdmin
    ? await repository.courseExists(tx, courseId)
    : (await courseStaffRole(tx, courseId, member.userId)) !== null
  if (!allowed) throw assessmentErrors.courseNotFound(courseId)
  return member
}

/**
 * Nobody grades their own submission, whatever their role: a grade completes lessons toward a
 * certificate, so it always comes from someone else. Refused attempts are audited (the caller runs
 * the grading inside recordingRefusals).
 */
export function assertNotOwnWork(
  member: Member,
  submission: { id: string; userId: string; lessonId: string },
  courseId: string,
): void {
  if (submission.userId !== member.userId) return
  throw new AuditedRefusal(assessmentErrors.selfGrading(), {
    action: 'assessment.self_grading_refused',
    targetType: 'submission',
    targetId: submission.id,
    details: { courseId, lessonId: submission.lessonId, learnerId: submission.userId },
  })
}

/**
 * Staff about to change what the course publishes (its question bank, quiz or assignment
 * settings): the catalogue's editability rule applies as to its lessons, so nothing changes while
 * the course is in review (409 COURSE_NOT_EDITABLE) or after it is archived. Staff first, so
 * others still learn nothing about the course (404).
 */
export async function requireEditableCourse(tx: Tx, ctx: RequestContext, courseId: string): Promise<Member> {
  const member = await requireCourseStaff(tx, ctx, courseId)
  await assertCourseEditable(tx, courseId)
  return member
}

/** The draft lesson of the course, which must be of `kind` (quiz or assignment). */
export async function requireDraftLesson(
  tx: Tx,
  courseId: string,
  lessonId: string,
  kind: 'quiz' | 'assignment',
): Promise<void> {
  const lesson = await repository.draftLesson(tx, courseId, lessonId)
  if (!lesson) throw assessmentErrors.lessonNotFound(lessonId)
  if (lesson.kind !== kind) throw assessmentErrors.lessonKindMismatch(lessonId, kind, lesson.kind)
}

const LOCKED_DETAIL: Record<string, string> = {
  not_enrolled: 'You are not enrolled in this course',
  expired: 'Your access to this course has expired',
  drip_locked: 'This lesson is not released yet',
  prerequisite_missing: 'Complete the prerequisite lessons first',
}

export interface LessonGrant {
  member: Member
  enrolmentId: string
  lesson: PublishedLessonOutline
  course: PublishedCourseOutline
}

/** The entitlement service's answer; only an enrolled learner's grant lets them attempt or submit. */
export async function requireLessonAccess(
  tx: Tx,
  ctx: RequestContext,
  courseId: string,
  lessonId: string,
): Promise<LessonGrant> {
  const member = memberOf(ctx)
  const decision = await checkLessonAccess(tx, { userId: member.userId, courseId, lessonId, completedLessons })
  if (!decision.allowed) {
    if (decision.reason === 'lesson_not_found' || decision.reason === 'course_unavailable')
      throw assessmentErrors.lessonNotFound(lessonId)
    const { reason, until, missingLessonIds } = decision
    throw assessmentErrors.lessonLocked(LOCKED_DETAIL[reason] ?? 'You cannot use this lesson now', {
      reason,
      ...(until ? { until } : {}),
      ...(missingLessonIds ? { missingLessonIds } : {}),
    })
  }
  // A preview lesson is open without an enrolment, but attempts and submissions belong to one.
  if (!decision.enrolmentId)
    throw assessmentErrors.lessonLocked(LOCKED_DETAIL.not_enrolled as string, { reason: 'not_enrolled' })
  return { member, enrolmentId: decision.enrolmentId, lesson: decision.lesson, course: decision.course }
}
