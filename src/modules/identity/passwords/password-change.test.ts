/**
 * Defect 11 (issue 9): POST /v1/me/password. The current password proves it is the user (a wrong
 * one counts toward the lockout), the new one follows the sign-up policy, every other session
 * ends (bearer with its refresh token, browser cookie) while this one stays, the user is mailed
 * and the change audited.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { accountsClient } from '../accounts/accounts.testing.ts'
import { sessionsClient, STRONG_PASSWORD } from '../sessions/sessions.testing.ts'

let t: TestApp
let api: ReturnType<typeof sessionsClient>
let accounts: ReturnType<typeof accountsClient>
beforeAll(async () => {
  t = await buildTestApp({ worker: true, env: { RATE_LIMITS: 'auth=1000/10000' } })
  api = sessionsClient(t)
  accounts = accountsClient(t)
})
afterAll(async () => t?.close())

const NEW_PASSWORD = 'amber-orchard-58-violin'
const WRONG = 'not-the-password-at-all'
const CHANGED = 'Your password was changed'

const change = (slug: string, accessToken: string | undefined, payload: object) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/me/password',
    headers: { host: `${slug}.localhost`, ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}) },
    payload,
  })

async function member() {
  const tenant = await t.createTenant()
  const email = await api.signUp(tenant.slug)
  const [row] = await api.query<{ id: string }>(
    sql`SELECT id FROM identity.users WHERE tenant_id = ${tenant.id} AND email = ${email}`,
  )
  return { ...tenant, email, userId: row!.id }
}

const failures = async (userId: string) =>
  Number(
    (await api.query<{ n: number }>(sql`SELECT failed_login_count AS n FROM identity.users WHERE id = ${userId}`))[0]
      ?.n,
  )

async function browserSignIn(slug: string, email: string) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/browser-sessions',
    headers: { host: `${slug}.localhost` },
    payload: { email, password: STRONG_PASSWORD },
  })
  expect(response.statusCode).toBe(200)
  const setCookie = String(response.headers['set-cookie'])
  return {
    cookie: setCookie.slice(0, setCookie.indexOf(';')),
    csrfToken: (response.json() as { csrfToken: string }).csrfToken,
  }
}

describe('POST /v1/me/password', () => {
  it('changes the password, ends every other session (bearer, refresh, browser) but this one, mails and audits', async () => {
    const { slug, email, userId } = await member()
    const current = await api.signIn(slug, email)
    const other = await api.signIn(slug, email)
    const { cookie } = await browserSignIn(slug, email)
    const viaCookie = () =>
      t.app.inject({ method: 'GET', url: '/v1/me', headers: { host: `${slug}.localhost`, cookie } })
    expect((await viaCookie()).statusCode).toBe(200)

    const response = await change(slug, current.accessToken, {
      currentPassword: STRONG_PASSWORD,
      newPassword: NEW_PASSWORD,
    })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'password_changed', revokedSessions: 2 })

    expect((await api.call(slug, 'GET', '/v1/me', current.accessToken)).statusCode).toBe(200)
    expect((await api.refresh(slug, current.refreshToken)).statusCode).toBe(200)
    expect((await api.call(slug, 'GET', '/v1/me', other.accessToken)).statusCode).toBe(401)
    expect((await api.refresh(slug, other.refreshToken)).statusCode).toBe(401)
    expect((await viaCookie()).statusCode).toBe(401)

    expect((await api.login(slug, email, STRONG_PASSWORD)).statusCode).toBe(401)
    expect((await api.login(slug, email, NEW_PASSWORD)).statusCode).toBe(200)

    const mails = (await accounts.outbox(email)).filter((m) => m.subject === CHANGED)
    expect(mails).toHaveLength(1)
    expect(mails[0]?.text).not.toContain(NEW_PASSWORD)
    const audit = await api.query<{ action: string; revoked: string }>(
      sql`SELECT action, details->>'revokedSessions' AS revoked FROM platform.audit_log WHERE target_id = ${userId} AND action = 'user.password_changed'`,
    )
    expect(audit).toEqual([{ action: 'user.password_changed', revoked: '2' }])
    const reasons = await api.query<{ revoke_reason: string }>(
      sql`SELECT DISTINCT revoke_reason FROM identity.sessions WHERE user_id = ${userId} AND revoked_at IS NOT NULL`,
    )
    expect(reasons).toEqual([{ revoke_reason: 'password_changed' }])
  })

  it('works from a browser session (with its CSRF token), which it keeps', async () => {
    const { slug, email } = await member()
    const bearer = await api.signIn(slug, email)
    const { cookie, csrfToken } = await browserSignIn(slug, email)
    const headers = { host: `${slug}.localhost`, cookie }
    const payload = { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD }
    const noCsrf = await t.app.inject({ method: 'POST', url: '/v1/me/password', headers, payload })
    expect(noCsrf.statusCode).toBe(403)
    expect(noCsrf.json().code).toBe('CSRF_TOKEN_INVALID')
    const changed = await t.app.inject({
      method: 'POST',
      url: '/v1/me/password',
      headers: { ...headers, 'x-csrf-token': csrfToken },
      payload,
    })
    expect(changed.json()).toEqual({ status: 'password_changed', revokedSessions: 1 })
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers })).statusCode).toBe(200)
    expect((await api.call(slug, 'GET', '/v1/me', bearer.accessToken)).statusCode).toBe(401)
  })

  it('ends the impersonations started from the sessions it signs out', async () => {
    const { id: tenantId, slug, email, userId } = await member()
    // The member administers the tenant and impersonates a learner from another session.
    const adminSession = await t.tokenFor(tenantId, ['tenant_admin'], userId)
    const learnerId = randomUUID()
    await t.tokenFor(tenantId, ['learner'], learnerId)
    const started = await t.app.inject({
      method: 'POST',
      url: '/v1/impersonations',
      headers: { host: `${slug}.localhost`, ...t.auth(adminSession) },
      payload: { userId: learnerId, reason: 'Ticket 42: checking what the learner sees' },
    })
    expect(started.statusCode, started.body).toBe(201)
    const impersonation = started.json() as { impersonation: { id: string }; accessToken: string }
    expect((await api.call(slug, 'GET', '/v1/me', impersonation.accessToken)).statusCode).toBe(200)

    const { accessToken } = await api.signIn(slug, email)
    const changed = await change(slug, accessToken, { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD })
    expect(changed.json()).toMatchObject({ status: 'password_changed', revokedSessions: 1 })
    expect((await api.call(slug, 'GET', '/v1/me', impersonation.accessToken)).statusCode).toBe(401)
    const [row] = await api.query<{ ended: boolean }>(
      sql`SELECT ended_at IS NOT NULL AS ended FROM identity.impersonations WHERE id = ${impersonation.impersonation.id}`,
    )
    expect(row?.ended).toBe(true)
    const [audit] = await api.query<{ cause: string }>(
      sql`SELECT details->>'cause' AS cause FROM platform.audit_log WHERE action = 'impersonation.ended' AND details->>'impersonationId' = ${impersonation.impersonation.id}`,
    )
    expect(audit?.cause).toBe('password_changed')
  })

  it('refuses a wrong current password with 403 REAUTHENTICATION_REQUIRED, counted toward the lockout', async () => {
    const { slug, email, userId } = await member()
    const { accessToken } = await api.signIn(slug, email)
    const wrong = await change(slug, accessToken, { currentPassword: WRONG, newPassword: NEW_PASSWORD })
    expect(wrong.statusCode).toBe(403)
    expect(wrong.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(wrong.json().code).toBe('REAUTHENTICATION_REQUIRED')
    expect(await failures(userId)).toBe(1)
    for (let attempt = 2; attempt <= 5; attempt++)
      expect((await change(slug, accessToken, { currentPassword: WRONG, newPassword: NEW_PASSWORD })).statusCode).toBe(
        403,
      )
    const locked = await change(slug, accessToken, { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD })
    expect(locked.statusCode).toBe(429)
    expect(locked.json().code).toBe('ACCOUNT_LOCKED')
    expect((await api.login(slug, email, NEW_PASSWORD)).statusCode).toBe(401)
    expect((await accounts.outbox(email)).filter((m) => m.subject === CHANGED)).toHaveLength(0)
    expect(
      (await accounts.outbox(email)).filter((m) => m.subject === 'Your account was locked after failed sign-ins'),
    ).toHaveLength(1)
  })

  it('applies the sign-up policy to the new password, naming body.newPassword', async () => {
    const { slug, email } = await member()
    const { accessToken } = await api.signIn(slug, email)
    const weak = await change(slug, accessToken, { currentPassword: STRONG_PASSWORD, newPassword: 'short' })
    expect(weak.statusCode).toBe(400)
    expect(weak.json().code).toBe('PASSWORD_POLICY_VIOLATION')
    expect(weak.json().errors).toContainEqual(expect.objectContaining({ path: 'body.newPassword', code: 'too_short' }))
    const mine = await change(slug, accessToken, {
      currentPassword: STRONG_PASSWORD,
      newPassword: `${email.split('@')[0]}-garden-42`,
    })
    expect(mine.json().errors).toContainEqual(expect.objectContaining({ code: 'contains_email' }))
    expect((await api.login(slug, email)).statusCode).toBe(200)
  })

  it('needs a signed-in user and a complete body', async () => {
    const { slug, email } = await member()
    expect(
      (await change(slug, undefined, { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD })).statusCode,
    ).toBe(401)
    const { accessToken } = await api.signIn(slug, email)
    const missing = await change(slug, accessToken, { newPassword: NEW_PASSWORD })
    expect(missing.statusCode).toBe(400)
    expect(missing.json().code).toBe('VALIDATION_FAILED')
  })

  it("refuses another tenant's token on this tenant's host", async () => {
    const { slug, email } = await member()
    const other = await t.createTenant()
    const { accessToken } = await api.signIn(slug, email)
    const response = await change(other.slug, accessToken, {
      currentPassword: STRONG_PASSWORD,
      newPassword: NEW_PASSWORD,
    })
    expect(response.statusCode).toBe(403)
    expect(response.json().code).toBe('TENANT_MISMATCH')
  })
})
