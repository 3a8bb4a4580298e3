/** The review queue of reviewers and administrators (courses:review). */
import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import { setEtag } from '../../../platform/http/etag.ts'
import { Page, PageQuery } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import { CourseParams } from './authoring.schemas.ts'
import type { ReviewQueueService } from './review-queue.service.ts'

const tags = ['catalogue']
const WHO =
  'Reviewers (the reviewer role) and tenant administrators (courses:review). A course the caller teaches is never in their queue: nobody reviews their own course.'

/** Registers the queue routes (the CourseSummary and AuthoringCourse schemas are added by the module's plugin). */
export function reviewQueueRoutes(app: App, service: ReviewQueueService): void {
  app.get(
    '/v1/review-queue',
    {
      schema: {
        summary: 'The courses waiting for your review',
        description: `${WHO} Courses in review, newest first; approve them or request changes with the workflow steps (/v1/courses/{courseId}/approve, /request-changes). A cursor this API did not issue is 400 INVALID_CURSOR.`,
        tags,
        operationId: 'listReviewQueue',
        querystring: PageQuery,
        response: { 200: Page(Type.Ref('CourseSummary'), 'ReviewQueuePage') },
      },
      config: { access: tenantAccess({ allOf: ['courses:review'], peopleOnly: true }) },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.get(
    '/v1/review-queue/:courseId',
    {
      schema: {
        summary: 'Read a course draft waiting for your review',
        description: `${WHO} The draft with its modules and lessons exactly as submitted (it cannot change while in review; its quiz and assignment settings are at /v1/review-queue/{courseId}/assessments). Any other course (a draft, a published course, one you teach, another tenant's) is 404 COURSE_NOT_IN_REVIEW. The ETag is the course version to send as If-Match with the step.`,
        tags,
        operationId: 'getCourseInReview',
        params: CourseParams,
        response: { 200: Type.Ref('AuthoringCourse') },
      },
      config: { access: tenantAccess({ allOf: ['courses:review'], peopleOnly: true }) },
    },
    async (request, reply) => {
      const course = await service.read(request.ctx, request.params.courseId)
      setEtag(reply, course.version)
      return course
    },
  )
}
