import { describe, expect, it } from 'vitest'
import { AppError } from '../../platform/errors.ts'
import { dueInstant, gradeQuiz, gradeRubric, shuffled, type GradableQuestion } from './grading.policy.ts'
import { matchesWholeAnswer, patternSyntaxProblem } from './answer-patterns.ts'
import type { PatternLookup } from './pattern-matcher.ts'
import {
  isCorrect,
  patternLengthProblem,
  validateQuestion,
  type Answer,
  type AnswerKey,
  type QuestionInput,
  type QuestionKind,
} from './questions.policy.ts'

/** The matcher in this thread (the service runs the same code in the pattern worker threads). */
const inProcess: PatternLookup = (pattern, text, ignoreCase) => matchesWholeAnswer(pattern, text, ignoreCase)
const correct = (kind: QuestionKind, key: AnswerKey, answer: Answer | undefined) =>
  isCorrect(kind, key, answer, inProcess)
/** Why a pattern is refused when a question is saved: its length here, then RE2 in a worker thread. */
const patternProblem = (pattern: string) => patternLengthProblem(pattern) ?? patternSyntaxProblem(pattern, true)

const options = [
  { id: 'a', text: 'A' },
  { id: 'b', text: 'B' },
  { id: 'c', text: 'C' },
]

function problems(input: QuestionInput): string[] {
  try {
    validateQuestion(input)
    return []
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    return (error.errors ?? []).map((e) => `${e.path}:${e.code}`)
  }
}

describe('question validation per kind', () => {
  it('single choice needs exactly one correct option that exists', () => {
    expect(problems({ kind: 'single_choice', prompt: 'p', options, answerKey: { optionIds: ['b'] } })).toEqual([])
    expect(problems({ kind: 'single_choice', prompt: 'p', options, answerKey: { optionIds: ['a', 'b'] } })).toEqual([
      'body.answerKey.optionIds:count',
    ])
    expect(problems({ kind: 'single_choice', prompt: 'p', options, answerKey: { optionIds: ['z'] } })).toEqual([
      'body.answerKey.optionIds:unknown',
    ])
    expect(
      problems({
        kind: 'single_choice',
        prompt: 'p',
        options: [{ id: 'a', text: 'A' }],
        answerKey: { optionIds: ['a'] },
      }),
    ).toEqual(['body.options:minItems'])
    expect(
      problems({
        kind: 'multiple_choice',
        prompt: 'p',
        options: [...options, { id: 'a', text: 'again' }],
        answerKey: { optionIds: [] },
      }),
    ).toEqual(['body.options:unique', 'body.answerKey.optionIds:count'])
  })

  it('true/false, numeric and short answer need their own keys and no options', () => {
    expect(problems({ kind: 'true_false', prompt: 'p', answerKey: { value: 3 } })).toEqual([
      'body.answerKey.value:type',
    ])
    expect(problems({ kind: 'true_false', prompt: 'p', options, answerKey: { value: true } })).toEqual([
      'body.options:kind',
    ])
    expect(problems({ kind: 'numeric', prompt: 'p', answerKey: { value: true } })).toEqual([
      'body.answerKey.value:type',
    ])
    expect(problems({ kind: 'numeric', prompt: 'p', answerKey: { value: 1, tolerance: -1 } })).toEqual([
      'body.answerKey.tolerance:minimum',
    ])
    expect(problems({ kind: 'short_answer', prompt: 'p', answerKey: {} })).toEqual(['body.answerKey:required'])
    // RE2's verdict comes from a worker thread once the rest is valid (authoring.service.ts).
    expect(problems({ kind: 'short_answer', prompt: 'p', answerKey: { pattern: '([a-z' } })).toEqual([])
    expect(patternProblem('([a-z')).toMatch(/not a valid RE2/)
    expect(problems({ kind: 'short_answer', prompt: 'p', answerKey: { pattern: 'x'.repeat(201) } })).toEqual([
      'body.answerKey.pattern:pattern',
    ])
  })

  it('takes RE2 patterns up to 200 characters, nested repetition included, and refuses the rest', () => {
    expect(patternProblem('(a+)+$')).toBeNull()
    expect(patternProblem('(?:\\w*)*x')).toBeNull()
    expect(patternProblem('(ab|cd){2,}x')).toBeNull()
    expect(patternProblem('x'.repeat(201))).toMatch(/at most 200/)
    expect(patternProblem('colou?r')).toBeNull()
    expect(patternProblem('(a)\\1')).toMatch(/no backreferences/)
  })
})

