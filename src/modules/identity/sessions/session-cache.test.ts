/**
 * The session-state cache (ADR 0018) through the API: a session checked once is served from
 * memory, and every way a session or what it grants ends applies on the very next request on the
 * node that made the change (no waiting), and within a second on any other node (triggers on the
 * tables the check reads, LISTEN/NOTIFY). Each case first proves the session is cached.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, testDatabaseUrl, type TestApp } from '../../../../test/build-test-app.ts'
import { endCacheListenerSessions, eventually } from '../../../../test/cache-listeners.ts'
import { accountsClient, tokenFrom } from '../accounts/accounts.testing.ts'
import { sessionsClient, type Tokens } from './sessions.testing.ts'

let t: TestApp
let client: ReturnType<typeof sessionsClient>
let accounts: ReturnType<typeof accountsClient>

beforeAll(async () => {
  t = await buildTestApp({ env: { RATE_LIMITS: 'auth=1000/10000' } })
  client = sessionsClient(t)
  accounts = accountsClient(t)
})
afterAll(async () => t?.close())

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    sid: string
    sub: string
    tid: string
  }

async function member(roles: string[] = []) {
  const tenant = await t.createTenant()
  const email = await client.signUp(tenant.slug)
  const tokens = await client.signIn(tenant.slug, email)
  const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
  const { sub: userId } = claimsOf(tokens.accessToken)
  const call = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, token: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { host: `${tenant.slug}.localhost`, ...t.auth(token) },
      ...(payload ? { payload } : {}),
    })
  for (const role of roles)
    expect((await call('PUT', `/v1/members/${userId}/roles/${role}`, admin)).statusCode).toBe(200)
  return {
    tenant,
    email,
    tokens,
    admin,
    userId,
    call,
    me: (token = tokens.accessToken, on: TestApp = t) => meOn(on, tenant.slug, token),
  }
}

const meOn = (app: TestApp, slug: string, token: string) =>
  app.app.inject({ method: 'GET', url: '/v1/me', headers: { host: `${slug}.localhost`, ...app.auth(token) } })

/** True when `app` answers this token's session from its session cache. */
function cachedOn(app: TestApp, token: string): boolean {
  const { sid, sub, tid } = claimsOf(token)
  return app.platform.sessionCache.lookup(sid, sub, tid) !== undefined
}

/**
 * Uses the token until its session is cached: the first request checks and stores it, unless a
 * change of the user made just before (a role granted in set-up) has not been announced yet.
 */
async function warm(app: TestApp, slug: string, token: string): Promise<void> {
  await eventually(async () => {
    expect((await meOn(app, slug, token)).statusCode).toBe(200)
    return cachedOn(app, token)
  }, 5000)
  expect((await meOn(app, slug, token)).statusCode).toBe(200)
}

