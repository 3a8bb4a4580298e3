/**
 * Learners taking quizzes: start an attempt (entitlement, attempt limit, per-attempt order and
 * deadline), save answers until the deadline, submit for automatic grading. Until an attempt is
 * submitted its view carries prompts and options only; the grading result, with each question's
 * correct answer and explanation, appears once it is submitted.
 *
 * Grading happens once. Submitting grades the saved answers (pattern matches in the worker
 * threads, outside any transaction, see pattern-matcher.ts) and stores the per-question results
 * with the attempt; every later read, and the gradebook, shows what was stored and never
 * compiles or matches again. Attempts submitted before results were stored are graded once on
 * their first read, the same way, and their results stored then (their recorded score stands).
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
import { gradeQuiz, patternQueries, shuffled, type GradableQuestion, type QuizResult } from './grading.policy.ts'
import { quizOverview } from './overview.service.ts'
import type { PatternMatcher } from './pattern-matcher.ts'
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

/** The learner's view: what a question says, never how it is graded, until the attempt is submitted (then its stored result). */
function attemptView(attempt: AttemptRow, { settings: quiz, questions }: PublishedQuiz): AttemptView {
  const ordered = attempt.questionOrder
    .map((id) => questions.get(id))
    .filter((q): q is PublishedQuestion => q !== undefined)
  const result: QuizResult | null =
    attempt.submittedAt && attempt.results
      ? {
          score: attempt.score ?? 0,
          maxScore: attempt.maxScore ?? 0,
          passed: attempt.passed ?? false,
          questions: attempt.results,
        }
      : null
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

/** Grades the attempt's saved answers against its quiz: pattern matches in the worker threads, the rest here. */
async function grade(patterns: PatternMatcher, attempt: AttemptRow, quiz: PublishedQuiz): Promise<QuizResult> {
  const questions = new Map([...quiz.questions.values()].map((q) => [q.id, gradable(q)]))
  const answers = attempt.answers ?? {}
  const matched = await patterns.matchAll(patternQueries(attempt.questionOrder, questions, answers))
  return gradeQuiz(attempt.questionOrder, questions, answers, quiz.settings.passingPercent, matched)
}

/**
 * The attempt with its per-question results: a submitted attempt from before results were
 * stored is graded now (off the event loop, outside any transaction) and its results stored, once.
 */
async function withResults(
  ctx: RequestContext,
  patterns: PatternMatcher,
  attempt: AttemptRow,
  quiz: PublishedQuiz,
): Promise<AttemptRow> {
  if (!attempt.submittedAt || attempt.results) return attempt
  const { questions: results } = await grade(patterns, attempt, quiz)
  const stored = await ctx.inTenant((tx) => repository.storeResults(tx, attempt.id, results))
  return stored ?? { ...attempt, results }
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

/** Reading an attempt and saving answers: neither grades (a first read of an old attempt stores its results), so neither needs the event publisher. */
function answering(patterns: PatternMatcher) {
  return {
    async get(ctx: RequestContext, attemptId: string): Promise<AttemptView> {
      const { attempt, quiz } = await ctx.inTenant((tx) => ownAttempt(tx, ctx, attemptId))
      return attemptView(await withResults(ctx, patterns, attempt, quiz), quiz)
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
}

/** How often a submission grades again because the answers changed while it was graded, before giving up with 409. */
const GRADING_ROUNDS = 3
const sameAnswers = (a: AttemptRow, b: AttemptRow) =>
  JSON.stringify(a.answers ?? {}) === JSON.stringify(b.answers ?? {})

/** Starting and submitting attempts: both may grade one, and a pass completes the lesson, which publishes through `deps.events`. */
function attemptLifecycle(deps: { events: EventPublisher; patterns: PatternMatcher }) {
  /** Records a grading once (undefined when the attempt was submitted meanwhile) and completes the lesson when passed. */
  async function record(
    tx: Tx,
    ctx: RequestContext,
    attempt: AttemptRow,
    quiz: QuizSettings,
    graded: QuizResult,
    now: Date,
  ): Promise<AttemptRow | undefined> {
    const row = await repository.finishAttempt(tx, attempt.id, {
      submittedAt: now,
      score: graded.score,
      maxScore: graded.maxScore,
      passed: graded.passed,
      results: graded.questions,
    })
    if (row?.passed)
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

  /**
   * Grades the attempt once and stores the outcome. Idempotent: a submitted attempt is returned
   * as stored. Grading runs between two short transactions; the second locks the attempt and
   * records the grading only if the answers it graded are still the saved ones.
   */
  async function submit(ctx: RequestContext, attemptId: string): Promise<AttemptView> {
    for (let round = 1; round <= GRADING_ROUNDS; round++) {
      const { attempt, quiz } = await ctx.inTenant((tx) => ownAttempt(tx, ctx, attemptId))
      if (attempt.submittedAt) return attemptView(await withResults(ctx, deps.patterns, attempt, quiz), quiz)
      const graded = await grade(deps.patterns, attempt, quiz)
      const row = await ctx.inTenant(async (tx) => {
        const locked = await repository.findAttempt(tx, attemptId, memberOf(ctx).userId, true)
        if (!locked) throw assessmentErrors.attemptNotFound(attemptId)
        await requireLessonAccess(tx, ctx, quiz.settings.courseId, locked.lessonId)
        if (locked.submittedAt) return locked
        if (!sameAnswers(locked, attempt)) return undefined
        return (await record(tx, ctx, locked, quiz.settings, graded, new Date())) ?? locked
      })
      if (row) return attemptView(await withResults(ctx, deps.patterns, row, quiz), quiz)
    }
    throw assessmentErrors.attemptChanged()
  }

  return {
    submit,
    start: (ctx: RequestContext, lessonId: string) => startAttempt(ctx, lessonId, submit),
  }
}

/**
 * Starts an attempt: entitlement, attempt limit, order and deadline. An open attempt whose time
 * ran out is first graded (through `submit`) on what was saved in time.
 */
async function startAttempt(
  ctx: RequestContext,
  lessonId: string,
  submit: (ctx: RequestContext, attemptId: string) => Promise<AttemptView>,
): Promise<AttemptView> {
  const userId = memberOf(ctx).userId
  // An open attempt whose time ran out is graded on what was saved in time before a new one starts.
  const expired = await ctx.inTenant(async (tx) =>
    (await repository.attemptsOf(tx, lessonId, userId)).find(
      (a) => a.submittedAt === null && pastDeadline(a, new Date()),
    ),
  )
  if (expired) await submit(ctx, expired.id)
  return ctx.inTenant(async (tx) => {
    const { grant, quiz: current } = await liveQuiz(tx, ctx, lessonId)
    const { member, enrolmentId } = grant
    const quiz = current.settings
    const now = new Date()
    const attempts = await repository.attemptsOf(tx, lessonId, member.userId)
    const open = attempts.find((a) => a.submittedAt === null)
    // Still open: in progress, or its time ran out after the check above (submitting it grades it).
    if (open) throw assessmentErrors.attemptInProgress(open.id)
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
      throw assessmentErrors.attemptInProgress((await repository.attemptsOf(tx, lessonId, member.userId))[0]?.id ?? '')
    return attemptView(attempt, current)
  })
}

export function createQuizService(deps: { events: EventPublisher; patterns: PatternMatcher }) {
  return { ...attemptLifecycle(deps), ...answering(deps.patterns), ...quizOverview }
}

export type QuizService = ReturnType<typeof createQuizService>
