import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import { expectedVersion, setEtag } from '../../platform/http/etag.ts'
import { Page, PageQuery } from '../../platform/http/pagination.ts'
import type { App } from '../../platform/http/server.ts'
import {
  AnswersBody,
  ASSESSMENT_SCHEMAS,
  AssignmentBody,
  AttemptParams,
  CourseLessonParams,
  CourseParams,
  GradeBody,
  GradeHeaders,
  IfMatchHeaders,
  LessonParams,
  QuestionBody,
  QuestionPageQuery,
  QuestionParams,
  QuizBody,
  SubmissionBody,
  SubmissionParams,
  SubmissionQueueQuery,
} from './assessment.schemas.ts'
import type { AssignmentsService } from './assignments.service.ts'
import type { AuthoringService } from './authoring.service.ts'
import type { QuizService } from './quiz.service.ts'

const tags = ['assessment']
const STAFF = "Tenant administrators for any course; instructors for the courses they own or co-teach (others get 404)."
const GATED =
  'The entitlement service decides first: a lesson you may not use now is 403 LESSON_LOCKED with `reason` (not_enrolled, expired, drip_locked with `until`, prerequisite_missing with `missingLessonIds`).'
const Deleted = Type.Null({ description: 'Deleted' })

function bankRoutes(app: App, authoring: AuthoringService) {
  const QuestionRef = Type.Ref('AssessmentQuestion')
  app.post('/v1/courses/:courseId/questions', {
    schema: {
      summary: "Add a question to the course's bank",
      description: `${STAFF} Kinds: single_choice (exactly one correct option), multiple_choice (the exact set of correct options), true_false, short_answer (exact answers and/or a whole-answer pattern of at most 200 characters without nested quantifiers), numeric (value ± tolerance). 400 INVALID_QUESTION lists every problem. Audited.`,
      tags,
      operationId: 'createQuestion',
      params: CourseParams,
      body: QuestionBody,
      response: { 201: QuestionRef },
    },
    config: { access: tenantAccess('courses:author') },
  }, async (request, reply) => {
    const question = await authoring.createQuestion(request.ctx, request.params.courseId, request.body)
    setEtag(reply, question.version)
    return reply.code(201).send(question)
  })

  app.get('/v1/courses/:courseId/questions', {
    schema: { summary: "List the course's question bank", description: `${STAFF} Oldest first, with answer keys.`, tags, operationId: 'listQuestions', params: CourseParams, querystring: QuestionPageQuery, response: { 200: Page(QuestionRef, 'AssessmentQuestionPage') } },
    config: { access: tenantAccess('courses:author') },
  }, async (request) => authoring.listQuestions(request.ctx, request.params.courseId, request.query))

  app.get('/v1/courses/:courseId/questions/:questionId', {
    schema: { summary: 'Get a question with its answer key', description: `${STAFF} The ETag is the question version.`, tags, operationId: 'getQuestion', params: QuestionParams, response: { 200: QuestionRef } },
    config: { access: tenantAccess('courses:author') },
  }, async (request, reply) => {
    const question = await authoring.getQuestion(request.ctx, request.params.courseId, request.params.questionId)
    setEtag(reply, question.version)
    return question
  })

  app.put('/v1/courses/:courseId/questions/:questionId', {
    schema: {
      summary: 'Replace a question',
      description: `${STAFF} Requires If-Match with the question ETag (428 without, 412 when stale). Graded attempts keep their scores. Audited.`,
      tags,
      operationId: 'replaceQuestion',
      params: QuestionParams,
      headers: IfMatchHeaders,
      body: QuestionBody,
      response: { 200: QuestionRef },
    },
    config: { access: tenantAccess('courses:author') },
  }, async (request, reply) => {
    const question = await authoring.replaceQuestion(request.ctx, request.params.courseId, request.params.questionId, expectedVersion(request) as number, request.body)
    setEtag(reply, question.version)
    return question
  })

  app.delete('/v1/courses/:courseId/questions/:questionId', {
    schema: { summary: 'Delete a question', description: `${STAFF} A question a quiz uses is 409 QUESTION_IN_USE. Audited.`, tags, operationId: 'deleteQuestion', params: QuestionParams, response: { 204: Deleted } },
    config: { access: tenantAccess('courses:author') },
  }, async (request, reply) => {
    await authoring.deleteQuestion(request.ctx, request.params.courseId, request.params.questionId)
    return reply.code(204).send(null)
  })
}

