import { describe, expect, it } from 'vitest'
import { matchesWholeAnswer, patternSyntaxProblem } from './answer-patterns.ts'
import { isCorrect, patternProblem, type AnswerKey } from './questions.policy.ts'

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
    expect(isCorrect('short_answer', shortKey('(a|a)*b'), run)).toBe(false)
    expect(isCorrect('short_answer', shortKey('(a|a)*b'), `${run}b`)).toBe(true)
    expect(isCorrect('short_answer', shortKey('(a+)+b'), `${'a'.repeat(499)}`)).toBe(false)
    expect(isCorrect('short_answer', shortKey('(a+)+b'), `${'a'.repeat(499)}b`)).toBe(true)
    expect(isCorrect('short_answer', shortKey('(a|aa)*c'), `${'a'.repeat(499)}c`)).toBe(true)
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
    expect(isCorrect('short_answer', shortKey('zanz[a-z]+'), 'ZANZIBAR')).toBe(true)
    expect(isCorrect('short_answer', shortKey('zanz[a-z]+', [], true), 'ZANZIBAR')).toBe(false)
    expect(isCorrect('short_answer', shortKey('zanz[a-z]+', [], true), 'zanzibar')).toBe(true)
    expect(isCorrect('short_answer', shortKey('café|straße'), 'CAFÉ')).toBe(true)
    expect(isCorrect('short_answer', shortKey('\\pL+ \\d{4}'), 'Ελλάδα 2004')).toBe(true)
  })

  it('refuses a pattern too large for the matcher as too complex, and keeps matching afterwards', () => {
    // Short, but case-folded Unicode letters repeated a hundred times exceed re2-wasm's fixed heap and abort its instance.
    expect(patternProblem('\\pL{100}')).toMatch(/too complex/)
    expect(patternProblem('\\pL{100}', true)).toMatch(/too complex/)
    expect(isCorrect('short_answer', shortKey('colou?r'), 'Color')).toBe(true)
    expect(patternProblem('\\pL{3}')).toBeNull()
  })

  it('refuses a pattern that compiles too slowly to run on every grading', () => {
    // About 1.5 s to compile on the CI machine, six times the 250 ms limit; ordinary patterns take about 1 ms.
    expect(patternProblem('\\pL{50}')).toMatch(/too complex to match quickly/)
    expect(patternProblem('colou?r')).toBeNull()
  })

  it('frees every program it compiles: far more patterns than the heap could hold are still matched', () => {
    // re2-wasm's own RE2 class never frees its programs and fails after some 1,500 of these.
    for (let i = 0; i < 2000; i++) {
      const pattern = `(?:answer|reply)-${i}[a-z]*`
      expect(matchesWholeAnswer(pattern, `Answer-${i}xyz`, true)).toBe(true)
    }
  })

  it('a stored pattern RE2 cannot run (saved before patterns were checked against RE2) matches nothing; exact answers still count', () => {
    const legacy = shortKey('(?=y)yes', ['oui'])
    expect(isCorrect('short_answer', legacy, 'yes')).toBe(false)
    expect(isCorrect('short_answer', legacy, 'Oui')).toBe(true)
  })
})
