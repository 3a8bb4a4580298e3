import { Type } from 'typebox'
import { tenantAccess } from '../../../platform/http/access.ts'
import { expectedVersion, setEtag } from '../../../platform/http/etag.ts'
import { Page } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import {
  Course,
  CourseParams,
  CourseQuery,
  CourseSummary,
  CreateCourseBody,
  CreateLessonBody,
  CreateModuleBody,
  InstructorParams,
  Lesson,
  LessonParams,
  Module,
  ModuleParams,
  Review,
  StructureBody,
  UpdateCourseBody,
  UpdateLessonBody,
  UpdateModuleBody,
} from './authoring.schemas.ts'
import type { ContentService } from './content.service.ts'
import type { CoursesService } from './courses.service.ts'

const tags = ['catalogue']
const WHO =
  'Instructors act on the courses they own or co-teach (others are 404); tenant administrators on every course of the tenant.'
const IF_MATCH =
  ' Requires If-Match with the course ETag (428 without, 412 when stale); every change bumps the course version and returns the new ETag.'
const access = { access: tenantAccess({ allOf: ['courses:author'], peopleOnly: true }) }
const Deleted = Type.Null({ description: 'Deleted; the ETag header carries the course version' })

function courseRoutes(app: App, service: CoursesService) {
  const CourseRef = Type.Ref('AuthoringCourse')

  app.post(
    '/v1/courses',
    {
      schema: {
        summary: 'Create a course draft',
        description:
          'The caller becomes its owner. A slug already used in the tenant is 409 SLUG_TAKEN; cohort courses need cohortStartsAt, cohortEndsAt and capacity.',
        tags,
        operationId: 'createCourse',
        body: CreateCourseBody,
        response: { 201: CourseRef },
      },
      config: access,
    },
    async (request, reply) => {
      const course = await service.create(request.ctx, request.body)
      setEtag(reply, course.version)
      return reply.status(201).header('location', `/v1/courses/${course.id}`).send(course)
    },
  )

  app.get(
    '/v1/courses',
    {
      schema: {
        summary: 'List the courses you author',
        description: `${WHO} Newest first.`,
        tags,
        operationId: 'listAuthoredCourses',
        querystring: CourseQuery,
        response: { 200: Page(Type.Ref('CourseSummary'), 'CourseSummaryPage') },
      },
      config: access,
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.get(
    '/v1/courses/:courseId',
    {
      schema: {
        summary: 'Get a course draft with its modules and lessons',
        description: `${WHO} The ETag is the course version to send as If-Match.`,
        tags,
        operationId: 'getAuthoredCourse',
        params: CourseParams,
        response: { 200: CourseRef },
      },
      config: access,
    },
    async (request, reply) => {
      const course = await service.get(request.ctx, request.params.courseId)
      setEtag(reply, course.version)
      return course
    },
  )

  app.patch(
    '/v1/courses/:courseId',
    {
      schema: {
        summary: 'Update a course draft',
        description: `${WHO}${IF_MATCH} Not while in review or archived (409 COURSE_NOT_EDITABLE).`,
        tags,
        operationId: 'updateCourse',
        params: CourseParams,
        body: UpdateCourseBody,
        response: { 200: CourseRef },
      },
      config: { ...access, ifMatch: 'required' },
    },
    async (request, reply) => {
      const course = await service.update(request.ctx, request.params.courseId, expectedVersion(request), request.body)
      setEtag(reply, course.version)
      return course
    },
  )

  app.put(
    '/v1/courses/:courseId/instructors/:userId',
    {
      schema: {
        summary: 'Add a co-instructor',
        description:
          "The course's owner or a tenant administrator; the user must be an active member holding the instructor role (400 NOT_AN_INSTRUCTOR). Not while the course is in review or archived (409 COURSE_NOT_EDITABLE): the staff of a course in review is frozen, so nobody joins or leaves it around its review. If-Match is optional here; the version is bumped.",
        tags,
        operationId: 'addCourseInstructor',
        params: InstructorParams,
        response: { 200: CourseRef },
      },
      config: { ...access, ifMatch: 'optional' },
    },
    async (request, reply) => {
      const course = await service.addInstructor(
        request.ctx,
        request.params.courseId,
        request.params.userId,
        expectedVersion(request),
      )
      setEtag(reply, course.version)
      return course
    },
  )

  app.delete(
    '/v1/courses/:courseId/instructors/:userId',
    {
      schema: {
        summary: 'Remove a co-instructor',
        description:
          "The course's owner or a tenant administrator; the owner cannot be removed. Not while the course is in review (409 COURSE_NOT_EDITABLE: nobody steps off a course's staff to review it); an archived course's co-instructors can still be removed. If-Match is optional here.",
        tags,
        operationId: 'removeCourseInstructor',
        params: InstructorParams,
        response: { 204: Deleted },
      },
      config: { ...access, ifMatch: 'optional' },
    },
    async (request, reply) => {
      const version = await service.removeInstructor(
        request.ctx,
        request.params.courseId,
        request.params.userId,
        expectedVersion(request),
      )
      setEtag(reply, version)
      return reply.status(204).send(null)
    },
  )
}

function contentRoutes(app: App, service: ContentService) {
  const ModuleRef = Type.Ref('AuthoringModule')

  app.post(
    '/v1/courses/:courseId/modules',
    {
      schema: {
        summary: 'Add a module at the end of a course',
        description: `${WHO}${IF_MATCH} Drip: releaseAt or releaseOffsetDays, not both.`,
        tags,
        operationId: 'createCourseModule',
        params: CourseParams,
        body: CreateModuleBody,
        response: { 201: ModuleRef },
      },
      config: { ...access, ifMatch: 'required' },
    },
    async (request, reply) => {
      const { result, version } = await service.addModule(
        request.ctx,
        request.params.courseId,
        expectedVersion(request),
        request.body,
      )
      setEtag(reply, version)
      return reply.status(201).send(result)
    },
  )

  app.patch(
    '/v1/courses/:courseId/modules/:moduleId',
    {
      schema: {
        summary: 'Update a module',
        description: `${WHO}${IF_MATCH}`,
        tags,
        operationId: 'updateCourseModule',
        params: ModuleParams,
        body: UpdateModuleBody,
        response: { 200: ModuleRef },
      },
      config: { ...access, ifMatch: 'required' },
    },
    async (request, reply) => {
      const { result, version } = await service.updateModule(
        request.ctx,
        request.params.courseId,
        request.params.moduleId,
        expectedVersion(request),
        request.body,
      )
      setEtag(reply, version)
      return result
    },
  )

  app.delete(
    '/v1/courses/:courseId/modules/:moduleId',
    {
      schema: {
        summary: 'Delete a module and its lessons',
        description: `${WHO}${IF_MATCH} The deleted lessons leave other lessons' prerequisites.`,
        tags,
        operationId: 'deleteCourseModule',
        params: ModuleParams,
        response: { 204: Deleted },
      },
      config: { ...access, ifMatch: 'required' },
    },
    async (request, reply) => {
      setEtag(
        reply,
        await service.deleteModule(
          request.ctx,
          request.params.courseId,
          request.params.moduleId,
          expectedVersion(request),
        ),
      )
      return reply.status(204).send(null)
    },
  )

  lessonRoutes(app, service)
}

function lessonRoutes(app: App, service: ContentService) {
  const LessonRef = Type.Ref('AuthoringLesson')

  app.post(
    '/v1/courses/:courseId/modules/:moduleId/lessons',
    {
      schema: {
        summary: 'Add a lesson at the end of a module',
        description: `${WHO}${IF_MATCH} video and file lessons need assetRef, link lessons an https url. Drip: releaseAt or releaseOffsetDays, not both. Prerequisites are other lessons of the course; a cycle is 400 PREREQUISITE_CYCLE.`,
        tags,
        operationId: 'createLesson',
        params: ModuleParams,
        body: CreateLessonBody,
        response: { 201: LessonRef },
      },
      config: { ...access, ifMatch: 'required' },
    },
    async (request, reply) => {
      const { result, version } = await service.addLesson(
        request.ctx,
        request.params.courseId,
        request.params.moduleId,
        expectedVersion(request),
        request.body,
      )
      setEtag(reply, version)
      return reply.status(201).send(result)
    },
  )

  app.patch(
    '/v1/courses/:courseId/lessons/:lessonId',
    {
      schema: {
        summary: 'Update a lesson',
        description: `${WHO}${IF_MATCH} The same rules as creation apply to the lesson as it is after the change.`,
        tags,
        operationId: 'updateLesson',
        params: LessonParams,
        body: UpdateLessonBody,
        response: { 200: LessonRef },
      },
      config: { ...access, ifMatch: 'required' },
    },
    async (request, reply) => {
      const { result, version } = await service.updateLesson(
        request.ctx,
        request.params.courseId,
        request.params.lessonId,
        expectedVersion(request),
        request.body,
      )
      setEtag(reply, version)
      return result
    },
  )

  app.delete(
    '/v1/courses/:courseId/lessons/:lessonId',
    {
      schema: {
        summary: 'Delete a lesson',
        description: `${WHO}${IF_MATCH} It leaves other lessons' prerequisites; published versions keep it.`,
        tags,
        operationId: 'deleteLesson',
        params: LessonParams,
        response: { 204: Deleted },
      },
      config: { ...access, ifMatch: 'required' },
    },
    async (request, reply) => {
      setEtag(
        reply,
        await service.deleteLesson(
          request.ctx,
          request.params.courseId,
          request.params.lessonId,
          expectedVersion(request),
        ),
      )
      return reply.status(204).send(null)
    },
  )

  structureRoute(app, service)
}

function structureRoute(app: App, service: ContentService) {
  app.put(
    '/v1/courses/:courseId/structure',
    {
      schema: {
        summary: 'Reorder modules and lessons',
        description: `${WHO}${IF_MATCH} List every module in its new order with every lesson in order (lessons may move between modules); anything else is 400 STRUCTURE_MISMATCH.`,
        tags,
        operationId: 'restructureCourse',
        params: CourseParams,
        body: StructureBody,
        response: { 200: Type.Ref('AuthoringCourse') },
      },
      config: { ...access, ifMatch: 'required' },
    },
    async (request, reply) => {
      const { result, version } = await service.restructure(
        request.ctx,
        request.params.courseId,
        expectedVersion(request),
        request.body,
      )
      setEtag(reply, version)
      return result
    },
  )
}

/** The shared schemas of the authoring routes, added once by the module's plugin. */
export const AUTHORING_SCHEMAS = [Lesson, Module, Course, CourseSummary, Review]

/** Registers the course and content routes. */
export function authoringRoutes(app: App, courses: CoursesService, content: ContentService): void {
  courseRoutes(app, courses)
  contentRoutes(app, content)
}
