import { describe, expect, it } from 'vitest'
import { BoundedLru } from './lru.ts'
import { noneMatch, strongEtag } from './public-cache.hooks.ts'

describe('BoundedLru', () => {
  it('evicts the least recently used entry beyond its entry bound', () => {
    const lru = new BoundedLru<string>({ maxEntries: 2, maxBytes: 1000 })
    lru.set('a', 'A', 1, Infinity)
    lru.set('b', 'B', 1, Infinity)
    expect(lru.get('a')).toBe('A')
    lru.set('c', 'C', 1, Infinity)
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual(['A', undefined, 'C'])
  })

  it('evicts beyond its byte bound, refuses an entry larger than the bound and keeps the byte count exact', () => {
    const lru = new BoundedLru<string>({ maxEntries: 100, maxBytes: 10 })
    lru.set('a', 'A', 4, Infinity)
    lru.set('b', 'B', 4, Infinity)
    lru.set('c', 'C', 4, Infinity)
    expect([lru.get('a'), lru.size, lru.bytes]).toEqual([undefined, 2, 8])
    lru.set('huge', 'H', 11, Infinity)
    expect([lru.get('huge'), lru.size, lru.bytes]).toEqual([undefined, 2, 8])
    lru.set('b', 'B2', 2, Infinity)
    expect([lru.get('b'), lru.bytes]).toEqual(['B2', 6])
  })

  it('keeps a hit among the newest quarter in place, and still moves an older hit to the newest end', () => {
    const lru = new BoundedLru<string>({ maxEntries: 8, maxBytes: 1000 })
    for (const key of 'abcdefgh') lru.set(key, key.toUpperCase(), 1, Infinity)
    // g is one insertion old (fresh): no reorder. a is seven old: it becomes the newest.
    expect([lru.get('g'), lru.get('a')]).toEqual(['G', 'A'])
    for (const key of 'ijklmn') lru.set(key, key.toUpperCase(), 1, Infinity)
    // Six evictions from the front of b c d e f g h a: b to g go, h and a stay.
    expect([...'abcdefgh'].map((key) => lru.get(key))).toEqual([
      'A',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      'H',
    ])
    expect([lru.size, lru.bytes]).toEqual([8, 8])
  })

  it('holds both bounds and an exact byte count through hits, replacements, expiries and deletes', () => {
    const lru = new BoundedLru<number>({ maxEntries: 16, maxBytes: 40 })
    const live = new Map<string, number>()
    for (let step = 0; step < 2000; step++) {
      const key = `k${(step * 7919) % 37}`
      const bytes = (step % 5) + 1
      if (step % 3 === 0) lru.set(key, step, bytes, step % 11 === 0 ? step : Infinity)
      else if (step % 13 === 0) lru.delete(key)
      else lru.get(key, step)
      expect(lru.size).toBeLessThanOrEqual(16)
      expect(lru.bytes).toBeLessThanOrEqual(40)
    }
    // Every surviving entry is still served, and the byte count is the sum of what is left.
    let total = 0
    for (let index = 0; index < 37; index++) {
      const value = lru.get(`k${index}`, 2000)
      if (value !== undefined) live.set(`k${index}`, value)
    }
    for (const value of live.values()) total += (value % 5) + 1
    expect(lru.bytes).toBe(total)
  })

  it('does not serve an entry past its deadline', () => {
    const lru = new BoundedLru<string>({ maxEntries: 10, maxBytes: 100 })
    lru.set('a', 'A', 1, 1_000)
    expect(lru.get('a', 999)).toBe('A')
    expect(lru.get('a', 1_000)).toBeUndefined()
    expect(lru.bytes).toBe(0)
  })
})

describe('If-None-Match', () => {
  it('matches the strong ETag weakly, in a list, and for *', () => {
    const etag = strongEtag('{"a":1}')
    expect(etag).not.toBe(strongEtag('{"a":2}'))
    expect(noneMatch(etag, etag)).toBe(true)
    expect(noneMatch(`"x", W/${etag}`, etag)).toBe(true)
    expect(noneMatch('*', etag)).toBe(true)
    expect(noneMatch('"x"', etag)).toBe(false)
    expect(noneMatch(undefined, etag)).toBe(false)
  })
})
