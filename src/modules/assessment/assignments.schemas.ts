/**
 * Schemas of assignment lessons: their settings and rubric (staff), the brief and submissions
 * (learners), grading and the gradebook (staff). Served by assignments.routes.ts and, for the
 * settings, authoring.routes.ts.
 */
import { Type, type Static } from 'typebox'
import { PageQuery } from '../../platform/http/pagination.ts'
import { Instant, Nullable, Slug, Uuid } from './schema-primitives.ts'

export const MAX_SUBMISSION_TEXT = 50_000
export const MAX_FILE_REFS = 10

export const SubmissionParams = Type.Object({ submissionId: Uuid }, { additionalProperties: false })

/* ------------------------------------------------------------------ staff: settings and rubric */

const Level = Type.Object(
  { points: Type.Integer({ minimum: 0, maximum: 1000 }), description: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
)
const Criterion = Type.Object(
  {
    id: Slug,
    title: Type.String({ minLength: 1, maxLength: 200 }),
    levels: Type.Array(Level, { minItems: 1, maxItems: 10 }),
  },
  { additionalProperties: false },
)

export const AssignmentBody = Type.Object(
  {
    instructions: Type.String({ minLength: 1, maxLength: 20_000 }),
    dueAt: Type.Optional(Nullable(Instant)),
    dueOffsetDays: Type.Optional(
      Nullable(
        Type.Integer({ minimum: 0, maximum: 3650, description: 'Due this many days after the learner enrolled' }),
      ),
    ),
    latePolicy: Type.Optional(
      Type.Union([Type.Literal('accept'), Type.Literal('penalty'), Type.Literal('refuse')], { default: 'accept' }),
    ),
    latePenaltyPercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 0 })),
    rubric: Type.Array(Criterion, { minItems: 1, maxItems: 20 }),
    passingPoints: Type.Integer({ minimum: 0 }),
    allowResubmission: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
)
export type AssignmentBody = Static<typeof AssignmentBody>

export const AssignmentSettings = Type.Object(
  {
    lessonId: Uuid,
    courseId: Uuid,
    instructions: Type.String(),
    dueAt: Nullable(Instant),
    dueOffsetDays: Nullable(Type.Integer()),
    latePolicy: Type.String(),
    latePenaltyPercent: Type.Integer(),
    rubric: Type.Array(Criterion),
    maxPoints: Type.Integer(),
    passingPoints: Type.Integer(),
    allowResubmission: Type.Boolean(),
    version: Type.Integer(),
  },
  { $id: 'AssignmentSettings', additionalProperties: false },
)

/* ------------------------------------------------------------------ learners: the brief and submissions */

/** An assignment as a learner sees it: the brief, the rubric it is graded against, their own due date. */
export const LearnerAssignment = Type.Object(
  {
    lessonId: Uuid,
    courseId: Uuid,
    instructions: Type.String(),
    rubric: Type.Array(Criterion),
    maxPoints: Type.Integer(),
    passingPoints: Type.Integer(),
    dueAt: Nullable(
      Type.String({
        format: 'date-time',
        description: 'Your due date: the fixed date, or dueOffsetDays after you enrolled; null when there is none',
      }),
    ),
    dueOffsetDays: Nullable(Type.Integer({ description: 'When set, dueAt is this many days after you enrolled' })),
    latePolicy: Type.Union([Type.Literal('accept'), Type.Literal('penalty'), Type.Literal('refuse')], {
      description:
        'accept: late work is flagged; penalty: latePenaltyPercent of its points are deducted; refuse: late work is not accepted',
    }),
    latePenaltyPercent: Type.Integer(),
    allowResubmission: Type.Boolean({
      description:
        'Whether you may submit again after a failing grade (never while a submission awaits its grade, never after a pass)',
    }),
    submissionCount: Type.Integer({ description: 'Submissions you have made' }),
  },
  { $id: 'LearnerAssignment', additionalProperties: false },
)

export const SubmissionBody = Type.Object(
  {
    text: Type.Optional(Type.String({ maxLength: MAX_SUBMISSION_TEXT })),
    fileRefs: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 512 }), {
        maxItems: MAX_FILE_REFS,
        uniqueItems: true,
        description: 'References of files uploaded through the storage API',
      }),
    ),
  },
  { additionalProperties: false },
)
export type SubmissionBody = Static<typeof SubmissionBody>

export const Submission = Type.Object(
  {
    id: Uuid,
    lessonId: Uuid,
    courseId: Uuid,
    userId: Uuid,
    number: Type.Integer(),
    text: Type.String(),
    fileRefs: Type.Array(Type.String()),
    submittedAt: Instant,
    dueAt: Nullable(Instant),
    late: Type.Boolean(),
    status: Type.Union([Type.Literal('submitted'), Type.Literal('graded')]),
    rubricScores: Nullable(Type.Record(Type.String(), Type.Integer())),
    points: Nullable(Type.Integer()),
    maxPoints: Type.Integer(),
    passed: Nullable(Type.Boolean()),
    feedback: Nullable(Type.String()),
    gradedAt: Nullable(Instant),
    version: Type.Integer(),
  },
  { $id: 'AssignmentSubmission', additionalProperties: false },
)

/* ------------------------------------------------------------------ staff: grading and the gradebook */

/** The grade response: the submission as graded, and what became of its lesson's completion. */
export const GradedSubmission = Type.Object(
  {
    ...Submission.properties,
    lessonCompletion: Type.Object(
      {
        recorded: Type.Boolean({ description: 'Whether this grade completed the lesson (or found it complete)' }),
        reason: Nullable(
          Type.Union([Type.Literal('not_passed'), Type.Literal('not_enrolled'), Type.Literal('expired')], {
            description:
              "Why the completion was not recorded: not_passed (a failing grade completes nothing), not_enrolled (the learner's enrolment was cancelled), expired (the learner's access ended before the grade). The grade stands in every case; null when recorded.",
          }),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { $id: 'GradedAssignmentSubmission', additionalProperties: false },
)

export const SubmissionQueueQuery = Type.Object(
  {
    ...PageQuery.properties,
    status: Type.Optional(
      Type.Union([Type.Literal('submitted'), Type.Literal('graded')], {
        description: 'submitted (default): the grading queue, oldest first',
      }),
    ),
    lessonId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
)
export type SubmissionQueueQuery = Static<typeof SubmissionQueueQuery>

export const GradeBody = Type.Object(
  {
    rubricScores: Type.Record(Slug, Type.Integer({ minimum: 0 }), {
      description: "criterionId → the points of the level chosen; every criterion, each one of its levels' points",
    }),
    feedback: Type.Optional(Type.String({ maxLength: 20_000 })),
  },
  { additionalProperties: false },
)
export type GradeBody = Static<typeof GradeBody>

/** The gradebook spans quiz and assignment lessons; grading (assignments.service.ts) serves it. */
export const GradebookRow = Type.Object(
  {
    userId: Uuid,
    grades: Type.Array(
      Type.Object(
        {
          lessonId: Uuid,
          kind: Type.Union([Type.Literal('quiz'), Type.Literal('assignment')]),
          bestScore: Type.Integer(),
          maxScore: Type.Integer(),
          passed: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'GradebookRow', additionalProperties: false },
)
