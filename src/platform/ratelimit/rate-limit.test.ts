import { randomInt } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { createRedis } from '../cache/redis.ts'
import { publicAccess, tenantAccess } from '../http/access.ts'
import type { App } from '../http/app-type.ts'
import { buildContractServer } from '../http/contract.testing.ts'
import { createLogger } from '../observability/logger.ts'
import { createHttpServer } from '../http/server.ts'
import { createRateLimiter } from './limiter.ts'
import { PLAN_TENANT_QUOTAS } from './plans.ts'
import { registerRateLimits } from './rate-limit-hook.ts'
import { parseRateLimitList, waitForRedis } from './rate-limit.testing.ts'

// Tiny quotas: caller 3 / tenant 5 reads, 2 / 3 auth attempts per minute.
const RATE_LIMITS = 'read=3/5,write=2/4,auth=2/3,ops=1000'

let t: TestApp
let probes: App
beforeAll(async () => {
  t = await buildTestApp({ env: { RATE_LIMITS } })
  await waitForRedis(t.platform.redis)
  probes = await buildContractServer(t, (app) => {
    app.post(
      '/probe/login',
      { schema: { hide: true }, config: { access: publicAccess(), rateLimit: 'auth' } },
      async () => ({ ok: true }),
    )
    app.get('/probe/items', { schema: { hide: true }, config: { access: publicAccess() } }, async () => ({ ok: true }))
    app.get('/probe/tenant-items', { schema: { hide: true }, config: { access: tenantAccess() } }, async () => ({
      ok: true,
    }))
    app.get('/health/probe', { schema: { hide: true }, config: { access: publicAccess() } }, async () => ({ ok: true }))
  })
})
afterAll(async () => {
  await probes?.close()
  await t?.close()
})

