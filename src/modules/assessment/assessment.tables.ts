/**
 * Assessment: a question bank per course, quiz settings and attempts (auto-graded), assignment
 * settings and submissions (graded by instructors against a rubric). Answer keys live only in
 * `questions.answer_key`; attempts store the learner's answers and the grading outcome.
 */
import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../platform/db/tenant-table.ts'
import { tenants } from '../tenancy/index.ts'
import type { QuestionResult } from './grading.policy.ts'

export const assessmentSchema = pgSchema('assessment')

const at = (name: string) => timestamp(name, { withTimezone: true })

export const QUESTION_KINDS = ['single_choice', 'multiple_choice', 'true_false', 'short_answer', 'numeric'] as const

export const questions = assessmentSchema
  .table(
    'questions',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      courseId: uuid('course_id').notNull(),
      kind: text('kind', { enum: QUESTION_KINDS }).notNull(),
      prompt: text('prompt').notNull(),
      /** Choice questions: [{ id, text }]. */
      options: jsonb('options').$type<Array<{ id: string; text: string }>>().notNull().default([]),
      /**
       * Never sent to learners before grading. Choice: { optionIds }; true/false: { value };
       * short answer: { exact: string[], pattern?: string, caseSensitive }; numeric: { value, tolerance }.
       */
      answerKey: jsonb('answer_key').$type<Record<string, unknown>>().notNull(),
      points: integer('points').notNull().default(1),
      explanation: text('explanation'),
      version: integer('version').notNull().default(1),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      index('questions_course_idx').on(t.tenantId, t.courseId),
      check('questions_points_positive', sql`${t.points} > 0`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** Settings of a quiz lesson (catalogue lesson of kind 'quiz'). */
export const quizzes = assessmentSchema
  .table(
    'quizzes',
    {
      lessonId: uuid('lesson_id').primaryKey(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      courseId: uuid('course_id').notNull(),
      questionIds: jsonb('question_ids').$type<string[]>().notNull(),
      /** NULL = unlimited attempts. */
      attemptLimit: integer('attempt_limit'),
      timeLimitSeconds: integer('time_limit_seconds'),
      randomiseOrder: boolean('randomise_order').notNull().default(false),
      /** Percentage of the maximum score needed to pass. */
      passingPercent: integer('passing_percent').notNull().default(70),
      version: integer('version').notNull().default(1),
    },
    (t) => [
      check('quizzes_passing_percent_range', sql`${t.passingPercent} BETWEEN 0 AND 100`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const quizAttempts = assessmentSchema
  .table(
    'quiz_attempts',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      lessonId: uuid('lesson_id').notNull(),
      userId: uuid('user_id').notNull(),
      enrolmentId: uuid('enrolment_id').notNull(),
      /** The published course version whose quiz this attempt takes (published_assessments). */
      versionId: uuid('version_id'),
      number: integer('number').notNull(),
      /** The question ids in the order this attempt shows them (randomised per attempt). */
      questionOrder: jsonb('question_order').$type<string[]>().notNull(),
      startedAt: at('started_at').notNull().defaultNow(),
      /** Answers after this instant are refused (time limit). */
      deadlineAt: at('deadline_at'),
      answers: jsonb('answers').$type<Record<string, unknown>>(),
      submittedAt: at('submitted_at'),
      score: integer('score'),
      maxScore: integer('max_score'),
      passed: boolean('passed'),
      /**
       * Per-question results as graded once at submission (points, correct or not, the correct
       * answer and explanation shown to the learner); reads never grade again. NULL on attempts
       * submitted before it existed, until their first read grades and stores them (quiz.service.ts).
       */
      results: jsonb('results').$type<QuestionResult[]>(),
    },
    (t) => [
      uniqueIndex('quiz_attempts_number_key').on(t.lessonId, t.userId, t.number),
      index('quiz_attempts_enrolment_idx').on(t.tenantId, t.enrolmentId),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** Settings of an assignment lesson (catalogue lesson of kind 'assignment'). */
export const assignments = assessmentSchema
  .table(
    'assignments',
    {
      lessonId: uuid('lesson_id').primaryKey(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      courseId: uuid('course_id').notNull(),
      instructions: text('instructions').notNull(),
      /** Due date: an instant, or days after enrolment. */
      dueAt: at('due_at'),
      dueOffsetDays: integer('due_offset_days'),
      latePolicy: text('late_policy', { enum: ['accept', 'penalty', 'refuse'] })
        .notNull()
        .default('accept'),
      /** Percent of the points deducted from a late submission under 'penalty'. */
      latePenaltyPercent: integer('late_penalty_percent').notNull().default(0),
      /** [{ id, title, levels: [{ points, description }] }]; the maximum is the sum of each criterion's best level. */
      rubric: jsonb('rubric')
        .$type<Array<{ id: string; title: string; levels: Array<{ points: number; description: string }> }>>()
        .notNull(),
      passingPoints: integer('passing_points').notNull(),
      allowResubmission: boolean('allow_resubmission').notNull().default(true),
      version: integer('version').notNull().default(1),
    },
    (t) => [
      check('assignments_late_penalty_range', sql`${t.latePenaltyPercent} BETWEEN 0 AND 100`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const submissions = assessmentSchema
  .table(
    'submissions',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      lessonId: uuid('lesson_id').notNull(),
      userId: uuid('user_id').notNull(),
      enrolmentId: uuid('enrolment_id').notNull(),
      /** The published course version whose assignment (rubric, due rule) this answers. */
      versionId: uuid('version_id'),
      number: integer('number').notNull(),
      text: text('text').notNull().default(''),
      fileRefs: jsonb('file_refs').$type<string[]>().notNull().default([]),
      submittedAt: at('submitted_at').notNull().defaultNow(),
      late: boolean('late').notNull().default(false),
      status: text('status', { enum: ['submitted', 'graded'] })
        .notNull()
        .default('submitted'),
      /** { criterionId: points } chosen by the grader. */
      rubricScores: jsonb('rubric_scores').$type<Record<string, number>>(),
      points: integer('points'),
      passed: boolean('passed'),
      feedback: text('feedback'),
      gradedBy: uuid('graded_by'),
      gradedAt: at('graded_at'),
      version: integer('version').notNull().default(1),
    },
    (t) => [
      uniqueIndex('submissions_number_key').on(t.lessonId, t.userId, t.number),
      index('submissions_lesson_status_idx').on(t.tenantId, t.lessonId, t.status),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** A question as frozen into a published version: everything but bookkeeping columns. */
export type PublishedQuestion = Omit<typeof questions.$inferSelect, 'createdAt' | 'version' | 'tenantId'>
export type QuizSettings = Omit<typeof quizzes.$inferSelect, 'tenantId' | 'version'>
export type AssignmentSettings = Omit<typeof assignments.$inferSelect, 'tenantId' | 'version' | 'dueAt'> & {
  dueAt: string | null
}

/**
 * Quiz and assignment settings (and a quiz's questions with their answer keys) as they were when
 * a course version was published. Learners take quizzes and submit assignments against these,
 * so authors edit the draft's settings and question bank without changing what learners see
 * until they publish again. Written in the publishing transaction; never updated.
 */
export const publishedAssessments = assessmentSchema
  .table(
    'published_assessments',
    {
      versionId: uuid('version_id').notNull(),
      lessonId: uuid('lesson_id').notNull(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      courseId: uuid('course_id').notNull(),
      kind: text('kind', { enum: ['quiz', 'assignment'] }).notNull(),
      settings: jsonb('settings').$type<QuizSettings | AssignmentSettings>().notNull(),
      /** A quiz's questions in its order, answer keys included (never sent to learners before grading). */
      questions: jsonb('questions').$type<PublishedQuestion[]>().notNull().default([]),
    },
    (t) => [primaryKey({ columns: [t.versionId, t.lessonId] }), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()
