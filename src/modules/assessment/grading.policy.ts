/**
 * Quiz scoring, assignment due dates, late policy and rubric grading, as pure functions.
 *
 * Decisions kept next to the rules:
 * - Quiz questions score all or nothing (a multiple-choice answer must be exactly the correct set).
 * - A quiz passes when score / maxScore reaches passingPercent (an empty quiz passes).
 * - A late submission under the 'penalty' policy loses latePenaltyPercent of its rubric points,
 *   rounded up to whole points; 'accept' only flags it; 'refuse' never lets it in.
 */
import { randomInt } from 'node:crypto'
import type { FieldError } from '../../platform/errors.ts'
import { assessmentErrors } from './assessment.errors.ts'
import type { PatternLookup, PatternQuery } from './pattern-matcher.ts'
import {
  correctAnswerOf,
  isCorrect,
  patternQueryOf,
  type Answer,
  type AnswerKey,
  type QuestionKind,
} from './questions.policy.ts'

const DAY_MS = 86_400_000

/** A uniformly shuffled copy (Fisher-Yates with a cryptographic source, so orders cannot be predicted). */
export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[copy[i], copy[j]] = [copy[j] as T, copy[i] as T]
  }
  return copy
}

export interface GradableQuestion {
  id: string
  kind: QuestionKind
  points: number
  answerKey: AnswerKey
  explanation: string | null
}

export interface QuestionResult {
  questionId: string
  correct: boolean
  pointsAwarded: number
  points: number
  correctAnswer: Record<string, unknown>
  explanation: string | null
}

export interface QuizResult {
  score: number
  maxScore: number
  passed: boolean
  questions: QuestionResult[]
}

/** The pattern matches gradeQuiz will ask for: one per short answer that only a pattern can make correct. */
export function patternQueries(
  order: readonly string[],
  questions: ReadonlyMap<string, GradableQuestion>,
  answers: Readonly<Record<string, unknown>>,
): PatternQuery[] {
  return order.flatMap((id) => {
    const question = questions.get(id)
    const query = question && patternQueryOf(question.kind, question.answerKey, answers[id] as Answer | undefined)
    return query ? [query] : []
  })
}

/**
 * Grades the answers of an attempt, question by question, in the attempt's order; `matched`
 * answers the pattern matches listed by patternQueries (computed off the event loop).
 */
export function gradeQuiz(
  order: readonly string[],
  questions: ReadonlyMap<string, GradableQuestion>,
  answers: Readonly<Record<string, unknown>>,
  passingPercent: number,
  matched: PatternLookup,
): QuizResult {
  const results: QuestionResult[] = []
  for (const id of order) {
    const question = questions.get(id)
    if (!question) continue
    const correct = isCorrect(question.kind, question.answerKey, answers[id] as Answer | undefined, matched)
    results.push({
      questionId: id,
      correct,
      pointsAwarded: correct ? question.points : 0,
      points: question.points,
      correctAnswer: correctAnswerOf(question.kind, question.answerKey),
      explanation: question.explanation,
    })
  }
  const score = results.reduce((sum, r) => sum + r.pointsAwarded, 0)
  const maxScore = results.reduce((sum, r) => sum + r.points, 0)
  return { score, maxScore, passed: score * 100 >= passingPercent * maxScore, questions: results }
}

export interface RubricCriterion {
  id: string
  title: string
  levels: Array<{ points: number; description: string }>
}

/** The most points a rubric gives: each criterion's best level. */
export const rubricMaximum = (rubric: readonly RubricCriterion[]): number =>
  rubric.reduce((sum, c) => sum + Math.max(0, ...c.levels.map((l) => l.points)), 0)

/** Settings problems of a rubric and its pass mark (400 INVALID_SETTINGS on the first). */
export function assertRubric(rubric: readonly RubricCriterion[], passingPoints: number): void {
  const ids = rubric.map((c) => c.id)
  if (new Set(ids).size !== ids.length)
    throw assessmentErrors.invalidSettings('body.rubric', 'criterion ids must be unique', 'unique')
  for (const [i, criterion] of rubric.entries()) {
    const points = criterion.levels.map((l) => l.points)
    if (new Set(points).size !== points.length)
      throw assessmentErrors.invalidSettings(
        `body.rubric.${i}.levels`,
        'each level of a criterion needs its own points',
        'unique',
      )
  }
  const maximum = rubricMaximum(rubric)
  if (passingPoints > maximum)
    throw assessmentErrors.invalidSettings(
      'body.passingPoints',
      `must be at most the rubric's maximum of ${maximum}`,
      'maximum',
    )
}

/**
 * The submission's due instant: the assignment's date, or days after the learner's start (their
 * enrolment, or the cohort's start in a cohort course, like drip offsets); null when there is none.
 */
export function dueInstant(
  assignment: { dueAt: Date | null; dueOffsetDays: number | null },
  startedAt: Date,
): Date | null {
  if (assignment.dueAt) return assignment.dueAt
  if (assignment.dueOffsetDays != null) return new Date(startedAt.getTime() + assignment.dueOffsetDays * DAY_MS)
  return null
}

export interface RubricGrade {
  rawPoints: number
  penalty: number
  points: number
  maxPoints: number
  passed: boolean
}

/**
 * Checks the grader's rubric scores (every criterion once, each a level's points; 422
 * RUBRIC_SCORE_INVALID listing every problem) and computes the points after any late penalty.
 */
export function gradeRubric(
  assignment: {
    rubric: readonly RubricCriterion[]
    passingPoints: number
    latePolicy: 'accept' | 'penalty' | 'refuse'
    latePenaltyPercent: number
  },
  late: boolean,
  scores: Readonly<Record<string, number>>,
): RubricGrade {
  const errors: FieldError[] = []
  const known = new Set(assignment.rubric.map((c) => c.id))
  for (const id of Object.keys(scores))
    if (!known.has(id))
      errors.push({ path: `body.rubricScores.${id}`, message: 'is not a criterion of this rubric', code: 'unknown' })
  for (const criterion of assignment.rubric) {
    const given = scores[criterion.id]
    if (given === undefined)
      errors.push({
        path: `body.rubricScores.${criterion.id}`,
        message: 'is required: score every criterion',
        code: 'required',
      })
    else if (!criterion.levels.some((l) => l.points === given))
      errors.push({
        path: `body.rubricScores.${criterion.id}`,
        message: `must be the points of one of its levels (${criterion.levels.map((l) => l.points).join(', ')})`,
        code: 'level',
      })
  }
  if (errors.length > 0) throw assessmentErrors.invalidRubricScores(errors)
  const rawPoints = assignment.rubric.reduce((sum, c) => sum + (scores[c.id] ?? 0), 0)
  const penalty =
    late && assignment.latePolicy === 'penalty' ? Math.ceil((rawPoints * assignment.latePenaltyPercent) / 100) : 0
  const points = Math.max(0, rawPoints - penalty)
  return {
    rawPoints,
    penalty,
    points,
    maxPoints: rubricMaximum(assignment.rubric),
    passed: points >= assignment.passingPoints,
  }
}
