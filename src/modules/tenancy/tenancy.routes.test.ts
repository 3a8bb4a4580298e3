import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

describe('tenancy routes', () => {
  it('lets an operator create a tenant with defaults, an ETag and a Location', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: t.auth(t.operatorToken),
      payload: { slug: 'acme-u1', name: 'Acme', domains: ['learn.acme-u1.test'] },
    })
    expect(response.statusCode).toBe(201)
    const body = response.json()
    expect(body).toMatchObject({
      slug: 'acme-u1',
      name: 'Acme',
      status: 'active',
      region: 'eu',
      defaultLocale: 'en',
      currency: 'EUR',
      domains: ['learn.acme-u1.test'],
    })
    expect(response.headers.etag).toBe('"v1"')
    expect(response.headers.location).toBe(`/v1/tenants/${body.id}`)
  })

  it('refuses a duplicate slug with 409 TENANT_SLUG_TAKEN', async () => {
    const { slug } = await t.createTenant()
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: t.auth(t.operatorToken),
      payload: { slug, name: 'Again' },
    })
    expect(response.statusCode).toBe(409)
    expect(response.headers['content-type']).toContain('application/problem+json')
    expect(response.json().code).toBe('TENANT_SLUG_TAKEN')
  })

  it('lists each validation problem with its field path', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: t.auth(t.operatorToken),
      payload: { slug: 'Bad Slug', currency: 'euro', role: 'admin' },
    })
    expect(response.statusCode).toBe(400)
    const paths = response.json().errors.map((e: { path: string }) => e.path)
    expect(paths).toEqual(expect.arrayContaining(['body.slug', 'body.name', 'body.currency', 'body.role']))
  })

  it('requires authentication and the operator role', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/tenants' })).statusCode).toBe(401)
    const tenant = await t.createTenant()
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
    const response = await t.app.inject({ method: 'GET', url: '/v1/tenants', headers: t.auth(admin) })
    expect(response.statusCode).toBe(403)
    expect(response.json().code).toBe('OPERATOR_REQUIRED')
  })

  it('pages through tenants with a cursor', async () => {
    for (let i = 0; i < 3; i++) await t.createTenant()
    const first = await t.app.inject({ method: 'GET', url: '/v1/tenants?limit=2', headers: t.auth(t.operatorToken) })
    expect(first.statusCode).toBe(200)
    const page = first.json()
    expect(page.data).toHaveLength(2)
    expect(page.nextCursor).toEqual(expect.any(String))
    const second = await t.app.inject({
      method: 'GET',
      url: `/v1/tenants?limit=2&cursor=${page.nextCursor}`,
      headers: t.auth(t.operatorToken),
    })
    expect(second.json().data[0].slug > page.data[1].slug).toBe(true)
    const bad = await t.app.inject({
      method: 'GET',
      url: '/v1/tenants?cursor=bm9wZQ',
      headers: t.auth(t.operatorToken),
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().code).toBe('INVALID_CURSOR')
  })

  it('updates with If-Match and answers 412 on a stale ETag and 428 without one', async () => {
    const { id } = await t.createTenant()
    const url = `/v1/tenants/${id}`
    const headers = t.auth(t.operatorToken)
    expect((await t.app.inject({ method: 'PATCH', url, headers, payload: { name: 'X' } })).statusCode).toBe(428)
    const ok = await t.app.inject({
      method: 'PATCH',
      url,
      headers: { ...headers, 'if-match': '"v1"' },
      payload: { name: 'Renamed' },
    })
    expect(ok.statusCode).toBe(200)
    expect(ok.headers.etag).toBe('"v2"')
    const stale = await t.app.inject({
      method: 'PATCH',
      url,
      headers: { ...headers, 'if-match': '"v1"' },
      payload: { name: 'Lost update' },
    })
    expect(stale.statusCode).toBe(412)
    expect(stale.json().code).toBe('ETAG_MISMATCH')
  })

  it('answers 404 for a tenant that does not exist', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/v1/tenants/00000000-0000-4000-8000-000000000000',
      headers: t.auth(t.operatorToken),
    })
    expect(response.statusCode).toBe(404)
    expect(response.json().code).toBe('TENANT_NOT_FOUND')
  })

  it('resolves anonymous requests by subdomain and registered domain, never by header', async () => {
    const { id, slug } = await t.createTenant({ domains: [`learn-${Date.now()}.example.org`] })
    const bySub = await t.app.inject({ method: 'GET', url: '/v1/site', headers: { host: `${slug}.localhost` } })
    expect(bySub.statusCode).toBe(200)
    expect(bySub.json().slug).toBe(slug)
    const tenant = (
      await t.app.inject({ method: 'GET', url: `/v1/tenants/${id}`, headers: t.auth(t.operatorToken) })
    ).json()
    const byDomain = await t.app.inject({ method: 'GET', url: '/v1/site', headers: { host: tenant.domains[0] } })
    expect(byDomain.json().slug).toBe(slug)
    const spoofed = await t.app.inject({
      method: 'GET',
      url: '/v1/site',
      headers: { host: 'localhost', 'x-tenant-id': tenant.id, 'x-tenant': slug },
    })
    expect(spoofed.statusCode).toBe(400)
    expect(spoofed.json().code).toBe('TENANT_REQUIRED')
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/v1/site',
      headers: { host: 'no-such-tenant.localhost' },
    })
    expect(unknown.statusCode).toBe(404)
  })

  it('rejects a tenant token on another tenant host and suspends access with the tenant', async () => {
    const a = await t.createTenant()
    const b = await t.createTenant()
    const tokenA = await t.tokenFor(a.id, ['tenant_admin'])
    const mismatch = await t.app.inject({
      method: 'GET',
      url: '/v1/tenant',
      headers: { ...t.auth(tokenA), host: `${b.slug}.localhost` },
    })
    expect(mismatch.statusCode).toBe(403)
    expect(mismatch.json().code).toBe('TENANT_MISMATCH')
    const own = await t.app.inject({ method: 'GET', url: '/v1/tenant', headers: t.auth(tokenA) })
    expect(own.json().id).toBe(a.id)
    await t.app.inject({
      method: 'PATCH',
      url: `/v1/tenants/${a.id}`,
      headers: { ...t.auth(t.operatorToken), 'if-match': '"v1"' },
      payload: { status: 'suspended' },
    })
    const suspended = await t.app.inject({ method: 'GET', url: '/v1/tenant', headers: t.auth(tokenA) })
    expect(suspended.statusCode).toBe(403)
    expect(suspended.json().code).toBe('TENANT_SUSPENDED')
  })

  it('serves a fully qualified host with its trailing dot as the same host', async () => {
    const { id, slug } = await t.createTenant({ domains: [`fqdn-${Date.now()}.example.org`] })
    const bySub = await t.app.inject({ method: 'GET', url: '/v1/site', headers: { host: `${slug}.localhost.` } })
    expect(bySub.statusCode).toBe(200)
    expect(bySub.json().slug).toBe(slug)
    const withPort = await t.app.inject({
      method: 'GET',
      url: '/v1/site',
      headers: { host: `${slug}.LOCALHOST.:3000` },
    })
    expect(withPort.json().slug).toBe(slug)
    const tenant = (
      await t.app.inject({ method: 'GET', url: `/v1/tenants/${id}`, headers: t.auth(t.operatorToken) })
    ).json()
    const byDomain = await t.app.inject({ method: 'GET', url: '/v1/site', headers: { host: `${tenant.domains[0]}.` } })
    expect(byDomain.json().slug).toBe(slug)
    // A token of the tenant is on its own host there, not on another one.
    const token = await t.tokenFor(id, ['tenant_admin'])
    const own = await t.app.inject({
      method: 'GET',
      url: '/v1/tenant',
      headers: { ...t.auth(token), host: `${slug}.localhost.` },
    })
    expect(own.statusCode).toBe(200)
  })

  it('answers 404 TENANT_NOT_FOUND for a deeper subdomain of a tenant, as for an unknown one', async () => {
    const { slug } = await t.createTenant()
    for (const host of [`x.${slug}.localhost`, `a.b.${slug}.localhost.`, 'no-such-tenant.localhost']) {
      const response = await t.app.inject({ method: 'GET', url: '/v1/site', headers: { host } })
      expect(response.statusCode, host).toBe(404)
      expect(response.json().code, host).toBe('TENANT_NOT_FOUND')
    }
    // The platform's own names stay platform hosts (tenant-scoped routes need a tenant there).
    const platform = await t.app.inject({ method: 'GET', url: '/v1/site', headers: { host: 'localhost.' } })
    expect(platform.json().code).toBe('TENANT_REQUIRED')
  })

  it('answers 404 TENANT_NOT_FOUND on every operator route under an unknown tenant, lists included', async () => {
    const headers = t.auth(t.operatorToken)
    const unknown = '00000000-0000-4000-8000-000000000000'
    for (const url of [
      `/v1/tenants/${unknown}/impersonations`,
      `/v1/tenants/${unknown}/flags`,
      `/v1/tenants/${unknown}/impersonations/${unknown}/token`,
    ]) {
      const response = await t.app.inject({ method: url.endsWith('/token') ? 'POST' : 'GET', url, headers })
      expect(response.statusCode, url).toBe(404)
      expect(response.json().code, url).toBe('TENANT_NOT_FOUND')
    }
    // A known tenant with nothing in it is an empty list, not a 404.
    const { id } = await t.createTenant()
    const empty = await t.app.inject({ method: 'GET', url: `/v1/tenants/${id}/impersonations`, headers })
    expect(empty.statusCode).toBe(200)
    expect(empty.json()).toEqual({ data: [], nextCursor: null })
  })

  it('removes a registered domain longer than 100 characters (the router accepts DNS-length segments)', async () => {
    const { id } = await t.createTenant()
    const headers = t.auth(t.operatorToken)
    const domain = `${'a'.repeat(60)}.${'b'.repeat(60)}.d${Date.now()}.example.net`
    expect(domain.length).toBeGreaterThan(100)
    const added = await t.app.inject({ method: 'POST', url: `/v1/tenants/${id}/domains`, headers, payload: { domain } })
    expect(added.statusCode).toBe(201)
    const removed = await t.app.inject({ method: 'DELETE', url: `/v1/tenants/${id}/domains/${domain}`, headers })
    expect(removed.statusCode).toBe(204)
  })

  it('manages custom domains', async () => {
    const { id } = await t.createTenant()
    const headers = t.auth(t.operatorToken)
    const domain = `d${Date.now()}.example.net`
    expect(
      (await t.app.inject({ method: 'POST', url: `/v1/tenants/${id}/domains`, headers, payload: { domain } }))
        .statusCode,
    ).toBe(201)
    expect(
      (await t.app.inject({ method: 'POST', url: `/v1/tenants/${id}/domains`, headers, payload: { domain } })).json()
        .code,
    ).toBe('DOMAIN_TAKEN')
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/v1/tenants/${id}/domains/${domain}`, headers })).statusCode,
    ).toBe(204)
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/v1/tenants/${id}/domains/${domain}`, headers })).statusCode,
    ).toBe(404)
  })
})
