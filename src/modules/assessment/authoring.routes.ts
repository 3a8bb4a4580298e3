/**
 * Staff authoring routes: the course's question bank, and the settings of its quiz and
 * assignment lessons.
 */
import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import { expectedVersion, setEtag } from '../../platform/http/etag.ts'
import { Page } from '../../platform/http/pagination.ts'
import type { App } from '../../platform/http/server.ts'
import { EDITABLE, STAFF, tags } from './assessment.openapi.ts'
import {
  CourseLessonParams,
  CourseParams,
  QuestionBody,
  QuestionPageQuery,
  QuestionParams,
  QuizBody,
} from './assessment.schemas.ts'
import { AssignmentBody } from './assignments.schemas.ts'
import type { AuthoringService } from './authoring.service.ts'

const Deleted = Type.Null({ description: 'Deleted' })

/** Questions of the course's bank, with answer keys; quizzes draw from it. */
export function questionBankRoutes(app: App, authoring: AuthoringService) {
  const QuestionRef = Type.Ref('AssessmentQuestion')
  app.post(
    '/v1/courses/:courseId/questions',
    {
      schema: {
        summary: "Add a question to the course's bank",
        description: `${STAFF} Kinds: single_choice (exactly one correct option), multiple_choice (the exact set of correct options), true_false, short_answer (exact answers and/or a whole-answer pattern of at most 200 characters in RE2 syntax: no backreferences or lookaround; matched in time linear in the answer), numeric (value ± tolerance). 400 INVALID_QUESTION lists every problem. A pattern is compiled in a worker thread: one whose estimated compile cost exceeds the per-pattern budget is 422 PATTERN_BUDGET_EXCEEDED (not compiled), one that takes longer than the deadline to compile is 422 PATTERN_TOO_COMPLEX, and a full worker queue is 503 OVERLOADED with Retry-After. Rate-limit class compute. ${EDITABLE} Audited.`,
        tags,
        operationId: 'createQuestion',
        params: CourseParams,
        body: QuestionBody,
        response: { 201: QuestionRef },
      },
      config: { access: tenantAccess({ allOf: ['courses:author'], peopleOnly: true }), rateLimit: 'compute' },
    },
    async (request, reply) => {
      const question = await authoring.createQuestion(request.ctx, request.params.courseId, request.body)
      setEtag(reply, question.version)
      return reply.code(201).send(question)
    },
  )

  app.get(
    '/v1/courses/:courseId/questions',
    {
      schema: {
        summary: "List the course's question bank",
        description: `${STAFF} Oldest first, with answer keys.`,
        tags,
        operationId: 'listQuestions',
        params: CourseParams,
        querystring: QuestionPageQuery,
        response: { 200: Page(QuestionRef, 'AssessmentQuestionPage') },
      },
      config: { access: tenantAccess({ allOf: ['courses:author'], peopleOnly: true }) },
    },
    async (request) => authoring.listQuestions(request.ctx, request.params.courseId, request.query),
  )

  app.get(
    '/v1/courses/:courseId/questions/:questionId',
    {
      schema: {
        summary: 'Get a question with its answer key',
        description: `${STAFF} The ETag is the question version.`,
        tags,
        operationId: 'getQuestion',
        params: QuestionParams,
        response: { 200: QuestionRef },
      },
      config: { access: tenantAccess({ allOf: ['courses:author'], peopleOnly: true }) },
    },
    async (request, reply) => {
      const question = await authoring.getQuestion(request.ctx, request.params.courseId, request.params.questionId)
      setEtag(reply, question.version)
      return question
    },
  )

  app.put(
    '/v1/courses/:courseId/questions/:questionId',
    {
      schema: {
        summary: 'Replace a question',
        description: `${STAFF} Requires If-Match with the question ETag (428 without, 412 when stale). Graded attempts keep their scores, and published quizzes keep their copy until the course is published again. Patterns are checked as on creation (422 PATTERN_BUDGET_EXCEEDED, 422 PATTERN_TOO_COMPLEX, 503 OVERLOADED); 422 PATTERN_BUDGET_EXCEEDED also when the change would take a quiz using the question over the per-quiz pattern budget. Rate-limit class compute. ${EDITABLE} Audited.`,
        tags,
        operationId: 'replaceQuestion',
        params: QuestionParams,
        body: QuestionBody,
        response: { 200: QuestionRef },
      },
      config: {
        ifMatch: 'required',
        access: tenantAccess({ allOf: ['courses:author'], peopleOnly: true }),
        rateLimit: 'compute',
      },
    },
    async (request, reply) => {
      const question = await authoring.replaceQuestion(
        request.ctx,
        request.params.courseId,
        request.params.questionId,
        expectedVersion(request) as number,
        request.body,
      )
      setEtag(reply, question.version)
      return question
    },
  )

  app.delete(
    '/v1/courses/:courseId/questions/:questionId',
    {
      schema: {
        summary: 'Delete a question',
        description: `${STAFF} A question a quiz uses is 409 QUESTION_IN_USE. ${EDITABLE} Audited.`,
        tags,
        operationId: 'deleteQuestion',
        params: QuestionParams,
        response: { 204: Deleted },
      },
      config: { access: tenantAccess({ allOf: ['courses:author'], peopleOnly: true }) },
    },
    async (request, reply) => {
      await authoring.deleteQuestion(request.ctx, request.params.courseId, request.params.questionId)
      return reply.code(204).send(null)
    },
  )
}

