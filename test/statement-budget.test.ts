/**
 * Statements and round trips per request of the hot reads (issue 10 §3), through real HTTP
 * requests on the test app, in both modes (PGlite counts what the same work costs on
 * PostgreSQL). The overhead settled on (ADR 0003/0004): BEGIN + scope ride with the first
 * statement; a read-only transaction's COMMIT does not hold the response; the session check is
 * one statement whose COMMIT rides with it, and is then served from the session cache (ADR 0018)
 * for a few seconds. So an uncached anonymous list waits once, an authenticated one twice on its
 * session's first request (cold) and once after (warm); a public-cache hit (ADR 0017) sends no
 * statement of its own.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from './build-test-app.ts'
import { buildPublishedCourse } from '../src/modules/catalogue/testing.ts'
import type { QueryCounter } from '../src/platform/db/database.ts'

const counters = new Map<string, QueryCounter>()

let t: TestApp
let host: string
let tenantId: string
let adminToken: string

beforeAll(async () => {
  t = await buildTestApp({
    instrument: (app) =>
      app.addHook('onResponse', async (request) => {
        if (request.ctx)
          counters.set(`${request.headers.authorization ? 'token ' : ''}${request.url}`, { ...request.ctx.counter })
      }),
  })
  const tenant = await t.createTenant()
  host = `${tenant.slug}.${t.config.http.baseDomain}`
  tenantId = tenant.id
  adminToken = await t.tokenFor(tenant.id, ['tenant_admin'])
  const owner = randomUUID()
  for (const slug of ['budget-a', 'budget-b', 'budget-c'])
    await buildPublishedCourse(t.platform.database, tenant.id, owner, { slug })
})
afterAll(async () => t?.close())

async function get(url: string, token?: string) {
  const response = await t.app.inject({
    method: 'GET',
    url,
    headers: { host, ...(token ? t.auth(token) : {}) },
  })
  expect(response.statusCode).toBe(200)
  return response
}

/** True when the session of `token` is in the session cache (ADR 0018). */
function cached(token: string): boolean {
  const { sid, sub, tid } = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    sid: string
    sub: string
    tid: string
  }
  return t.platform.sessionCache.lookup(sid, sub, tid) !== undefined
}

/**
 * Uses a new member's token until its session is cached. On PostgreSQL the notice of the member's
 * creation (a membership insert) reaches the cache asynchronously; until it has, a check that
 * began before it is not kept (it might predate the change), so the first request may not warm it.
 */
