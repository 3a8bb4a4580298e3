/** Assignment submission routes: learners submit; course staff grade and read the gradebook. */
import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import { expectedVersion, setEtag } from '../../platform/http/etag.ts'
import { Page, PageQuery } from '../../platform/http/pagination.ts'
import type { App } from '../../platform/http/server.ts'
import { GATED, STAFF, tags } from './assessment.openapi.ts'
import { CourseParams, LessonParams } from './assessment.schemas.ts'
import { GradeBody, SubmissionBody, SubmissionParams, SubmissionQueueQuery } from './assignments.schemas.ts'
import type { AssignmentsService } from './assignments.service.ts'

/** Why the learner's reads of their submissions are not gated like the rest of /v1/learn. */
const OWN_WORK =
  'Readable after your access to the course ends (expired or cancelled) or the lesson is locked: it is your own work and its grade, and it lets nothing new be done in the course.'

/** The learner's side: the assignment's brief, submitting, and reading their own submissions. */
export function submissionRoutes(app: App, assignments: AssignmentsService) {
  const SubmissionRef = Type.Ref('AssignmentSubmission')
  app.get(
    '/v1/learn/assignments/:lessonId',
    {
      schema: {
        summary: 'What an assignment asks of me',
        description: `The instructions, the rubric it is graded against (criteria, levels, points, pass mark), your due date (the fixed date, or dueOffsetDays after you enrolled), the late policy, whether you may resubmit, and how many submissions you have made. ${GATED}`,
        tags,
        operationId: 'getLearnerAssignment',
        params: LessonParams,
        response: { 200: Type.Ref('LearnerAssignment') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => assignments.overview(request.ctx, request.params.lessonId),
  )

  app.post(
    '/v1/learn/assignments/:lessonId/submissions',
    {
      schema: {
        summary: 'Submit an assignment',
        description: `Text (at most 50,000 characters) and/or up to 10 file references. Late submissions are flagged (and penalised at grading under the penalty policy) or refused with 409 SUBMISSION_LATE. Resubmitting needs allowResubmission (409 RESUBMISSION_NOT_ALLOWED), a graded previous submission (409 SUBMISSION_AWAITING_GRADE) and no pass yet (409 ASSIGNMENT_ALREADY_PASSED). ${GATED}`,
        tags,
        operationId: 'submitAssignment',
        params: LessonParams,
        body: SubmissionBody,
        response: { 201: SubmissionRef },
      },
      config: { access: tenantAccess(), idempotency: 'optional' },
    },
    async (request, reply) =>
      reply.code(201).send(await assignments.submit(request.ctx, request.params.lessonId, request.body)),
  )

  app.get(
    '/v1/learn/assignments/:lessonId/submissions',
    {
      schema: {
        summary: 'My submissions of an assignment',
        description: `Newest first, with grades and feedback once graded. ${OWN_WORK}`,
        tags,
        operationId: 'listMySubmissions',
        params: LessonParams,
        querystring: PageQuery,
        response: { 200: Page(SubmissionRef, 'AssignmentSubmissionPage') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => assignments.mine(request.ctx, request.params.lessonId, request.query),
  )

  app.get(
    '/v1/learn/submissions/:submissionId',
    {
      schema: {
        summary: 'Get one of my submissions',
        description: `Your own submissions only (others are 404), with grade and feedback once graded. ${OWN_WORK}`,
        tags,
        operationId: 'getMySubmission',
        params: SubmissionParams,
        response: { 200: SubmissionRef },
      },
      config: { access: tenantAccess() },
    },
    async (request) => assignments.mineById(request.ctx, request.params.submissionId),
  )
}

/** Course staff: the grading queue, grading against the rubric, the gradebook. */
export function gradingRoutes(app: App, assignments: AssignmentsService) {
  const SubmissionRef = Type.Ref('AssignmentSubmission')
  app.get(
    '/v1/submissions/:submissionId',
    {
      schema: {
        summary: 'Get a submission to grade',
        description: `${STAFF} The ETag is the submission version to send as If-Match when grading.`,
        tags,
        operationId: 'getSubmission',
        params: SubmissionParams,
        response: { 200: SubmissionRef },
      },
      config: { access: tenantAccess({ allOf: ['submissions:grade'], peopleOnly: true }) },
    },
    async (request, reply) => {
      const submission = await assignments.forStaff(request.ctx, request.params.submissionId)
      setEtag(reply, submission.version)
      return submission
    },
  )

  app.get(
    '/v1/courses/:courseId/submissions',
    {
      schema: {
        summary: "A course's submissions (the grading queue)",
        description: `${STAFF} status=submitted (default) is the queue, oldest first; filter by lessonId. One data query per page.`,
        tags,
        operationId: 'listCourseSubmissions',
        params: CourseParams,
        querystring: SubmissionQueueQuery,
        response: { 200: Page(SubmissionRef, 'CourseSubmissionPage') },
      },
      config: { access: tenantAccess({ allOf: ['submissions:grade'], peopleOnly: true }) },
    },
    async (request) => assignments.queue(request.ctx, request.params.courseId, request.query),
  )

  app.post(
    '/v1/submissions/:submissionId/grade',
    {
      schema: {
        summary: 'Grade a submission against the rubric',
        description: `${STAFF} Requires If-Match with the submission ETag (428 without, 412 when stale). Every criterion is scored with one of its levels' points (422 RUBRIC_SCORE_INVALID); points are their sum minus any late penalty; passed when points reach passingPoints, which completes the lesson while the learner's enrolment is active; \`lessonCompletion\` says whether it did, and why not (not_passed, not_enrolled, expired). Nobody grades their own submission, whatever their role: 403 SELF_GRADING, and the refused attempt is audited; refused while impersonating (403 IMPERSONATION_FORBIDDEN), so nobody grades under another's name. The learner is emailed. Regrading is allowed. Audited.`,
        tags,
        operationId: 'gradeSubmission',
        params: SubmissionParams,
        body: GradeBody,
        response: { 200: Type.Ref('GradedAssignmentSubmission') },
      },
      config: {
        ifMatch: 'required',
        privileged: true,
        access: tenantAccess({ allOf: ['submissions:grade'], peopleOnly: true }),
      },
    },
    async (request, reply) => {
      const submission = await assignments.grade(
        request.ctx,
        request.params.submissionId,
        expectedVersion(request) as number,
        request.body,
      )
      setEtag(reply, submission.version)
      return submission
    },
  )

  app.get(
    '/v1/courses/:courseId/gradebook',
    {
      schema: {
        summary: "The course's gradebook",
        description: `${STAFF} Per learner (ordered by id) the best graded result of each quiz and assignment lesson. One data query per page of learners.`,
        tags,
        operationId: 'getCourseGradebook',
        params: CourseParams,
        querystring: PageQuery,
        response: { 200: Page(Type.Ref('GradebookRow'), 'GradebookPage') },
      },
      config: { access: tenantAccess({ allOf: ['submissions:grade'], peopleOnly: true }) },
    },
    async (request) => assignments.gradebook(request.ctx, request.params.courseId, request.query),
  )
}
