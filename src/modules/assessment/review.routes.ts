/** The reviewer's read of a course's quizzes and assignments while it waits for review. */
import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import type { App } from '../../platform/http/server.ts'
import { tags } from './assessment.openapi.ts'
import { CourseParams } from './assessment.schemas.ts'
import { assessmentsInReview } from './review.service.ts'

export function reviewRoutes(app: App): void {
  app.get(
    '/v1/review-queue/:courseId/assessments',
    {
      schema: {
        summary: 'Read the quizzes and assignments of a course waiting for your review',
        description:
          "Reviewers and tenant administrators (courses:review), for a course in their review queue (in review, not one they teach; anything else is 404 COURSE_NOT_IN_REVIEW). Every quiz lesson's settings with its questions (prompts, options, answer keys, explanations) and every assignment lesson's settings and rubric, as approving will publish them (they cannot change while the course is in review), and the graded lessons not set up yet.",
        tags,
        operationId: 'getAssessmentsInReview',
        params: CourseParams,
        response: { 200: Type.Ref('AssessmentsInReview') },
      },
      config: { access: tenantAccess({ allOf: ['courses:review'], peopleOnly: true }) },
    },
    async (request) => assessmentsInReview(request.ctx, request.params.courseId),
  )
}
