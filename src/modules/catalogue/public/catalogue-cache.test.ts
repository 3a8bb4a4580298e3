/**
 * The public catalogue's response cache and HTTP caching (ADR 0017): hits cost no statement and
 * no rate-limit charge, tenants never see each other's answers, changes are served at once on the
 * node that made them and within a second on another node, a read racing a change never stores
 * anything readable after it, and a Redis or listener outage degrades to uncached, correct reads.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, testDatabaseUrl, type TestApp } from '../../../../test/build-test-app.ts'
import { endCacheListenerSessions, eventually } from '../../../../test/cache-listeners.ts'
import { invalidatePublicCache } from '../../../platform/cache/cache-generations.ts'
import { tenantScope, type QueryCounter } from '../../../platform/db/database.ts'
import { removeCatalogueEntry } from '../publication.ts'
import { buildPublishedCourse } from '../testing.ts'

type Counted = QueryCounter & { url: string }

function countingApp(counters: Counted[], env: Record<string, string> = {}) {
  return buildTestApp({
    env,
    instrument: (app) =>
      app.addHook('onResponse', async (request) => {
        if (request.url.startsWith('/v1/catalogue') && request.ctx)
          counters.push({ ...request.ctx.counter, url: request.url })
      }),
  })
}

const slugs = (body: { data: Array<{ slug: string }> }) => body.data.map((c) => c.slug)

/**
 * Until the notice of this node's own publication arrives, the node holds back from caching the
 * tenant (read-your-writes, generation-tracker.ts); tests that count hits wait for it first.
 */
async function cacheable(tenantId: string, app: TestApp = t): Promise<void> {
  await eventually(async () => (await app.platform.publicCache.capture(tenantId, 'catalogue')) !== undefined, 5_000)
}

const counters: Counted[] = []
let t: TestApp
beforeAll(async () => {
  t = await countingApp(counters)
})
afterAll(async () => t?.close())

async function site(app: TestApp = t) {
  const tenant = await app.createTenant()
  const owner = randomUUID()
  const host = `${tenant.slug}.${app.config.http.baseDomain}`
  return {
    ...tenant,
    host,
    publish: async (slug: string, on: TestApp = app) =>
      (await buildPublishedCourse(on.platform.database, tenant.id, owner, { slug, title: `Course ${slug}` })).courseId,
    get: (url: string, on: TestApp = app, headers: Record<string, string> = {}) =>
      on.app.inject({ method: 'GET', url, headers: { host, ...headers } }),
  }
}

describe('cache hits', () => {
  it('serve the same bytes and ETag without a database statement, whatever the order of query parameters', async () => {
    const s = await site()
    await s.publish('py-basics')
    await cacheable(s.id)
    counters.length = 0
    const first = await s.get('/v1/catalogue/courses?level=beginner&language=en')
    const second = await s.get('/v1/catalogue/courses?language=en&level=beginner')
    const detail1 = await s.get('/v1/catalogue/courses/py-basics')
    const detail2 = await s.get('/v1/catalogue/courses/py-basics')
    expect([first, second, detail1, detail2].map((r) => r.statusCode)).toEqual([200, 200, 200, 200])
    expect(second.body).toBe(first.body)
    expect(second.headers.etag).toBe(first.headers.etag)
    expect(detail2.body).toBe(detail1.body)
    expect(counters.map((c) => c.queries + c.overhead)).toEqual([expect.any(Number), 0, expect.any(Number), 0])
    expect(counters[0]!.queries).toBeGreaterThan(0)
  })

  it('never answer one tenant with another tenant’s body on the same path', async () => {
    const [a, b] = [await site(), await site()]
    await a.publish('only-in-a')
    await b.publish('only-in-b')
    for (let round = 0; round < 2; round++) {
      expect(slugs((await a.get('/v1/catalogue/courses')).json())).toEqual(['only-in-a'])
      expect(slugs((await b.get('/v1/catalogue/courses')).json())).toEqual(['only-in-b'])
      expect((await a.get('/v1/catalogue/courses/only-in-b')).statusCode).toBe(404)
      expect((await b.get('/v1/catalogue/courses/only-in-b')).statusCode).toBe(200)
    }
  })

  it('follow a publication and an archival at once on the node that made them', async () => {
    const s = await site()
    await s.publish('first')
    expect(slugs((await s.get('/v1/catalogue/courses')).json())).toEqual(['first'])
    const second = await s.publish('second')
    expect(slugs((await s.get('/v1/catalogue/courses')).json())).toEqual(['second', 'first'])
    await t.platform.database.transaction(tenantScope(s.id), (tx) => removeCatalogueEntry(tx, second))
    expect(slugs((await s.get('/v1/catalogue/courses')).json())).toEqual(['first'])
    expect((await s.get('/v1/catalogue/courses/second')).statusCode).toBe(404)
  })
})

