import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { FLAG_CATALOGUE } from './flags.catalogue.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

const DECLARED = Object.keys(FLAG_CATALOGUE).sort()
const UNKNOWN_TENANT = '00000000-0000-4000-8000-000000000000'

async function adminOfNewTenant(extra: Record<string, unknown> = {}) {
  const tenant = await t.createTenant(extra)
  const userId = crypto.randomUUID()
  const token = await t.tokenFor(tenant.id, ['tenant_admin'], userId)
  return { ...tenant, userId, headers: t.auth(token) }
}

const setFlag = (headers: Record<string, string>, key: string, enabled: boolean) =>
  t.app.inject({ method: 'PUT', url: `/v1/flags/${key}`, headers, payload: { enabled } })

describe('feature flags for a tenant', () => {
  it('gives a cold tenant every declared flag at its default', async () => {
    const { headers } = await adminOfNewTenant()
    const response = await t.app.inject({ method: 'GET', url: '/v1/flags', headers })
    expect(response.statusCode).toBe(200)
    const { data, nextCursor } = response.json()
    expect(nextCursor).toBeNull()
    expect(data.map((f: { key: string }) => f.key)).toEqual(DECLARED)
    for (const flag of data) {
      const declared = FLAG_CATALOGUE[flag.key as keyof typeof FLAG_CATALOGUE]
      expect(flag).toEqual({
        key: flag.key,
        description: declared.description,
        exposed: declared.exposed,
        default: declared.defaultEnabled,
        override: null,
        enabled: declared.defaultEnabled,
        updatedBy: null,
        updatedAt: null,
      })
    }
    // Every capability that ships is on in a cold environment.
    expect(data.every((f: { enabled: boolean }) => f.enabled)).toBe(true)
  })

  it('lets a tenant admin override a flag and reset it to the default', async () => {
    const { headers, userId } = await adminOfNewTenant()
    const set = await setFlag(headers, 'tenancy.public_site', false)
    expect(set.statusCode).toBe(200)
    expect(set.json()).toMatchObject({
      key: 'tenancy.public_site',
      default: true,
      override: false,
      enabled: false,
      updatedBy: `user:${userId}`,
    })
    expect(Date.parse(set.json().updatedAt)).not.toBeNaN()

    const listed = (await t.app.inject({ method: 'GET', url: '/v1/flags', headers })).json().data
    expect(listed.find((f: { key: string }) => f.key === 'tenancy.public_site')).toMatchObject({
      override: false,
      enabled: false,
    })

    const reset = await t.app.inject({ method: 'DELETE', url: '/v1/flags/tenancy.public_site', headers })
    expect(reset.statusCode).toBe(204)
    expect(reset.body).toBe('')
    const after = (await t.app.inject({ method: 'GET', url: '/v1/flags', headers })).json().data
    expect(after.find((f: { key: string }) => f.key === 'tenancy.public_site')).toMatchObject({
      override: null,
      enabled: true,
    })
  })

  it('pages through the flags by key', async () => {
    const { headers } = await adminOfNewTenant()
    const first = (await t.app.inject({ method: 'GET', url: '/v1/flags?limit=1', headers })).json()
    expect(first.data.map((f: { key: string }) => f.key)).toEqual([DECLARED[0]])
    expect(first.nextCursor).toEqual(expect.any(String))
    const second = (
      await t.app.inject({ method: 'GET', url: `/v1/flags?limit=1&cursor=${first.nextCursor}`, headers })
    ).json()
    expect(second.data.map((f: { key: string }) => f.key)).toEqual([DECLARED[1]])
  })

  it('refuses learners (403), anonymous callers (401) and operators on tenant routes', async () => {
    const tenant = await t.createTenant()
    const learner = t.auth(await t.tokenFor(tenant.id, ['learner']))
    for (const request of [
      { method: 'GET' as const, url: '/v1/flags' },
      { method: 'PUT' as const, url: '/v1/flags/tenancy.public_site', payload: { enabled: false } },
      { method: 'DELETE' as const, url: '/v1/flags/tenancy.public_site' },
    ]) {
      const denied = await t.app.inject({ ...request, headers: learner })
      expect(denied.statusCode).toBe(403)
      expect(denied.json()).toMatchObject({ code: 'PERMISSION_DENIED' })
      expect((await t.app.inject({ ...request, headers: { host: `${tenant.slug}.localhost` } })).statusCode).toBe(401)
      expect((await t.app.inject({ ...request, headers: t.auth(t.operatorToken) })).json().code).toBe(
        'TENANT_MEMBER_REQUIRED',
      )
    }
    // The learner's attempt changed nothing.
    const admin = t.auth(await t.tokenFor(tenant.id, ['tenant_admin']))
    const flags = (await t.app.inject({ method: 'GET', url: '/v1/flags', headers: admin })).json().data
    expect(flags.every((f: { override: unknown }) => f.override === null)).toBe(true)
  })

  it('rejects a malformed body with each field path', async () => {
    const { headers } = await adminOfNewTenant()
    const missing = await t.app.inject({ method: 'PUT', url: '/v1/flags/tenancy.public_site', headers, payload: {} })
    expect(missing.statusCode).toBe(400)
    expect(missing.json().errors).toEqual([expect.objectContaining({ path: 'body.enabled', code: 'required' })])
    const wrong = await t.app.inject({
      method: 'PUT',
      url: '/v1/flags/tenancy.public_site',
      headers,
      payload: { enabled: 'maybe', extra: 1 },
    })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.json().errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['body.enabled', 'body.extra']),
    )
    const badKey = await t.app.inject({ method: 'DELETE', url: '/v1/flags/Not%20A%20Key', headers })
    expect(badKey.statusCode).toBe(400)
    expect(badKey.json().errors[0].path).toBe('params.key')
  })

  it('answers 404 FLAG_NOT_FOUND for a flag that is not declared', async () => {
    const { headers } = await adminOfNewTenant()
    for (const response of [
      await setFlag(headers, 'tenancy.no_such_flag', true),
      await t.app.inject({ method: 'DELETE', url: '/v1/flags/tenancy.no_such_flag', headers }),
    ]) {
      expect(response.statusCode).toBe(404)
      expect(response.headers['content-type']).toContain('application/problem+json')
      expect(response.json()).toMatchObject({ code: 'FLAG_NOT_FOUND', flag: 'tenancy.no_such_flag' })
    }
  })

  it("keeps one tenant's override away from another tenant", async () => {
    const a = await adminOfNewTenant()
    const b = await adminOfNewTenant()
    expect((await setFlag(a.headers, 'tenancy.public_site', false)).statusCode).toBe(200)
    const bFlags = (await t.app.inject({ method: 'GET', url: '/v1/flags', headers: b.headers })).json().data
    expect(bFlags.find((f: { key: string }) => f.key === 'tenancy.public_site')).toMatchObject({
      override: null,
      enabled: true,
    })
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/site', headers: { host: `${b.slug}.localhost` } })).statusCode,
    ).toBe(200)
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/site', headers: { host: `${a.slug}.localhost` } })).statusCode,
    ).toBe(403)
  })
})