function settingsRoutes(app: App, authoring: AuthoringService) {
  app.get('/v1/courses/:courseId/lessons/:lessonId/quiz', {
    schema: { summary: 'Get the settings of a quiz lesson', description: STAFF, tags, operationId: 'getQuizSettings', params: CourseLessonParams, response: { 200: Type.Ref('QuizSettings') } },
    config: { access: tenantAccess('courses:author') },
  }, async (request, reply) => {
    const quiz = await authoring.getQuiz(request.ctx, request.params.courseId, request.params.lessonId)
    setEtag(reply, quiz.version)
    return quiz
  })

  app.put('/v1/courses/:courseId/lessons/:lessonId/quiz', {
    schema: {
      summary: 'Set the quiz of a quiz lesson',
      description: `${STAFF} The lesson must be a quiz lesson of the course (422 LESSON_KIND_MISMATCH) and every question of its bank (422 QUESTION_UNKNOWN). If-Match is checked when sent. Applies to the published course at once (lesson ids are stable). Audited.`,
      tags,
      operationId: 'putQuizSettings',
      params: CourseLessonParams,
      headers: IfMatchHeaders,
      body: QuizBody,
      response: { 200: Type.Ref('QuizSettings') },
    },
    config: { access: tenantAccess('courses:author') },
  }, async (request, reply) => {
    const quiz = await authoring.putQuiz(request.ctx, request.params.courseId, request.params.lessonId, expectedVersion(request, false), request.body)
    setEtag(reply, quiz.version)
    return quiz
  })

  app.get('/v1/courses/:courseId/lessons/:lessonId/assignment', {
    schema: { summary: 'Get the settings of an assignment lesson', description: STAFF, tags, operationId: 'getAssignmentSettings', params: CourseLessonParams, response: { 200: Type.Ref('AssignmentSettings') } },
    config: { access: tenantAccess('courses:author') },
  }, async (request, reply) => {
    const assignment = await authoring.getAssignment(request.ctx, request.params.courseId, request.params.lessonId)
    setEtag(reply, assignment.version)
    return assignment
  })

  app.put('/v1/courses/:courseId/lessons/:lessonId/assignment', {
    schema: {
      summary: 'Set the assignment of an assignment lesson',
      description: `${STAFF} Due date: dueAt or dueOffsetDays after enrolment (not both). latePolicy accept (flagged), penalty (latePenaltyPercent of the points deducted at grading) or refuse (409 SUBMISSION_LATE). The rubric's criteria each have levels with distinct points; passingPoints is at most the rubric maximum. If-Match is checked when sent. Audited.`,
      tags,
      operationId: 'putAssignmentSettings',
      params: CourseLessonParams,
      headers: IfMatchHeaders,
      body: AssignmentBody,
      response: { 200: Type.Ref('AssignmentSettings') },
    },
    config: { access: tenantAccess('courses:author') },
  }, async (request, reply) => {
    const assignment = await authoring.putAssignment(request.ctx, request.params.courseId, request.params.lessonId, expectedVersion(request, false), request.body)
    setEtag(reply, assignment.version)
    return assignment
  })
}

function quizRoutes(app: App, quizzes: QuizService) {
  const AttemptRef = Type.Ref('QuizAttempt')
  app.post('/v1/learn/quizzes/:lessonId/attempts', {
    schema: {
      summary: 'Start a quiz attempt',
      description: `Returns the questions (in this attempt's order when the quiz randomises) without answer keys, and the deadline when the quiz is timed. 409 ATTEMPT_LIMIT_REACHED when every attempt is used; 409 ATTEMPT_IN_PROGRESS (with attemptId) while another attempt is open. ${GATED}`,
      tags,
      operationId: 'startQuizAttempt',
      params: LessonParams,
      response: { 201: AttemptRef },
    },
    config: { access: tenantAccess() },
  }, async (request, reply) => reply.code(201).send(await quizzes.start(request.ctx, request.params.lessonId)))

  app.get('/v1/learn/quiz-attempts/:attemptId', {
    schema: { summary: 'Get one of my quiz attempts', description: 'Your own attempts only (others are 404). The result, with correct answers and explanations, appears once submitted.', tags, operationId: 'getQuizAttempt', params: AttemptParams, response: { 200: AttemptRef } },
    config: { access: tenantAccess() },
  }, async (request) => quizzes.get(request.ctx, request.params.attemptId))

  app.put('/v1/learn/quiz-attempts/:attemptId/answers', {
    schema: {
      summary: 'Save answers',
      description: 'Merges the answers into the saved ones (400 INVALID_ANSWER for a question not in the attempt or an answer of the wrong shape). After the deadline 409 TIME_LIMIT_EXCEEDED; after submission 409 ATTEMPT_SUBMITTED.',
      tags,
      operationId: 'saveQuizAnswers',
      params: AttemptParams,
      body: AnswersBody,
      response: { 200: AttemptRef },
    },
    config: { access: tenantAccess() },
  }, async (request) => quizzes.saveAnswers(request.ctx, request.params.attemptId, request.body.answers))

  app.post('/v1/learn/quiz-attempts/:attemptId/submit', {
    schema: {
      summary: 'Submit a quiz attempt for grading',
      description: 'Grades the saved answers (after the deadline: those saved before it) and returns the result with correct answers. Passing completes the lesson. Idempotent: submitting again returns the same result.',
      tags,
      operationId: 'submitQuizAttempt',
      params: AttemptParams,
      response: { 200: AttemptRef },
    },
    config: { access: tenantAccess() },
  }, async (request) => quizzes.submit(request.ctx, request.params.attemptId))
}

