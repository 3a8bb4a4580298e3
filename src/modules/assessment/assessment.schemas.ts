/**
 * Schemas of the question bank, quiz settings, quiz attempts and the review read, and the path
 * parameters the assessment route files share. Assignments' are in assignments.schemas.ts; the
 * list of named schemas to register is assembled in assessment.routes.ts.
 */
import { Type, type Static } from 'typebox'
import { PageQuery } from '../../platform/http/pagination.ts'
import { MAX_EXACT_ANSWERS, MAX_PATTERN_LENGTH, MAX_SHORT_ANSWER_LENGTH } from './questions.policy.ts'
import { Instant, Nullable, Slug, Uuid } from './schema-primitives.ts'

const QuestionKind = Type.Union(
  ['single_choice', 'multiple_choice', 'true_false', 'short_answer', 'numeric'].map((k) => Type.Literal(k)),
)

export const CourseParams = Type.Object({ courseId: Uuid }, { additionalProperties: false })
export const QuestionParams = Type.Object({ courseId: Uuid, questionId: Uuid }, { additionalProperties: false })
export const CourseLessonParams = Type.Object({ courseId: Uuid, lessonId: Uuid }, { additionalProperties: false })
export const LessonParams = Type.Object({ lessonId: Uuid }, { additionalProperties: false })
export const AttemptParams = Type.Object({ attemptId: Uuid }, { additionalProperties: false })

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
