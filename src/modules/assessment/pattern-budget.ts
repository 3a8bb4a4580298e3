/**
 * The compile budgets of short-answer patterns (pattern-cost.ts), checked when authors save a
 * question or a quiz, before anything is compiled:
 * - one pattern: at most MAX_PATTERN_COST compile units;
 * - one quiz: its distinct (pattern, case) pairs together at most MAX_QUIZ_PATTERN_COST, so the
 *   worst quiz that can be published costs a known amount to grade from a cold cache (a pattern
 *   several questions share is compiled, and counted, once).
 * Both refusals are 422 PATTERN_BUDGET_EXCEEDED naming what to change.
 */
import { assessmentErrors } from './assessment.errors.ts'
import { MAX_PATTERN_COST, MAX_QUIZ_PATTERN_COST, estimatePattern } from './pattern-cost.ts'

interface QuestionWithKey {
  id: string
  kind: string
  answerKey: Record<string, unknown>
}

/** The pattern of a short-answer key and whether it ignores case, or null. */
export function keyPattern(key: Record<string, unknown>): { pattern: string; ignoreCase: boolean } | null {
  return typeof key.pattern === 'string' ? { pattern: key.pattern, ignoreCase: key.caseSensitive !== true } : null
}

/** 422 when the pattern alone costs more than a pattern may. */
export function assertPatternWithinBudget(pattern: string, ignoreCase: boolean): void {
  const { cost } = estimatePattern(pattern, ignoreCase)
  if (cost > MAX_PATTERN_COST) throw assessmentErrors.patternOverBudget(cost, MAX_PATTERN_COST)
}

/** The estimated compile cost of a quiz's questions: each distinct pattern once, charged to the first question using it. */
export function quizPatternCost(questionIds: readonly string[], questions: readonly QuestionWithKey[]) {
  const byId = new Map(questions.map((q) => [q.id, q]))
  const seen = new Set<string>()
  const charged: Array<{ questionId: string; index: number; cost: number }> = []
  questionIds.forEach((questionId, index) => {
    const question = byId.get(questionId)
    const pattern = question?.kind === 'short_answer' ? keyPattern(question.answerKey) : null
    if (!pattern) return
    const key = `${pattern.ignoreCase ? 'i' : 'c'}\u0000${pattern.pattern}`
    if (seen.has(key)) return
    seen.add(key)
    charged.push({ questionId, index, cost: estimatePattern(pattern.pattern, pattern.ignoreCase).cost })
  })
  return { total: charged.reduce((sum, c) => sum + c.cost, 0), charged }
}

/**
 * 422 when the quiz's patterns together exceed the per-quiz budget, naming each question with
 * a pattern, costliest first; `pathOf` says where a question sits in the request being refused
 * (undefined: not in it, so named in the detail only).
 */
export function assertQuizWithinBudget(
  lessonId: string,
  questionIds: readonly string[],
  questions: readonly QuestionWithKey[],
  pathOf: (questionId: string, index: number) => string | undefined,
): void {
  const { total, charged } = quizPatternCost(questionIds, questions)
  if (total <= MAX_QUIZ_PATTERN_COST) return
  const named = [...charged]
    .sort((a, b) => b.cost - a.cost)
    .map((c) => ({ questionId: c.questionId, cost: c.cost, path: pathOf(c.questionId, c.index) }))
  throw assessmentErrors.quizOverBudget(lessonId, total, MAX_QUIZ_PATTERN_COST, named)
}