describe('the audit trail of flag changes', () => {
  it('records one entry per change with the old and new values, visible in /v1/audit-events', async () => {
    const { headers, userId } = await adminOfNewTenant()
    await setFlag(headers, 'tenancy.public_site', false)
    await setFlag(headers, 'tenancy.public_site', false) // no change: no entry
    await setFlag(headers, 'tenancy.public_site', true)
    await t.app.inject({ method: 'DELETE', url: '/v1/flags/tenancy.public_site', headers })
    await t.app.inject({ method: 'DELETE', url: '/v1/flags/tenancy.public_site', headers }) // already default: no entry

    const audit = await t.app.inject({ method: 'GET', url: '/v1/audit-events?targetType=flag', headers })
    expect(audit.statusCode).toBe(200)
    const entries = audit.json().data
    expect(entries.map((e: { action: string }) => e.action)).toEqual([
      'flag.reset',
      'flag.overridden',
      'flag.overridden',
    ])
    for (const entry of entries)
      expect(entry).toMatchObject({
        actorType: 'user',
        actorId: userId,
        targetType: 'flag',
        targetId: 'tenancy.public_site',
        outcome: 'success',
      })
    expect(entries.map((e: { details: unknown }) => e.details)).toEqual([
      { flag: 'tenancy.public_site', old: { override: true, enabled: true }, new: { override: null, enabled: true } },
      { flag: 'tenancy.public_site', old: { override: false, enabled: false }, new: { override: true, enabled: true } },
      { flag: 'tenancy.public_site', old: { override: null, enabled: true }, new: { override: false, enabled: false } },
    ])
  })
})

