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
