/**
 * The learner's own progress: starting and completing lessons, reporting time and resume
 * position, and reading their per-lesson status in a course. Every write first asks the
 * entitlement service whether the learner may use the lesson now; a refusal is 403 LESSON_LOCKED
 * with its reason.
 */
import type { Tx } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { readPublishedCourse, type PublishedCourseOutline, type PublishedLessonOutline } from '../catalogue/index.ts'
import { checkLessonAccess, enrolmentStanding, findEnrolment, type EnrolmentStanding } from '../enrolment/index.ts'
import { progressErrors } from './progress.errors.ts'
import {
  lessonStates,
  lessonsInOrder,
  MAX_POSITION_BYTES,
  percentOf,
  positionBytes,
  selfCompletable,
} from './progress.policy.ts'
import {
  progressRepository as repository,
  type CourseProgressRow,
  type LessonKey,
  type LessonProgressRow,
} from './progress.repository.ts'
import { completedLessons, markLessonCompleted, refreshCourse } from './progress.tracking.ts'

export interface LessonTarget {
  lessonId: string
  courseId: string
}

const LOCKED_DETAIL: Record<string, string> = {
  not_enrolled: 'You are not enrolled in this course',
  expired: 'Your access to this course has expired',
  drip_locked: 'This lesson is not released yet',
  prerequisite_missing: 'Complete the prerequisite lessons first',
}

export function learnerOf(ctx: RequestContext): { tenantId: string; userId: string } {
  if (ctx.principal.kind !== 'user' || !ctx.tenantId) throw progressErrors.userRequired()
  return { tenantId: ctx.tenantId, userId: ctx.principal.userId }
}

interface Granted {
  key: LessonKey
  lesson: PublishedLessonOutline
  course: PublishedCourseOutline
}

/** The entitlement service's answer for a write; only an enrolled learner's grant lets progress be recorded. */
async function requireAccess(tx: Tx, ctx: RequestContext, target: LessonTarget): Promise<Granted> {
  const { tenantId, userId } = learnerOf(ctx)
  const decision = await checkLessonAccess(tx, {
    userId,
    courseId: target.courseId,
    lessonId: target.lessonId,
    completedLessons,
  })
  if (!decision.allowed) {
    if (decision.reason === 'lesson_not_found') throw progressErrors.lessonNotFound(target.lessonId)
    if (decision.reason === 'course_unavailable') throw progressErrors.courseNotFound(target.courseId)
    const { reason, until, missingLessonIds } = decision
    throw progressErrors.lessonLocked(LOCKED_DETAIL[reason] ?? 'You cannot use this lesson now', {
      reason,
      ...(until ? { until } : {}),
      ...(missingLessonIds ? { missingLessonIds } : {}),
    })
  }
  // A preview lesson is open to members without an enrolment, but there is no progress to record for them.
  if (!decision.enrolmentId)
    throw progressErrors.lessonLocked(LOCKED_DETAIL.not_enrolled as string, { reason: 'not_enrolled' })
  return {
    key: { tenantId, userId, courseId: target.courseId, lessonId: target.lessonId, enrolmentId: decision.enrolmentId },
    lesson: decision.lesson,
    course: decision.course,
  }
}

export interface LessonProgressView {
  enrolmentId: string
  courseId: string
  lessonId: string
  status: 'in_progress' | 'completed'
  startedAt: string
  completedAt: string | null
  timeSpentSeconds: number
  position: Record<string, unknown> | null
  course: CourseTotalsView
}

export interface CourseTotalsView {
  completedLessons: number
  totalLessons: number
  percent: number
  completedAt: string | null
}

export const totalsView = (row: CourseProgressRow): CourseTotalsView => ({
  completedLessons: row.completedLessons,
  totalLessons: row.totalLessons,
  percent: row.percent,
  completedAt: row.completedAt?.toISOString() ?? null,
})

function lessonView(row: LessonProgressRow, course: CourseProgressRow): LessonProgressView {
  return {
    enrolmentId: row.enrolmentId,
    courseId: row.courseId,
    lessonId: row.lessonId,
    status: row.completedAt ? 'completed' : 'in_progress',
    startedAt: row.startedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    timeSpentSeconds: row.timeSpentSeconds,
    position: row.position ?? null,
    course: totalsView(course),
  }
}

