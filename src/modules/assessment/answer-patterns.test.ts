import { describe, expect, it } from 'vitest'
import { cachedPrograms, CACHE_LIMITS, matchesWholeAnswer, patternSyntaxProblem } from './answer-patterns.ts'
import type { PatternLookup } from './pattern-matcher.ts'
import { isCorrect, patternLengthProblem, type Answer, type AnswerKey } from './questions.policy.ts'

/** This file runs the matcher in the test thread; the service runs the same code in the pattern worker threads. */
const inProcess: PatternLookup = (pattern, text, ignoreCase) => matchesWholeAnswer(pattern, text, ignoreCase)
const correctShortAnswer = (key: AnswerKey, answer: Answer) => isCorrect('short_answer', key, answer, inProcess)
const patternProblem = (pattern: string, caseSensitive = false) =>
  patternLengthProblem(pattern) ?? patternSyntaxProblem(pattern, !caseSensitive)

const shortKey = (pattern: string, exact: string[] = [], caseSensitive = false): AnswerKey => ({
  exact,
  pattern,
  caseSensitive,
})

describe('short-answer patterns on RE2', () => {
  it('accepts the shapes that backtrack catastrophically elsewhere and matches them correctly', () => {
    // On a backtracking engine each of these takes exponential time on a long run of "a"s without the final letter.
    for (const pattern of ['(a|a)*b', '(a+)+b', '(a|aa)*c', '(?:\\w*)*x'])
      expect(patternProblem(pattern), pattern).toBeNull()
    const run = 'a'.repeat(28)
    expect(correctShortAnswer(shortKey('(a|a)*b'), run)).toBe(false)
    expect(correctShortAnswer(shortKey('(a|a)*b'), `${run}b`)).toBe(true)
    expect(correctShortAnswer(shortKey('(a+)+b'), `${'a'.repeat(499)}`)).toBe(false)
    expect(correctShortAnswer(shortKey('(a+)+b'), `${'a'.repeat(499)}b`)).toBe(true)
    expect(correctShortAnswer(shortKey('(a|aa)*c'), `${'a'.repeat(499)}c`)).toBe(true)
  })

  it('refuses backreferences and lookaround, naming RE2', () => {
    for (const pattern of ['(a)\\1', '(?P<x>a)\\k<x>', '(?=a)a', '(?!a)b', '(?<=a)b', '(?<!a)b'])
      expect(patternProblem(pattern), pattern).toMatch(/not a valid RE2 regular expression/)
    expect(patternProblem('(a)\\1')).toMatch(/no backreferences or lookaround/)
  })

  it('matches the whole answer only, and a pattern cannot break out of the whole-answer group', () => {
    expect(matchesWholeAnswer('colou?r', 'colour', true)).toBe(true)
    expect(matchesWholeAnswer('colou?r', 'the colour', true)).toBe(false)
    expect(matchesWholeAnswer('colou?r', 'colours', true)).toBe(false)
    // Wrapped as ^(?:a)|(b)$ this would accept anything starting with "a"; on its own it does not compile.
    expect(patternProblem('a)|(b')).toMatch(/not a valid RE2/)
    expect(patternSyntaxProblem('a|b', true)).toBeNull()
    expect(matchesWholeAnswer('a|b', 'ab', true)).toBe(false)
  })

  it('compares without case unless the key is case-sensitive, Unicode letters included', () => {
    expect(correctShortAnswer(shortKey('zanz[a-z]+'), 'ZANZIBAR')).toBe(true)
    expect(correctShortAnswer(shortKey('zanz[a-z]+', [], true), 'ZANZIBAR')).toBe(false)
    expect(correctShortAnswer(shortKey('zanz[a-z]+', [], true), 'zanzibar')).toBe(true)
    expect(correctShortAnswer(shortKey('café|straße'), 'CAFÉ')).toBe(true)
    expect(correctShortAnswer(shortKey('\\pL+ \\d{4}'), 'Ελλάδα 2004')).toBe(true)
  })

  it('refuses a pattern too large for the matcher as too complex, and keeps matching afterwards', () => {
    // Short, but case-folded Unicode letters repeated a hundred times exceed re2-wasm's fixed heap and abort its instance.
    expect(patternProblem('\\pL{100}')).toMatch(/too complex/)
    expect(patternProblem('\\pL{100}', true)).toMatch(/too complex/)
    expect(correctShortAnswer(shortKey('colou?r'), 'Color')).toBe(true)
    expect(patternProblem('\\pL{3}')).toBeNull()
  })

  it('keeps compiled programs by pattern and case, so grading the same pattern again compiles nothing', () => {
    const pattern = `kept-${Date.now()}[a-z]+`
    const before = cachedPrograms().entries
    expect(matchesWholeAnswer(pattern, 'Kept-' + pattern.slice(5, -6) + 'abc', true)).toBe(true)
    expect(cachedPrograms().entries).toBe(before + 1)
    for (let i = 0; i < 20; i++) matchesWholeAnswer(pattern, `kept-${i}`, true)
    expect(cachedPrograms().entries).toBe(before + 1)
    // Case-sensitive matching is another program.
    matchesWholeAnswer(pattern, 'kept', false)
    expect(cachedPrograms().entries).toBe(before + 2)
  })

  it('frees every program it does not keep: far more patterns than the heap could hold are still matched', () => {
    // re2-wasm's own RE2 class never frees its programs and fails after some 1,500 of these;
    // the cache keeps at most CACHE_LIMITS of them and frees the ones it evicts.
    for (let i = 0; i < 2000; i++) {
      const pattern = `(?:answer|reply)-${i}[a-z]*`
      expect(matchesWholeAnswer(pattern, `Answer-${i}xyz`, true)).toBe(true)
    }
    expect(cachedPrograms().entries).toBeLessThanOrEqual(CACHE_LIMITS.maxEntries)
    expect(cachedPrograms().bytes).toBeLessThanOrEqual(CACHE_LIMITS.maxBytes)
  })

  it('drops a full instance and retries on a fresh one: programs kept in the cache never make a valid pattern fail', () => {
    // Seven \\pL{4} programs hold about 7 MiB of the 16 MiB heap; \\pL{64} then needs more than is left
    // (it fits in an empty heap). Without the retry on a fresh instance it would be refused and match nothing.
    for (let i = 0; i < 7; i++)
      expect(matchesWholeAnswer(`\\pL{4}${'x'.repeat(i)}`, `abcd${'x'.repeat(i)}`, true)).toBe(true)
    expect(cachedPrograms().entries).toBeGreaterThanOrEqual(7)
    expect(matchesWholeAnswer('\\pL{64}', 'λ'.repeat(64), true)).toBe(true)
    // The fresh instance kept nothing of the old one (and \\pL{64} is too large to keep).
    expect(cachedPrograms().entries).toBe(0)
  })

  it('a stored pattern RE2 cannot run (saved before patterns were checked against RE2) matches nothing; exact answers still count', () => {
    const legacy = shortKey('(?=y)yes', ['oui'])
    expect(correctShortAnswer(legacy, 'yes')).toBe(false)
    expect(correctShortAnswer(legacy, 'Oui')).toBe(true)
  })
})