describe('a cached session on the node that ends it', () => {
  it('is refused on the very next request after logout', async () => {
    const m = await member()
    await warm(t, m.tenant.slug, m.tokens.accessToken)
    expect((await m.call('POST', '/v1/auth/logout', m.tokens.accessToken)).statusCode).toBe(204)
    expect((await m.me()).statusCode).toBe(401)
  })

  it('is refused after logout-all from another session of the user', async () => {
    const m = await member()
    const other = await client.signIn(m.tenant.slug, m.email)
    await warm(t, m.tenant.slug, m.tokens.accessToken)
    const ended = await m.call('POST', '/v1/auth/logout-all', other.accessToken)
    expect(ended.statusCode, ended.body).toBe(200)
    expect((await m.me()).statusCode).toBe(401)
  })

  it('loses a removed role and gains a granted one at once', async () => {
    const m = await member(['instructor'])
    await warm(t, m.tenant.slug, m.tokens.accessToken)
    expect((await m.me()).json().roles).toEqual(['instructor', 'learner'])
    expect((await m.call('DELETE', `/v1/members/${m.userId}/roles/instructor`, m.admin)).statusCode).toBe(204)
    expect((await m.me()).json().roles).toEqual(['learner'])
    expect((await m.call('PUT', `/v1/members/${m.userId}/roles/moderator`, m.admin)).statusCode).toBe(200)
    expect((await m.me()).json().roles).toEqual(['learner', 'moderator'])
  })

  it('is refused once its user is disabled', async () => {
    const m = await member()
    await warm(t, m.tenant.slug, m.tokens.accessToken)
    const disabled = await m.call('PUT', `/v1/members/${m.userId}/status`, m.admin, { status: 'disabled' })
    expect(disabled.statusCode, disabled.body).toBe(200)
    expect((await m.me()).statusCode).toBe(401)
  })

  it('is refused once a reused refresh token ended it', async () => {
    const m = await member()
    await warm(t, m.tenant.slug, m.tokens.accessToken)
    const rotated = await client.refresh(m.tenant.slug, m.tokens.refreshToken)
    expect(rotated.statusCode, rotated.body).toBe(200)
    const next = rotated.json() as Tokens
    await warm(t, m.tenant.slug, next.accessToken)
    const reused = await client.refresh(m.tenant.slug, m.tokens.refreshToken)
    expect(reused.json()).toMatchObject({ code: 'REFRESH_TOKEN_REUSED' })
    expect((await m.me()).statusCode).toBe(401)
    expect((await m.me(next.accessToken)).statusCode).toBe(401)
  })

  it('is restricted to enrolment as soon as the tenant requires a second factor for its role', async () => {
    const m = await member()
    await warm(t, m.tenant.slug, m.tokens.accessToken)
    expect((await m.call('GET', '/v1/me/sessions', m.tokens.accessToken)).statusCode).toBe(200)
    const required = await m.call('PUT', '/v1/security/mfa-requirements', m.admin, { roles: ['learner'] })
    expect(required.statusCode, required.body).toBe(200)
    const restricted = await m.call('GET', '/v1/me/sessions', m.tokens.accessToken)
    expect(restricted.statusCode).toBe(403)
    expect(restricted.json()).toMatchObject({ code: 'MFA_ENROLMENT_REQUIRED' })
  })

  it('ends an impersonation started from it, whose token is checked on every request', async () => {
    const m = await member()
    const admin = await client.signIn(m.tenant.slug, m.email)
    const learner = await t.tokenFor(m.tenant.id, ['learner'])
    const adminId = m.userId
    expect((await m.call('PUT', `/v1/members/${adminId}/roles/tenant_admin`, m.admin)).statusCode).toBe(200)
    await warm(t, m.tenant.slug, admin.accessToken)
    const started = await m.call('POST', '/v1/impersonations', admin.accessToken, {
      userId: claimsOf(learner).sub,
      reason: 'Ticket 12: checking the session cache',
    })
    expect(started.statusCode, started.body).toBe(201)
    const { accessToken } = started.json() as { accessToken: string }
    expect((await m.me(accessToken)).statusCode).toBe(200)
    expect((await m.call('POST', '/v1/auth/logout', admin.accessToken)).statusCode).toBe(204)
    expect((await m.me(accessToken)).statusCode).toBe(401)
    expect((await m.me(admin.accessToken)).statusCode).toBe(401)
  })
})

/** PATCH /v1/me on the member's host with their token. */
const patchMe = (app: TestApp, slug: string, token: string, displayName: string) =>
  app.app.inject({
    method: 'PATCH',
    url: '/v1/me',
    headers: { host: `${slug}.localhost`, ...app.auth(token) },
    payload: { displayName },
  })

/**
 * A signed-in member whose address is not verified yet, and the emailed verification token: signed
 * up unverified, verified in SQL so they may sign in, then unverified again in SQL (login refuses
 * unverified accounts, but a session can outlive the verification state it began with).
 */
async function unverifiedMember() {
  const tenant = await t.createTenant()
  const email = await client.signUp(tenant.slug, { verify: false })
  const [mail] = await accounts.verificationMails(email)
  if (!mail) throw new Error(`no verification email to ${email}`)
  const setVerified = (verified: boolean) =>
    client.query(
      sql`UPDATE identity.users SET email_verified_at = ${verified ? sql`now()` : null} WHERE email = ${email}`,
    )
  await setVerified(true)
  const tokens = await client.signIn(tenant.slug, email)
  await setVerified(false)
  return { tenant, email, tokens, verificationToken: tokenFrom(mail) }
}

