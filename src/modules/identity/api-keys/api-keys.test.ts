import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../../platform/db/database.ts'
import { createLogger } from '../../../platform/observability/logger.ts'
import type { TenantRole } from '../../../platform/http/permissions.ts'
import { apiKeys } from '../identity.tables.ts'

// Every log line of this file's app, at trace level: no key secret may appear in any of them.
const lines: string[] = []
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(chunk.toString('utf8'))
    done()
  },
})
const issuedSecrets: string[] = []

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({ logger: createLogger('trace', sink) })
})
afterAll(async () => t?.close())

type Method = 'GET' | 'POST' | 'DELETE'
interface Issued {
  id: string
  prefix: string
  secret: string
  scopes: string[]
  status: string
  expiresAt: string
  lastUsedAt: string | null
  replacedBy: string | null
}

async function tenantWithAdmin(roles: TenantRole[] = ['tenant_admin']) {
  const tenant = await t.createTenant()
  const adminId = randomUUID()
  const adminToken = await t.tokenFor(tenant.id, roles, adminId)
  const host = { host: `${tenant.slug}.localhost` }
  /** A call on the tenant's host with a bearer (the admin's token unless another is given). */
  const call = (method: Method, url: string, options: { payload?: object; bearer?: string } = {}) =>
    t.app.inject({
      method,
      url,
      headers: { ...host, ...t.auth(options.bearer ?? adminToken) },
      ...(options.payload ? { payload: options.payload } : {}),
    })
  const create = async (payload: object = { name: 'LMS sync', scopes: ['audit:read'] }): Promise<Issued> => {
    const response = await call('POST', '/v1/api-keys', { payload })
    expect(response.statusCode, response.body).toBe(201)
    const key = response.json() as Issued
    issuedSecrets.push(key.secret)
    return key
  }
  const rotate = async (id: string, payload: object = {}): Promise<Issued> => {
    const response = await call('POST', `/v1/api-keys/${id}/rotate`, { payload })
    expect(response.statusCode, response.body).toBe(201)
    const key = response.json() as Issued
    issuedSecrets.push(key.secret)
    return key
  }
  return { tenant, adminId, adminToken, call, create, rotate }
}

/** Changes a key's row as the platform role, standing in for the passing of time. */
const updateKey = (id: string, values: Partial<typeof apiKeys.$inferInsert>) =>
  t.platform.database.transaction(platformScope, (tx) => tx.update(apiKeys).set(values).where(eq(apiKeys.id, id)))
const storedKey = async (id: string) => {
  const [row] = await t.platform.database.transaction(platformScope, (tx) =>
    tx.select().from(apiKeys).where(eq(apiKeys.id, id)),
  )
  return row!
}

