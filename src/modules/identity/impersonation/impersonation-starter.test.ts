/**
 * An impersonation is a credential derived from the session that started it (issue 9, defect 1):
 * it dies with that session and with its starter's authority. Each way the starter's authority
 * ends must end the impersonation's token on its next request (401 IMPERSONATION_ENDED), mark
 * the impersonation ended and audit why.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import { STRONG_PASSWORD, sessionsClient } from '../sessions/sessions.testing.ts'
import { signedInOperator } from '../testing.ts'

let t: TestApp
let client: ReturnType<typeof sessionsClient>

beforeAll(async () => {
  t = await buildTestApp({ env: { RATE_LIMITS: 'auth=1000/10000' } })
  client = sessionsClient(t)
})
afterAll(async () => t?.close())

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'
const REASON = 'Ticket 9001: learner reports a missing certificate'
const COOKIE = '__Host-lyceum_session'

interface Started {
  impersonation: { id: string; actor: string; startedFromSession: string | null; active: boolean }
  accessToken: string
}

const harness = () => ({ database: t.platform.database, identity: t.modules.identity })

async function tenantWithAdmins() {
  const tenant = await t.createTenant()
  const adminId = randomUUID()
  const admin = await t.tokenFor(tenant.id, ['tenant_admin'], adminId)
  const otherAdmin = await t.tokenFor(tenant.id, ['tenant_admin'])
  const learnerId = randomUUID()
  await t.tokenFor(tenant.id, ['learner'], learnerId)
  const request = (method: Method, url: string, headers: Record<string, string>, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { host: `${tenant.slug}.localhost`, ...headers },
      ...(payload ? { payload } : {}),
    })
  const bearer = (method: Method, url: string, token: string, payload?: object) =>
    request(method, url, t.auth(token), payload)
  return { tenant, admin, adminId, otherAdmin, learnerId, request, bearer }
}

async function started(response: { statusCode: number; body: string; json(): unknown }): Promise<Started> {
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as Started
}

const sessionIdOf = (token: string): string => {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sid: string }
  return payload.sid
}

/** The impersonation's token is refused with a problem document, its row is ended and the cause audited. */
async function expectEnded(
  call: (token: string) => Promise<{ statusCode: number; headers: Record<string, unknown>; json(): unknown }>,
  impersonation: Started,
  cause: string | undefined,
) {
  const refused = await call(impersonation.accessToken)
  expect(refused.statusCode).toBe(401)
  expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/)
  expect(refused.json()).toMatchObject({ status: 401, code: 'IMPERSONATION_ENDED' })
  if (cause === undefined) return
  const [row] = await client.query<{ ended: boolean }>(
    sql`SELECT ended_at IS NOT NULL AS ended FROM identity.impersonations WHERE id = ${impersonation.impersonation.id}`,
  )
  expect(row?.ended).toBe(true)
  const audits = await client.query<{ details: Record<string, unknown> }>(
    sql`SELECT details FROM platform.audit_log WHERE action = 'impersonation.ended'
        AND details->>'impersonationId' = ${impersonation.impersonation.id}`,
  )
  expect(audits).toHaveLength(1)
  expect(audits[0]?.details).toMatchObject({
    cause,
    startedFromSession: impersonation.impersonation.startedFromSession,
  })
}

