import { describe, expect, it } from 'vitest'
import { AppError } from '../../platform/errors.ts'
import { assertPatternWithinBudget, assertQuizWithinBudget, quizPatternCost } from './pattern-budget.ts'
import { estimatePattern, MAX_PATTERN_COST, MAX_QUIZ_PATTERN_COST } from './pattern-cost.ts'

const cost = (pattern: string, ignoreCase = false) => estimatePattern(pattern, ignoreCase).cost
const shortAnswer = (id: string, pattern: string, caseSensitive = false) => ({
  id,
  kind: 'short_answer',
  answerKey: { exact: [], pattern, caseSensitive },
})

function refusal(run: () => void): AppError {
  try {
    run()
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('estimated compile cost of a pattern', () => {
  it('weighs each copy of an atom by how many byte ranges it compiles into', () => {
    expect(cost('colou?r')).toBe(6)
    expect(cost('[a-z]{100}')).toBe(100)
    expect(cost('.{100}')).toBe(500)
    expect(cost('\\pL')).toBe(250)
    expect(cost('\\pL+')).toBe(250)
    expect(cost('\\pL{8}')).toBe(2_000)
    expect(cost('\\pL{2,16}')).toBe(4_000)
    expect(cost('\\p{Greek}{16}')).toBe(4_000)
    // Every property of a class counts, negated or not.
    expect(cost('[\\pL\\pN]{8}')).toBe(4_000)
    expect(cost('[^\\pL]{8}')).toBe(2_000)
  })

  it('multiplies nested repetitions and sums alternatives', () => {
    expect(cost('(?:(?:.{10}){10}){4}')).toBe(2_000)
    expect(cost('(?:\\pL|a){8}')).toBe(2_008)
    expect(cost('(?P<word>\\pL){3}x')).toBe(751)
  })

  it('counts case folding double for ASCII letters and negated classes, also when asked inline', () => {
    expect(cost('[a-z]{100}', true)).toBe(200)
    expect(cost('(?i)[a-z]{100}')).toBe(200)
    expect(cost('\\pL{8}', true)).toBe(2_000)
  })

  it('reads RE2 syntax that is not an atom as what it is: quoted text, classes starting with ], stray parentheses', () => {
    expect(cost('\\Q(a){9}\\E')).toBe(6)
    expect(cost('[]a]{3}')).toBe(3)
    expect(cost('a)|(b')).toBe(2)
    expect(cost('x{,5}')).toBe(5)
    // Repetitions RE2 would refuse still give a finite cost (a budget refusal).
    expect(cost('a{99999}{99999}{99999}{99999}')).toBe(1_000_000)
  })
})

describe('pattern budgets', () => {
  it('refuses a pattern over the per-pattern budget with 422 PATTERN_BUDGET_EXCEEDED, before compiling it', () => {
    expect(() => assertPatternWithinBudget('\\pL{8}', true)).not.toThrow()
    const refused = refusal(() => assertPatternWithinBudget('\\pL{16}', true))
    expect(refused).toMatchObject({
      status: 422,
      code: 'PATTERN_BUDGET_EXCEEDED',
      errors: [{ path: 'body.answerKey.pattern', code: 'budget' }],
      extensions: { cost: 4_000, limit: MAX_PATTERN_COST },
    })
  })

  it('counts each distinct pattern of a quiz once, with and without case apart', () => {
    const questions = [
      shortAnswer('q1', '\\pL{4}'),
      shortAnswer('q2', '\\pL{4}'),
      shortAnswer('q3', '\\pL{4}', true),
      { id: 'q4', kind: 'single_choice', answerKey: { optionIds: ['a'] } },
    ]
    expect(quizPatternCost(['q1', 'q2', 'q3', 'q4'], questions)).toEqual({
      total: 2_000,
      charged: [
        { questionId: 'q1', index: 0, cost: 1_000 },
        { questionId: 'q3', index: 2, cost: 1_000 },
      ],
    })
  })

  it('refuses a quiz whose patterns together exceed the per-quiz budget, naming each question costliest first', () => {
    const questions = [shortAnswer('q1', '\\pL{4}'), shortAnswer('q2', '\\pL{8}'), shortAnswer('q3', '\\pL{4}x')]
    expect(() =>
      assertQuizWithinBudget('L', ['q1', 'q2'], questions, (_id, i) => `body.questionIds.${i}`),
    ).not.toThrow()
    const refused = refusal(() =>
      assertQuizWithinBudget('L', ['q1', 'q2', 'q3'], questions, (_id, i) => `body.questionIds.${i}`),
    )
    expect(refused).toMatchObject({
      status: 422,
      code: 'PATTERN_BUDGET_EXCEEDED',
      extensions: {
        lessonId: 'L',
        cost: 4_002,
        limit: MAX_QUIZ_PATTERN_COST,
        questions: [
          { questionId: 'q2', cost: 2_000 },
          { questionId: 'q3', cost: 1_002 },
          { questionId: 'q1', cost: 1_000 },
        ],
      },
    })
    expect(refused.errors?.map((e) => e.path)).toEqual([
      'body.questionIds.1',
      'body.questionIds.2',
      'body.questionIds.0',
    ])
    expect(refused.message).toMatch(/question q2 costs 2000/)
  })
})