function assignmentRoutes(app: App, assignments: AssignmentsService) {
  const SubmissionRef = Type.Ref('AssignmentSubmission')
  app.post('/v1/learn/assignments/:lessonId/submissions', {
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
  }, async (request, reply) => reply.code(201).send(await assignments.submit(request.ctx, request.params.lessonId, request.body)))

  app.get('/v1/learn/assignments/:lessonId/submissions', {
    schema: { summary: 'My submissions of an assignment', description: 'Newest first, with grades and feedback once graded.', tags, operationId: 'listMySubmissions', params: LessonParams, querystring: PageQuery, response: { 200: Page(SubmissionRef, 'AssignmentSubmissionPage') } },
    config: { access: tenantAccess() },
  }, async (request) => assignments.mine(request.ctx, request.params.lessonId, request.query))

  app.get('/v1/learn/submissions/:submissionId', {
    schema: { summary: 'Get one of my submissions', description: 'Your own submissions only (others are 404), with grade and feedback once graded.', tags, operationId: 'getMySubmission', params: SubmissionParams, response: { 200: SubmissionRef } },
    config: { access: tenantAccess() },
  }, async (request) => assignments.mineById(request.ctx, request.params.submissionId))

  app.get('/v1/submissions/:submissionId', {
    schema: { summary: 'Get a submission to grade', description: `${STAFF} The ETag is the submission version to send as If-Match when grading.`, tags, operationId: 'getSubmission', params: SubmissionParams, response: { 200: SubmissionRef } },
    config: { access: tenantAccess('submissions:grade') },
  }, async (request, reply) => {
    const submission = await assignments.forStaff(request.ctx, request.params.submissionId)
    setEtag(reply, submission.version)
    return submission
  })

  app.get('/v1/courses/:courseId/submissions', {
    schema: {
      summary: "A course's submissions (the grading queue)",
      description: `${STAFF} status=submitted (default) is the queue, oldest first; filter by lessonId. One data query per page.`,
      tags,
      operationId: 'listCourseSubmissions',
      params: CourseParams,
      querystring: SubmissionQueueQuery,
      response: { 200: Page(SubmissionRef, 'CourseSubmissionPage') },
    },
    config: { access: tenantAccess('submissions:grade') },
  }, async (request) => assignments.queue(request.ctx, request.params.courseId, request.query))

  app.post('/v1/submissions/:submissionId/grade', {
    schema: {
      summary: 'Grade a submission against the rubric',
      description: `${STAFF} Requires If-Match with the submission ETag (428 without, 412 when stale). Every criterion is scored with one of its levels' points (422 RUBRIC_SCORE_INVALID); points are their sum minus any late penalty; passed when points reach passingPoints, which completes the lesson. The learner is emailed. Regrading is allowed. Audited.`,
      tags,
      operationId: 'gradeSubmission',
      params: SubmissionParams,
      headers: GradeHeaders,
      body: GradeBody,
      response: { 200: SubmissionRef },
    },
    config: { access: tenantAccess('submissions:grade') },
  }, async (request, reply) => {
    const submission = await assignments.grade(request.ctx, request.params.submissionId, expectedVersion(request) as number, request.body)
    setEtag(reply, submission.version)
    return submission
  })

  app.get('/v1/courses/:courseId/gradebook', {
    schema: {
      summary: "The course's gradebook",
      description: `${STAFF} Per learner (ordered by id) the best graded result of each quiz and assignment lesson. One data query per page of learners.`,
      tags,
      operationId: 'getCourseGradebook',
      params: CourseParams,
      querystring: PageQuery,
      response: { 200: Page(Type.Ref('GradebookRow'), 'GradebookPage') },
    },
    config: { access: tenantAccess('submissions:grade') },
  }, async (request) => assignments.gradebook(request.ctx, request.params.courseId, request.query))
}

export function assessmentRoutes(services: { authoring: AuthoringService; quizzes: QuizService; assignments: AssignmentsService }) {
  return async function routes(app: App) {
    for (const schema of ASSESSMENT_SCHEMAS) app.addSchema(schema)
    bankRoutes(app, services.authoring)
    settingsRoutes(app, services.authoring)
    quizRoutes(app, services.quizzes)
    assignmentRoutes(app, services.assignments)
  }
}