describe('generations', () => {
  it('a tenant update moves the tenant’s generation on, so nothing cached before it is served', async () => {
    const s = await site()
    await s.publish('before-update')
    await cacheable(s.id)
    await s.get('/v1/catalogue/courses')
    const cache = t.platform.publicCache
    const before = cache.generationOf(s.id, 'catalogue')!
    const updated = await t.app.inject({
      method: 'PATCH',
      url: `/v1/tenants/${s.id}`,
      headers: { ...t.auth(t.operatorToken), 'if-match': '"v1"' },
      payload: { name: 'Renamed school' },
    })
    expect(updated.statusCode).toBe(200)
    await eventually(() => (cache.generationOf(s.id, 'catalogue') ?? 0) > before, 1000)
    counters.length = 0
    expect((await s.get('/v1/catalogue/courses')).statusCode).toBe(200)
    expect(counters[0]!.queries).toBeGreaterThan(0)
  })

  it('a read that captured the generation before a change stores nothing readable after it', async () => {
    const s = await site()
    const cache = t.platform.publicCache
    const before = await cache.capture(s.id, 'catalogue')
    expect(before).toBeDefined()
    await t.platform.database.transaction(tenantScope(s.id), async (tx) => {
      await invalidatePublicCache(tx, s.id, 'catalogue')
      // While the change is uncommitted this node vouches for no generation of the tenant.
      expect(await cache.capture(s.id, 'catalogue')).toBeUndefined()
    })
    await eventually(() => (cache.generationOf(s.id, 'catalogue') ?? 0) > before!.generation, 1000)
    // The racing read finishes now, with what it read under the old generation.
    const stale = { body: '{"data":[],"nextCursor":null}', etag: '"stale"', contentType: 'application/json' }
    cache.store(before!, 'race-key', stale)
    const after = await cache.capture(s.id, 'catalogue')
    expect(after!.generation).toBeGreaterThan(before!.generation)
    expect(await cache.lookup(after!, 'race-key')).toBeUndefined()
    expect(await cache.lookup(before!, 'race-key')).toBeUndefined()
  })

  it('a change rolled back leaves the generation as it was', async () => {
    const s = await site()
    const cache = t.platform.publicCache
    const before = await cache.capture(s.id, 'catalogue')
    await t.platform.database
      .transaction(tenantScope(s.id), async (tx) => {
        await invalidatePublicCache(tx, s.id, 'catalogue')
        throw new Error('roll back')
      })
      .catch(() => {})
    const rows = await t.platform.database.transaction(tenantScope(s.id), (tx) =>
      tx.execute(sql`select count(*)::int as n from platform.cache_generations where tenant_id = ${s.id}`),
    )
    expect((rows as unknown as { rows: Array<{ n: number }> }).rows[0]!.n).toBe(0)
    expect(cache.generationOf(s.id, 'catalogue')).toBe(before!.generation)
  })
})

