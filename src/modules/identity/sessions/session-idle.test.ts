/**
 * Session inactivity timeout (ASVS 7.3.1, issue 9): a session not used for longer than the
 * tenant's policy is refused and revoked at its next use (access token, refresh, cookie); a
 * session in use keeps working, and its last use is recorded at most once a minute. Time is moved
 * by rewriting last_used_at, never by waiting.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { STRONG_PASSWORD, sessionsClient, type Tokens } from './sessions.testing.ts'

let t: TestApp
let client: ReturnType<typeof sessionsClient>

beforeAll(async () => {
  t = await buildTestApp({ env: { RATE_LIMITS: 'auth=1000/10000' } })
  client = sessionsClient(t)
})
afterAll(async () => t?.close())

const COOKIE = '__Host-lyceum_session'
const WEEK_MINUTES = 7 * 24 * 60

const sessionIdOf = (token: string): string =>
  (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sid: string }).sid

/** Moves the session's last use `minutes` into the past. */
const idleFor = (sessionId: string, minutes: number) =>
  client.query(
    sql`UPDATE identity.sessions SET last_used_at = now() - make_interval(mins => ${minutes}) WHERE id = ${sessionId}`,
  )

const sessionRow = async (sessionId: string) =>
  (
    await client.query<{ revoke_reason: string | null; revoked: boolean; seconds_since_use: number }>(
      sql`SELECT revoke_reason, revoked_at IS NOT NULL AS revoked,
                 extract(epoch FROM now() - last_used_at)::float8 AS seconds_since_use
          FROM identity.sessions WHERE id = ${sessionId}`,
    )
  )[0]

async function signedInMember() {
  const tenant = await t.createTenant()
  const email = await client.signUp(tenant.slug)
  const tokens = await client.signIn(tenant.slug, email)
  const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
  const policy = (method: 'GET' | 'PUT', token: string, payload?: object) =>
    t.app.inject({
      method,
      url: '/v1/security/session-policy',
      headers: { host: `${tenant.slug}.localhost`, ...t.auth(token) },
      ...(payload ? { payload } : {}),
    })
  return { tenant, email, tokens, admin, policy, sessionId: sessionIdOf(tokens.accessToken) }
}

describe('the session policy', () => {
  it('reads the default, is set by an administrator within bounds, audited, and refused to learners', async () => {
    const { tenant, tokens, admin, policy } = await signedInMember()
    expect((await policy('GET', admin)).json()).toEqual({
      idleTimeoutMinutes: WEEK_MINUTES,
      updatedBy: null,
      updatedAt: null,
    })
    const set = await policy('PUT', admin, { idleTimeoutMinutes: 30 })
    expect(set.statusCode, set.body).toBe(200)
    expect(set.json()).toMatchObject({ idleTimeoutMinutes: 30, updatedBy: expect.stringMatching(/^user:/) })
    expect((await policy('GET', admin)).json().idleTimeoutMinutes).toBe(30)
    const [audit] = await client.query<{ details: Record<string, unknown> }>(
      sql`SELECT details FROM platform.audit_log WHERE tenant_id = ${tenant.id} AND action = 'security.session_policy_changed'`,
    )
    expect(audit?.details).toEqual({ idleTimeoutMinutes: { from: WEEK_MINUTES, to: 30 } })

    for (const idleTimeoutMinutes of [14, 0, -1, 43_201, 2.5, 'thirty', null]) {
      const refused = await policy('PUT', admin, { idleTimeoutMinutes })
      expect(refused.statusCode, `${String(idleTimeoutMinutes)}: ${refused.body}`).toBe(400)
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(refused.json()).toMatchObject({ code: 'VALIDATION_FAILED' })
    }
    expect((await policy('PUT', admin, {})).statusCode).toBe(400)
    expect((await policy('PUT', tokens.accessToken, { idleTimeoutMinutes: 60 })).statusCode).toBe(403)
    expect((await policy('GET', tokens.accessToken)).statusCode).toBe(403)
    expect((await policy('GET', admin)).json().idleTimeoutMinutes).toBe(30)
  })
})