async function warmUp(url: string, token: string): Promise<void> {
  for (let attempt = 0; !cached(token); attempt++) {
    if (attempt === 100) throw new Error('the session was never cached')
    await get(url, token)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('statements per request', () => {
  it('the anonymous catalogue list: one data statement, one round trip', async () => {
    const response = await get('/v1/catalogue/courses?limit=20')
    expect(response.json().data).toHaveLength(3)
    expect(counters.get('/v1/catalogue/courses?limit=20')).toEqual({
      queries: 1,
      authentication: 0,
      overhead: 2,
      roundTrips: 1,
    })
  })

  it('the same list again: answered from the public response cache, no statement at all', async () => {
    const response = await get('/v1/catalogue/courses?limit=20')
    expect(response.json().data).toHaveLength(3)
    expect(counters.get('/v1/catalogue/courses?limit=20')).toEqual({
      queries: 0,
      authentication: 0,
      overhead: 0,
      roundTrips: 0,
    })
  })

  it("an uncached list with a session's first token request: the session check adds one statement and one round trip", async () => {
    // A page size asked for the first time: a cache miss (the hit path is the test above).
    const response = await get('/v1/catalogue/courses?limit=19', adminToken)
    expect(response.json().data).toHaveLength(3)
    expect(counters.get('token /v1/catalogue/courses?limit=19')).toEqual({
      queries: 1,
      authentication: 1,
      overhead: 4,
      roundTrips: 2,
    })
  })

  it('a cached list with a checked session: no statement at all', async () => {
    await get('/v1/catalogue/courses?limit=20', adminToken)
    expect(counters.get('token /v1/catalogue/courses?limit=20')).toEqual({
      queries: 0,
      authentication: 0,
      overhead: 0,
      roundTrips: 0,
    })
  })

  it('the first page of the audit trail for an administrator whose session was checked: the data statement only', async () => {
    const response = await get('/v1/audit-events?limit=20', adminToken)
    expect(response.json().data.length).toBeGreaterThan(0)
    expect(counters.get('token /v1/audit-events?limit=20')).toEqual({
      queries: 1,
      authentication: 0,
      overhead: 2,
      roundTrips: 1,
    })
  })

  it("the same page on a new session's first request: session check and one data statement", async () => {
    const fresh = await t.tokenFor(tenantId, ['tenant_admin'])
    await get('/v1/audit-events?limit=20', fresh)
    expect(counters.get('token /v1/audit-events?limit=20')).toEqual({
      queries: 1,
      authentication: 1,
      overhead: 4,
      roundTrips: 2,
    })
    await warmUp('/v1/audit-events?limit=20', fresh)
    await get('/v1/audit-events?limit=20', fresh)
    expect(counters.get('token /v1/audit-events?limit=20')).toMatchObject({ authentication: 0, roundTrips: 1 })
  })

  it("GET /v1/me: the session check's statement on a session's first request, then no statement at all", async () => {
    const fresh = await t.tokenFor(tenantId, ['learner'])
    const cold = await get('/v1/me', fresh)
    // The check reads the profile too (ADR 0018): nothing else to ask.
    expect(counters.get('token /v1/me')).toEqual({ queries: 0, authentication: 1, overhead: 2, roundTrips: 1 })
    await warmUp('/v1/me', fresh)
    const warm = await get('/v1/me', fresh)
    expect(counters.get('token /v1/me')).toEqual({ queries: 0, authentication: 0, overhead: 0, roundTrips: 0 })
    expect(warm.json()).toEqual(cold.json())
  })

  it('with SESSION_CACHE_SECONDS=0 every request checks its session', async () => {
    const uncached = await buildTestApp({
      env: { SESSION_CACHE_SECONDS: '0' },
      instrument: (app) =>
        app.addHook('onResponse', async (request) => {
          if (request.ctx) counters.set(`uncached ${request.url}`, { ...request.ctx.counter })
        }),
    })
    try {
      const tenant = await uncached.createTenant()
      const token = await uncached.tokenFor(tenant.id, ['tenant_admin'])
      for (let i = 0; i < 2; i++) {
        const response = await uncached.app.inject({
          method: 'GET',
          url: '/v1/audit-events?limit=20',
          headers: { host: `${tenant.slug}.${uncached.config.http.baseDomain}`, ...uncached.auth(token) },
        })
        expect(response.statusCode).toBe(200)
        expect(counters.get('uncached /v1/audit-events?limit=20')).toMatchObject({ authentication: 1, roundTrips: 2 })
        const me = await uncached.app.inject({
          method: 'GET',
          url: '/v1/me',
          headers: { host: `${tenant.slug}.${uncached.config.http.baseDomain}`, ...uncached.auth(token) },
        })
        expect(me.statusCode).toBe(200)
        // The check itself reads the profile, cache or not.
        expect(counters.get('uncached /v1/me')).toEqual({ queries: 0, authentication: 1, overhead: 2, roundTrips: 1 })
      }
    } finally {
      await uncached.close()
    }
  })

  it('a filtered page goes the general way at the same cost', async () => {
    await get('/v1/catalogue/courses?limit=2&level=all')
    expect(counters.get('/v1/catalogue/courses?limit=2&level=all')).toEqual({
      queries: 1,
      authentication: 0,
      overhead: 2,
      roundTrips: 1,
    })
  })

  it('title suggestions: one statement over the title dictionary, one round trip', async () => {
    const response = await get('/v1/catalogue/suggestions?q=budgt')
    expect(response.json().data.length).toBeGreaterThan(0)
    expect(counters.get('/v1/catalogue/suggestions?q=budgt')).toEqual({
      queries: 1,
      authentication: 0,
      overhead: 2,
      roundTrips: 1,
    })
  })
})
