/** Learner routes of quizzes: the quiz's rules, then attempts: start, read, save answers, submit for grading. */
import { Type } from 'typebox'
import { tenantAccess } from '../../platform/http/access.ts'
import type { App } from '../../platform/http/server.ts'
import { GATED, tags } from './assessment.openapi.ts'
import { AnswersBody, AttemptParams, LessonParams } from './assessment.schemas.ts'
import type { QuizService } from './quiz.service.ts'

export function quizRoutes(app: App, quizzes: QuizService) {
  const AttemptRef = Type.Ref('QuizAttempt')
  app.get(
    '/v1/learn/quizzes/:lessonId',
    {
      schema: {
        summary: 'What a quiz asks of me',
        description: `Before starting: the number of questions and points, the attempt limit and the attempts you have used (with the one still open), the time limit per attempt, the pass mark and whether the order is randomised. Never the questions or their answers: those come with an attempt. ${GATED}`,
        tags,
        operationId: 'getLearnerQuiz',
        params: LessonParams,
        response: { 200: Type.Ref('LearnerQuiz') },
      },
      config: { access: tenantAccess() },
    },
    async (request) => quizzes.overview(request.ctx, request.params.lessonId),
  )

  app.post(
    '/v1/learn/quizzes/:lessonId/attempts',
    {
      schema: {
        summary: 'Start a quiz attempt',
        description: `Returns the questions (in this attempt's order when the quiz randomises) without answer keys, and the deadline when the quiz is timed. 409 ATTEMPT_LIMIT_REACHED when every attempt is used; 409 ATTEMPT_IN_PROGRESS (with attemptId) while another attempt is open. ${GATED}`,
        tags,
        operationId: 'startQuizAttempt',
        params: LessonParams,
        response: { 201: AttemptRef },
      },
      config: { access: tenantAccess() },
    },
    async (request, reply) => reply.code(201).send(await quizzes.start(request.ctx, request.params.lessonId)),
  )

  app.get(
    '/v1/learn/quiz-attempts/:attemptId',
    {
      schema: {
        summary: 'Get one of my quiz attempts',
        description: `Your own attempts only (others are 404). The result, with correct answers and explanations, appears once submitted: it is the one stored when the attempt was graded, never graded again. An attempt is read, saved and submitted only while you may use the lesson: ${GATED}`,
        tags,
        operationId: 'getQuizAttempt',
        params: AttemptParams,
        response: { 200: AttemptRef },
      },
      config: { access: tenantAccess() },
    },
    async (request) => quizzes.get(request.ctx, request.params.attemptId),
  )

  app.put(
    '/v1/learn/quiz-attempts/:attemptId/answers',
    {
      schema: {
        summary: 'Save answers',
        description: `Merges the answers into the saved ones (400 INVALID_ANSWER for a question not in the attempt or an answer of the wrong shape). After the deadline 409 TIME_LIMIT_EXCEEDED; after submission 409 ATTEMPT_SUBMITTED. ${GATED}`,
        tags,
        operationId: 'saveQuizAnswers',
        params: AttemptParams,
        body: AnswersBody,
        response: { 200: AttemptRef },
      },
      config: { access: tenantAccess() },
    },
    async (request) => quizzes.saveAnswers(request.ctx, request.params.attemptId, request.body.answers),
  )

  app.post(
    '/v1/learn/quiz-attempts/:attemptId/submit',
    {
      schema: {
        summary: 'Submit a quiz attempt for grading',
        description: `Grades the saved answers (after the deadline: those saved before it) once, stores the result and returns it with correct answers. Passing completes the lesson. Idempotent: submitting again returns the stored result. Short-answer patterns are matched in worker threads: when that takes longer than its deadline the answer is 503 GRADING_UNAVAILABLE with Retry-After and nothing is recorded (submit again); a full worker queue is 503 OVERLOADED. 409 ATTEMPT_CHANGED when the answers kept changing while being graded. ${GATED}`,
        tags,
        operationId: 'submitQuizAttempt',
        params: AttemptParams,
        response: { 200: AttemptRef },
      },
      config: { access: tenantAccess() },
    },
    async (request) => quizzes.submit(request.ctx, request.params.attemptId),
  )
}
