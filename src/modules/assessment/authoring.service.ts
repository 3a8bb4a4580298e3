/**
 * Staff authoring: the course's question bank, and the settings of its quiz and assignment
 * lessons. Settings hang off the draft lesson (ids are stable across published versions) and are
 * frozen with each published version. Every write follows the course's editability rule
 * (requireEditableCourse): none while the course is in review or archived. A bank belongs to one
 * course and a quiz uses only its own course's questions, so no edit reaches another course.
 */
import { recordAudit } from '../../platform/audit/audit.ts'
import { assertVersion } from '../../platform/http/etag.ts'
import type { PageQuery, PageResult } from '../../platform/http/pagination.ts'
import type { RequestContext } from '../../platform/http/request-context.ts'
import { requireCourseStaff, requireDraftLesson, requireEditableCourse } from './assessment.access.ts'
import { assessmentErrors } from './assessment.errors.ts'
import {
  assessmentRepository as repository,
  type AssignmentRow,
  type QuestionRow,
  type QuizRow,
} from './assessment.repository.ts'
import type { QuestionBody, QuizBody } from './assessment.schemas.ts'
import type { AssignmentBody } from './assignments.schemas.ts'
import { questionsCursor } from './cursors.ts'
import { assertRubric, rubricMaximum } from './grading.policy.ts'
import { assertPatternWithinBudget, assertQuizWithinBudget, keyPattern, quizPatternCost } from './pattern-budget.ts'
import type { PatternMatcher } from './pattern-matcher.ts'
import { validateQuestion } from './questions.policy.ts'
import { questionOf } from './published-assessments.ts'
import type { Tx } from '../../platform/db/database.ts'

export interface QuestionView {
  id: string
  courseId: string
  kind: QuestionRow['kind']
  prompt: string
  options: Array<{ id: string; text: string }>
  answerKey: Record<string, unknown>
  points: number
  explanation: string | null
  version: number
  createdAt: string
}

export const questionView = (row: QuestionRow): QuestionView => ({
  ...questionOf(row),
  version: row.version,
  createdAt: row.createdAt.toISOString(),
})

export const quizView = (row: QuizRow) => ({
  lessonId: row.lessonId,
  courseId: row.courseId,
  questionIds: row.questionIds,
  attemptLimit: row.attemptLimit,
  timeLimitSeconds: row.timeLimitSeconds,
  randomiseOrder: row.randomiseOrder,
  passingPercent: row.passingPercent,
  version: row.version,
})

export const assignmentView = (row: AssignmentRow) => ({
  lessonId: row.lessonId,
  courseId: row.courseId,
  instructions: row.instructions,
  dueAt: row.dueAt?.toISOString() ?? null,
  dueOffsetDays: row.dueOffsetDays,
  latePolicy: row.latePolicy,
  latePenaltyPercent: row.latePenaltyPercent,
  rubric: row.rubric,
  maxPoints: rubricMaximum(row.rubric),
  passingPoints: row.passingPoints,
  allowResubmission: row.allowResubmission,
  version: row.version,
})

/**
 * A short answer's pattern, checked before the write transaction (which never waits on a
 * compile): only course staff get this far (a read of its own), every other problem of the
 * question is reported first (400, listed together), then the compile budget (422), then RE2's
 * verdict, compiled in a worker thread (400; 422 PATTERN_TOO_COMPLEX past the deadline).
 */
async function checkPattern(ctx: RequestContext, courseId: string, body: QuestionBody, patterns: PatternMatcher) {
  const pattern = body.kind === 'short_answer' ? keyPattern(body.answerKey) : null
  if (!pattern) return
  await ctx.inTenant((tx) => requireCourseStaff(tx, ctx, courseId))
  validateQuestion(body)
  assertPatternWithinBudget(pattern.pattern, pattern.ignoreCase)
  const problem = await patterns.problemOf(pattern.pattern, pattern.ignoreCase)
  if (problem)
    throw assessmentErrors.invalidQuestion([{ path: 'body.answerKey.pattern', message: problem, code: 'pattern' }])
}

function questionValues(body: QuestionBody) {
  const answerKey = validateQuestion(body)
  const choice = body.kind === 'single_choice' || body.kind === 'multiple_choice'
  return {
    kind: body.kind,
    prompt: body.prompt,
    options: choice ? (body.options ?? []) : [],
    answerKey,
    points: body.points ?? 1,
    explanation: body.explanation ?? null,
  }
}