describe('API key management', () => {
  it('shows the secret once at creation; listings and lookups never show it or its hash', async () => {
    const { call, create } = await tenantWithAdmin()
    const key = await create({ name: 'LMS sync', scopes: ['members:read', 'audit:read', 'audit:read'] })
    expect(key.secret).toMatch(/^lyk1_[0-9a-f]{12}\.[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/)
    expect(key.secret.startsWith(`${key.prefix}.`)).toBe(true)
    expect(key).toMatchObject({
      name: 'LMS sync',
      scopes: ['audit:read', 'members:read'],
      status: 'active',
      lastUsedAt: null,
      replacedBy: null,
    })
    const days = (Date.parse(key.expiresAt) - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(89.9)
    expect(days).toBeLessThanOrEqual(90)

    const stored = await storedKey(key.id)
    expect(stored.secretHash).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(stored)).not.toContain(key.secret.split('.')[2])

    const secretPart = key.secret.split('.')[2]!
    const list = await call('GET', '/v1/api-keys')
    expect(list.statusCode).toBe(200)
    expect(list.json().data).toEqual([expect.objectContaining({ id: key.id, prefix: key.prefix })])
    expect(list.json().data[0]).not.toHaveProperty('secret')
    const one = await call('GET', `/v1/api-keys/${key.id}`)
    expect(one.statusCode).toBe(200)
    expect(one.json()).not.toHaveProperty('secret')
    for (const body of [list.body, one.body]) {
      expect(body).not.toContain(secretPart)
      expect(body).not.toContain(stored.secretHash)
    }
  })

  it('pages the listing with a cursor', async () => {
    const { call, create } = await tenantWithAdmin()
    const keys = [await create(), await create(), await create()]
    const first = await call('GET', '/v1/api-keys?limit=2')
    expect(first.json().data.map((k: Issued) => k.id)).toEqual([keys[0]!.id, keys[1]!.id])
    const second = await call('GET', `/v1/api-keys?limit=2&cursor=${first.json().nextCursor}`)
    expect(second.json()).toEqual({ data: [expect.objectContaining({ id: keys[2]!.id })], nextCursor: null })
  })

  it('refuses members without api_keys:manage', async () => {
    for (const roles of [['learner'], ['compliance'], ['instructor', 'finance']] as TenantRole[][]) {
      const { call } = await tenantWithAdmin(roles)
      const created = await call('POST', '/v1/api-keys', { payload: { name: 'x', scopes: ['audit:read'] } })
      expect(created.statusCode).toBe(403)
      expect(created.json()).toMatchObject({ code: 'PERMISSION_DENIED', permission: 'api_keys:manage' })
      expect((await call('GET', '/v1/api-keys')).statusCode).toBe(403)
    }
  })

  it('rejects unknown and never-grantable scopes with the path of the offending entry', async () => {
    const { call } = await tenantWithAdmin()
    for (const scope of [
      'audit:write',
      'api_keys:manage',
      'members:manage',
      'members:impersonate',
      'security:manage',
      'platform:tenants',
    ]) {
      const response = await call('POST', '/v1/api-keys', { payload: { name: 'x', scopes: ['audit:read', scope] } })
      expect(response.statusCode, scope).toBe(400)
      expect(response.json()).toMatchObject({
        code: 'UNKNOWN_SCOPE',
        errors: [{ path: 'body.scopes.1', code: 'enum' }],
      })
    }
    expect((await call('POST', '/v1/api-keys', { payload: { name: 'x', scopes: [] } })).statusCode).toBe(400)
    expect((await call('GET', '/v1/api-keys')).json().data).toEqual([])
  })

  it('accepts an expiry up to a year ahead and refuses one in the past or further out', async () => {
    const { call, create } = await tenantWithAdmin()
    const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString()
    const inAWeek = inDays(7)
    expect((await create({ name: 'x', scopes: ['audit:read'], expiresAt: inAWeek })).expiresAt).toBe(inAWeek)
    expect((await create({ name: 'x', scopes: ['audit:read'], expiresAt: inDays(364.9) })).status).toBe('active')
    for (const expiresAt of [inDays(-1), inDays(366)]) {
      const response = await call('POST', '/v1/api-keys', { payload: { name: 'x', scopes: ['audit:read'], expiresAt } })
      expect(response.statusCode).toBe(400)
      expect(response.json()).toMatchObject({ code: 'INVALID_EXPIRY', errors: [{ path: 'body.expiresAt' }] })
    }
  })

  it('refuses creating, rotating and revoking keys while impersonating an administrator', async () => {
    const { tenant, call, create } = await tenantWithAdmin()
    const key = await create()
    const adminId = randomUUID()
    await t.tokenFor(tenant.id, ['tenant_admin'], adminId)
    const started = await t.app.inject({
      method: 'POST',
      url: `/v1/tenants/${tenant.id}/impersonations`,
      headers: t.auth(t.operatorToken),
      payload: { userId: adminId, reason: 'Ticket 4711: integration misbehaves' },
    })
    expect(started.statusCode, started.body).toBe(201)
    const bearer = (started.json() as { accessToken: string }).accessToken
    expect((await call('GET', '/v1/api-keys', { bearer })).statusCode).toBe(200)
    const refused = [
      await call('POST', '/v1/api-keys', { bearer, payload: { name: 'x', scopes: ['audit:read'] } }),
      await call('POST', `/v1/api-keys/${key.id}/rotate`, { bearer, payload: {} }),
      await call('DELETE', `/v1/api-keys/${key.id}`, { bearer }),
    ]
    for (const response of refused)
      expect(response.json()).toMatchObject({ status: 403, code: 'IMPERSONATION_FORBIDDEN' })
    expect((await call('GET', `/v1/api-keys/${key.id}`)).json()).toMatchObject({ status: 'active', replacedBy: null })
  })

  it('answers 404 for a key that does not exist in this tenant, including another tenant’s', async () => {
    const a = await tenantWithAdmin()
    const b = await tenantWithAdmin()
    const key = await a.create()
    for (const [method, url] of [
      ['GET', `/v1/api-keys/${key.id}`],
      ['DELETE', `/v1/api-keys/${key.id}`],
      ['POST', `/v1/api-keys/${key.id}/rotate`],
    ] as const) {
      const response = await b.call(method, url, method === 'POST' ? { payload: {} } : {})
      expect(response.statusCode, `${method} ${url}`).toBe(404)
      expect(response.json().code).toBe('API_KEY_NOT_FOUND')
    }
    expect((await a.call('GET', `/v1/api-keys/${key.id}`)).json().status).toBe('active')
  })
})

describe('issuing a key is a credential change', () => {
  /** As if the administrator had signed in ten minutes ago: past the re-authentication window. */
  const ageSessions = (userId: string) =>
    t.platform.database.transaction(platformScope, (tx) =>
      tx.execute(
        sql`UPDATE identity.sessions SET created_at = created_at - interval '10 minutes' WHERE user_id = ${userId}`,
      ),
    )
  const mailsTo = (userId: string) =>
    t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ subject: string; text_body: string }>(
        tx,
        sql`SELECT subject, text_body FROM platform.mail_messages WHERE to_address = ${`member-${userId}@members.lyceum.test`}`,
      ),
    )

  it('needs a recent sign-in or the password: a stolen older session cannot mint or rotate a key (403 REAUTHENTICATION_REQUIRED)', async () => {
    const { adminId, call, create } = await tenantWithAdmin()
    const key = await create()
    await ageSessions(adminId)
    const created = await call('POST', '/v1/api-keys', { payload: { name: 'Exfiltration', scopes: ['members:read'] } })
    expect(created.statusCode, created.body).toBe(403)
    expect(created.json().code).toBe('REAUTHENTICATION_REQUIRED')
    const rotated = await call('POST', `/v1/api-keys/${key.id}/rotate`, { payload: {} })
    expect(rotated.json().code).toBe('REAUTHENTICATION_REQUIRED')
    const wrong = await call('POST', '/v1/api-keys', {
      payload: { name: 'Exfiltration', scopes: ['members:read'], password: 'not-the-password' },
    })
    expect(wrong.json().code).toBe('REAUTHENTICATION_REQUIRED')
    // Nothing was issued by the refused calls.
    expect((await call('GET', '/v1/api-keys')).json().data).toHaveLength(1)
  })

  it('mails the creator about each key issued in their name', async () => {
    const { adminId, create, rotate } = await tenantWithAdmin()
    const key = await create({ name: 'Nightly export', scopes: ['audit:read'] })
    const replacement = await rotate(key.id)
    const mails = (await mailsTo(adminId)).filter((m) => m.subject === 'An API key was created with your account')
    expect(mails).toHaveLength(2)
    expect(mails.map((m) => m.text_body).join('\n')).toContain(replacement.prefix)
    for (const mail of mails) expect(mail.text_body).not.toContain(key.secret.split('.')[2])
  })

  it('dies with its creator: a disabled administrator’s keys stop at their next request', async () => {
    const { tenant, adminId, create } = await tenantWithAdmin()
    const key = await create({ name: 'SIS sync', scopes: ['members:read'] })
    const host = { host: `${tenant.slug}.localhost` }
    const read = () => t.app.inject({ method: 'GET', url: '/v1/members', headers: { ...host, ...t.auth(key.secret) } })
    expect((await read()).statusCode).toBe(200)
    const other = await t.tokenFor(tenant.id, ['tenant_admin'])
    const disabled = await t.app.inject({
      method: 'PUT',
      url: `/v1/members/${adminId}/status`,
      headers: { ...host, ...t.auth(other) },
      payload: { status: 'disabled' },
    })
    expect(disabled.statusCode, disabled.body).toBe(200)
    const refused = await read()
    expect(refused.statusCode).toBe(401)
    expect(refused.json().code).toBe('INVALID_TOKEN')
  })
})