describe('HTTP caching', () => {
  it('sends a strong ETag, Cache-Control and Vary, and 304 on a matching If-None-Match', async () => {
    const s = await site()
    await s.publish('etagged')
    for (const url of ['/v1/catalogue/courses', '/v1/catalogue/courses/etagged', '/v1/catalogue/facets']) {
      const miss = await s.get(url)
      expect(miss.statusCode).toBe(200)
      expect(miss.headers.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/)
      expect(miss.headers['cache-control']).toBe('public, max-age=30, stale-while-revalidate=60')
      expect(String(miss.headers.vary)).toMatch(/\bHost\b/)
      const etag = String(miss.headers.etag)
      const hit = await s.get(url, t, { 'if-none-match': `W/"other", ${etag}` })
      expect(hit.statusCode).toBe(304)
      expect(hit.body).toBe('')
      expect(hit.headers.etag).toBe(etag)
      expect(hit.headers['cache-control']).toBe(miss.headers['cache-control'])
      expect((await s.get(url, t, { 'if-none-match': '"other"' })).statusCode).toBe(200)
    }
  })

  it('answers 304 on a miss too, and keeps the headers with the response cache off', async () => {
    const own: Counted[] = []
    const off = await countingApp(own, { PUBLIC_CACHE_MAX_ENTRIES: '0', PUBLIC_CACHE_MAX_AGE_SECONDS: '5' })
    try {
      const s = await site(off)
      await s.publish('uncached')
      const first = await s.get('/v1/catalogue/courses')
      const again = await s.get('/v1/catalogue/courses', off, { 'if-none-match': String(first.headers.etag) })
      expect(again.statusCode).toBe(304)
      expect(again.headers['cache-control']).toBe('public, max-age=5, stale-while-revalidate=60')
      expect(own.every((c) => c.queries > 0)).toBe(true)
    } finally {
      await off.close()
    }
  })
})

describe('outages and quotas', () => {
  it('charges no rate-limit quota for cached reads', async () => {
    const limited = await buildTestApp({ env: { RATE_LIMITS: 'read=3/1000' } })
    try {
      const s = await site(limited)
      await s.publish('popular')
      await cacheable(s.id, limited)
      const statuses: number[] = []
      for (let i = 0; i < 10; i++) statuses.push((await s.get('/v1/catalogue/courses?limit=5')).statusCode)
      expect(statuses).toEqual(Array(10).fill(200))
      // The quota is live: distinct, uncached reads meet it.
      const misses: number[] = []
      for (let i = 1; i <= 4; i++) misses.push((await s.get(`/v1/catalogue/courses?limit=${i}`)).statusCode)
      expect(misses).toContain(429)
    } finally {
      await limited.close()
    }
  })

  it('serves correct uncached reads while Redis is unreachable', async () => {
    const own: Counted[] = []
    const down = await countingApp(own, { REDIS_URL: 'redis://127.0.0.1:1' })
    try {
      const s = await site(down)
      await s.publish('one')
      expect(slugs((await s.get('/v1/catalogue/courses')).json())).toEqual(['one'])
      await s.publish('two')
      expect(slugs((await s.get('/v1/catalogue/courses')).json())).toEqual(['two', 'one'])
      expect((await s.get('/v1/catalogue/courses')).statusCode).toBe(200)
    } finally {
      await down.close()
    }
  })
})

// Two apps on one PostgreSQL database are two nodes: each has its own cache and listener. PGlite
// is one process's database, so the embedded run has no second node to ask.
const twoNodes = testDatabaseUrl() ? describe : describe.skip
if (!testDatabaseUrl())
  console.info('catalogue-cache.test: two-node checks need PostgreSQL (TEST_DATABASE_URL); skipped')