describe('an idle session', () => {
  it('is refused and revoked at the next request with its access token, beyond the default of a week', async () => {
    const { tenant, tokens, sessionId } = await signedInMember()
    await idleFor(sessionId, WEEK_MINUTES + 1)
    const refused = await client.call(tenant.slug, 'GET', '/v1/me', tokens.accessToken)
    expect(refused.statusCode).toBe(401)
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(refused.json()).toMatchObject({ code: 'SESSION_IDLE_TIMEOUT' })
    expect(await sessionRow(sessionId)).toMatchObject({ revoked: true, revoke_reason: 'idle_timeout' })
    expect((await client.refresh(tenant.slug, tokens.refreshToken)).statusCode).toBe(401)
  })

  it("is refused and revoked at refresh beyond the tenant's own timeout, and audited", async () => {
    const { tenant, tokens, admin, policy, sessionId } = await signedInMember()
    expect((await policy('PUT', admin, { idleTimeoutMinutes: 30 })).statusCode).toBe(200)
    await idleFor(sessionId, 31)
    const refused = await client.refresh(tenant.slug, tokens.refreshToken)
    expect(refused.statusCode).toBe(401)
    expect(refused.json()).toMatchObject({ code: 'SESSION_IDLE_TIMEOUT' })
    expect(await sessionRow(sessionId)).toMatchObject({ revoked: true, revoke_reason: 'idle_timeout' })
    const audits = await client.query<{ target_id: string }>(
      sql`SELECT target_id FROM platform.audit_log WHERE action = 'auth.session_idle_timeout' AND target_id = ${sessionId}`,
    )
    expect(audits).toHaveLength(1)
  })

  it('is refused and revoked at its next cookie request', async () => {
    const { tenant, email, admin, policy } = await signedInMember()
    expect((await policy('PUT', admin, { idleTimeoutMinutes: 15 })).statusCode).toBe(200)
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/v1/browser-sessions',
      headers: { host: `${tenant.slug}.localhost` },
      payload: { email, password: STRONG_PASSWORD },
    })
    expect(signIn.statusCode, signIn.body).toBe(200)
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!
    expect(cookie.startsWith(`${COOKIE}=`)).toBe(true)
    const sessionId = (signIn.json() as { session: { id: string } }).session.id
    const me = () =>
      t.app.inject({ method: 'GET', url: '/v1/me', headers: { host: `${tenant.slug}.localhost`, cookie } })
    expect((await me()).statusCode).toBe(200)
    await idleFor(sessionId, 16)
    const refused = await me()
    expect(refused.statusCode).toBe(401)
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(await sessionRow(sessionId)).toMatchObject({ revoked: true, revoke_reason: 'idle_timeout' })
  })
})

describe('a session in use', () => {
  it('keeps working within the timeout, and records its use at most once a minute', async () => {
    const { tenant, tokens, admin, policy, sessionId } = await signedInMember()
    expect((await policy('PUT', admin, { idleTimeoutMinutes: 30 })).statusCode).toBe(200)
    await idleFor(sessionId, 29)
    expect((await client.call(tenant.slug, 'GET', '/v1/me', tokens.accessToken)).statusCode).toBe(200)
    // The use moved last_used_at to now: the session has another 30 minutes.
    expect((await sessionRow(sessionId))?.seconds_since_use).toBeLessThan(60)
    // Used 30 seconds ago: a request writes nothing (last use stays 30 seconds old).
    await client.query(
      sql`UPDATE identity.sessions SET last_used_at = now() - interval '30 seconds' WHERE id = ${sessionId}`,
    )
    expect((await client.call(tenant.slug, 'GET', '/v1/me', tokens.accessToken)).statusCode).toBe(200)
    expect((await sessionRow(sessionId))?.seconds_since_use).toBeGreaterThanOrEqual(30)
    // A refresh within the timeout rotates as before.
    await idleFor(sessionId, 29)
    const refreshed = await client.refresh(tenant.slug, tokens.refreshToken)
    expect(refreshed.statusCode, refreshed.body).toBe(200)
    const next = refreshed.json() as Tokens
    expect((await client.call(tenant.slug, 'GET', '/v1/me', next.accessToken)).statusCode).toBe(200)
    expect(await sessionRow(sessionId)).toMatchObject({ revoked: false, revoke_reason: null })
  })

  it('is kept alive by the impersonation it started, which ends when it goes idle', async () => {
    const { tenant, admin, policy } = await signedInMember()
    expect((await policy('PUT', admin, { idleTimeoutMinutes: 30 })).statusCode).toBe(200)
    const learnerId = randomUUID()
    await t.tokenFor(tenant.id, ['learner'], learnerId)
    const host = { host: `${tenant.slug}.localhost` }
    const started = await t.app.inject({
      method: 'POST',
      url: '/v1/impersonations',
      headers: { ...host, ...t.auth(admin) },
      payload: { userId: learnerId, reason: 'Ticket 77: checking idle sessions' },
    })
    expect(started.statusCode, started.body).toBe(201)
    const { accessToken } = started.json() as { accessToken: string }
    const adminSession = sessionIdOf(admin)
    await idleFor(adminSession, 29)
    expect((await client.call(tenant.slug, 'GET', '/v1/me', accessToken)).statusCode).toBe(200)
    expect((await sessionRow(adminSession))?.seconds_since_use).toBeLessThan(60)
    await idleFor(adminSession, 31)
    const refused = await client.call(tenant.slug, 'GET', '/v1/me', accessToken)
    expect(refused.statusCode).toBe(401)
    expect(refused.json()).toMatchObject({ code: 'IMPERSONATION_ENDED' })
  })
})
