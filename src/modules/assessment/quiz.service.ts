/**
 * Learners taking quizzes: start an attempt (entitlement, attempt limit, per-attempt order and
 * deadline), save answers until the deadline, submit for automatic grading. Until an attempt is
 * submitted its view carries prompts and options only; the grading result, with each question's
 * correct answer and explanation, appears once it is submitted.
 */
import type { Tx } from '../../platform/db/database.ts'
import type { FieldError } from '../../platform/errors.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { memberOf, requireLessonAccess } from './assessment.access.ts'
import { markLessonCompleted } from './assessment.deps.ts'
import { assessmentErrors } from './assessment.errors.ts'
import { assessmentRepository as repository, type AttemptRow } from './assessment.repository.ts'
import type { PublishedQuestion, QuizSettings } from './assessment.tables.ts'
import { gradeQuiz, shuffled, type GradableQuestion, type QuizResult } from './grading.policy.ts'
import { quizOverview } from './overview.service.ts'
import { liveQuiz, publishedQuiz, type PublishedQuiz } from './published-assessments.ts'
import { answerProblem, type AnswerKey } from './questions.policy.ts'

export interface AttemptView {
  id: string
  lessonId: string
  courseId: string
  number: number
  status: 'in_progress' | 'submitted'
  startedAt: string
  deadlineAt: string | null
  submittedAt: string | null
  attemptLimit: number | null
  questions: Array<{
    id: string
    kind: PublishedQuestion['kind']
    prompt: string
    options: Array<{ id: string; text: string }>
    points: number
  }>
  answers: Record<string, unknown>
  result: QuizResult | null
}

const gradable = (row: PublishedQuestion): GradableQuestion => ({
  id: row.id,
  kind: row.kind,
  points: row.points,
  answerKey: row.answerKey as unknown as AnswerKey,
  explanation: row.explanation,
})

/** The learner's view: what a question says, never how it is graded, until the attempt is submitted. */
function attemptView(attempt: AttemptRow, { settings: quiz, questions }: PublishedQuiz): AttemptView {
  const ordered = attempt.questionOrder
    .map((id) => questions.get(id))
    .filter((q): q is PublishedQuestion => q !== undefined)
  let result: QuizResult | null = null
  if (attempt.submittedAt) {
    const details = gradeQuiz(
      attempt.questionOrder,
      new Map(ordered.map((q) => [q.id, gradable(q)])),
      attempt.answers ?? {},
      quiz.passingPercent,
    )
    // The recorded outcome stands even if a question was edited after grading.
    result = { ...details, score: attempt.score ?? 0, maxScore: attempt.maxScore ?? 0, passed: attempt.passed ?? false }
  }
  return {
    id: attempt.id,
    lessonId: attempt.lessonId,
    courseId: quiz.courseId,
    number: attempt.number,
    status: attempt.submittedAt ? 'submitted' : 'in_progress',
    startedAt: attempt.startedAt.toISOString(),
    deadlineAt: attempt.deadlineAt?.toISOString() ?? null,
    submittedAt: attempt.submittedAt?.toISOString() ?? null,
    attemptLimit: quiz.attemptLimit,
    questions: ordered.map((q) => ({ id: q.id, kind: q.kind, prompt: q.prompt, options: q.options, points: q.points })),
    answers: attempt.answers ?? {},
    result,
  }
}

const pastDeadline = (attempt: AttemptRow, now: Date) =>
  attempt.deadlineAt !== null && attempt.deadlineAt.getTime() <= now.getTime()

/** The quiz an attempt was started on (its course version), whatever has been published since. */
async function quizOfAttempt(tx: Tx, attempt: AttemptRow): Promise<PublishedQuiz> {
  const quiz = attempt.versionId ? await publishedQuiz(tx, attempt.versionId, attempt.lessonId) : undefined
  if (quiz) return quiz
  // Attempts started before quizzes were frozen per version have no version: the current settings.
  const settings: QuizSettings | undefined = await repository.findQuiz(tx, attempt.lessonId)
  if (!settings) throw assessmentErrors.quizNotFound(attempt.lessonId)
  return {
    settings,
    questions: new Map((await repository.questionsByIds(tx, attempt.questionOrder)).map((q) => [q.id, q])),
  }
}

/**
 * The caller's attempt (anyone else's is 404) and its quiz, once the entitlement service lets
 * them use the lesson now: holding an attempt is no way around a cancelled or expired enrolment,
 * a drip lock or a missing prerequisite (403 LESSON_LOCKED), for reading it as for writing it.
 */
async function ownAttempt(
  tx: Tx,
  ctx: RequestContext,
  attemptId: string,
  lock = false,
): Promise<{ attempt: AttemptRow; quiz: PublishedQuiz }> {
  const attempt = await repository.findAttempt(tx, attemptId, memberOf(ctx).userId, lock)
  if (!attempt) throw assessmentErrors.attemptNotFound(attemptId)
  const quiz = await quizOfAttempt(tx, attempt)
  await requireLessonAccess(tx, ctx, quiz.settings.courseId, attempt.lessonId)
  return { attempt, quiz }
}