/** A client address of its own per test, so runs sharing a Redis never share an IP bucket. */
const freshIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`

async function memberOfNewTenant(): Promise<{ tenantId: string; headers: { authorization: string } }> {
  const { id } = await t.createTenant()
  return { tenantId: id, headers: t.auth(await t.tokenFor(id, ['tenant_admin'])) }
}

async function rejections(rateClass: string): Promise<number> {
  const metric = await t.platform.metrics.rateLimitRejections.get()
  return metric.values.find((v) => v.labels.class === rateClass)?.value ?? 0
}

describe('rate limits per caller', () => {
  it('lets exactly the quota through in a window, then answers 429 RATE_LIMITED with Retry-After', async () => {
    const { headers } = await memberOfNewTenant()
    const before = await rejections('read')
    const remaining: number[] = []
    for (let i = 0; i < 3; i++) {
      const response = await t.app.inject({ method: 'GET', url: '/v1/tenant', headers })
      expect(response.statusCode).toBe(200)
      remaining.push(parseRateLimitList(String(response.headers.ratelimit))[0]!.params.r!)
    }
    expect(remaining).toEqual([2, 1, 0])
    const limited = await t.app.inject({ method: 'GET', url: '/v1/tenant', headers })
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(limited.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED', policy: 'read' })
    const retryAfter = Number(limited.headers['retry-after'])
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true)
    expect(await rejections('read')).toBe(before + 1)
  })

  it('advertises draft-11 RateLimit-Policy and RateLimit structured fields for both buckets', async () => {
    const { headers } = await memberOfNewTenant()
    const response = await t.app.inject({ method: 'GET', url: '/v1/tenant', headers })
    const policies = parseRateLimitList(String(response.headers['ratelimit-policy']))
    expect(policies).toEqual([
      { name: 'read', params: { q: 3, w: 60 } },
      { name: 'read-tenant', params: { q: 5, w: 60 } },
    ])
    const [status, ...more] = parseRateLimitList(String(response.headers.ratelimit))
    expect(more).toEqual([])
    expect(status!.name).toBe('read')
    expect(status!.params.r).toBe(2)
    expect(status!.params.t).toBeGreaterThanOrEqual(1)
    expect(status!.params.t).toBeLessThanOrEqual(60)
  })

  it('never lets more than the quota through when requests race (atomic counting)', async () => {
    const { headers } = await memberOfNewTenant()
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => t.app.inject({ method: 'GET', url: '/v1/tenant', headers })),
    )
    const statuses = responses.map((r) => r.statusCode).sort()
    expect(statuses.filter((s) => s === 200)).toHaveLength(3)
    expect(statuses.filter((s) => s === 429)).toHaveLength(9)
  })

  it('limits anonymous callers per client address', async () => {
    const ip = freshIp()
    const statuses: number[] = []
    for (let i = 0; i < 4; i++)
      statuses.push((await probes.inject({ method: 'GET', url: '/probe/items', remoteAddress: ip })).statusCode)
    expect(statuses).toEqual([200, 200, 200, 429])
    expect((await probes.inject({ method: 'GET', url: '/probe/items', remoteAddress: freshIp() })).statusCode).toBe(200)
  })
})

describe('caller keys', () => {
  it('keys signed-in callers by principal: members behind one address each spend their own quota', async () => {
    const ip = freshIp()
    const [a, b] = [await memberOfNewTenant(), await memberOfNewTenant()]
    const read = (headers: { authorization: string }) =>
      t.app.inject({ method: 'GET', url: '/v1/tenant', headers, remoteAddress: ip })
    for (let i = 0; i < 3; i++) expect((await read(a.headers)).statusCode).toBe(200)
    expect((await read(a.headers)).statusCode).toBe(429)
    // Same address, another principal: a fresh bucket.
    expect((await read(b.headers)).statusCode).toBe(200)
  })
})

describe('tenant plans', () => {
  it("takes a tenant's quota from its plan, and follows a plan change made through the tenant API", async () => {
    // Built-in quotas (no RATE_LIMITS overrides), so each plan's own figures show.
    const planned = await createHttpServer({
      config: t.config,
      logger: t.platform.logger,
      database: t.platform.database,
      tokens: t.platform.tokens,
      tenants: t.modules.tenancy.directory,
    })
    registerRateLimits(planned, {
      limiter: createRateLimiter({ enabled: true, windowSeconds: 60, overrides: {} }, t.platform.redis),
      planOf: t.modules.tenancy.directory.planOf,
      metrics: t.platform.metrics,
      logger: t.platform.logger,
    })
    planned.get('/probe/tenant-items', { schema: { hide: true }, config: { access: tenantAccess() } }, async () => ({
      ok: true,
    }))
    await planned.ready()
    try {
      const { id } = await t.createTenant({ plan: 'starter' })
      const headers = t.auth(await t.tokenFor(id, ['tenant_admin']))
      const tenantQuota = async () => {
        const response = await planned.inject({ method: 'GET', url: '/probe/tenant-items', headers })
        expect(response.statusCode).toBe(200)
        const policies = parseRateLimitList(String(response.headers['ratelimit-policy']))
        return policies.find((p) => p.name === 'read-tenant')?.params.q
      }
      expect(await tenantQuota()).toBe(PLAN_TENANT_QUOTAS.starter.read)

      const changed = await t.app.inject({
        method: 'PATCH',
        url: `/v1/tenants/${id}`,
        headers: { ...t.auth(t.operatorToken), 'if-match': '"v1"' },
        payload: { plan: 'campus' },
      })
      expect(changed.statusCode).toBe(200)
      expect(changed.json().plan).toBe('campus')
      expect(await tenantQuota()).toBe(PLAN_TENANT_QUOTAS.campus.read)

      const refused = await t.app.inject({
        method: 'PATCH',
        url: `/v1/tenants/${id}`,
        headers: { ...t.auth(t.operatorToken), 'if-match': '"v2"' },
        payload: { plan: 'platinum' },
      })
      expect(refused.statusCode).toBe(400)
    } finally {
      await planned.close()
    }
  })
})

describe('rate limits per tenant', () => {
  it('stops a tenant whose callers spent the tenant quota, without limiting another tenant', async () => {
    const a = await memberOfNewTenant()
    const others = await Promise.all([
      t.tokenFor(a.tenantId, ['tenant_admin']),
      t.tokenFor(a.tenantId, ['tenant_admin']),
    ])
    for (let i = 0; i < 3; i++)
      expect((await t.app.inject({ method: 'GET', url: '/v1/tenant', headers: a.headers })).statusCode).toBe(200)
    for (let i = 0; i < 2; i++)
      expect((await t.app.inject({ method: 'GET', url: '/v1/tenant', headers: t.auth(others[0]!) })).statusCode).toBe(
        200,
      )

    const starved = await t.app.inject({ method: 'GET', url: '/v1/tenant', headers: t.auth(others[1]!) })
    expect(starved.statusCode).toBe(429)
    expect(starved.json().policy).toBe('read-tenant')
    expect(parseRateLimitList(String(starved.headers.ratelimit))[0]).toMatchObject({
      name: 'read-tenant',
      params: { r: 0 },
    })

    const b = await memberOfNewTenant()
    expect((await t.app.inject({ method: 'GET', url: '/v1/tenant', headers: b.headers })).statusCode).toBe(200)
  })

  it('does not let a throttled caller drain its tenant quota further', async () => {
    const a = await memberOfNewTenant()
    for (let i = 0; i < 10; i++) await t.app.inject({ method: 'GET', url: '/v1/tenant', headers: a.headers })
    // 3 counted against the tenant, 7 refused by the caller bucket alone: 2 remain for a colleague.
    const colleague = t.auth(await t.tokenFor(a.tenantId, ['tenant_admin']))
    const statuses = []
    for (let i = 0; i < 3; i++)
      statuses.push((await t.app.inject({ method: 'GET', url: '/v1/tenant', headers: colleague })).statusCode)
    expect(statuses).toEqual([200, 200, 429])
  })
})

describe('route classes', () => {
  it('keeps separate auth buckets: exhausting login attempts leaves reads alone, and the other way round', async () => {
    const ip = freshIp()
    const logins = []
    for (let i = 0; i < 3; i++)
      logins.push(await probes.inject({ method: 'POST', url: '/probe/login', remoteAddress: ip }))
    expect(logins.map((r) => r.statusCode)).toEqual([200, 200, 429])
    expect(parseRateLimitList(String(logins[0]!.headers['ratelimit-policy']))).toEqual([
      { name: 'auth', params: { q: 2, w: 60 } },
    ])
    expect(logins[2]!.json().policy).toBe('auth')
    expect((await probes.inject({ method: 'GET', url: '/probe/items', remoteAddress: ip })).statusCode).toBe(200)

    const reader = freshIp()
    for (let i = 0; i < 3; i++) await probes.inject({ method: 'GET', url: '/probe/items', remoteAddress: reader })
    expect((await probes.inject({ method: 'GET', url: '/probe/items', remoteAddress: reader })).statusCode).toBe(429)
    expect((await probes.inject({ method: 'POST', url: '/probe/login', remoteAddress: reader })).statusCode).toBe(200)
  })

  it('puts operator routes in the ops class, without a tenant bucket', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/tenants?limit=1', headers: t.auth(t.operatorToken) })
    expect(response.statusCode).toBe(200)
    expect(parseRateLimitList(String(response.headers['ratelimit-policy']))).toEqual([
      { name: 'ops', params: { q: 1000, w: 60 } },
    ])
  })

  it('exempts documentation and health routes, and charges unknown routes as reads', async () => {
    const ip = freshIp()
    for (const [server, url] of [
      [t.app, '/openapi.json'],
      [probes, '/health/probe'],
    ] as const) {
      for (let i = 0; i < 5; i++) {
        const response = await server.inject({ method: 'GET', url, remoteAddress: ip })
        expect(response.statusCode).toBe(200)
        expect(response.headers['ratelimit-policy']).toBeUndefined()
      }
    }
    const unknown = await t.app.inject({ method: 'GET', url: '/v1/no-such-route', remoteAddress: ip })
    expect(unknown.statusCode).toBe(404)
    expect(parseRateLimitList(String(unknown.headers.ratelimit))[0]).toMatchObject({ name: 'read', params: { r: 2 } })
  })
})

describe.runIf(process.env.TEST_REDIS_URL)('rate limits on Redis', () => {
  it('shares one quota between nodes using the same Redis', async () => {
    const secondRedis = createRedis(process.env.TEST_REDIS_URL!, createLogger('silent'), t.config.redisKeyPrefix)
    await waitForRedis(secondRedis)
    const secondNode = await buildContractServer(
      t,
      (app) =>
        app.get('/probe/tenant-items', { schema: { hide: true }, config: { access: tenantAccess() } }, async () => ({
          ok: true,
        })),
      { redis: secondRedis },
    )
    try {
      const { headers } = await memberOfNewTenant()
      const statuses = []
      for (let i = 0; i < 4; i++) {
        const node = i % 2 === 0 ? t.app : secondNode
        statuses.push(
          (await node.inject({ method: 'GET', url: i % 2 === 0 ? '/v1/tenant' : '/probe/tenant-items', headers }))
            .statusCode,
        )
      }
      expect(statuses).toEqual([200, 200, 200, 429])
    } finally {
      await secondNode.close()
      secondRedis.disconnect()
    }
  })
})

describe('when the rate-limit store is unreachable', () => {
  it('fails open for reads (no RateLimit status) and closed for auth (503 with Retry-After)', async () => {
    const offline = await buildTestApp({ env: { RATE_LIMITS, REDIS_URL: 'redis://127.0.0.1:1' } })
    const server = await buildContractServer(offline, (app) => {
      app.post(
        '/probe/login',
        { schema: { hide: true }, config: { access: publicAccess(), rateLimit: 'auth' } },
        async () => ({ ok: true }),
      )
      app.get('/probe/items', { schema: { hide: true }, config: { access: publicAccess() } }, async () => ({
        ok: true,
      }))
    })
    try {
      for (let i = 0; i < 5; i++) {
        const read = await server.inject({ method: 'GET', url: '/probe/items' })
        expect(read.statusCode).toBe(200)
        expect(read.headers['ratelimit-policy']).toBeDefined()
        expect(read.headers.ratelimit).toBeUndefined()
      }
      const login = await server.inject({ method: 'POST', url: '/probe/login' })
      expect(login.statusCode).toBe(503)
      expect(login.headers['retry-after']).toBe('5')
      expect(login.json()).toMatchObject({ status: 503, code: 'RATE_LIMIT_UNAVAILABLE' })
    } finally {
      await server.close()
      await offline.close()
    }
  })
})
