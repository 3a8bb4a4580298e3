/**
 * Learner dashboards ("my courses", "continue where I left off") and the instructor's view of a
 * course's learners. Each reads a fixed number of queries whatever the number of courses or
 * learners: progress rows (with their enrolment's status) in one query, the catalogue facts for
 * all of them in one more. "My courses" leaves cancelled enrolments out and marks expired ones;
 * "continue" only ever points into a course the learner can still open.
 */
import type { RequestContext } from '../../platform/http/request-context.ts'
import type { PageQuery } from '../../platform/http/pagination.ts'
import { courseStaffRole, readPublishedCourse } from '../catalogue/index.ts'
import { enrolmentStanding } from '../enrolment/index.ts'
import { learnerOf, totalsView } from './learner.service.ts'
import { progressErrors } from './progress.errors.ts'
import { lessonStates, nextLesson } from './progress.policy.ts'
import { courseLearnersCursor, myCoursesCursor, progressReadModel as readModel } from './progress.read-model.ts'
import { progressRepository as repository } from './progress.repository.ts'

const iso = (value: Date | null) => value?.toISOString() ?? null
const READ_ONLY = { readOnly: true }

async function myCourses(ctx: RequestContext, query: PageQuery) {
  const { userId } = learnerOf(ctx)
  const after = myCoursesCursor.decode(query.cursor)
  return ctx.inTenant(async (tx) => {
    const rows = await readModel.myCourses(tx, userId, query.limit, after)
    const page = myCoursesCursor.page(rows, query.limit, ({ position, progress }) => [position, progress.enrolmentId])
    const cards = new Map(
      (
        await repository.courseCards(
          tx,
          page.data.map(({ progress }) => progress.courseId),
        )
      ).map((card) => [card.courseId, card]),
    )
    const now = new Date()
    return {
      nextCursor: page.nextCursor,
      data: page.data.map(({ progress: row, status, expiresAt }) => {
        const card = cards.get(row.courseId)
        return {
          enrolmentId: row.enrolmentId,
          courseId: row.courseId,
          title: card?.title ?? '',
          slug: card?.slug ?? null,
          coverImageRef: card?.coverImageRef ?? null,
          archived: card?.status === 'archived',
          enrolmentStatus: enrolmentStanding({ status, expiresAt }, now),
          expiresAt: iso(expiresAt),
          ...totalsView(row),
          completed: row.completedAt !== null,
          lastLessonId: row.lastLessonId,
          lastActivityAt: iso(row.lastActivityAt),
        }
      }),
    }
    // Reads only: the response need not wait for COMMIT (postgres-database.ts, readOnly).
  }, READ_ONLY)
}

/**
 * The unfinished course worked on most recently among the enrolments the learner can still use
 * (active, access not ended), and the lesson to resume in it.
 */
async function continueLearning(ctx: RequestContext) {
  const { userId } = learnerOf(ctx)
  return ctx.inTenant(async (tx) => {
    const now = new Date()
    const found = await readModel.latestUnfinished(tx, userId, now)
    if (!found) return { course: null, lesson: null }
    const { progress: latest, enrolledAt } = found
    const published = await readPublishedCourse(tx, latest.courseId)
    if (!published) return { course: null, lesson: null }
    const rows = await repository.lessonRows(tx, latest.enrolmentId)
    const progress = new Map(rows.map((row) => [row.lessonId, row]))
    const states = lessonStates(published.course, { enrolledAt, progress, now })
    const lesson = nextLesson(published.course, states, latest.lastLessonId)
    const row = lesson ? progress.get(lesson.id) : undefined
    return {
      course: {
        enrolmentId: latest.enrolmentId,
        courseId: latest.courseId,
        title: published.course.title,
        ...totalsView(latest),
        lastActivityAt: iso(latest.lastActivityAt),
      },
      lesson: lesson
        ? {
            lessonId: lesson.id,
            moduleId: lesson.moduleId,
            title: lesson.title,
            kind: lesson.kind,
            position: row?.position ?? null,
            timeSpentSeconds: row?.timeSpentSeconds ?? 0,
          }
        : null,
    }
  })
}

/** Staff only: tenant administrators for any course, instructors for the courses they teach (others get 404). */
async function courseLearners(ctx: RequestContext, courseId: string, query: PageQuery) {
  if (ctx.principal.kind !== 'user') throw progressErrors.userRequired()
  const { userId, permissions } = ctx.principal
  const after = courseLearnersCursor.decode(query.cursor)
  return ctx.inTenant(async (tx) => {
    // courses:manage, not courses:review: reviewers review courses, they do not see their learners.
    const isAdmin = permissions.has('courses:manage') || permissions.has('enrolments:manage')
    const visible = isAdmin
      ? await repository.courseExists(tx, courseId)
      : (await courseStaffRole(tx, courseId, userId)) !== null
    if (!visible) throw progressErrors.courseNotFound(courseId)
    const rows = await readModel.courseLearners(tx, courseId, query.limit, after)
    const page = courseLearnersCursor.page(rows, query.limit, (row) => [row.progress.enrolmentId])
    return {
      nextCursor: page.nextCursor,
      data: page.data.map(({ progress, email, displayName }) => ({
        enrolmentId: progress.enrolmentId,
        userId: progress.userId,
        email,
        displayName,
        ...totalsView(progress),
        lastLessonId: progress.lastLessonId,
        lastActivityAt: iso(progress.lastActivityAt),
      })),
    }
  })
}

export function createDashboardService() {
  return { myCourses, continueLearning, courseLearners }
}

export type DashboardService = ReturnType<typeof createDashboardService>
