import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import { Page } from '../../platform/http/pagination.ts'
import type { App } from '../../platform/http/server.ts'
import type { DashboardService } from './dashboard.service.ts'
import type { LearnerService } from './learner.service.ts'
import {
  ContinueLearning,
  CourseParams,
  CourseProgressDetail,
  CourseTotals,
  LearnerProgress,
  LessonActionBody,
  LessonParams,
  LessonProgress,
  MyCourse,
  PositionBody,
  ProgressPageQuery,
} from './progress.schemas.ts'

const tags = ['progress']
const GATED =
  'The entitlement service decides first: a lesson the learner may not use now is 403 LESSON_LOCKED with `reason` (not_enrolled, expired, drip_locked with `until`, prerequisite_missing with `missingLessonIds`).'

export const PROGRESS_SCHEMAS = [
  CourseTotals,
  LessonProgress,
  CourseProgressDetail,
  MyCourse,
  ContinueLearning,
  LearnerProgress,
]

/** The learner's own progress (any member, on their own enrolments). */
function learnerRoutes(app: App, learner: LearnerService) {
  const LessonProgressRef = Type.Ref('LessonProgress')
  app.post(
    '/v1/learn/lessons/:lessonId/start',
    {
      schema: {
        summary: 'Start a lesson',
        description: `Idempotent: a started lesson keeps its first start time. ${GATED}`,
        tags,
        operationId: 'startLesson',
        params: LessonParams,
        body: LessonActionBody,
        response: { 200: LessonProgressRef },
      },
      config: { access: tenantAccess() },
    },
    async (request) =>
      learner.start(request.ctx, { lessonId: request.params.lessonId, courseId: request.body.courseId }),
  )

  app.post(
    '/v1/learn/lessons/:lessonId/complete',
    {
      schema: {
        summary: 'Complete a lesson',
        description: `Idempotent: completing a completed lesson changes nothing and returns the same state. Quiz and assignment lessons complete when passed (409 LESSON_COMPLETED_BY_ASSESSMENT). Completing the last lesson completes the course. ${GATED}`,
        tags,
        operationId: 'completeLesson',
        params: LessonParams,
        body: LessonActionBody,
        response: { 200: LessonProgressRef },
      },
      config: { access: tenantAccess() },
    },
    async (request) =>
      learner.complete(request.ctx, { lessonId: request.params.lessonId, courseId: request.body.courseId }),
  )

  app.put(
    '/v1/learn/lessons/:lessonId/position',
    {
      schema: {
        summary: 'Report time spent and the resume position',
        description: `Adds timeSpentSeconds to the lesson's total and replaces the position when one is sent. ${GATED}`,
        tags,
        operationId: 'recordLessonPosition',
        params: LessonParams,
        body: PositionBody,
        response: { 200: LessonProgressRef },
      },
      config: { access: tenantAccess() },
    },
    async (request) => learner.record(request.ctx, { lessonId: request.params.lessonId, ...request.body }),
  )

  app.get(
    '/v1/learn/courses/:courseId/progress',
    {
      schema: {
        summary: 'My progress in a course, lesson by lesson',
        description:
          'Each lesson is completed, in_progress, available or locked (with until or missingLessonIds). 404 unless you are enrolled.',
        tags,
        operationId: 'getMyCourseProgress',
        params: CourseParams,
        response: { 200: Type.Ref('CourseProgressDetail') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => learner.courseProgress(request.ctx, request.params.courseId),
  )
}

function dashboardRoutes(app: App, dashboards: DashboardService) {
  app.get(
    '/v1/me/courses',
    {
      schema: {
        summary: 'My courses',
        description:
          'Enrolled courses with progress, most recent activity first. Courses whose access ended stay listed with enrolmentStatus expired; cancelled enrolments are not listed.',
        tags,
        operationId: 'listMyCourses',
        querystring: ProgressPageQuery,
        response: { 200: Page(Type.Ref('MyCourse'), 'MyCoursePage') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => dashboards.myCourses(request.ctx, request.query),
  )

  app.get(
    '/v1/me/continue',
    {
      schema: {
        summary: 'Continue where I left off',
        description:
          'The unfinished course worked on most recently and the lesson to resume, among the enrolments whose access has not ended (cancelled and expired ones are skipped).',
        tags,
        operationId: 'continueLearning',
        response: { 200: Type.Ref('ContinueLearning') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => dashboards.continueLearning(request.ctx),
  )

  app.get(
    '/v1/courses/:courseId/progress',
    {
      schema: {
        summary: "A course's learners and their progress",
        description:
          'Tenant administrators for any course; instructors for the courses they own or co-teach (others get 404). Ordered by enrolment.',
        tags,
        operationId: 'listCourseLearnerProgress',
        params: CourseParams,
        querystring: ProgressPageQuery,
        response: { 200: Page(Type.Ref('LearnerProgress'), 'LearnerProgressPage') },
      },
      config: { access: tenantAccess({ allOf: ['courses:author'], peopleOnly: true }) },
    },
    async (request) => dashboards.courseLearners(request.ctx, request.params.courseId, request.query),
  )
}

export function progressRoutes(learner: LearnerService, dashboards: DashboardService) {
  return async function routes(app: App) {
    for (const schema of PROGRESS_SCHEMAS) app.addSchema(schema)
    learnerRoutes(app, learner)
    dashboardRoutes(app, dashboards)
  }
}