describe("an administrator's impersonation", () => {
  it('is bound to the session it was started from, which the listing shows, and renews only from it', async () => {
    const { tenant, adminId, admin, learnerId, bearer } = await tenantWithAdmins()
    const body = await started(await bearer('POST', '/v1/impersonations', admin, { userId: learnerId, reason: REASON }))
    expect(body.impersonation.startedFromSession).toBe(sessionIdOf(admin))
    const listed = await bearer('GET', `/v1/impersonations?userId=${learnerId}`, admin)
    expect(listed.json().data).toMatchObject([
      { id: body.impersonation.id, actor: `user:${adminId}`, startedFromSession: sessionIdOf(admin) },
    ])
    // The same administrator from another session may not renew it: the token would die with a session it does not hold.
    const otherSession = await t.tokenFor(tenant.id, ['tenant_admin'], adminId)
    const renewed = await bearer('POST', `/v1/impersonations/${body.impersonation.id}/token`, otherSession)
    expect(renewed.statusCode).toBe(403)
    expect(renewed.json().code).toBe('NOT_IMPERSONATION_ACTOR')
    expect((await bearer('POST', `/v1/impersonations/${body.impersonation.id}/token`, admin)).statusCode).toBe(200)
  })

  it('ends when the administrator logs out', async () => {
    const { admin, learnerId, bearer } = await tenantWithAdmins()
    const body = await started(await bearer('POST', '/v1/impersonations', admin, { userId: learnerId, reason: REASON }))
    expect((await bearer('GET', '/v1/me', body.accessToken)).statusCode).toBe(200)
    expect((await bearer('POST', '/v1/auth/logout', admin)).statusCode).toBe(204)
    await expectEnded((token) => bearer('GET', '/v1/me', token), body, 'logout')
  })

  it('ends when the administrator logs out everywhere', async () => {
    const { admin, learnerId, bearer } = await tenantWithAdmins()
    const body = await started(await bearer('POST', '/v1/impersonations', admin, { userId: learnerId, reason: REASON }))
    expect((await bearer('POST', '/v1/auth/logout-all', admin)).statusCode).toBe(200)
    await expectEnded((token) => bearer('GET', '/v1/me', token), body, 'logout_all')
  })

  it('ends when the administrator is disabled', async () => {
    const { adminId, admin, otherAdmin, learnerId, bearer } = await tenantWithAdmins()
    const body = await started(await bearer('POST', '/v1/impersonations', admin, { userId: learnerId, reason: REASON }))
    const disabled = await bearer('PUT', `/v1/members/${adminId}/status`, otherAdmin, { status: 'disabled' })
    expect(disabled.statusCode, disabled.body).toBe(200)
    await expectEnded((token) => bearer('GET', '/v1/me', token), body, 'member_disabled')
  })

  it('ends when the browser session it was started from signs out', async () => {
    const { tenant, learnerId, request } = await tenantWithAdmins()
    const email = await client.signUp(tenant.slug)
    const [user] = await client.query<{ id: string }>(
      sql`SELECT id FROM identity.users WHERE tenant_id = ${tenant.id} AND email = ${email}`,
    )
    const granted = await t.app.inject({
      method: 'PUT',
      url: `/v1/tenants/${tenant.id}/members/${user!.id}/roles/tenant_admin`,
      headers: t.auth(t.operatorToken),
    })
    expect(granted.statusCode).toBe(200)
    const signIn = await request('POST', '/v1/browser-sessions', {}, { email, password: STRONG_PASSWORD })
    expect(signIn.statusCode, signIn.body).toBe(200)
    const cookie = String(signIn.headers['set-cookie'])
      .split(';')[0]!
      .slice(COOKIE.length + 1)
    const { csrfToken, session } = signIn.json() as { csrfToken: string; session: { id: string } }
    const browser = { cookie: `${COOKIE}=${cookie}`, 'x-csrf-token': csrfToken }
    const body = await started(
      await request('POST', '/v1/impersonations', browser, { userId: learnerId, reason: REASON }),
    )
    expect(body.impersonation.startedFromSession).toBe(session.id)
    expect((await request('GET', '/v1/me', t.auth(body.accessToken))).statusCode).toBe(200)
    expect((await request('DELETE', '/v1/browser-sessions/current', browser)).statusCode).toBe(204)
    await expectEnded((token) => request('GET', '/v1/me', t.auth(token)), body, 'logout')
  })

  it('is refused as soon as its starting session is no longer live, however that session ended', async () => {
    const { admin, learnerId, bearer } = await tenantWithAdmins()
    const body = await started(await bearer('POST', '/v1/impersonations', admin, { userId: learnerId, reason: REASON }))
    // A path that ends the session without knowing about impersonations: the request check still holds.
    await client.query(
      sql`UPDATE identity.sessions SET expires_at = now() - interval '1 second' WHERE id = ${sessionIdOf(admin)}`,
    )
    await expectEnded((token) => bearer('GET', '/v1/me', token), body, undefined)
  })
})

describe("an operator's impersonation", () => {
  async function operatorImpersonating() {
    const { tenant, learnerId, bearer } = await tenantWithAdmins()
    const operator = await signedInOperator(harness(), 'impersonator')
    const response = await t.app.inject({
      method: 'POST',
      url: `/v1/tenants/${tenant.id}/impersonations`,
      headers: t.auth(operator.accessToken),
      payload: { userId: learnerId, reason: REASON },
    })
    const body = await started(response)
    expect(body.impersonation).toMatchObject({
      actor: `operator:${operator.id}`,
      startedFromSession: operator.sessionId,
    })
    expect((await bearer('GET', '/v1/me', body.accessToken)).statusCode).toBe(200)
    return { operator, body, bearer }
  }

  it('ends when the operator signs out', async () => {
    const { operator, body, bearer } = await operatorImpersonating()
    const out = await t.app.inject({
      method: 'DELETE',
      url: '/v1/operator/sessions/current',
      headers: t.auth(operator.accessToken),
    })
    expect(out.statusCode).toBe(204)
    await expectEnded((token) => bearer('GET', '/v1/me', token), body, 'operator_logout')
  })

  it('ends when the operator is disabled (lyceum operators disable)', async () => {
    const { operator, body, bearer } = await operatorImpersonating()
    const result = await t.modules.identity.operators.accounts.disable(
      systemContext(t.platform.database, null, 'cli'),
      operator.email,
    )
    expect(result.endedImpersonations).toBe(1)
    await expectEnded((token) => bearer('GET', '/v1/me', token), body, 'operator_disabled')
  })

  it('is refused as soon as the operator session is no longer live', async () => {
    const { operator, body, bearer } = await operatorImpersonating()
    await client.query(
      sql`UPDATE identity.operator_sessions SET expires_at = now() - interval '1 second' WHERE id = ${operator.sessionId}`,
    )
    await expectEnded((token) => bearer('GET', '/v1/me', token), body, undefined)
  })
})