/** Reading an attempt and saving answers: neither grades, so neither needs the event publisher. */
const answering = {
  get(ctx: RequestContext, attemptId: string): Promise<AttemptView> {
    return ctx.inTenant(async (tx) => {
      const { attempt, quiz } = await ownAttempt(tx, ctx, attemptId)
      return attemptView(attempt, quiz)
    })
  },

  /** Merges answers into the saved ones; refused once submitted or past the deadline. */
  saveAnswers(ctx: RequestContext, attemptId: string, answers: Record<string, unknown>): Promise<AttemptView> {
    return ctx.inTenant(async (tx) => {
      const { attempt, quiz } = await ownAttempt(tx, ctx, attemptId, true)
      if (attempt.submittedAt) throw assessmentErrors.attemptSubmitted()
      if (attempt.deadlineAt && pastDeadline(attempt, new Date()))
        throw assessmentErrors.timeLimitExceeded(attempt.deadlineAt)
      const errors: FieldError[] = []
      for (const [questionId, answer] of Object.entries(answers)) {
        const question = attempt.questionOrder.includes(questionId) ? quiz.questions.get(questionId) : undefined
        const problem = question ? answerProblem(question.kind, answer) : 'is not a question of this attempt'
        if (problem)
          errors.push({ path: `body.answers.${questionId}`, message: problem, code: question ? 'type' : 'unknown' })
      }
      if (errors.length > 0) throw assessmentErrors.invalidAnswers(errors)
      const saved = await repository.saveAnswers(tx, attempt.id, { ...(attempt.answers ?? {}), ...answers })
      if (!saved) throw assessmentErrors.attemptSubmitted()
      return attemptView(saved, quiz)
    })
  },
}

/** Starting and submitting attempts: both may grade one, and a pass completes the lesson, which publishes through `deps.events`. */
function attemptLifecycle(deps: { events: EventPublisher }) {
  /** Grades the saved answers once (a repeat is a no-op) and completes the lesson when passed. */
  async function finish(
    tx: Tx,
    ctx: RequestContext,
    attempt: AttemptRow,
    { settings: quiz, questions }: PublishedQuiz,
    now: Date,
  ): Promise<AttemptRow> {
    const graded = gradeQuiz(
      attempt.questionOrder,
      new Map([...questions.values()].map((q) => [q.id, gradable(q)])),
      attempt.answers ?? {},
      quiz.passingPercent,
    )
    const row = await repository.finishAttempt(tx, attempt.id, {
      submittedAt: now,
      score: graded.score,
      maxScore: graded.maxScore,
      passed: graded.passed,
    })
    if (!row) return attempt
    if (row.passed)
      await markLessonCompleted(tx, {
        events: deps.events,
        ctx,
        enrolmentId: row.enrolmentId,
        userId: row.userId,
        courseId: quiz.courseId,
        lessonId: row.lessonId,
        at: now,
      })
    return row
  }

  return {
    start(ctx: RequestContext, lessonId: string): Promise<AttemptView> {
      return ctx.inTenant(async (tx) => {
        const { grant, quiz: current } = await liveQuiz(tx, ctx, lessonId)
        const { member, enrolmentId } = grant
        const quiz = current.settings
        const now = new Date()
        const attempts = await repository.attemptsOf(tx, lessonId, member.userId)
        const open = attempts.find((a) => a.submittedAt === null)
        if (open) {
          if (!pastDeadline(open, now)) throw assessmentErrors.attemptInProgress(open.id)
          // Its time ran out unsubmitted: it is graded on what was saved in time before a new one starts.
          await finish(tx, ctx, open, await quizOfAttempt(tx, open), now)
        }
        if (quiz.attemptLimit !== null && attempts.length >= quiz.attemptLimit)
          throw assessmentErrors.attemptLimitReached(quiz.attemptLimit)
        const order = quiz.randomiseOrder ? shuffled(quiz.questionIds) : [...quiz.questionIds]
        const attempt = await repository.insertAttempt(tx, {
          tenantId: member.tenantId,
          lessonId,
          userId: member.userId,
          enrolmentId,
          versionId: grant.course.versionId,
          number: (attempts[0]?.number ?? 0) + 1,
          questionOrder: order,
          startedAt: now,
          deadlineAt: quiz.timeLimitSeconds ? new Date(now.getTime() + quiz.timeLimitSeconds * 1000) : null,
          answers: {},
        })
        // A concurrent start took the number: that attempt is the open one.
        if (!attempt)
          throw assessmentErrors.attemptInProgress(
            (await repository.attemptsOf(tx, lessonId, member.userId))[0]?.id ?? '',
          )
        return attemptView(attempt, current)
      })
    },

    /**
     * Grades the attempt on its saved answers. Idempotent: submitting a submitted attempt returns
     * the same result. After the deadline it is graded on what was saved before it.
     */
    submit(ctx: RequestContext, attemptId: string): Promise<AttemptView> {
      return ctx.inTenant(async (tx) => {
        const { attempt, quiz } = await ownAttempt(tx, ctx, attemptId, true)
        const row = attempt.submittedAt ? attempt : await finish(tx, ctx, attempt, quiz, new Date())
        return attemptView(row, quiz)
      })
    },
  }
}

export function createQuizService(deps: { events: EventPublisher }) {
  return { ...attemptLifecycle(deps), ...answering, ...quizOverview }
}

export type QuizService = ReturnType<typeof createQuizService>