describe('the profile GET /v1/me shows, kept with the cached session', () => {
  it('a warm session answers the same body as its first (checked) request', async () => {
    const tenant = await t.createTenant()
    const email = await client.signUp(tenant.slug, { displayName: 'Ada Lovelace' })
    const tokens = await client.signIn(tenant.slug, email)
    const cold = await meOn(t, tenant.slug, tokens.accessToken)
    expect(cold.statusCode, cold.body).toBe(200)
    await warm(t, tenant.slug, tokens.accessToken)
    const hot = await meOn(t, tenant.slug, tokens.accessToken)
    expect(cachedOn(t, tokens.accessToken)).toBe(true)
    const { sid, sub, tid } = claimsOf(tokens.accessToken)
    expect(cold.json()).toEqual({
      id: sub,
      email,
      displayName: 'Ada Lovelace',
      emailVerified: true,
      tenantId: tid,
      roles: ['learner'],
      sessionId: sid,
      mfaEnrolmentRequired: false,
      timeZone: null,
      locale: null,
    })
    expect(hot.json()).toEqual(cold.json())
  })

  it('a display name changed with PATCH /v1/me is answered by it and shown by the next GET /v1/me', async () => {
    const m = await member()
    await warm(t, m.tenant.slug, m.tokens.accessToken)
    expect((await m.me()).json().displayName).toBeNull()
    const patched = await patchMe(t, m.tenant.slug, m.tokens.accessToken, '  Grace Hopper ')
    expect(patched.statusCode, patched.body).toBe(200)
    expect(patched.json()).toMatchObject({ displayName: 'Grace Hopper', email: m.email })
    expect((await m.me()).json().displayName).toBe('Grace Hopper')
    // The same name again changes nothing; the answer is still right.
    expect((await patchMe(t, m.tenant.slug, m.tokens.accessToken, 'Grace Hopper')).json().displayName).toBe(
      'Grace Hopper',
    )
    await warm(t, m.tenant.slug, m.tokens.accessToken)
    expect((await m.me()).json().displayName).toBe('Grace Hopper')
  })

  it('a time zone set with PATCH /v1/me is shown by the next GET /v1/me of a warm session; null is UTC again', async () => {
    const m = await member()
    await warm(t, m.tenant.slug, m.tokens.accessToken)
    const setZone = (timeZone: string | null) =>
      t.app.inject({
        method: 'PATCH',
        url: '/v1/me',
        headers: { host: `${m.tenant.slug}.localhost`, ...t.auth(m.tokens.accessToken) },
        payload: { timeZone },
      })
    expect((await setZone('America/Sao_Paulo')).json()).toMatchObject({ timeZone: 'America/Sao_Paulo' })
    expect((await m.me()).json().timeZone).toBe('America/Sao_Paulo')
    expect((await setZone('Europe/Nowhere')).json().code).toBe('TIME_ZONE_UNKNOWN')
    expect((await setZone(null)).json()).toMatchObject({ timeZone: null })
    await warm(t, m.tenant.slug, m.tokens.accessToken)
    expect((await m.me()).json().timeZone).toBeNull()
  })

  it('a locale set with PATCH /v1/me is stored canonical and shown by the next GET /v1/me; null is the tenant default', async () => {
    const m = await member()
    await warm(t, m.tenant.slug, m.tokens.accessToken)
    const setLocale = (locale: unknown) =>
      t.app.inject({
        method: 'PATCH',
        url: '/v1/me',
        headers: { host: `${m.tenant.slug}.localhost`, ...t.auth(m.tokens.accessToken) },
        payload: { locale },
      })
    expect((await m.me()).json().locale).toBeNull()
    expect((await setLocale('DE-at')).json()).toMatchObject({ locale: 'de-AT' })
    expect((await m.me()).json().locale).toBe('de-AT')
    for (const bad of ['x', 'de_DE', 'en-', 'a'.repeat(40), 42]) {
      const refused = await setLocale(bad)
      expect(refused.statusCode, String(bad)).toBe(400)
    }
    // Well-formed to the pattern but not a language tag Intl accepts.
    expect((await setLocale('en-abcdefghi')).statusCode).toBe(400)
    expect((await setLocale(null)).json()).toMatchObject({ locale: null })
    await warm(t, m.tenant.slug, m.tokens.accessToken)
    expect((await m.me()).json().locale).toBeNull()
  })

  it('an address verified through the emailed link shows as verified on the next GET /v1/me', async () => {
    const u = await unverifiedMember()
    await warm(t, u.tenant.slug, u.tokens.accessToken)
    expect((await meOn(t, u.tenant.slug, u.tokens.accessToken)).json().emailVerified).toBe(false)
    const verified = await accounts.verify(u.tenant.slug, u.verificationToken)
    expect(verified.statusCode, verified.body).toBe(200)
    expect((await meOn(t, u.tenant.slug, u.tokens.accessToken)).json().emailVerified).toBe(true)
  })
})

