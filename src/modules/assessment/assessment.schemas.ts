import { Type, type Static } from 'typebox'
import { PageQuery } from '../../platform/http/pagination.ts'
import { MAX_EXACT_ANSWERS, MAX_PATTERN_LENGTH, MAX_SHORT_ANSWER_LENGTH } from './questions.policy.ts'

const Uuid = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const QuestionKind = Type.Union(
  ['single_choice', 'multiple_choice', 'true_false', 'short_answer', 'numeric'].map((k) => Type.Literal(k)),
)
const Slug = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })

export const MAX_SUBMISSION_TEXT = 50_000
export const MAX_FILE_REFS = 10

export const CourseParams = Type.Object({ courseId: Uuid }, { additionalProperties: false })
export const QuestionParams = Type.Object({ courseId: Uuid, questionId: Uuid }, { additionalProperties: false })
export const CourseLessonParams = Type.Object({ courseId: Uuid, lessonId: Uuid }, { additionalProperties: false })
export const LessonParams = Type.Object({ lessonId: Uuid }, { additionalProperties: false })
export const AttemptParams = Type.Object({ attemptId: Uuid }, { additionalProperties: false })
export const SubmissionParams = Type.Object({ submissionId: Uuid }, { additionalProperties: false })

const Option = Type.Object(
  { id: Slug, text: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false },
)

const AnswerKeyBody = Type.Object(
  {
    optionIds: Type.Optional(
      Type.Array(Slug, {
        maxItems: 20,
        description:
          'single_choice: exactly one correct option id; multiple_choice: the exact set of correct option ids',
      }),
    ),
    // Unknown, not a union: the validator's coercion would turn 0 into false (or true into 1); the service checks the type per kind.
    value: Type.Optional(Type.Unknown({ description: 'true_false: the correct boolean; numeric: the correct number' })),
    exact: Type.Optional(
      Type.Array(Type.String({ maxLength: MAX_SHORT_ANSWER_LENGTH }), {
        maxItems: MAX_EXACT_ANSWERS,
        description: 'short_answer: accepted answers (whitespace-trimmed)',
      }),
    ),
    pattern: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_PATTERN_LENGTH,
        description: `short_answer: a regular expression in RE2 syntax (no backreferences or lookaround) the whole answer must match, compared without case unless caseSensitive; at most ${MAX_PATTERN_LENGTH} characters`,
      }),
    ),
    caseSensitive: Type.Optional(Type.Boolean({ description: 'short_answer: compare case (default false)' })),
    tolerance: Type.Optional(
      Type.Number({ minimum: 0, description: 'numeric: accepted distance from value (default 0)' }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'The answer key; which members apply depends on the kind. Never shown to learners before their attempt is graded.',
  },
)

export const QuestionBody = Type.Object(
  {
    kind: QuestionKind,
    prompt: Type.String({ minLength: 1, maxLength: 5000 }),
    options: Type.Optional(
      Type.Array(Option, { maxItems: 20, description: 'Choice questions only: 2-20 options with unique ids' }),
    ),
    answerKey: AnswerKeyBody,
    points: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })),
    explanation: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
  },
  { additionalProperties: false },
)
export type QuestionBody = Static<typeof QuestionBody>

export const Question = Type.Object(
  {
    id: Uuid,
    courseId: Uuid,
    kind: QuestionKind,
    prompt: Type.String(),
    options: Type.Array(Option),
    answerKey: Type.Record(Type.String(), Type.Unknown()),
    points: Type.Integer(),
    explanation: Nullable(Type.String()),
    version: Type.Integer(),
    createdAt: Instant,
  },
  { $id: 'AssessmentQuestion', additionalProperties: false },
)

export const QuestionPageQuery = PageQuery

export const QuizBody = Type.Object(
  {
    questionIds: Type.Array(Uuid, {
      minItems: 1,
      maxItems: 200,
      uniqueItems: true,
      description: "Questions of this course's bank, in the default order",
    }),
    attemptLimit: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 100, description: 'Null: unlimited' }))),
    timeLimitSeconds: Type.Optional(
      Nullable(Type.Integer({ minimum: 10, maximum: 86_400, description: 'Null: no time limit' })),
    ),
    randomiseOrder: Type.Optional(Type.Boolean({ default: false })),
    passingPercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 70 })),
  },
  { additionalProperties: false },
)
export type QuizBody = Static<typeof QuizBody>

export const QuizSettings = Type.Object(
  {
    lessonId: Uuid,
    courseId: Uuid,
    questionIds: Type.Array(Uuid),
    attemptLimit: Nullable(Type.Integer()),
    timeLimitSeconds: Nullable(Type.Integer()),
    randomiseOrder: Type.Boolean(),
    passingPercent: Type.Integer(),
    version: Type.Integer(),
  },
  { $id: 'QuizSettings', additionalProperties: false },
)

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