export function createLearnerService(deps: { events: EventPublisher }) {
  const { events } = deps
  return {
    /** Idempotent: a started lesson stays started at its first time. */
    start(ctx: RequestContext, target: LessonTarget): Promise<LessonProgressView> {
      return ctx.inTenant(async (tx) => {
        const { key, course } = await requireAccess(tx, ctx, target)
        const now = new Date()
        const row = await repository.start(tx, key, now)
        const courseRow = await refreshCourse(tx, { events, ctx }, key, course, { lessonId: key.lessonId, at: now })
        return lessonView(row, courseRow)
      })
    },

    /** Content lessons only; a second call changes nothing and returns the same state. */
    complete(ctx: RequestContext, target: LessonTarget): Promise<LessonProgressView> {
      return ctx.inTenant(async (tx) => {
        const { key, lesson, course } = await requireAccess(tx, ctx, target)
        if (!selfCompletable(lesson)) throw progressErrors.completedByAssessment(lesson.kind)
        const result = await markLessonCompleted(tx, { events, ctx, ...key, course })
        // Access was granted a moment ago in this transaction; a cancellation or expiry committed since then still wins.
        if (!result.recorded)
          throw progressErrors.lessonLocked(LOCKED_DETAIL[result.reason] as string, { reason: result.reason })
        return lessonView(result.lesson, result.course)
      })
    },

    /** Adds time spent (capped per call by the schema) and replaces the resume position. */
    record(
      ctx: RequestContext,
      target: LessonTarget & { position?: Record<string, unknown>; timeSpentSeconds?: number },
    ): Promise<LessonProgressView> {
      if (target.position !== undefined && positionBytes(target.position) > MAX_POSITION_BYTES)
        throw progressErrors.positionTooLarge(MAX_POSITION_BYTES)
      return ctx.inTenant(async (tx) => {
        const { key, course } = await requireAccess(tx, ctx, target)
        const now = new Date()
        const change = {
          seconds: target.timeSpentSeconds ?? 0,
          ...(target.position !== undefined ? { position: target.position } : {}),
        }
        const row = await repository.record(tx, key, now, change)
        const courseRow = await refreshCourse(tx, { events, ctx }, key, course, { lessonId: key.lessonId, at: now })
        return lessonView(row, courseRow)
      })
    },

    /** Per-lesson status of the learner's own enrolment; 404 when they hold none. */
    courseProgress(ctx: RequestContext, courseId: string) {
      const { userId } = learnerOf(ctx)
      return ctx.inTenant(async (tx) => {
        const published = await readPublishedCourse(tx, courseId)
        if (!published) throw progressErrors.courseNotFound(courseId)
        const enrolment = await findEnrolment(tx, userId, courseId)
        if (!enrolment || enrolment.status === 'cancelled') throw progressErrors.notEnrolled(courseId)
        const rows = await repository.lessonRows(tx, enrolment.id)
        const totals = await repository.findCourseProgress(tx, enrolment.id)
        return courseProgressView(published.course, enrolment, rows, totals)
      })
    },
  }
}

function courseProgressView(
  course: PublishedCourseOutline,
  enrolment: { id: string; status: EnrolmentStanding; enrolledAt: Date; expiresAt: Date | null },
  rows: LessonProgressRow[],
  totals: CourseProgressRow | undefined,
) {
  const progress = new Map(rows.map((row) => [row.lessonId, row]))
  const now = new Date()
  const states = lessonStates(course, { enrolledAt: enrolment.enrolledAt, progress, now })
  const ordered = lessonsInOrder(course)
  const completed = ordered.filter(({ lesson }) => progress.get(lesson.id)?.completedAt).length
  return {
    enrolmentId: enrolment.id,
    courseId: course.courseId,
    versionId: course.versionId,
    title: course.title,
    // An access period that ran out reads as expired before the expiry job has marked the row.
    enrolmentStatus: enrolmentStanding(enrolment, now),
    expiresAt: enrolment.expiresAt?.toISOString() ?? null,
    completedLessons: completed,
    totalLessons: ordered.length,
    percent: percentOf(completed, ordered.length),
    completedAt: totals?.completedAt?.toISOString() ?? null,
    lastLessonId: totals?.lastLessonId ?? null,
    lastActivityAt: totals?.lastActivityAt?.toISOString() ?? null,
    lessons: ordered.map(({ module, lesson }) => {
      const row = progress.get(lesson.id)
      const state = states.get(lesson.id) ?? { status: 'available' as const }
      return {
        lessonId: lesson.id,
        moduleId: module.id,
        title: lesson.title,
        kind: lesson.kind,
        ...state,
        startedAt: row?.startedAt.toISOString() ?? null,
        completedAt: row?.completedAt?.toISOString() ?? null,
        timeSpentSeconds: row?.timeSpentSeconds ?? 0,
        position: row?.position ?? null,
      }
    }),
  }
}

export type LearnerService = ReturnType<typeof createLearnerService>