describe('API keys as bearer credentials', () => {
  it('act with exactly their scopes', async () => {
    const { call, create } = await tenantWithAdmin()
    const key = await create({ name: 'Auditor', scopes: ['audit:read'] })
    const audit = await call('GET', '/v1/audit-events', { bearer: key.secret })
    expect(audit.statusCode).toBe(200)
    const members = await call('GET', '/v1/members', { bearer: key.secret })
    expect(members.statusCode).toBe(403)
    expect(members.json()).toMatchObject({ code: 'PERMISSION_DENIED', permission: 'members:read' })
    // A key never manages keys, and never reaches operator routes.
    expect(
      (await call('POST', '/v1/api-keys', { bearer: key.secret, payload: { name: 'x', scopes: ['audit:read'] } }))
        .statusCode,
    ).toBe(403)
    expect((await t.app.inject({ method: 'GET', url: '/v1/tenants', headers: t.auth(key.secret) })).statusCode).toBe(
      403,
    )

    const reader = await create({ name: 'Directory', scopes: ['members:read'] })
    expect((await call('GET', '/v1/members', { bearer: reader.secret })).statusCode).toBe(200)
    expect((await call('GET', '/v1/audit-events', { bearer: reader.secret })).json()).toMatchObject({
      code: 'PERMISSION_DENIED',
      permission: 'audit:read',
    })
  })

  it('works without a tenant host (the key names its tenant) and is refused on another tenant’s host', async () => {
    const a = await tenantWithAdmin()
    const b = await tenantWithAdmin()
    const key = await a.create()
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/audit-events', headers: t.auth(key.secret) })).statusCode,
    ).toBe(200)
    const elsewhere = await b.call('GET', '/v1/audit-events', { bearer: key.secret })
    expect(elsewhere.statusCode).toBe(403)
    expect(elsewhere.json().code).toBe('TENANT_MISMATCH')
    // Naming tenant B inside the key finds nothing: the lookup runs in B's scope and the hash covers the whole key.
    const [prefix, , secret] = key.secret.split('.')
    const forged = await b.call('GET', '/v1/audit-events', { bearer: `${prefix}.${b.tenant.id}.${secret}` })
    expect(forged.statusCode).toBe(401)
    expect(forged.json().code).toBe('INVALID_TOKEN')
  })

  it('an unknown, altered, revoked or expired key is the same 401', async () => {
    const { call, create } = await tenantWithAdmin()
    const revoked = await create()
    const expired = await create()
    const live = await create()
    expect((await call('DELETE', `/v1/api-keys/${revoked.id}`)).statusCode).toBe(204)
    expect((await call('DELETE', `/v1/api-keys/${revoked.id}`)).statusCode).toBe(204)
    await updateKey(expired.id, { expiresAt: sql`now() - interval '1 second'` as unknown as Date })
    const last = live.secret.at(-1) === 'A' ? 'B' : 'A'
    const altered = `${live.secret.slice(0, -1)}${last}`
    const unknown = `lyk1_000000000000.${live.secret.split('.')[1]}.${'A'.repeat(43)}`
    const answers = []
    for (const bearer of [revoked.secret, expired.secret, altered, unknown]) {
      const response = await call('GET', '/v1/audit-events', { bearer })
      answers.push({ status: response.statusCode, code: response.json().code, detail: response.json().detail })
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1)
    expect(answers[0]).toMatchObject({ status: 401, code: 'INVALID_TOKEN' })
    expect((await call('GET', '/v1/audit-events', { bearer: live.secret })).statusCode).toBe(200)

    const views = (await call('GET', '/v1/api-keys')).json().data as Array<Issued & { revokedAt: string | null }>
    expect(views.find((k) => k.id === revoked.id)).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) })
    expect(views.find((k) => k.id === expired.id)?.status).toBe('expired')
  })

  it('records the last use at most once a minute', async () => {
    const { call, create } = await tenantWithAdmin()
    const key = await create()
    expect((await call('GET', '/v1/audit-events', { bearer: key.secret })).statusCode).toBe(200)
    const firstUse = (await storedKey(key.id)).lastUsedAt
    expect(firstUse).toBeInstanceOf(Date)
    expect((await call('GET', '/v1/audit-events', { bearer: key.secret })).statusCode).toBe(200)
    expect((await storedKey(key.id)).lastUsedAt).toEqual(firstUse)

    const earlier = new Date(Date.now() - 120_000)
    await updateKey(key.id, { lastUsedAt: earlier })
    expect((await call('GET', '/v1/audit-events', { bearer: key.secret })).statusCode).toBe(200)
    const latest = (await storedKey(key.id)).lastUsedAt!
    expect(latest.getTime()).toBeGreaterThan(earlier.getTime() + 60_000)
    expect((await call('GET', `/v1/api-keys/${key.id}`)).json().lastUsedAt).toBe(latest.toISOString())
  })
})

