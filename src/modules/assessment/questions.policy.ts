/**
 * The question bank's rules as pure functions: what a valid question of each kind is (its
 * options and answer key), how a learner's answer to it is checked, and what a correct answer
 * looks like once it may be shown.
 *
 * Short-answer patterns are RE2 expressions (answer-patterns.ts): matched in time linear in the
 * answer, so no pattern can backtrack catastrophically; at most MAX_PATTERN_LENGTH characters,
 * checked against RE2 when the question is saved, and matched against answers of at most
 * MAX_SHORT_ANSWER_LENGTH characters. A pattern must match the whole (normalised) answer.
 * Compiling and matching happen in the pattern worker threads (pattern-matcher.ts): these
 * functions take their outcome (RE2's verdict on a pattern, the matches of answers) as input.
 */
import type { FieldError } from '../../platform/errors.ts'
import type { QUESTION_KINDS } from './assessment.tables.ts'
import { assessmentErrors } from './assessment.errors.ts'
import type { PatternLookup, PatternQuery } from './pattern-matcher.ts'

export type QuestionKind = (typeof QUESTION_KINDS)[number]
export interface Option {
  id: string
  text: string
}

export const MAX_PATTERN_LENGTH = 200
export const MAX_SHORT_ANSWER_LENGTH = 500
export const MAX_EXACT_ANSWERS = 20

/** The answer key as clients send it; which members apply depends on the kind. */
export interface AnswerKeyInput {
  optionIds?: string[] | undefined
  value?: unknown
  exact?: string[] | undefined
  pattern?: string | undefined
  caseSensitive?: boolean | undefined
  tolerance?: number | undefined
}

export interface QuestionInput {
  kind: QuestionKind
  prompt: string
  options?: Option[] | undefined
  answerKey: AnswerKeyInput
}

export type AnswerKey =
  | { optionIds: string[] }
  | { value: boolean }
  | { exact: string[]; pattern: string | null; caseSensitive: boolean }
  | { value: number; tolerance: number }

/** A learner's answer: an option id, option ids, true/false, text or a number, by kind. */
export type Answer = string | string[] | boolean | number

/** Why a pattern is refused before RE2 sees it (its length), or null. */
export function patternLengthProblem(pattern: string): string | null {
  return pattern.length > MAX_PATTERN_LENGTH ? `must be at most ${MAX_PATTERN_LENGTH} characters` : null
}

function choiceProblems(input: QuestionInput, errors: FieldError[]): AnswerKey {
  const options = input.options ?? []
  const ids = options.map((o) => o.id)
  if (options.length < 2) errors.push({ path: 'body.options', message: 'needs at least two options', code: 'minItems' })
  if (new Set(ids).size !== ids.length)
    errors.push({ path: 'body.options', message: 'option ids must be unique', code: 'unique' })
  const chosen = input.answerKey.optionIds ?? []
  if (new Set(chosen).size !== chosen.length)
    errors.push({ path: 'body.answerKey.optionIds', message: 'must not repeat an option', code: 'unique' })
  for (const id of chosen)
    if (!ids.includes(id))
      errors.push({
        path: 'body.answerKey.optionIds',
        message: `names option ${id}, which is not among the options`,
        code: 'unknown',
      })
  if (input.kind === 'single_choice' && chosen.length !== 1)
    errors.push({ path: 'body.answerKey.optionIds', message: 'must name exactly one correct option', code: 'count' })
  if (input.kind === 'multiple_choice' && chosen.length < 1)
    errors.push({ path: 'body.answerKey.optionIds', message: 'must name at least one correct option', code: 'count' })
  return { optionIds: chosen }
}

/**
 * The stored answer key of a valid question; throws 400 INVALID_QUESTION listing every problem.
 * Whether RE2 accepts a short answer's pattern is checked afterwards, in a worker thread
 * (authoring.service.ts), only once everything else is valid and the pattern is within budget.
 */