describe('grading each kind', () => {
  const key = (input: QuestionInput) => validateQuestion(input)

  it('single choice: the one correct option', () => {
    const k = key({ kind: 'single_choice', prompt: 'p', options, answerKey: { optionIds: ['b'] } })
    expect(correct('single_choice', k, 'b')).toBe(true)
    expect(correct('single_choice', k, 'a')).toBe(false)
    expect(correct('single_choice', k, ['b'])).toBe(false)
    expect(correct('single_choice', k, undefined)).toBe(false)
  })

  it('multiple choice: exactly the correct set, in any order', () => {
    const k = key({ kind: 'multiple_choice', prompt: 'p', options, answerKey: { optionIds: ['a', 'c'] } })
    expect(correct('multiple_choice', k, ['c', 'a'])).toBe(true)
    expect(correct('multiple_choice', k, ['a'])).toBe(false)
    expect(correct('multiple_choice', k, ['a', 'b', 'c'])).toBe(false)
    expect(correct('multiple_choice', k, ['a', 'a'])).toBe(false)
  })

  it('true/false', () => {
    const k = key({ kind: 'true_false', prompt: 'p', answerKey: { value: false } })
    expect(correct('true_false', k, false)).toBe(true)
    expect(correct('true_false', k, true)).toBe(false)
    expect(correct('true_false', k, 'false')).toBe(false)
  })

  it('short answer: exact answers (trimmed, case-insensitive by default) or a whole-answer pattern', () => {
    const k = key({ kind: 'short_answer', prompt: 'p', answerKey: { exact: ['Paris'], pattern: 'colou?r' } })
    expect(correct('short_answer', k, '  paris ')).toBe(true)
    expect(correct('short_answer', k, 'Color')).toBe(true)
    expect(correct('short_answer', k, 'colour')).toBe(true)
    expect(correct('short_answer', k, 'the colour')).toBe(false)
    expect(correct('short_answer', k, 'London')).toBe(false)
    const strict = key({ kind: 'short_answer', prompt: 'p', answerKey: { exact: ['Paris'], caseSensitive: true } })
    expect(correct('short_answer', strict, 'paris')).toBe(false)
    expect(correct('short_answer', strict, 'Paris')).toBe(true)
    expect(correct('short_answer', k, 'x'.repeat(501))).toBe(false)
  })

  it('numeric: within the tolerance, inclusive', () => {
    const k = key({ kind: 'numeric', prompt: 'p', answerKey: { value: 3.14, tolerance: 0.01 } })
    expect(correct('numeric', k, 3.15)).toBe(true)
    expect(correct('numeric', k, 3.13)).toBe(true)
    expect(correct('numeric', k, 3.16)).toBe(false)
    const exact = key({ kind: 'numeric', prompt: 'p', answerKey: { value: 0.3 } })
    expect(correct('numeric', exact, 0.1 + 0.2)).toBe(true)
    expect(correct('numeric', exact, 0.31)).toBe(false)
  })

  it('scores a quiz all-or-nothing per question and passes on the percentage', () => {
    const q = (id: string, points: number, optionId: string): GradableQuestion => ({
      id,
      kind: 'single_choice',
      points,
      answerKey: { optionIds: [optionId] },
      explanation: null,
    })
    const questions = new Map([q('q1', 2, 'a'), q('q2', 1, 'b'), q('q3', 1, 'c')].map((x) => [x.id, x]))
    const result = gradeQuiz(['q1', 'q2', 'q3'], questions, { q1: 'a', q2: 'c' }, 50, inProcess)
    expect(result).toMatchObject({ score: 2, maxScore: 4, passed: true })
    expect(result.questions.map((r) => r.correct)).toEqual([true, false, false])
    expect(gradeQuiz(['q1', 'q2', 'q3'], questions, { q2: 'b' }, 50, inProcess).passed).toBe(false)
  })

  it('shuffles into a permutation of the same items', () => {
    const items = Array.from({ length: 8 }, (_, i) => `q${i}`)
    const orders = new Set(Array.from({ length: 10 }, () => shuffled(items).join()))
    for (const order of orders) expect(order.split(',').sort()).toEqual([...items].sort())
    expect(orders.size).toBeGreaterThan(1)
  })
})

describe('rubric grading and due dates', () => {
  const assignment = {
    rubric: [
      {
        id: 'content',
        title: 'Content',
        levels: [
          { points: 0, description: 'none' },
          { points: 5, description: 'ok' },
          { points: 10, description: 'great' },
        ],
      },
      {
        id: 'style',
        title: 'Style',
        levels: [
          { points: 0, description: 'poor' },
          { points: 5, description: 'good' },
        ],
      },
    ],
    passingPoints: 10,
    latePolicy: 'penalty' as const,
    latePenaltyPercent: 20,
  }

  it('sums the chosen levels and passes at passingPoints', () => {
    expect(gradeRubric(assignment, false, { content: 10, style: 0 })).toEqual({
      rawPoints: 10,
      penalty: 0,
      points: 10,
      maxPoints: 15,
      passed: true,
    })
    expect(gradeRubric(assignment, false, { content: 5, style: 0 }).passed).toBe(false)
  })

  it('deducts the late penalty (rounded up) under the penalty policy only', () => {
    expect(gradeRubric(assignment, true, { content: 10, style: 5 })).toMatchObject({
      rawPoints: 15,
      penalty: 3,
      points: 12,
      passed: true,
    })
    expect(gradeRubric(assignment, true, { content: 10, style: 0 })).toMatchObject({ points: 8, passed: false })
    expect(gradeRubric({ ...assignment, latePolicy: 'accept' }, true, { content: 10, style: 0 })).toMatchObject({
      points: 10,
      passed: true,
    })
  })

  it('refuses a score that is not a level, a missing criterion and an unknown one, all at once', () => {
    try {
      gradeRubric(assignment, false, { content: 7, extra: 1 })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(AppError)
      expect((error as AppError).code).toBe('RUBRIC_SCORE_INVALID')
      expect((error as AppError).errors?.map((e) => `${e.path}:${e.code}`)).toEqual([
        'body.rubricScores.extra:unknown',
        'body.rubricScores.content:level',
        'body.rubricScores.style:required',
      ])
    }
  })

  it('is due at the fixed date, or days after enrolment', () => {
    const enrolled = new Date('2026-01-01T00:00:00Z')
    expect(dueInstant({ dueAt: new Date('2026-02-01T00:00:00Z'), dueOffsetDays: null }, enrolled)?.toISOString()).toBe(
      '2026-02-01T00:00:00.000Z',
    )
    expect(dueInstant({ dueAt: null, dueOffsetDays: 7 }, enrolled)?.toISOString()).toBe('2026-01-08T00:00:00.000Z')
    expect(dueInstant({ dueAt: null, dueOffsetDays: null }, enrolled)).toBeNull()
  })
})