describe('API key rotation', () => {
  it('issues a new key; the old one keeps working within the grace period and cannot be rotated twice', async () => {
    const { call, create, rotate } = await tenantWithAdmin()
    const old = await create({ name: 'Payroll export', scopes: ['audit:read', 'members:read'] })
    const fresh = await rotate(old.id)
    expect(fresh).toMatchObject({ name: 'Payroll export', scopes: ['audit:read', 'members:read'], status: 'active' })
    expect(fresh.id).not.toBe(old.id)
    expect(fresh.secret).not.toBe(old.secret)
    for (const bearer of [old.secret, fresh.secret])
      expect((await call('GET', '/v1/audit-events', { bearer })).statusCode).toBe(200)

    const oldView = (await call('GET', `/v1/api-keys/${old.id}`)).json() as Issued
    expect(oldView).toMatchObject({ status: 'active', replacedBy: fresh.id })
    expect(Date.parse(oldView.expiresAt) - Date.now()).toBeLessThanOrEqual(86_400_000)
    expect(Date.parse(oldView.expiresAt) - Date.now()).toBeGreaterThan(86_400_000 - 60_000)

    const again = await call('POST', `/v1/api-keys/${old.id}/rotate`, { payload: {} })
    expect(again.statusCode).toBe(409)
    expect(again.json().code).toBe('API_KEY_NOT_ROTATABLE')

    // The grace period ends: the old key stops, the new one goes on.
    await updateKey(old.id, { expiresAt: sql`now() - interval '1 second'` as unknown as Date })
    expect((await call('GET', '/v1/audit-events', { bearer: old.secret })).statusCode).toBe(401)
    expect((await call('GET', '/v1/audit-events', { bearer: fresh.secret })).statusCode).toBe(200)
  })

  it('with graceSeconds 0 the old key stops at once', async () => {
    const { call, create, rotate } = await tenantWithAdmin()
    const old = await create()
    const fresh = await rotate(old.id, { graceSeconds: 0 })
    expect((await call('GET', '/v1/audit-events', { bearer: old.secret })).statusCode).toBe(401)
    expect((await call('GET', '/v1/audit-events', { bearer: fresh.secret })).statusCode).toBe(200)
    expect((await call('GET', `/v1/api-keys/${old.id}`)).json()).toMatchObject({
      status: 'revoked',
      replacedBy: fresh.id,
    })
    expect(
      (await call('POST', `/v1/api-keys/${fresh.id}/rotate`, { payload: { graceSeconds: 86_401 } })).statusCode,
    ).toBe(400)
  })

  it('refuses to rotate a revoked key', async () => {
    const { call, create } = await tenantWithAdmin()
    const key = await create()
    await call('DELETE', `/v1/api-keys/${key.id}`)
    const response = await call('POST', `/v1/api-keys/${key.id}/rotate`, { payload: {} })
    expect(response.statusCode).toBe(409)
    expect(response.json().code).toBe('API_KEY_NOT_ROTATABLE')
  })
})