export function validateQuestion(input: QuestionInput): AnswerKey {
  const errors: FieldError[] = []
  const key = input.answerKey
  const noOptions = () => {
    if ((input.options ?? []).length > 0)
      errors.push({ path: 'body.options', message: `are only for choice questions, not ${input.kind}`, code: 'kind' })
  }
  let stored: AnswerKey
  switch (input.kind) {
    case 'single_choice':
    case 'multiple_choice':
      stored = choiceProblems(input, errors)
      break
    case 'true_false':
      noOptions()
      if (typeof key.value !== 'boolean')
        errors.push({ path: 'body.answerKey.value', message: 'must be true or false', code: 'type' })
      stored = { value: key.value === true }
      break
    case 'short_answer': {
      noOptions()
      const exact = (key.exact ?? []).map(normaliseText)
      const pattern = key.pattern ?? null
      if (exact.length === 0 && pattern === null)
        errors.push({ path: 'body.answerKey', message: 'needs exact answers, a pattern, or both', code: 'required' })
      if (exact.length > MAX_EXACT_ANSWERS)
        errors.push({
          path: 'body.answerKey.exact',
          message: `must have at most ${MAX_EXACT_ANSWERS} answers`,
          code: 'maxItems',
        })
      if (exact.some((e) => e.length === 0 || e.length > MAX_SHORT_ANSWER_LENGTH))
        errors.push({
          path: 'body.answerKey.exact',
          message: `answers must be 1-${MAX_SHORT_ANSWER_LENGTH} characters`,
          code: 'length',
        })
      const problem = pattern === null ? null : patternLengthProblem(pattern)
      if (problem) errors.push({ path: 'body.answerKey.pattern', message: problem, code: 'pattern' })
      stored = { exact, pattern, caseSensitive: key.caseSensitive ?? false }
      break
    }
    case 'numeric':
      noOptions()
      if (typeof key.value !== 'number' || !Number.isFinite(key.value))
        errors.push({ path: 'body.answerKey.value', message: 'must be a number', code: 'type' })
      if (key.tolerance !== undefined && !(key.tolerance >= 0))
        errors.push({ path: 'body.answerKey.tolerance', message: 'must be zero or more', code: 'minimum' })
      stored = { value: typeof key.value === 'number' ? key.value : 0, tolerance: key.tolerance ?? 0 }
      break
  }
  if (errors.length > 0) throw assessmentErrors.invalidQuestion(errors)
  return stored
}

/** Trims and collapses inner whitespace, so "  Paris " and "Paris" are the same answer. */
export function normaliseText(text: string): string {
  return text.trim().replace(/\s+/g, ' ')
}

/** Whether `answer` has the shape the kind expects (the service refuses anything else with 400). */
export function answerProblem(kind: QuestionKind, answer: unknown): string | null {
  switch (kind) {
    case 'single_choice':
      return typeof answer === 'string' ? null : 'must be an option id'
    case 'multiple_choice':
      return Array.isArray(answer) && answer.length <= 50 && answer.every((id) => typeof id === 'string')
        ? null
        : 'must be an array of option ids'
    case 'true_false':
      return typeof answer === 'boolean' ? null : 'must be true or false'
    case 'short_answer':
      return typeof answer === 'string' && answer.length <= MAX_SHORT_ANSWER_LENGTH
        ? null
        : `must be text of at most ${MAX_SHORT_ANSWER_LENGTH} characters`
    case 'numeric':
      return typeof answer === 'number' && Number.isFinite(answer) ? null : 'must be a number'
  }
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  new Set(a).size === b.length && a.length === b.length && a.every((x) => b.includes(x))

type ShortAnswerKey = { exact: string[]; pattern: string | null; caseSensitive: boolean }

/** Whether a short answer equals one of the key's exact answers (after normalising, and without case unless case-sensitive). */
function matchesExactly({ exact, caseSensitive }: ShortAnswerKey, text: string): boolean {
  const fold = (s: string) => (caseSensitive ? s : s.toLocaleLowerCase('en'))
  return exact.some((e) => fold(e) === fold(text))
}

/** The pattern match a short answer needs to be graded: none when it is unanswered, malformed, exactly right, or the key has no pattern. */
export function patternQueryOf(kind: QuestionKind, key: AnswerKey, answer: Answer | undefined): PatternQuery | null {
  if (kind !== 'short_answer' || answer === undefined || answerProblem(kind, answer) !== null) return null
  const shortKey = key as ShortAnswerKey
  const text = normaliseText(answer as string)
  if (shortKey.pattern === null || matchesExactly(shortKey, text)) return null
  return { pattern: shortKey.pattern, ignoreCase: !shortKey.caseSensitive, text }
}

/**
 * Whether the answer is correct; an unanswered question (undefined) is not. All or nothing per
 * question. A short answer that is not one of the exact answers is checked against the key's
 * pattern through `matched` (the worker threads' results for patternQueryOf's queries).
 */
export function isCorrect(
  kind: QuestionKind,
  key: AnswerKey,
  answer: Answer | undefined,
  matched: PatternLookup,
): boolean {
  if (answer === undefined || answerProblem(kind, answer) !== null) return false
  switch (kind) {
    case 'single_choice':
    case 'multiple_choice': {
      const expected = (key as { optionIds: string[] }).optionIds
      const given = kind === 'single_choice' ? [answer as string] : (answer as string[])
      return sameSet(given, expected)
    }
    case 'true_false':
      return (key as { value: boolean }).value === answer
    case 'short_answer': {
      const shortKey = key as ShortAnswerKey
      const text = normaliseText(answer as string)
      if (matchesExactly(shortKey, text)) return true
      return shortKey.pattern !== null && matched(shortKey.pattern, text, !shortKey.caseSensitive)
    }
    case 'numeric': {
      const { value, tolerance } = key as { value: number; tolerance: number }
      // A hair of slack so 0.1 + 0.2 style representations do not fail an exact answer.
      return Math.abs((answer as number) - value) <= tolerance + 1e-9 * Math.max(1, Math.abs(value))
    }
  }
}

/** What the learner is shown as the correct answer after grading. */
export function correctAnswerOf(kind: QuestionKind, key: AnswerKey): Record<string, unknown> {
  return { kind, ...key }
}