/** The course's question bank: every question carries its answer key, so only course staff see it. */
const questionBank = {
  async createQuestion(
    ctx: RequestContext,
    courseId: string,
    body: QuestionBody,
    patterns: PatternMatcher,
  ): Promise<QuestionView> {
    await checkPattern(ctx, courseId, body, patterns)
    return ctx.inTenant(async (tx) => {
      const { tenantId } = await requireEditableCourse(tx, ctx, courseId)
      // Millisecond precision, as the page cursor carries it (the column default would keep microseconds).
      const row = await repository.insertQuestion(tx, {
        tenantId,
        courseId,
        ...questionValues(body),
        createdAt: new Date(),
      })
      await recordAudit(tx, ctx, {
        action: 'assessment.question_created',
        targetType: 'question',
        targetId: row.id,
        details: { courseId, kind: row.kind },
      })
      return questionView(row)
    })
  },

  listQuestions(ctx: RequestContext, courseId: string, page: PageQuery): Promise<PageResult<QuestionView>> {
    return ctx.inTenant(async (tx) => {
      await requireCourseStaff(tx, ctx, courseId)
      const after = questionsCursor.decode(page.cursor)
      const rows = await repository.listQuestions(tx, courseId, page.limit, after)
      const result = questionsCursor.page(rows, page.limit, (r) => [r.position, r.id])
      return { data: result.data.map(questionView), nextCursor: result.nextCursor }
    })
  },

  getQuestion(ctx: RequestContext, courseId: string, questionId: string): Promise<QuestionView> {
    return ctx.inTenant(async (tx) => {
      await requireCourseStaff(tx, ctx, courseId)
      const row = await repository.findQuestion(tx, courseId, questionId)
      if (!row) throw assessmentErrors.questionNotFound(questionId)
      return questionView(row)
    })
  },

  /**
   * Replaces the question. Attempts already graded keep their scores; later gradings use the new
   * key. Every quiz using it must stay within the per-quiz pattern budget.
   */
  async replaceQuestion(
    ctx: RequestContext,
    courseId: string,
    questionId: string,
    expected: number,
    body: QuestionBody,
    patterns: PatternMatcher,
  ): Promise<QuestionView> {
    await checkPattern(ctx, courseId, body, patterns)
    return ctx.inTenant(async (tx) => {
      await requireEditableCourse(tx, ctx, courseId)
      const current = await repository.findQuestion(tx, courseId, questionId)
      if (!current) throw assessmentErrors.questionNotFound(questionId)
      assertVersion(expected, current.version)
      const row = await repository.updateQuestion(tx, questionId, current.version, questionValues(body))
      if (!row) assertVersion(expected, current.version + 1)
      await assertQuizzesWithinBudget(tx, courseId, current)
      await recordAudit(tx, ctx, {
        action: 'assessment.question_updated',
        targetType: 'question',
        targetId: questionId,
        details: { courseId },
      })
      return questionView(row as QuestionRow)
    })
  },

  deleteQuestion(ctx: RequestContext, courseId: string, questionId: string): Promise<void> {
    return ctx.inTenant(async (tx) => {
      await requireEditableCourse(tx, ctx, courseId)
      const current = await repository.findQuestion(tx, courseId, questionId)
      if (!current) throw assessmentErrors.questionNotFound(questionId)
      const usedBy = await repository.quizzesUsing(tx, courseId, questionId)
      if (usedBy.length > 0) throw assessmentErrors.questionInUse(questionId, usedBy)
      await repository.deleteQuestion(tx, questionId)
      await recordAudit(tx, ctx, {
        action: 'assessment.question_deleted',
        targetType: 'question',
        targetId: questionId,
        details: { courseId },
      })
    })
  },
}

/** Settings of a quiz lesson: which bank questions it asks, how often and for how long. */
const quizSettings = {
  getQuiz(ctx: RequestContext, courseId: string, lessonId: string) {
    return ctx.inTenant(async (tx) => {
      await requireCourseStaff(tx, ctx, courseId)
      const row = await repository.findQuiz(tx, lessonId)
      if (!row || row.courseId !== courseId) throw assessmentErrors.quizNotFound(lessonId)
      return quizView(row)
    })
  },

  /** Creates or replaces the quiz settings of a quiz lesson; If-Match is checked when sent. */
  putQuiz(ctx: RequestContext, courseId: string, lessonId: string, expected: number | undefined, body: QuizBody) {
    return ctx.inTenant(async (tx) => {
      const { tenantId } = await requireEditableCourse(tx, ctx, courseId)
      await requireDraftLesson(tx, courseId, lessonId, 'quiz')
      const current = await repository.findQuiz(tx, lessonId)
      if (current) assertVersion(expected, current.version)
      else if (expected !== undefined) assertVersion(expected, 0)
      const known = await repository.courseQuestionIds(tx, courseId, body.questionIds)
      const unknown = body.questionIds.filter((id) => !known.has(id))
      if (unknown.length > 0) throw assessmentErrors.unknownQuestions(unknown)
      const questions = await repository.questionsByIds(tx, body.questionIds)
      assertQuizWithinBudget(lessonId, body.questionIds, questions, (_id, index) => `body.questionIds.${index}`)
      const row = await repository.upsertQuiz(tx, {
        lessonId,
        tenantId,
        courseId,
        questionIds: body.questionIds,
        attemptLimit: body.attemptLimit ?? null,
        timeLimitSeconds: body.timeLimitSeconds ?? null,
        randomiseOrder: body.randomiseOrder ?? false,
        passingPercent: body.passingPercent ?? 70,
      })
      await recordAudit(tx, ctx, {
        action: 'assessment.quiz_configured',
        targetType: 'lesson',
        targetId: lessonId,
        details: { courseId, questions: body.questionIds.length },
      })
      return quizView(row)
    })
  },
}

