/** Enrolment HTTP routes: schema → service → reply. Rules live in the services and policy. */
import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import { Page, PageQuery } from '../../platform/http/pagination.ts'
import type { App } from '../../platform/http/server.ts'
import { MAX_CSV_ROWS } from './csv.ts'
import { enrolmentErrors } from './enrolment.errors.ts'
import {
  CourseEnrolmentQuery,
  CourseParams,
  Enrolment,
  EnrolmentImport,
  EnrolmentParams,
  ImportJsonBody,
  ImportParams,
  LearnerLesson,
  LessonParams,
  StaffEnrolmentBody,
} from './enrolment.schemas.ts'
import { presentEnrolment, type EnrolmentService } from './enrolment.service.ts'
import type { ImportsService } from './imports.service.ts'

const tags = ['enrolment']
const STAFF =
  'Tenant administrators (enrolments:manage) for every course; instructors (courses:author) for the courses they own or co-teach (others 403 ENROLMENT_FORBIDDEN).'
/**
 * Administrators (enrolments:manage, also API keys of e.g. a student information system) or
 * instructors (courses:author); which courses an instructor may act on is the policy's call, and
 * an API key holding only courses:author teaches no course, so it gets 403 on every real course.
 */
const staffAccess = () => tenantAccess({ anyOf: ['enrolments:manage', 'courses:author'] })
const LIVE =
  "A course never published (or another tenant's) is 404 COURSE_NOT_FOUND; an archived one takes no new enrolments (409 COURSE_ARCHIVED)."
const COHORT =
  'A cohort course whose cohort has ended takes no new enrolments (409 COHORT_ENDED with `cohortEndsAt`); enrolling before the cohort starts is fine, and access (accessDays) then counts from its start.'
const CURSOR = 'A cursor this API did not issue is 400 INVALID_CURSOR.'
const PREREQUISITES =
  'A course that published learning paths give prerequisites is refused until the learner has completed every one of them (every published path holding the course counts; prerequisites no longer in the catalogue do not): 409 PREREQUISITES_NOT_MET with `missingCourses` (id, slug, title and the paths requiring each).'
const OWN_COURSE =
  "The staff of a course (owner, co-instructors) are not enrolled in it by themselves or by its other staff: 403 COURSE_STAFF_ENROLMENT_FORBIDDEN with `reason` self or colleague, audited; a tenant administrator other than the learner may enrol them, and the tenant's learning policy (allowStaffSelfEnrolment) can allow it."

/** The JSON form escapes the CSV, so the body may be larger than the 1 MiB of CSV it carries. */
const IMPORT_BODY_LIMIT = 3 * 1_048_576

