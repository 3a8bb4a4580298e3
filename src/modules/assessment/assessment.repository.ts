/** Drizzle queries of the assessment module (RLS scopes every one to the transaction's tenant). */
import { and, asc, eq, getTableColumns, inArray, isNotNull, isNull, sql } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../platform/db/database.ts'
import { instantText, type PositionOf } from '../../platform/http/pagination.ts'
import { courseExists, draftLessonOf } from './assessment.deps.ts'
import { assignments, questions, quizAttempts, quizzes, submissions } from './assessment.tables.ts'
import { gradebookCursor, questionsCursor, submissionQueueCursor } from './cursors.ts'
import type { QuestionResult } from './grading.policy.ts'

export type QuestionRow = typeof questions.$inferSelect
export type QuizRow = typeof quizzes.$inferSelect
export type AttemptRow = typeof quizAttempts.$inferSelect
export type AssignmentRow = typeof assignments.$inferSelect
export type SubmissionRow = typeof submissions.$inferSelect

export interface GradebookEntry {
  userId: string
  lessonId: string
  kind: 'quiz' | 'assignment'
  bestScore: number
  maxScore: number
  passed: boolean
}

export const assessmentRepository = {
  /* ---------------------------------------------------------------- course facts (the catalogue's answers) */
  courseExists,
  draftLesson: draftLessonOf,

  /* ---------------------------------------------------------------- question bank */
  async insertQuestion(tx: Tx, values: typeof questions.$inferInsert): Promise<QuestionRow> {
    const [row] = await tx.insert(questions).values(values).returning()
    if (!row) throw new Error('question insert returned no row')
    return row
  },

  async findQuestion(tx: Tx, courseId: string, questionId: string): Promise<QuestionRow | undefined> {
    const [row] = await tx
      .select()
      .from(questions)
      .where(and(eq(questions.id, questionId), eq(questions.courseId, courseId)))
    return row
  },

  async listQuestions(
    tx: Tx,
    courseId: string,
    limit: number,
    after: PositionOf<typeof questionsCursor> | undefined,
  ): Promise<Array<QuestionRow & { position: string }>> {
    const keyset = questionsCursor.after(after, [questions.createdAt, questions.id], 'asc')
    return tx
      .select({ ...getTableColumns(questions), position: instantText(questions.createdAt) })
      .from(questions)
      .where(and(eq(questions.courseId, courseId), keyset))
      .orderBy(asc(questions.createdAt), asc(questions.id))
      .limit(limit + 1)
  },

  async questionsByIds(tx: Tx, ids: readonly string[]): Promise<QuestionRow[]> {
    if (ids.length === 0) return []
    return tx
      .select()
      .from(questions)
      .where(inArray(questions.id, [...ids]))
  },

  async courseQuestionIds(tx: Tx, courseId: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set()
    const rows = await tx
      .select({ id: questions.id })
      .from(questions)
      .where(and(eq(questions.courseId, courseId), inArray(questions.id, [...ids])))
    return new Set(rows.map((r) => r.id))
  },

  async updateQuestion(
    tx: Tx,
    id: string,
    version: number,
    values: Partial<typeof questions.$inferInsert>,
  ): Promise<QuestionRow | undefined> {
    const [row] = await tx
      .update(questions)
      .set({ ...values, version: sql`${questions.version} + 1` })
      .where(and(eq(questions.id, id), eq(questions.version, version)))
      .returning()
    return row
  },

  async deleteQuestion(tx: Tx, id: string): Promise<void> {
    await tx.delete(questions).where(eq(questions.id, id))
  },

  /** Quiz lessons of the course whose question list names the question. */
  async quizzesUsing(tx: Tx, courseId: string, questionId: string): Promise<string[]> {
    const rows = await tx
      .select({ lessonId: quizzes.lessonId })
      .from(quizzes)
      .where(and(eq(quizzes.courseId, courseId), sql`${quizzes.questionIds} @> ${JSON.stringify([questionId])}::jsonb`))
    return rows.map((r) => r.lessonId)
  },

  /** The quizzes of the course whose question list names the question, with their settings. */
  async quizzesWithQuestion(tx: Tx, courseId: string, questionId: string): Promise<QuizRow[]> {
    return tx
      .select()
      .from(quizzes)
      .where(and(eq(quizzes.courseId, courseId), sql`${quizzes.questionIds} @> ${JSON.stringify([questionId])}::jsonb`))
  },

  /* ---------------------------------------------------------------- quizzes and attempts */
  async findQuiz(tx: Tx, lessonId: string): Promise<QuizRow | undefined> {
    const [row] = await tx.select().from(quizzes).where(eq(quizzes.lessonId, lessonId))
    return row
  },

  async upsertQuiz(tx: Tx, values: typeof quizzes.$inferInsert): Promise<QuizRow> {
    const { lessonId: _lessonId, tenantId: _tenantId, ...changes } = values
    const [row] = await tx
      .insert(quizzes)
      .values(values)
      .onConflictDoUpdate({ target: quizzes.lessonId, set: { ...changes, version: sql`${quizzes.version} + 1` } })
      .returning()
    if (!row) throw new Error('quiz upsert returned no row')
    return row
  },

  /** The learner's attempts of a quiz, newest first. */
  async attemptsOf(tx: Tx, lessonId: string, userId: string): Promise<AttemptRow[]> {
    return tx
      .select()
      .from(quizAttempts)
      .where(and(eq(quizAttempts.lessonId, lessonId), eq(quizAttempts.userId, userId)))
      .orderBy(sql`${quizAttempts.number} DESC`)
  },

  /** Inserts the attempt unless a concurrent start took the same number (then undefined). */
  async insertAttempt(tx: Tx, values: typeof quizAttempts.$inferInsert): Promise<AttemptRow | undefined> {
    const [row] = await tx.insert(quizAttempts).values(values).onConflictDoNothing().returning()
    return row
  },

  async findAttempt(tx: Tx, attemptId: string, userId: string, lock = false): Promise<AttemptRow | undefined> {
    const query = tx
      .select()
      .from(quizAttempts)
      .where(and(eq(quizAttempts.id, attemptId), eq(quizAttempts.userId, userId)))
    const [row] = lock ? await query.for('update') : await query
    return row
  },

  async saveAnswers(tx: Tx, attemptId: string, answers: Record<string, unknown>): Promise<AttemptRow | undefined> {
    const [row] = await tx
      .update(quizAttempts)
      .set({ answers })
      .where(and(eq(quizAttempts.id, attemptId), isNull(quizAttempts.submittedAt)))
      .returning()
    return row
  },

  /** Records the grading once, with its per-question results; undefined when the attempt was already submitted. */
  async finishAttempt(
    tx: Tx,
    attemptId: string,
    result: { submittedAt: Date; score: number; maxScore: number; passed: boolean; results: QuestionResult[] },
  ): Promise<AttemptRow | undefined> {
    const [row] = await tx
      .update(quizAttempts)
      .set(result)
      .where(and(eq(quizAttempts.id, attemptId), isNull(quizAttempts.submittedAt)))
      .returning()
    return row
  },

  /** Stores the per-question results of an attempt submitted before they were kept; undefined when another read stored them first. */
  async storeResults(tx: Tx, attemptId: string, results: QuestionResult[]): Promise<AttemptRow | undefined> {
    const [row] = await tx
      .update(quizAttempts)
      .set({ results })
      .where(and(eq(quizAttempts.id, attemptId), isNotNull(quizAttempts.submittedAt), isNull(quizAttempts.results)))
      .returning()
    return row
  },

  /* ---------------------------------------------------------------- assignments and submissions */
  async findAssignment(tx: Tx, lessonId: string): Promise<AssignmentRow | undefined> {
    const [row] = await tx.select().from(assignments).where(eq(assignments.lessonId, lessonId))
    return row
  },

  async upsertAssignment(tx: Tx, values: typeof assignments.$inferInsert): Promise<AssignmentRow> {
    const { lessonId: _lessonId, tenantId: _tenantId, ...changes } = values
    const [row] = await tx
      .insert(assignments)
      .values(values)
      .onConflictDoUpdate({
        target: assignments.lessonId,
        set: { ...changes, version: sql`${assignments.version} + 1` },
      })
      .returning()
    if (!row) throw new Error('assignment upsert returned no row')
    return row
  },

  async submissionsOf(tx: Tx, lessonId: string, userId: string): Promise<SubmissionRow[]> {
    return tx
      .select()
      .from(submissions)
      .where(and(eq(submissions.lessonId, lessonId), eq(submissions.userId, userId)))
      .orderBy(sql`${submissions.number} DESC`)
  },

  async insertSubmission(tx: Tx, values: typeof submissions.$inferInsert): Promise<SubmissionRow | undefined> {
    const [row] = await tx.insert(submissions).values(values).onConflictDoNothing().returning()
    return row
  },

  /** A submission with its assignment (one query). */
  async findSubmission(
    tx: Tx,
    submissionId: string,
  ): Promise<{ submission: SubmissionRow; assignment: AssignmentRow } | undefined> {
    const [row] = await tx
      .select({ submission: submissions, assignment: assignments })
      .from(submissions)
      .innerJoin(assignments, eq(assignments.lessonId, submissions.lessonId))
      .where(eq(submissions.id, submissionId))
    return row
  },

  /** Grades the submission if it is still at `version` (optimistic concurrency); undefined when another grade won. */
  async gradeSubmission(
    tx: Tx,
    submissionId: string,
    version: number,
    grade: {
      rubricScores: Record<string, number>
      points: number
      passed: boolean
      feedback: string | null
      gradedBy: string
      gradedAt: Date
    },
  ): Promise<SubmissionRow | undefined> {
    const [row] = await tx
      .update(submissions)
      .set({ ...grade, status: 'graded', version: sql`${submissions.version} + 1` })
      .where(and(eq(submissions.id, submissionId), eq(submissions.version, version)))
      .returning()
    return row
  },

  /** The course's submissions in a status, oldest first, with their assignments: one query per page. */
  async submissionQueue(
    tx: Tx,
    query: {
      courseId: string
      status: 'submitted' | 'graded'
      lessonId?: string | undefined
      limit: number
      after: PositionOf<typeof submissionQueueCursor> | undefined
    },
  ): Promise<Array<{ submission: SubmissionRow; assignment: AssignmentRow; position: string }>> {
    const keyset = submissionQueueCursor.after(query.after, [submissions.submittedAt, submissions.id], 'asc')
    return tx
      .select({ submission: submissions, assignment: assignments, position: instantText(submissions.submittedAt) })
      .from(submissions)
      .innerJoin(assignments, eq(assignments.lessonId, submissions.lessonId))
      .where(
        and(
          eq(assignments.courseId, query.courseId),
          eq(submissions.status, query.status),
          query.lessonId ? eq(submissions.lessonId, query.lessonId) : undefined,
          keyset,
        ),
      )
      .orderBy(asc(submissions.submittedAt), asc(submissions.id))
      .limit(query.limit + 1)
  },

  /**
   * The gradebook of a page of learners: each learner's best graded result per quiz and
   * assignment lesson of the course, in one query (learners ordered by id, after the cursor's user id).
   */
  async gradebook(
    tx: Tx,
    courseId: string,
    limit: number,
    after: PositionOf<typeof gradebookCursor> | undefined,
  ): Promise<GradebookEntry[]> {
    return rowsOf<GradebookEntry>(
      tx,
      sql`WITH results AS (
            SELECT a.user_id, a.lesson_id, 'quiz' AS kind, max(a.score) AS best_score, max(a.max_score) AS max_score, bool_or(a.passed) AS passed
              FROM ${quizAttempts} a JOIN ${quizzes} q ON q.lesson_id = a.lesson_id
             WHERE q.course_id = ${courseId} AND a.submitted_at IS NOT NULL
             GROUP BY a.user_id, a.lesson_id
            UNION ALL
            SELECT s.user_id, s.lesson_id, 'assignment', max(s.points), max(m.max_points), bool_or(s.passed)
              FROM ${submissions} s JOIN ${assignments} asg ON asg.lesson_id = s.lesson_id
              CROSS JOIN LATERAL (
                SELECT coalesce(sum((SELECT max((l->>'points')::int) FROM jsonb_array_elements(c->'levels') l)), 0)::int AS max_points
                  FROM jsonb_array_elements(asg.rubric) c
              ) m
             WHERE asg.course_id = ${courseId} AND s.status = 'graded'
             GROUP BY s.user_id, s.lesson_id
          ), learners AS (
            SELECT DISTINCT user_id FROM results WHERE ${gradebookCursor.after(after, [sql.raw('user_id')], 'asc') ?? sql`true`} ORDER BY user_id LIMIT ${limit + 1}
          )
          SELECT r.user_id AS "userId", r.lesson_id AS "lessonId", r.kind, r.best_score::int AS "bestScore", coalesce(r.max_score, 0)::int AS "maxScore", coalesce(r.passed, false) AS passed
            FROM results r JOIN learners l ON l.user_id = r.user_id
           ORDER BY r.user_id, r.lesson_id`,
    )
  },
}
