/**
 * The session cache's rules on their own (ADR 0018), driven through its feed handlers: nothing is
 * served while the feed is not live, a notice refuses what was read before it (also a read still
 * running), a change of this process holds the user back until its notice, entries never outlive
 * the TTL or the session, and losing the listener drops everything.
 */
import pino from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { FeedHandlers, InvalidationFeed } from './invalidation-feed.ts'
import { principalChanging } from './principal-changes.ts'
import { createSessionCache } from './session-cache.ts'

const USER = '11111111-1111-4111-8111-111111111111'
const OTHER = '22222222-2222-4222-8222-222222222222'
const TENANT = '33333333-3333-4333-8333-333333333333'
const SESSION = 'session-a'

/** The feed as the cache sees it: the test plays the listener's part. */
function drivenFeed() {
  let handlers: FeedHandlers | undefined
  const feed: InvalidationFeed = {
    start: async (h) => void (handlers = h),
    close: async () => {},
  }
  const on = () => {
    if (!handlers) throw new Error('the cache has not started its feed')
    return handlers
  }
  return { feed, notice: (payload: string) => on().notice(payload), ready: () => on().ready(), lost: () => on().lost() }
}

async function liveCache(ttlSeconds = 30) {
  const driven = drivenFeed()
  const cache = createSessionCache<string>({
    feed: driven.feed,
    logger: pino({ level: 'silent' }),
    ttlSeconds,
    maxEntries: 100,
  })
  await cache.start()
  driven.ready()
  const storeNow = (value = 'state', user = USER, session = SESSION, expiresAt = Date.now() + 3_600_000) => {
    const capture = cache.capture(user, TENANT)
    if (!capture) return false
    cache.store(capture, session, value, expiresAt)
    return true
  }
  return { cache, ...driven, storeNow }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('the session cache', () => {
  it('serves a stored state to its own session, user and tenant only', async () => {
    const { cache, storeNow } = await liveCache()
    expect(storeNow()).toBe(true)
    expect(cache.lookup(SESSION, USER, TENANT)).toBe('state')
    expect(cache.lookup(SESSION, OTHER, TENANT)).toBeUndefined()
    expect(cache.lookup(SESSION, USER, OTHER)).toBeUndefined()
    await cache.close()
  })

  it('serves and stores nothing before the feed is live or after it was lost, and drops everything on loss', async () => {
    const driven = drivenFeed()
    const cache = createSessionCache<string>({
      feed: driven.feed,
      logger: pino({ level: 'silent' }),
      ttlSeconds: 30,
      maxEntries: 10,
    })
    await cache.start()
    expect(cache.capture(USER, TENANT)).toBeUndefined()
    driven.ready()
    const capture = cache.capture(USER, TENANT)!
    cache.store(capture, SESSION, 'state', Date.now() + 60_000)
    expect(cache.stats().entries).toBe(1)
    driven.lost()
    expect(cache.stats()).toMatchObject({ live: false, entries: 0 })
    expect(cache.lookup(SESSION, USER, TENANT)).toBeUndefined()
    expect(cache.capture(USER, TENANT)).toBeUndefined()
    // A read that began before the loss does not store once the feed is back.
    driven.ready()
    cache.store(capture, SESSION, 'stale', Date.now() + 60_000)
    expect(cache.lookup(SESSION, USER, TENANT)).toBeUndefined()
    await cache.close()
  })

  it("drops a user's entries on the user's notice, a tenant's on the tenant's, and nobody else's", async () => {
    const { cache, storeNow, notice } = await liveCache()
    storeNow('mine', USER, 'a')
    storeNow('theirs', OTHER, 'b')
    notice(`u ${USER}`)
    expect(cache.lookup('a', USER, TENANT)).toBeUndefined()
    expect(cache.lookup('b', OTHER, TENANT)).toBe('theirs')
    expect(storeNow('again', USER, 'a')).toBe(true)
    expect(cache.lookup('a', USER, TENANT)).toBe('again')
    notice(`t ${TENANT}`)
    expect(cache.lookup('a', USER, TENANT)).toBeUndefined()
    expect(cache.lookup('b', OTHER, TENANT)).toBeUndefined()
    await cache.close()
  })

  it('does not store a read that a notice overtook (the read may predate the change)', async () => {
    const { cache, notice } = await liveCache()
    const capture = cache.capture(USER, TENANT)!
    notice(`u ${USER}`)
    cache.store(capture, SESSION, 'read before the change', Date.now() + 60_000)
    expect(cache.lookup(SESSION, USER, TENANT)).toBeUndefined()
    expect(cache.stats().entries).toBe(0)
    await cache.close()
  })

  it("holds back a user changed in this process until the change's notice arrives", async () => {
    const { cache, storeNow, notice } = await liveCache()
    storeNow()
    storeNow('other', OTHER, 'b')
    principalChanging({ userId: USER.toUpperCase() })
    expect(cache.lookup(SESSION, USER, TENANT)).toBeUndefined()
    expect(cache.capture(USER, TENANT)).toBeUndefined()
    expect(cache.lookup('b', OTHER, TENANT)).toBe('other')
    notice(`u ${USER}`)
    expect(storeNow('after')).toBe(true)
    expect(cache.lookup(SESSION, USER, TENANT)).toBe('after')
    principalChanging({ tenantId: TENANT })
    expect(cache.lookup('b', OTHER, TENANT)).toBeUndefined()
    await cache.close()
  })

  it('lets a change that never announced itself (rolled back) go after 5 s', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { cache, storeNow } = await liveCache()
    principalChanging({ userId: USER })
    expect(storeNow()).toBe(false)
    vi.setSystemTime(Date.now() + 5_001)
    expect(storeNow()).toBe(true)
    await cache.close()
  })

  it('serves an entry for at most the TTL, and never past the session’s own end', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { cache, storeNow } = await liveCache(30)
    const start = Date.now()
    storeNow('long', USER, 'long')
    storeNow('short', USER, 'short', start + 10_000)
    vi.setSystemTime(start + 9_999)
    expect(cache.lookup('short', USER, TENANT)).toBe('short')
    vi.setSystemTime(start + 10_000)
    expect(cache.lookup('short', USER, TENANT)).toBeUndefined()
    vi.setSystemTime(start + 29_999)
    expect(cache.lookup('long', USER, TENANT)).toBe('long')
    vi.setSystemTime(start + 30_000)
    expect(cache.lookup('long', USER, TENANT)).toBeUndefined()
    await cache.close()
  })

  it('is off with a TTL of 0, but still passes on signing-key changes', async () => {
    const { cache, storeNow, notice } = await liveCache(0)
    expect(storeNow()).toBe(false)
    const heard: string[] = []
    cache.onKeysChanged(() => heard.push('keys'))
    notice('k')
    notice('not a payload of this channel')
    expect(heard).toEqual(['keys'])
    await cache.close()
  })
})
