/**
 * The review queue: the courses in review that the caller may review (reviewers and
 * administrators, courses:review), never the ones they teach, and the draft of each as it was
 * submitted. Reviewers see a course only while it is in review; the steps themselves (approve,
 * request changes) are the workflow's.
 */
import type { Tx } from '../../../platform/db/database.ts'
import type { PageQuery, PageResult } from '../../../platform/http/pagination.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { catalogueErrors } from '../catalogue.errors.ts'
import { authorOf, isSelfReview } from '../catalogue.policy.ts'
import type { DraftLesson } from '../publication.ts'
import { authoringRepository as repository, createdCursor } from './authoring.repository.ts'
import { presentSummary, readCourseView, type CourseView } from './course-view.ts'

/**
 * The draft lessons of a course in the user's review queue (in review, not taught by them), or
 * null for any other course. Other modules' parts of the draft (quiz and assignment settings)
 * are shown to reviewers through it.
 */
export async function lessonsInReviewFor(tx: Tx, courseId: string, userId: string): Promise<DraftLesson[] | null> {
  const found = await repository.findCourseFor(tx, courseId, userId)
  if (!found || found.course.status !== 'in_review' || isSelfReview(found.staffRole)) return null
  return (await repository.lessonsOf(tx, courseId)).map((lesson) => ({
    id: lesson.id,
    kind: lesson.kind,
    assetRef: lesson.assetRef,
  }))
}

export function createReviewQueueService() {
  return {
    /** Courses in review the caller does not teach, newest first. */
    async list(ctx: RequestContext, query: PageQuery): Promise<PageResult<ReturnType<typeof presentSummary>>> {
      const reviewer = authorOf(ctx.principal)
      const after = createdCursor.decode(query.cursor)
      const rows = await ctx.inTenant((tx) =>
        repository.listCourses(tx, {
          userId: reviewer.userId,
          all: true,
          exceptTaught: true,
          status: 'in_review',
          limit: query.limit,
          after,
        }),
      )
      const page = createdCursor.page(rows, query.limit, (row) => [row.position, row.course.id])
      return { data: page.data.map((row) => presentSummary(row.course)), nextCursor: page.nextCursor }
    },

    /** The draft of a course in the caller's queue; 404 COURSE_NOT_IN_REVIEW for any other. */
    read(ctx: RequestContext, courseId: string): Promise<CourseView> {
      const reviewer = authorOf(ctx.principal)
      return ctx.inTenant(async (tx) => {
        if (!(await lessonsInReviewFor(tx, courseId, reviewer.userId))) throw catalogueErrors.notInReview(courseId)
        return readCourseView(tx, courseId)
      })
    },
  }
}

export type ReviewQueueService = ReturnType<typeof createReviewQueueService>
