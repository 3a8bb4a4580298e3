import { describe, expect, it } from 'vitest'
import { compileFilter, firstMatch, normalisePhrase, wordsOf } from './word-filter.ts'

describe('word filter', () => {
  it('normalises case and diacritics the same way for text and phrases', () => {
    expect(wordsOf('Crème BRÛLÉE, naïve!')).toEqual(['creme', 'brulee', 'naive'])
    expect(normalisePhrase('  Cheap   PILLS ')).toBe('cheap pills')
    expect(normalisePhrase('!!!')).toBe('')
  })

  it('matches whole words and consecutive phrases only', () => {
    const filter = compileFilter(['ass', 'cheap pills', 'Bùy now'])
    expect(firstMatch(filter, 'A class of its own')).toBeNull()
    expect(firstMatch(filter, 'You ASS.')).toBe('ass')
    expect(firstMatch(filter, 'Get cheap, pills')).toBe('cheap pills')
    expect(firstMatch(filter, 'cheap and pills')).toBeNull()
    expect(firstMatch(filter, 'BUY NOW!!!')).toBe('buy now')
    expect(firstMatch(compileFilter([]), 'anything')).toBeNull()
  })

  it('stays linear on long adversarial input', () => {
    const filter = compileFilter(['a a a a b', 'a'.repeat(50)])
    const text = 'a '.repeat(200_000)
    const started = performance.now()
    expect(firstMatch(filter, text)).toBeNull()
    expect(performance.now() - started).toBeLessThan(2000)
  })
})