describe('operator flag routes', () => {
  it("lets an operator override and reset a tenant's flag, audited with the tenant", async () => {
    const tenant = await adminOfNewTenant()
    const op = t.auth(t.operatorToken)
    const url = `/v1/tenants/${tenant.id}/flags/tenancy.custom_domains`
    const set = await t.app.inject({ method: 'PUT', url, headers: op, payload: { enabled: false } })
    expect(set.statusCode).toBe(200)
    expect(set.json()).toMatchObject({
      key: 'tenancy.custom_domains',
      override: false,
      enabled: false,
      updatedBy: `operator:${String(decodeJwt(t.operatorToken).sub)}`,
    })

    const listed = await t.app.inject({ method: 'GET', url: `/v1/tenants/${tenant.id}/flags`, headers: op })
    expect(listed.statusCode).toBe(200)
    expect(listed.json().data.find((f: { key: string }) => f.key === 'tenancy.custom_domains')).toMatchObject({
      override: false,
    })
    // The tenant's own view shows the operator's override.
    const own = (await t.app.inject({ method: 'GET', url: '/v1/flags', headers: tenant.headers })).json().data
    expect(own.find((f: { key: string }) => f.key === 'tenancy.custom_domains')).toMatchObject({
      override: false,
      updatedBy: `operator:${String(decodeJwt(t.operatorToken).sub)}`,
    })

    const reset = await t.app.inject({ method: 'DELETE', url, headers: op })
    expect(reset.statusCode).toBe(204)
    const afterReset = await t.app.inject({ method: 'GET', url: `/v1/tenants/${tenant.id}/flags`, headers: op })
    expect(afterReset.json().data.find((f: { key: string }) => f.key === 'tenancy.custom_domains')).toMatchObject({
      override: null,
      enabled: true,
    })
    const audit = (
      await t.app.inject({
        method: 'GET',
        url: '/v1/audit-events?targetId=tenancy.custom_domains',
        headers: tenant.headers,
      })
    ).json().data
    expect(audit.map((e: { action: string; actorType: string }) => [e.action, e.actorType])).toEqual([
      ['flag.reset', 'operator'],
      ['flag.overridden', 'operator'],
    ])
  })

  it('answers 404 for an unknown tenant or flag and refuses non-operators', async () => {
    const op = t.auth(t.operatorToken)
    const unknownTenant = await t.app.inject({
      method: 'PUT',
      url: `/v1/tenants/${UNKNOWN_TENANT}/flags/tenancy.public_site`,
      headers: op,
      payload: { enabled: false },
    })
    expect(unknownTenant.statusCode).toBe(404)
    expect(unknownTenant.json().code).toBe('TENANT_NOT_FOUND')
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/tenants/${UNKNOWN_TENANT}/flags`, headers: op })).json().code,
    ).toBe('TENANT_NOT_FOUND')
    const tenant = await adminOfNewTenant()
    const unknownFlag = await t.app.inject({
      method: 'DELETE',
      url: `/v1/tenants/${tenant.id}/flags/tenancy.nope`,
      headers: op,
    })
    expect(unknownFlag.json()).toMatchObject({ status: 404, code: 'FLAG_NOT_FOUND' })
    const byAdmin = await t.app.inject({
      method: 'PUT',
      url: `/v1/tenants/${tenant.id}/flags/tenancy.public_site`,
      headers: tenant.headers,
      payload: { enabled: false },
    })
    expect(byAdmin.statusCode).toBe(403)
    expect(byAdmin.json().code).toBe('OPERATOR_REQUIRED')
    expect((await t.app.inject({ method: 'GET', url: `/v1/tenants/${tenant.id}/flags` })).statusCode).toBe(401)
  })
})