/** Settings of an assignment lesson: due date rule, late policy and the rubric it is graded against. */
const assignmentSettings = {
  getAssignment(ctx: RequestContext, courseId: string, lessonId: string) {
    return ctx.inTenant(async (tx) => {
      await requireCourseStaff(tx, ctx, courseId)
      const row = await repository.findAssignment(tx, lessonId)
      if (!row || row.courseId !== courseId) throw assessmentErrors.assignmentNotFound(lessonId)
      return assignmentView(row)
    })
  },

  putAssignment(
    ctx: RequestContext,
    courseId: string,
    lessonId: string,
    expected: number | undefined,
    body: AssignmentBody,
  ) {
    return ctx.inTenant(async (tx) => {
      const { tenantId } = await requireEditableCourse(tx, ctx, courseId)
      await requireDraftLesson(tx, courseId, lessonId, 'assignment')
      if (body.dueAt != null && body.dueOffsetDays != null)
        throw assessmentErrors.invalidSettings(
          'body.dueOffsetDays',
          'cannot be combined with dueAt: choose one due date rule',
          'conflict',
        )
      const latePolicy = body.latePolicy ?? 'accept'
      if (latePolicy !== 'penalty' && (body.latePenaltyPercent ?? 0) > 0)
        throw assessmentErrors.invalidSettings(
          'body.latePenaltyPercent',
          "applies only with latePolicy 'penalty'",
          'policy',
        )
      assertRubric(body.rubric, body.passingPoints)
      const current = await repository.findAssignment(tx, lessonId)
      if (current) assertVersion(expected, current.version)
      else if (expected !== undefined) assertVersion(expected, 0)
      const row = await repository.upsertAssignment(tx, {
        lessonId,
        tenantId,
        courseId,
        instructions: body.instructions,
        dueAt: body.dueAt ? new Date(body.dueAt) : null,
        dueOffsetDays: body.dueOffsetDays ?? null,
        latePolicy,
        latePenaltyPercent: body.latePenaltyPercent ?? 0,
        rubric: body.rubric,
        passingPoints: body.passingPoints,
        allowResubmission: body.allowResubmission ?? true,
      })
      await recordAudit(tx, ctx, {
        action: 'assessment.assignment_configured',
        targetType: 'lesson',
        targetId: lessonId,
        details: { courseId, latePolicy },
      })
      return assignmentView(row)
    })
  },
}

/**
 * After a question changed: a quiz using it may not go over the per-quiz pattern budget (422).
 * A quiz already over it (saved before budgets existed) may still have its cost lowered.
 */
async function assertQuizzesWithinBudget(tx: Tx, courseId: string, previous: QuestionRow): Promise<void> {
  for (const quiz of await repository.quizzesWithQuestion(tx, courseId, previous.id)) {
    const questions = await repository.questionsByIds(tx, quiz.questionIds)
    const before = questions.map((q) => (q.id === previous.id ? previous : q))
    if (quizPatternCost(quiz.questionIds, questions).total <= quizPatternCost(quiz.questionIds, before).total) continue
    assertQuizWithinBudget(quiz.lessonId, quiz.questionIds, questions, (id) =>
      id === previous.id ? 'body.answerKey.pattern' : undefined,
    )
  }
}

export function createAuthoringService(deps: { patterns: PatternMatcher }) {
  return {
    ...questionBank,
    createQuestion: (ctx: RequestContext, courseId: string, body: QuestionBody) =>
      questionBank.createQuestion(ctx, courseId, body, deps.patterns),
    replaceQuestion: (
      ctx: RequestContext,
      courseId: string,
      questionId: string,
      expected: number,
      body: QuestionBody,
    ) => questionBank.replaceQuestion(ctx, courseId, questionId, expected, body, deps.patterns),
    ...quizSettings,
    ...assignmentSettings,
  }
}

export type AuthoringService = ReturnType<typeof createAuthoringService>