function enrolmentRoutes(app: App, service: EnrolmentService) {
  const EnrolmentRef = Type.Ref('Enrolment')

  app.post(
    '/v1/courses/:courseId/enrolments/self',
    {
      schema: {
        summary: 'Enrol yourself in a free course',
        description: `201 with the new enrolment; already enrolled: 200 with the existing one (nothing changes). A paid course is 409 COURSE_NOT_FREE; a full cohort 409 COURSE_FULL; after the school cancelled your enrolment, 409 ENROLMENT_CANCELLED (not after a refund ended it). ${PREREQUISITES} ${OWN_COURSE} ${COHORT} ${LIVE} Honours Idempotency-Key.`,
        tags,
        operationId: 'enrolSelf',
        params: CourseParams,
        response: { 200: EnrolmentRef, 201: EnrolmentRef },
      },
      config: { access: tenantAccess(), idempotency: 'optional' },
    },
    async (request, reply) => {
      const { enrolment, created } = await service.selfEnrol(request.ctx, request.params.courseId)
      return reply.code(created ? 201 : 200).send(presentEnrolment(enrolment))
    },
  )

  app.post(
    '/v1/courses/:courseId/enrolments',
    {
      schema: {
        summary: 'Enrol a member in a course',
        description: `${STAFF} 201 with the new enrolment (a cancelled or expired one is made active again); already enrolled: 200, with the end of access moved when expiresAt is given (the end of the school's own grants: a purchase keeps its own end, so access lasts until the later of the two). The user must be an active user of the tenant (404 USER_NOT_FOUND). Capacity applies (409 COURSE_FULL). ${PREREQUISITES} Administrators (enrolments:manage) may enrol someone else past them with overridePrerequisites (audited); anyone else sending it is 403 PREREQUISITE_OVERRIDE_FORBIDDEN. ${OWN_COURSE} ${COHORT} ${LIVE} Audited. Honours Idempotency-Key.`,
        tags,
        operationId: 'enrolMember',
        params: CourseParams,
        body: StaffEnrolmentBody,
        response: { 200: EnrolmentRef, 201: EnrolmentRef },
      },
      config: { access: staffAccess(), idempotency: 'optional' },
    },
    async (request, reply) => {
      const { enrolment, created } = await service.staffEnrol(request.ctx, request.params.courseId, request.body)
      return reply.code(created ? 201 : 200).send(presentEnrolment(enrolment))
    },
  )

  app.get(
    '/v1/courses/:courseId/enrolments',
    {
      schema: {
        summary: "List a course's enrolments",
        description: `${STAFF} Newest first. A course never published (or another tenant's) is 404 COURSE_NOT_FOUND. ${CURSOR}`,
        tags,
        operationId: 'listCourseEnrolments',
        params: CourseParams,
        querystring: CourseEnrolmentQuery,
        response: { 200: Type.Ref('EnrolmentPage') },
      },
      config: { access: staffAccess() },
    },
    async (request) => service.listForCourse(request.ctx, request.params.courseId, request.query),
  )

  app.get(
    '/v1/me/enrolments',
    {
      schema: {
        summary: 'List your enrolments',
        description: `Every status (active, expired, cancelled), newest first. ${CURSOR}`,
        tags,
        operationId: 'listMyEnrolments',
        querystring: PageQuery,
        response: { 200: Type.Ref('EnrolmentPage') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => service.listMine(request.ctx, request.query),
  )

  app.delete(
    '/v1/enrolments/:enrolmentId',
    {
      schema: {
        summary: 'Cancel an enrolment',
        description:
          'Ends access now, whatever granted it (a purchase too: refunding it is a separate decision), and gives a cohort seat back; cancelling again changes nothing. The learner cannot enrol themselves or buy their way back (409 ENROLMENT_CANCELLED); staff can enrol them again. Publishes enrolment.cancelled. Audited.',
        tags,
        operationId: 'cancelEnrolment',
        params: EnrolmentParams,
        response: { 204: Type.Null({ description: 'Cancelled (also when it already was)' }) },
      },
      config: { access: tenantAccess('enrolments:manage') },
    },
    async (request, reply) => {
      await service.cancel(request.ctx, request.params.enrolmentId)
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/v1/learn/courses/:courseId/lessons/:lessonId',
    {
      schema: {
        summary: 'Read a lesson as a learner',
        description:
          "Goes through the entitlement service. Denied: 403 LESSON_LOCKED with `reason` (not_enrolled, expired, drip_locked with `until`, prerequisite_missing with `missingLessonIds`, course_unavailable for an archived course you are not enrolled in). In a cohort course nothing but previews opens before the cohort starts (drip_locked, `until` its start), and drip offsets count from the cohort's start rather than your enrolment. Preview lessons are open to every member. Quiz and assignment lessons carry only title and body here.",
        tags,
        operationId: 'readLearnerLesson',
        params: LessonParams,
        response: { 200: Type.Ref('LearnerLesson') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => service.readLesson(request.ctx, request.params.courseId, request.params.lessonId),
  )
}

function importRoutes(app: App, service: ImportsService) {
  const ImportRef = Type.Ref('EnrolmentImport')
  // CSV arrives as text/csv (or as JSON {csv}); this parser only applies to this module's routes.
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body))

  app.post(
    '/v1/courses/:courseId/enrolment-imports',
    {
      schema: {
        summary: 'Upload a CSV of learners to enrol (dry run)',
        description: `${STAFF} Body: text/csv, or JSON {"csv": "..."}. Columns email[,expiresAt] (YYYY-MM-DD: access ends when that UTC day ends; or an RFC 3339 date-time), optional header row naming them; at most ${MAX_CSV_ROWS} rows and 1 MiB. Nothing is enrolled: the report lists per-row errors (bad address, unknown address, duplicate row, bad or past date) and learners already enrolled (not errors); rows naming the course's own staff whom you may not enrol, and learners who have not completed the prerequisites learning paths give the course, are row errors (see enrolMember; imports never override prerequisites), and both are checked again and left out at apply. A cohort course whose cohort has ended refuses the whole file (409 COHORT_ENDED). 201 for a new import; the same CSV for the same course again is 200 with the same import.`,
        tags,
        operationId: 'createEnrolmentImport',
        params: CourseParams,
        body: {
          content: {
            'application/json': { schema: ImportJsonBody },
            'text/csv': { schema: Type.String({ minLength: 1 }) },
          },
        },
        response: { 200: ImportRef, 201: ImportRef },
      },
      bodyLimit: IMPORT_BODY_LIMIT,
      config: { access: staffAccess() },
    },
    async (request, reply) => {
      const body: unknown = request.body
      const csv =
        typeof body === 'string'
          ? body
          : typeof body === 'object' && body !== null && 'csv' in body && typeof body.csv === 'string'
            ? body.csv
            : null
      if (csv === null) throw enrolmentErrors.csvInvalid('send text/csv or JSON {"csv": "..."}')
      const { report, created } = await service.dryRun(request.ctx, request.params.courseId, csv)
      return reply.code(created ? 201 : 200).send(report)
    },
  )

  app.get(
    '/v1/enrolment-imports/:importId',
    {
      schema: {
        summary: 'Get an enrolment import',
        description: STAFF,
        tags,
        operationId: 'getEnrolmentImport',
        params: ImportParams,
        response: { 200: ImportRef },
      },
      config: { access: staffAccess() },
    },
    async (request) => service.get(request.ctx, request.params.importId),
  )

  app.post(
    '/v1/enrolment-imports/:importId/apply',
    {
      schema: {
        summary: 'Apply an enrolment import',
        description: `${STAFF} Enrols every valid row in one transaction (a full cohort refuses the whole apply: 409 COURSE_FULL; an ended one 409 COHORT_ENDED). Applying again returns the first result and enrols nobody twice. Honours Idempotency-Key.`,
        tags,
        operationId: 'applyEnrolmentImport',
        params: ImportParams,
        response: { 200: ImportRef },
      },
      config: { access: staffAccess(), idempotency: 'optional' },
    },
    async (request) => service.apply(request.ctx, request.params.importId),
  )
}

export function createEnrolmentRoutes(service: EnrolmentService, imports: ImportsService) {
  return async function routes(app: App) {
    app.addSchema(Enrolment)
    app.addSchema(Page(Type.Ref('Enrolment'), 'EnrolmentPage'))
    app.addSchema(LearnerLesson)
    app.addSchema(EnrolmentImport)
    enrolmentRoutes(app, service)
    importRoutes(app, imports)
  }
}