describe('a change no code path announced', () => {
  it('reaches the cache through the trigger: a display name or address changed in SQL shows within a second', async () => {
    const m = await member()
    await warm(t, m.tenant.slug, m.tokens.accessToken)
    await client.query(sql`UPDATE identity.users SET display_name = 'Set in SQL' WHERE id = ${m.userId}`)
    await eventually(async () => (await m.me()).json().displayName === 'Set in SQL', 1000)
    await warm(t, m.tenant.slug, m.tokens.accessToken)
    const renamed = `renamed.${m.email}`
    await client.query(sql`UPDATE identity.users SET email = ${renamed} WHERE id = ${m.userId}`)
    await eventually(async () => (await m.me()).json().email === renamed, 1000)
  })

  it('reaches the cache through the trigger: a session revoked in SQL is refused within a second', async () => {
    const m = await member()
    await warm(t, m.tenant.slug, m.tokens.accessToken)
    await client.query(
      sql`UPDATE identity.sessions SET revoked_at = now() WHERE id = ${claimsOf(m.tokens.accessToken).sid}`,
    )
    await eventually(async () => (await m.me()).statusCode === 401, 1000)
  })

  it('the per-minute record of use announces nothing: the session stays cached', async () => {
    const m = await member()
    await warm(t, m.tenant.slug, m.tokens.accessToken)
    await client.query(
      sql`UPDATE identity.sessions SET last_used_at = now() WHERE id = ${claimsOf(m.tokens.accessToken).sid}`,
    )
    // A notice would have been delivered by now on PGlite (in process); on PostgreSQL this is the
    // weaker claim that nothing refuses it.
    expect((await m.me()).statusCode).toBe(200)
    expect(cachedOn(t, m.tokens.accessToken)).toBe(true)
  })
})

// Two apps on one PostgreSQL database are two nodes, each with its own caches and listener.
const twoNodes = testDatabaseUrl() ? describe : describe.skip
if (!testDatabaseUrl()) console.info('session-cache.test: two-node checks need PostgreSQL (TEST_DATABASE_URL); skipped')

twoNodes('two nodes on one PostgreSQL', () => {
  let b: TestApp
  beforeAll(async () => {
    b = await buildTestApp({ env: { RATE_LIMITS: 'auth=1000/10000' } })
  })
  afterAll(async () => b?.close())

  it('refuse on one node, within a second, a cached session ended on the other', async () => {
    const m = await member()
    await warm(b, m.tenant.slug, m.tokens.accessToken)
    expect((await m.call('POST', '/v1/auth/logout', m.tokens.accessToken)).statusCode).toBe(204)
    await eventually(async () => (await m.me(m.tokens.accessToken, b)).statusCode === 401, 1000)
  })

  it('drop a role removed on the other node within a second', async () => {
    const m = await member(['instructor'])
    await warm(b, m.tenant.slug, m.tokens.accessToken)
    expect((await m.me(m.tokens.accessToken, b)).json().roles).toContain('instructor')
    expect((await m.call('DELETE', `/v1/members/${m.userId}/roles/instructor`, m.admin)).statusCode).toBe(204)
    await eventually(async () => !(await m.me(m.tokens.accessToken, b)).json().roles.includes('instructor'), 1000)
  })

  it('show on one node, within a second, a display name changed on the other', async () => {
    const m = await member()
    await warm(b, m.tenant.slug, m.tokens.accessToken)
    expect((await m.me(m.tokens.accessToken, b)).json().displayName).toBeNull()
    expect((await patchMe(t, m.tenant.slug, m.tokens.accessToken, 'Named on A')).statusCode).toBe(200)
    await eventually(async () => (await m.me(m.tokens.accessToken, b)).json().displayName === 'Named on A', 1000)
  })

  it('show on one node, within a second, an address verified on the other', async () => {
    const u = await unverifiedMember()
    await warm(b, u.tenant.slug, u.tokens.accessToken)
    expect((await meOn(b, u.tenant.slug, u.tokens.accessToken)).json().emailVerified).toBe(false)
    expect((await accounts.verify(u.tenant.slug, u.verificationToken)).statusCode).toBe(200)
    await eventually(async () => (await meOn(b, u.tenant.slug, u.tokens.accessToken)).json().emailVerified, 1000)
  })

  it('drop every cached session when the listener loses its session, and check in the database until it is back', async () => {
    const m = await member()
    await warm(b, m.tenant.slug, m.tokens.accessToken)
    await endCacheListenerSessions()
    // Revoked while the listener is down: its notice is lost, so B must not trust what it cached.
    await client.query(
      sql`UPDATE identity.sessions SET revoked_at = now() WHERE id = ${claimsOf(m.tokens.accessToken).sid}`,
    )
    await eventually(() => b.platform.sessionCache.stats().live && !cachedOn(b, m.tokens.accessToken), 10_000)
    expect((await m.me(m.tokens.accessToken, b)).statusCode).toBe(401)
  })
})