describe('API key audit and logs', () => {
  it('audits creation, rotation and revocation, and requests made with a key name it as the actor', async () => {
    const { call, create, rotate } = await tenantWithAdmin()
    const key = await create()
    const fresh = await rotate(key.id)
    await call('DELETE', `/v1/api-keys/${fresh.id}`)
    const auditor = await create({ name: 'Auditor', scopes: ['audit:read'] })
    const events = (await call('GET', '/v1/audit-events?targetType=api_key', { bearer: auditor.secret })).json()
      .data as Array<Record<string, unknown>>
    const summary = events.map((e) => [e.action, e.targetId, e.actorType])
    expect(summary).toEqual(
      expect.arrayContaining([
        ['api_key.created', key.id, 'user'],
        ['api_key.rotated', key.id, 'user'],
        ['api_key.revoked', fresh.id, 'user'],
        ['api_key.created', auditor.id, 'user'],
      ]),
    )
    const rotated = events.find((e) => e.action === 'api_key.rotated')
    expect(rotated?.details).toMatchObject({ replacedBy: fresh.id, graceSeconds: 86_400, prefix: key.prefix })
    for (const secret of [key.secret, fresh.secret, auditor.secret])
      expect(JSON.stringify(events)).not.toContain(secret.split('.')[2])
  })

  it('never writes a key secret to the log', async () => {
    // Runs last in this file: every key issued above was created, used, rotated or refused by now.
    const { call, create } = await tenantWithAdmin()
    const key = await create()
    await call('DELETE', `/v1/api-keys/${key.id}`)
    await call('GET', '/v1/audit-events', { bearer: key.secret })
    expect(issuedSecrets.length).toBeGreaterThan(10)
    expect(lines.length).toBeGreaterThan(50)
    const log = lines.join('')
    expect(log).toContain('apiKeyId')
    for (const secret of issuedSecrets) expect(log).not.toContain(secret.split('.')[2])
  })
})
