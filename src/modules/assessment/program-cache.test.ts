import { describe, expect, it } from 'vitest'
import { ProgramCache } from './program-cache.ts'

function cache(limits = { maxEntries: 3, maxBytes: 100 }) {
  const freed: string[] = []
  return { cache: new ProgramCache<string>(limits, (program) => freed.push(program)), freed }
}

describe('program cache', () => {
  it('evicts the least recently used program past the count limit, and frees it', () => {
    const { cache: c, freed } = cache()
    c.set('a', 'A', 10)
    c.set('b', 'B', 10)
    c.set('c', 'C', 10)
    expect(c.get('a')).toBe('A') // a is now the most recently used
    c.set('d', 'D', 10)
    expect(freed).toEqual(['B'])
    expect(c.get('b')).toBeUndefined()
    expect(c.size).toBe(3)
  })

  it('evicts past the byte limit as many as needed, and keeps no program larger than the whole budget', () => {
    const { cache: c, freed } = cache()
    c.set('a', 'A', 40)
    c.set('b', 'B', 40)
    c.set('c', 'C', 50)
    expect(freed).toEqual(['A'])
    expect(c.bytes).toBe(90)
    expect(c.set('huge', 'H', 101)).toBe(false)
    expect(c.get('huge')).toBeUndefined()
    expect(freed).toEqual(['A'])
  })

  it('frees a program replaced under the same key', () => {
    const { cache: c, freed } = cache()
    c.set('a', 'A1', 10)
    c.set('a', 'A2', 20)
    expect(freed).toEqual(['A1'])
    expect(c.bytes).toBe(20)
  })

  it('abandons everything without freeing when the instance that held the programs is gone', () => {
    const { cache: c, freed } = cache()
    c.set('a', 'A', 10)
    c.set('b', 'B', 10)
    c.abandon()
    expect(freed).toEqual([])
    expect(c.size).toBe(0)
    expect(c.bytes).toBe(0)
  })
})