twoNodes('two nodes on one PostgreSQL', () => {
  const countersB: Counted[] = []
  let b: TestApp
  beforeAll(async () => {
    b = await countingApp(countersB)
  })
  afterAll(async () => b?.close())

  it('serve a publication, an archival and a learning-path change made on the other node within 1 s', async () => {
    const s = await site()
    await s.publish('alpha')
    expect(slugs((await s.get('/v1/catalogue/courses', b)).json())).toEqual(['alpha'])
    const seenByB = b.platform.publicCache.generationOf(s.id, 'catalogue')!
    const beta = await s.publish('beta', t)
    // B learns the new generation from A's NOTIFY (within 1 s), not only by bypassing while A's bump was open.
    await eventually(() => (b.platform.publicCache.generationOf(s.id, 'catalogue') ?? 0) > seenByB, 1000)
    await eventually(async () => slugs((await s.get('/v1/catalogue/courses', b)).json()).length === 2, 1000)
    await t.platform.database.transaction(tenantScope(s.id), (tx) => removeCatalogueEntry(tx, beta))
    await eventually(async () => (await s.get('/v1/catalogue/courses/beta', b)).statusCode === 404, 1000)

    expect((await s.get('/v1/catalogue/paths', b)).json().data).toEqual([])
    const admin = t.auth(await t.tokenFor(s.id, ['tenant_admin']))
    const call = (method: 'POST' | 'PUT', url: string, headers: Record<string, string>, payload: unknown) =>
      t.app.inject({ method, url, headers: { ...admin, ...headers }, payload: payload as Record<string, unknown> })
    const path = (await call('POST', '/v1/learning-paths', {}, { slug: 'track', title: 'Track' })).json()
    const alpha = slugs((await s.get('/v1/catalogue/courses', t)).json())
    expect(alpha).toEqual(['alpha'])
    const alphaId = (await s.get('/v1/catalogue/courses/alpha', t)).json().id
    expect(
      (
        await call(
          'PUT',
          `/v1/learning-paths/${path.id}/courses`,
          { 'if-match': '"v1"' },
          { courses: [{ courseId: alphaId }] },
        )
      ).statusCode,
    ).toBe(200)
    expect((await call('POST', `/v1/learning-paths/${path.id}/publish`, { 'if-match': '"v2"' }, {})).statusCode).toBe(
      200,
    )
    await eventually(async () => (await s.get('/v1/catalogue/paths', b)).json().data.length === 1, 1000)
  })

  it('share entries through Redis: the other node’s first read is a hit', async () => {
    if (!t.platform.redis) return console.info('catalogue-cache.test: shared layer needs TEST_REDIS_URL; skipped')
    const s = await site()
    await s.publish('shared')
    await cacheable(s.id)
    const onA = await s.get('/v1/catalogue/courses?limit=7')
    // A's write to Redis is not awaited by its request: wait for it, then B's first read must find
    // it. (KEYS takes the pattern as given: ioredis prefixes keys, not patterns.)
    const redis = t.platform.redis
    await eventually(async () => (await redis.keys(`${t.config.redisKeyPrefix}pc:${s.id}:*`)).length > 0, 5_000)
    countersB.length = 0
    const onB = await s.get('/v1/catalogue/courses?limit=7', b)
    expect(onB.body).toBe(onA.body)
    expect(countersB.map((c) => c.queries)).toEqual([0])
  })

  it('drop every entry when the listener loses its session, and serve uncached until it is back', async () => {
    const s = await site()
    await s.publish('resilient')
    await cacheable(s.id, b)
    await s.get('/v1/catalogue/courses', b)
    countersB.length = 0
    await s.get('/v1/catalogue/courses', b)
    expect(countersB.map((c) => c.queries)).toEqual([0])
    const cache = b.platform.publicCache
    expect(cache.stats().entries).toBeGreaterThan(0)
    // As the database owner: end every listener session of this database (both nodes'); each must notice and reconnect.
    await endCacheListenerSessions()
    // A change while the session is down: its notice is lost, so B must not trust what it cached.
    await s.publish('during-outage', t)
    // Entries are dropped only when trust is withdrawn; live again means the session is back.
    await eventually(() => cache.stats().entries === 0 && cache.stats().live, 10_000)
    expect(slugs((await s.get('/v1/catalogue/courses', b)).json())).toEqual(['during-outage', 'resilient'])
  })
})