/** A reviewer's read of a course in review: what its quizzes and assignments will publish. */
export const AssessmentsInReview = Type.Object(
  {
    courseId: Uuid,
    quizzes: Type.Array(
      Type.Object(
        { ...QuizSettings.properties, questions: Type.Array(Type.Ref('AssessmentQuestion')) },
        { additionalProperties: false },
      ),
    ),
    assignments: Type.Array(Type.Ref('AssignmentSettings')),
    notSetUp: Type.Array(
      Type.Object(
        { lessonId: Uuid, kind: Type.Union([Type.Literal('quiz'), Type.Literal('assignment')]) },
        { additionalProperties: false },
      ),
      { description: 'Graded lessons without settings: the course cannot be approved (409 ASSESSMENT_INCOMPLETE)' },
    ),
  },
  { $id: 'AssessmentsInReview', additionalProperties: false },
)

/* ------------------------------------------------------------------ learners: quizzes */

/**
 * Any JSON value, checked against the question's kind by the service (400 INVALID_ANSWER): the
 * schema cannot say which, and the validator's type coercion would turn true into "true" or
 * "b" into ["b"] if the union were spelled out here.
 */
const AnswerValue = Type.Unknown({
  description: `single_choice: an option id; multiple_choice: an array of option ids; true_false: a boolean; short_answer: text of at most ${MAX_SHORT_ANSWER_LENGTH} characters; numeric: a number`,
})
export const AnswersBody = Type.Object(
  {
    answers: Type.Record(Type.String({ format: 'uuid' }), AnswerValue, {
      description:
        'questionId → answer (option id, option ids, boolean, text or number by kind); merged into the saved answers',
      maxProperties: 200,
    }),
  },
  { additionalProperties: false },
)
export type AnswersBody = Static<typeof AnswersBody>

const AttemptQuestion = Type.Object(
  { id: Uuid, kind: QuestionKind, prompt: Type.String(), options: Type.Array(Option), points: Type.Integer() },
  {
    additionalProperties: false,
    description: 'What a learner sees of a question: never its answer key or explanation',
  },
)
const QuestionResult = Type.Object(
  {
    questionId: Uuid,
    correct: Type.Boolean(),
    pointsAwarded: Type.Integer(),
    points: Type.Integer(),
    correctAnswer: Type.Record(Type.String(), Type.Unknown()),
    explanation: Nullable(Type.String()),
  },
  { additionalProperties: false },
)
export const Attempt = Type.Object(
  {
    id: Uuid,
    lessonId: Uuid,
    courseId: Uuid,
    number: Type.Integer(),
    status: Type.Union([Type.Literal('in_progress'), Type.Literal('submitted')]),
    startedAt: Instant,
    deadlineAt: Nullable(Instant),
    submittedAt: Nullable(Instant),
    attemptLimit: Nullable(Type.Integer()),
    questions: Type.Array(AttemptQuestion),
    answers: Type.Record(Type.String(), Type.Unknown()),
    result: Nullable(
      Type.Object(
        {
          score: Type.Integer(),
          maxScore: Type.Integer(),
          passed: Type.Boolean(),
          questions: Type.Array(QuestionResult),
        },
        { additionalProperties: false, description: 'Only once submitted' },
      ),
    ),
  },
  { $id: 'QuizAttempt', additionalProperties: false },
)

/** A quiz's rules as a learner sees them before starting: never its questions or answer keys. */
export const LearnerQuiz = Type.Object(
  {
    lessonId: Uuid,
    courseId: Uuid,
    questionCount: Type.Integer(),
    totalPoints: Type.Integer({ description: 'The most points an attempt can score' }),
    attemptLimit: Nullable(Type.Integer({ description: 'Null: unlimited' })),
    attemptsUsed: Type.Integer({ description: 'Attempts you have started, submitted or not' }),
    attemptsRemaining: Nullable(Type.Integer({ description: 'Null: unlimited' })),
    openAttempt: Nullable(
      Type.Object(
        { id: Uuid, deadlineAt: Nullable(Instant) },
        {
          additionalProperties: false,
          description: 'Your attempt still in progress, to resume (starting another is 409 ATTEMPT_IN_PROGRESS)',
        },
      ),
    ),
    timeLimitSeconds: Nullable(Type.Integer({ description: 'Per attempt, from its start; null: no time limit' })),
    passingPercent: Type.Integer({ description: 'Percentage of totalPoints needed to pass' }),
    randomiseOrder: Type.Boolean({ description: 'Each attempt shows the questions in its own order' }),
  },
  { $id: 'LearnerQuiz', additionalProperties: false },
)

/* ------------------------------------------------------------------ assignments */

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

export const ASSESSMENT_SCHEMAS = [
  Question,
  QuizSettings,
  AssignmentSettings,
  LearnerQuiz,
  Attempt,
  LearnerAssignment,
  Submission,
  GradedSubmission,
  GradebookRow,
  AssessmentsInReview,
]