/** Quiz and assignment settings, which hang off the lesson they grade. */
export function lessonSettingsRoutes(app: App, authoring: AuthoringService) {
  app.get(
    '/v1/courses/:courseId/lessons/:lessonId/quiz',
    {
      schema: {
        summary: 'Get the settings of a quiz lesson',
        description: STAFF,
        tags,
        operationId: 'getQuizSettings',
        params: CourseLessonParams,
        response: { 200: Type.Ref('QuizSettings') },
      },
      config: { access: tenantAccess({ allOf: ['courses:author'], peopleOnly: true }) },
    },
    async (request, reply) => {
      const quiz = await authoring.getQuiz(request.ctx, request.params.courseId, request.params.lessonId)
      setEtag(reply, quiz.version)
      return quiz
    },
  )

  app.put(
    '/v1/courses/:courseId/lessons/:lessonId/quiz',
    {
      schema: {
        summary: 'Set the quiz of a quiz lesson',
        description: `${STAFF} The lesson must be a quiz lesson of the course (422 LESSON_KIND_MISMATCH) and every question of its bank (422 QUESTION_UNKNOWN); the distinct short-answer patterns of its questions together must stay within the per-quiz compile budget (422 PATTERN_BUDGET_EXCEEDED naming each question's cost). If-Match is checked when sent. Edits the draft: learners get the new settings when the course is next published (it then has unpublished changes). ${EDITABLE} Audited.`,
        tags,
        operationId: 'putQuizSettings',
        params: CourseLessonParams,
        body: QuizBody,
        response: { 200: Type.Ref('QuizSettings') },
      },
      config: { ifMatch: 'optional', access: tenantAccess({ allOf: ['courses:author'], peopleOnly: true }) },
    },
    async (request, reply) => {
      const quiz = await authoring.putQuiz(
        request.ctx,
        request.params.courseId,
        request.params.lessonId,
        expectedVersion(request),
        request.body,
      )
      setEtag(reply, quiz.version)
      return quiz
    },
  )

  app.get(
    '/v1/courses/:courseId/lessons/:lessonId/assignment',
    {
      schema: {
        summary: 'Get the settings of an assignment lesson',
        description: STAFF,
        tags,
        operationId: 'getAssignmentSettings',
        params: CourseLessonParams,
        response: { 200: Type.Ref('AssignmentSettings') },
      },
      config: { access: tenantAccess({ allOf: ['courses:author'], peopleOnly: true }) },
    },
    async (request, reply) => {
      const assignment = await authoring.getAssignment(request.ctx, request.params.courseId, request.params.lessonId)
      setEtag(reply, assignment.version)
      return assignment
    },
  )

  app.put(
    '/v1/courses/:courseId/lessons/:lessonId/assignment',
    {
      schema: {
        summary: 'Set the assignment of an assignment lesson',
        description: `${STAFF} Edits the draft: learners get it when the course is next published. Due date: dueAt or dueOffsetDays after enrolment (after the cohort's start in a cohort course), not both. latePolicy accept (flagged), penalty (latePenaltyPercent of the points deducted at grading) or refuse (409 SUBMISSION_LATE). The rubric's criteria each have levels with distinct points; passingPoints is at most the rubric maximum. If-Match is checked when sent. ${EDITABLE} Audited.`,
        tags,
        operationId: 'putAssignmentSettings',
        params: CourseLessonParams,
        body: AssignmentBody,
        response: { 200: Type.Ref('AssignmentSettings') },
      },
      config: { ifMatch: 'optional', access: tenantAccess({ allOf: ['courses:author'], peopleOnly: true }) },
    },
    async (request, reply) => {
      const assignment = await authoring.putAssignment(
        request.ctx,
        request.params.courseId,
        request.params.lessonId,
        expectedVersion(request),
        request.body,
      )
      setEtag(reply, assignment.version)
      return assignment
    },
  )
}
