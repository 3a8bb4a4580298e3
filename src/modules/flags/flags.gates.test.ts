import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import type { App } from '../../platform/http/server.ts'
import { publicAccess } from '../../platform/http/access.ts'
import { registerFeatureGate } from '../../platform/http/feature-gate.ts'
import { EXPOSED_FLAG_KEYS } from './flags.catalogue.ts'
import { createFlagEvaluator, OVERRIDE_CACHE_TTL_MS } from './flags.evaluator.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

async function tenantWithAdmin(extra: Record<string, unknown> = {}) {
  const tenant = await t.createTenant(extra)
  return { ...tenant, admin: t.auth(await t.tokenFor(tenant.id, ['tenant_admin'])) }
}

const put = (headers: Record<string, string>, key: string, enabled: boolean) =>
  t.app.inject({ method: 'PUT', url: `/v1/flags/${key}`, headers, payload: { enabled } })
const site = (host: string) => t.app.inject({ method: 'GET', url: '/v1/site', headers: { host } })

describe('route gates', () => {
  it('answers 403 FEATURE_DISABLED naming the flag on /v1/site while tenancy.public_site is off', async () => {
    const { slug, admin } = await tenantWithAdmin()
    expect((await site(`${slug}.localhost`)).statusCode).toBe(200)
    await put(admin, 'tenancy.public_site', false)
    const disabled = await site(`${slug}.localhost`)
    expect(disabled.statusCode).toBe(403)
    expect(disabled.headers['content-type']).toContain('application/problem+json')
    expect(disabled.json()).toMatchObject({ status: 403, code: 'FEATURE_DISABLED', flag: 'tenancy.public_site' })
    await t.app.inject({ method: 'DELETE', url: '/v1/flags/tenancy.public_site', headers: admin })
    expect((await site(`${slug}.localhost`)).statusCode).toBe(200)
  })

  it('checks access before the gate, so an unknown host still gets its own problem', async () => {
    const response = await site('localhost')
    expect(response.statusCode).toBe(400)
    expect(response.json().code).toBe('TENANT_REQUIRED')
  })

  it('documents the gating flag in the OpenAPI operation', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    expect(document.paths['/v1/site'].get['x-feature-flag']).toBe('tenancy.public_site')
  })

  it('refuses to register a route gated by an undeclared flag', async () => {
    const app = Fastify() as unknown as App
    registerFeatureGate(app, createFlagEvaluator(t.platform.database))
    const register = () =>
      app.get('/gated', { config: { access: publicAccess(), flag: 'tenancy.not_declared' } }, async () => 'never')
    expect(register).toThrow(/undeclared flag "tenancy.not_declared"/)
    await app.close()
  })
})

describe('custom domains', () => {
  it('stops serving a tenant on its custom domain while tenancy.custom_domains is off; the subdomain keeps working', async () => {
    const domain = `learn-${crypto.randomUUID().slice(0, 8)}.example.org`
    const { slug, admin } = await tenantWithAdmin({ domains: [domain] })
    expect((await site(domain)).json().slug).toBe(slug)

    expect((await put(admin, 'tenancy.custom_domains', false)).statusCode).toBe(200)
    const ignored = await site(domain)
    expect(ignored.statusCode).toBe(400)
    expect(ignored.json().code).toBe('TENANT_REQUIRED')
    expect((await site(`${slug}.localhost`)).json().slug).toBe(slug)

    await put(admin, 'tenancy.custom_domains', true)
    expect((await site(domain)).json().slug).toBe(slug)
  })
})

describe('flag evaluation for client apps', () => {
  it('shows only exposed flags, by host or by token', async () => {
    const { slug, id, admin } = await tenantWithAdmin()
    const byHost = await t.app.inject({
      method: 'GET',
      url: '/v1/flags/evaluation',
      headers: { host: `${slug}.localhost` },
    })
    expect(byHost.statusCode).toBe(200)
    expect(Object.keys(byHost.json().flags).sort()).toEqual(EXPOSED_FLAG_KEYS)
    expect(byHost.json().flags).not.toHaveProperty('tenancy.custom_domains')
    expect(byHost.json().flags['tenancy.public_site']).toBe(true)

    await put(admin, 'tenancy.public_site', false)
    await put(admin, 'tenancy.custom_domains', false)
    const learner = t.auth(await t.tokenFor(id, ['learner']))
    const byToken = await t.app.inject({ method: 'GET', url: '/v1/flags/evaluation', headers: learner })
    expect(byToken.json()).toEqual({ flags: { 'tenancy.public_site': false } })
  })

  it('needs a tenant', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/flags/evaluation', headers: { host: 'localhost' } })
    expect(response.statusCode).toBe(400)
    expect(response.json().code).toBe('TENANT_REQUIRED')
  })
})

describe('evaluation cache', () => {
  it("serves a cached value for at most a few seconds after another node's change", async () => {
    const { id, admin } = await tenantWithAdmin()
    expect(OVERRIDE_CACHE_TTL_MS).toBeLessThanOrEqual(5_000)
    // Only Date is faked: the cache's clock, not the timers the database drivers rely on.
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      // A second evaluator stands for another API node: this app's change does not invalidate it.
      const otherNode = createFlagEvaluator(t.platform.database)
      expect(await otherNode.isEnabled(id, 'tenancy.public_site')).toBe(true)
      await put(admin, 'tenancy.public_site', false)
      expect(await otherNode.isEnabled(id, 'tenancy.public_site')).toBe(true)
      vi.setSystemTime(Date.now() + OVERRIDE_CACHE_TTL_MS + 1)
      expect(await otherNode.isEnabled(id, 'tenancy.public_site')).toBe(false)
    } finally {
      vi.useRealTimers()
    }
  })

  it('evaluates the default when there is no tenant', async () => {
    const evaluator = createFlagEvaluator(t.platform.database)
    expect(await evaluator.isEnabled(null, 'tenancy.public_site')).toBe(true)
    await expect(evaluator.isEnabled(null, 'tenancy.nope')).rejects.toThrow(/not declared/)
  })
})
