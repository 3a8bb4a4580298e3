import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { createLogger } from '../../../platform/observability/logger.ts'
import { awayFromStepEdge, codeAt, mfaClient, wrongCode } from '../mfa/mfa.testing.ts'
import { STRONG_PASSWORD, type Tokens } from './sessions.testing.ts'

const COOKIE = '__Host-lyceum_session'

// Every log line of this file: no cookie value or CSRF token may ever appear in one.
const lines: string[] = []
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(chunk.toString('utf8'))
    done()
  },
})
const secrets: string[] = []

let t: TestApp
let api: ReturnType<typeof mfaClient>
beforeAll(async () => {
  t = await buildTestApp({ worker: true, logger: createLogger('trace', sink), env: { RATE_LIMITS: 'auth=1000/10000' } })
  api = mfaClient(t)
})
afterAll(async () => t?.close())

interface SetCookie {
  name: string
  value: string
  attributes: Map<string, string | true>
}

/** Parses one Set-Cookie header (RFC 6265 §5.2): name=value, then `;`-separated attributes. */
function parseSetCookie(header: string | string[] | number | undefined): SetCookie {
  if (typeof header !== 'string')
    throw new Error(`expected exactly one Set-Cookie header, got ${JSON.stringify(header)}`)
  const [pair = '', ...rest] = header.split(';').map((part) => part.trim())
  const separator = pair.indexOf('=')
  const attributes = new Map<string, string | true>()
  for (const attribute of rest) {
    const at = attribute.indexOf('=')
    if (at < 0) attributes.set(attribute.toLowerCase(), true)
    else attributes.set(attribute.slice(0, at).toLowerCase(), attribute.slice(at + 1))
  }
  return { name: pair.slice(0, separator), value: pair.slice(separator + 1), attributes }
}

interface BrowserLogin {
  cookie: string
  csrfToken: string
  session: { id: string; tenantId: string; userId: string; roles: string[]; expiresAt: string }
}

const host = (slug: string) => `${slug}.localhost`

function browserLogin(slug: string, email: string, password = STRONG_PASSWORD) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/browser-sessions',
    headers: { host: host(slug), 'user-agent': 'vitest-browser' },
    payload: { email, password },
  })
}

async function browserSignIn(slug: string, email: string): Promise<BrowserLogin> {
  const response = await browserLogin(slug, email)
  if (response.statusCode !== 200) throw new Error(`browser sign-in failed: ${response.statusCode} ${response.body}`)
  const cookie = parseSetCookie(response.headers['set-cookie']).value
  const body = response.json() as Omit<BrowserLogin, 'cookie'>
  secrets.push(cookie, body.csrfToken)
  return { cookie, ...body }
}

/** A request as a browser makes it: the cookie, optionally the CSRF header and an Origin. */
function browser(
  slug: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  login: { cookie: string; csrfToken?: string },
  extra: Record<string, string> = {},
  payload?: object,
) {
  const headers: Record<string, string> = {
    host: host(slug),
    cookie: `theme=dark; ${COOKIE}=${login.cookie}; other=1`,
    ...extra,
  }
  if (login.csrfToken !== undefined) headers['x-csrf-token'] = login.csrfToken
  return t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) })
}

async function userIdOf(tenantId: string, email: string): Promise<string> {
  const [row] = await api.query<{ id: string }>(
    sql`SELECT id FROM identity.users WHERE tenant_id = ${tenantId} AND email = ${email}`,
  )
  return row!.id
}

async function member() {
  const tenant = await t.createTenant()
  const email = await api.signUp(tenant.slug)
  return { ...tenant, email, userId: await userIdOf(tenant.id, email) }
}

describe('browser sessions', () => {
  it('signs in with a __Host- cookie (HttpOnly, Secure, SameSite=Strict, Path=/, Max-Age) and a CSRF token; GET /v1/me needs only the cookie', async () => {
    const { id: tenantId, slug, email, userId } = await member()
    const response = await browserLogin(slug, email)
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toBe('no-store')
    const cookie = parseSetCookie(response.headers['set-cookie'])
    expect(cookie.name).toBe(COOKIE)
    expect(cookie.value).toMatch(new RegExp(`^bs1\\.${tenantId}\\.[A-Za-z0-9_-]{43}$`))
    expect(cookie.attributes.get('path')).toBe('/')
    expect(cookie.attributes.get('httponly')).toBe(true)
    expect(cookie.attributes.get('secure')).toBe(true)
    expect(cookie.attributes.get('samesite')).toBe('Strict')
    expect(cookie.attributes.get('max-age')).toBe(String(30 * 24 * 3600))
    expect(cookie.attributes.has('domain')).toBe(false)

    const body = response.json() as Omit<BrowserLogin, 'cookie'> & { mfaEnrolmentRequired: boolean }
    secrets.push(cookie.value, body.csrfToken)
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(body.session).toMatchObject({ tenantId, userId, roles: ['learner'] })
    expect(body.mfaEnrolmentRequired).toBe(false)
    expect(JSON.stringify(body)).not.toContain(cookie.value)

    // Only digests are stored.
    const [stored] = await api.query<{ cookie_hash: string; csrf_hash: string }>(
      sql`SELECT cookie_hash, csrf_hash FROM identity.browser_sessions WHERE session_id = ${body.session.id}`,
    )
    expect(stored?.cookie_hash).toMatch(/^[0-9a-f]{64}$/)
    expect([stored?.cookie_hash, stored?.csrf_hash]).not.toContain(cookie.value)
    expect([stored?.cookie_hash, stored?.csrf_hash]).not.toContain(body.csrfToken)

    const me = await browser(slug, 'GET', '/v1/me', { cookie: cookie.value })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toMatchObject({ id: userId, email, tenantId, sessionId: body.session.id })
    // A normal session: listed with the others, marked current.
    const listed = await browser(slug, 'GET', '/v1/me/sessions', { cookie: cookie.value })
    expect(listed.json().data).toEqual([
      expect.objectContaining({ id: body.session.id, current: true, userAgent: 'vitest-browser' }),
    ])
  })

  it('answers bad credentials exactly like bearer sign-in', async () => {
    const { slug, email } = await member()
    const bearer = await api.login(slug, email, 'wrong-password-entirely')
    const cookie = await browserLogin(slug, email, 'wrong-password-entirely')
    expect(cookie.statusCode).toBe(401)
    expect(cookie.headers['set-cookie']).toBeUndefined()
    const strip = (problem: Record<string, unknown>) => ({ ...problem, requestId: undefined, instance: undefined })
    expect(strip(cookie.json())).toEqual(strip(bearer.json()))
    expect(cookie.json().code).toBe('INVALID_CREDENTIALS')
    const unknown = await browserLogin(slug, `nobody.${randomBytes(4).toString('hex')}@example.org`)
    expect(unknown.statusCode).toBe(401)
    expect(unknown.json().code).toBe('INVALID_CREDENTIALS')
  })

  it('refuses unsafe cookie requests without the CSRF token, with a wrong one or from a foreign origin; accepts them with it', async () => {
    const { id: tenantId, slug, email, userId } = await member()
    const other = await api.signUp(slug)
    const otherId = await userIdOf(tenantId, other)
    // The cookie user administers the tenant (granted by another admin), so PUT and DELETE routes are in reach.
    const admin = await t.tokenFor(tenantId, ['tenant_admin'])
    expect(
      (
        await t.app.inject({
          method: 'PUT',
          url: `/v1/members/${userId}/roles/tenant_admin`,
          headers: { host: host(slug), ...t.auth(admin) },
        })
      ).statusCode,
    ).toBe(200)
    const login = await browserSignIn(slug, email)
    const noToken = { cookie: login.cookie }
    const wrongToken = { cookie: login.cookie, csrfToken: randomBytes(32).toString('base64url') }

    const refusals = [
      await browser(slug, 'POST', '/v1/me/mfa/totp', noToken),
      await browser(slug, 'POST', '/v1/me/mfa/totp', wrongToken),
      await browser(slug, 'PUT', `/v1/members/${otherId}/roles/instructor`, noToken),
      await browser(slug, 'PUT', `/v1/members/${otherId}/roles/instructor`, wrongToken),
      await browser(slug, 'DELETE', `/v1/members/${otherId}/roles/learner`, noToken),
      await browser(slug, 'DELETE', `/v1/members/${otherId}/roles/learner`, { cookie: login.cookie, csrfToken: '' }),
      await browser(slug, 'DELETE', '/v1/browser-sessions/current', noToken),
      // The right token from a cross-site page, and from a sibling subdomain.
      await browser(slug, 'PUT', `/v1/members/${otherId}/roles/instructor`, login, { origin: 'https://evil.example' }),
      await browser(slug, 'PUT', `/v1/members/${otherId}/roles/instructor`, login, {
        origin: 'http://attacker.localhost',
      }),
      await browser(slug, 'PUT', `/v1/members/${otherId}/roles/instructor`, login, { origin: 'null' }),
    ]
    for (const refused of refusals) {
      expect(refused.statusCode).toBe(403)
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(refused.json().code).toBe('CSRF_TOKEN_INVALID')
    }
    // Nothing happened.
    const roles = await api.query<{ role: string }>(
      sql`SELECT role FROM identity.memberships WHERE user_id = ${otherId} ORDER BY role`,
    )
    expect(roles.map((r) => r.role)).toEqual(['learner'])

    const granted = await browser(slug, 'PUT', `/v1/members/${otherId}/roles/instructor`, login)
    expect(granted.statusCode).toBe(200)
    const sameOrigin = await browser(slug, 'DELETE', `/v1/members/${otherId}/roles/instructor`, login, {
      origin: `http://${host(slug)}`,
    })
    expect(sameOrigin.statusCode).toBe(204)
    const fromPublicUrl = await browser(slug, 'POST', '/v1/me/mfa/totp', login, {
      origin: new URL(t.config.http.publicUrl).origin,
    })
    expect(fromPublicUrl.statusCode).toBe(201)
    // Safe methods need no token.
    expect((await browser(slug, 'GET', '/v1/members', noToken)).statusCode).toBe(200)
  })

  it("does not accept tenant A's cookie on tenant B's host", async () => {
    const a = await member()
    const b = await t.createTenant()
    const login = await browserSignIn(a.slug, a.email)
    const crossed = await browser(b.slug, 'GET', '/v1/me', { cookie: login.cookie })
    expect([401, 403]).toContain(crossed.statusCode)
    expect(
      (await browser(b.slug, 'GET', '/v1/me', { cookie: `bs1.${b.id}.${login.cookie.split('.')[2]}` })).statusCode,
    ).toBe(401)
    expect((await browser(a.slug, 'GET', '/v1/me', { cookie: 'bs1.not-a-tenant.xyz' })).statusCode).toBe(401)
  })

  it('logout revokes the session and clears the cookie; the cookie then authenticates nobody', async () => {
    const { slug, email } = await member()
    const login = await browserSignIn(slug, email)
    const out = await browser(slug, 'DELETE', '/v1/browser-sessions/current', login)
    expect(out.statusCode).toBe(204)
    const cleared = parseSetCookie(out.headers['set-cookie'])
    expect(cleared.name).toBe(COOKIE)
    expect(cleared.value).toBe('')
    expect(cleared.attributes.get('max-age')).toBe('0')
    expect((await browser(slug, 'GET', '/v1/me', { cookie: login.cookie })).statusCode).toBe(401)
    const [session] = await api.query<{ revoke_reason: string }>(
      sql`SELECT revoke_reason FROM identity.sessions WHERE id = ${login.session.id}`,
    )
    expect(session?.revoke_reason).toBe('logout')
    // A stale cookie does not stand in the way of signing in again.
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/browser-sessions',
      headers: { host: host(slug), cookie: `${COOKIE}=${login.cookie}` },
      payload: { email, password: STRONG_PASSWORD },
    })
    expect(again.statusCode).toBe(200)
  })

  it('ends when the session is revoked from a bearer client or the user is disabled', async () => {
    const { id: tenantId, slug, email, userId } = await member()
    const login = await browserSignIn(slug, email)
    const tokens: Tokens = await api.signIn(slug, email)
    const revoked = await api.call(slug, 'DELETE', `/v1/me/sessions/${login.session.id}`, tokens.accessToken)
    expect(revoked.statusCode).toBe(204)
    expect((await browser(slug, 'GET', '/v1/me', { cookie: login.cookie })).statusCode).toBe(401)

    const second = await browserSignIn(slug, email)
    expect((await browser(slug, 'GET', '/v1/me', { cookie: second.cookie })).statusCode).toBe(200)
    const admin = await t.tokenFor(tenantId, ['tenant_admin'])
    const disabled = await t.app.inject({
      method: 'PUT',
      url: `/v1/members/${userId}/status`,
      headers: { host: host(slug), ...t.auth(admin) },
      payload: { status: 'disabled' },
    })
    expect(disabled.statusCode).toBe(200)
    expect((await browser(slug, 'GET', '/v1/me', { cookie: second.cookie })).statusCode).toBe(401)
  })

  it('ignores the cookie entirely when an Authorization header is present (bearer needs no CSRF token)', async () => {
    const { slug, email } = await member()
    const login = await browserSignIn(slug, email)
    const tokens: Tokens = await api.signIn(slug, email)
    const bearerSession = (await api.call(slug, 'GET', '/v1/me', tokens.accessToken)).json().sessionId as string
    // An unsafe bearer request with the cookie alongside and no CSRF header works, as the bearer.
    const enrol = await t.app.inject({
      method: 'POST',
      url: '/v1/me/mfa/totp',
      headers: { host: host(slug), cookie: `${COOKIE}=${login.cookie}`, ...t.auth(tokens.accessToken) },
    })
    expect(enrol.statusCode).toBe(201)
    const me = await t.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { host: host(slug), cookie: `${COOKIE}=${login.cookie}`, ...t.auth(tokens.accessToken) },
    })
    expect(me.json().sessionId).toBe(bearerSession)
    expect(bearerSession).not.toBe(login.session.id)
    // A bad bearer is not rescued by a good cookie.
    const bad = await t.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: {
        host: host(slug),
        cookie: `${COOKIE}=${login.cookie}`,
        authorization: 'Bearer not-a-valid-token-at-all',
      },
    })
    expect(bad.statusCode).toBe(401)
    // The browser logout route is for cookies only.
    const bearerLogout = await api.call(slug, 'DELETE', '/v1/browser-sessions/current', tokens.accessToken)
    expect(bearerLogout.statusCode).toBe(400)
    expect(bearerLogout.json().code).toBe('BROWSER_SESSION_REQUIRED')
  })

  it('takes the second factor like bearer sign-in when TOTP is on', async () => {
    const user = await api.user()
    const enrolment = (await api.enrol(user.slug, user.accessToken)).json() as { secret: string }
    await awayFromStepEdge()
    expect((await api.confirm(user.slug, user.accessToken, await codeAt(enrolment.secret, 0))).statusCode).toBe(200)

    const first = await browserLogin(user.slug, user.email)
    expect(first.statusCode).toBe(200)
    expect(first.headers['set-cookie']).toBeUndefined()
    const { mfaRequired, mfaToken } = first.json() as { mfaRequired: true; mfaToken: string }
    expect(mfaRequired).toBe(true)
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/v1/browser-sessions/mfa',
      headers: { host: host(user.slug) },
      payload: { mfaToken, code: await wrongCode(enrolment.secret) },
    })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.json().code).toBe('MFA_CODE_INVALID')
    await awayFromStepEdge()
    const second = await t.app.inject({
      method: 'POST',
      url: '/v1/browser-sessions/mfa',
      headers: { host: host(user.slug) },
      payload: { mfaToken, code: await codeAt(enrolment.secret, 1) },
    })
    expect(second.statusCode).toBe(200)
    const cookie = parseSetCookie(second.headers['set-cookie'])
    secrets.push(cookie.value, (second.json() as { csrfToken: string }).csrfToken)
    expect(cookie.name).toBe(COOKIE)
    expect((await browser(user.slug, 'GET', '/v1/me', { cookie: cookie.value })).json()).toMatchObject({
      id: user.userId,
    })
    // The challenge is used up.
    const replay = await t.app.inject({
      method: 'POST',
      url: '/v1/browser-sessions/mfa',
      headers: { host: host(user.slug) },
      payload: { mfaToken, code: await codeAt(enrolment.secret, 0) },
    })
    expect(replay.statusCode).toBe(401)
  })

  it('documents the MFA branch with the route that completes it, and the bearer route takes the token too', async () => {
    type Schema = { anyOf?: Schema[]; $ref?: string; description?: string; properties?: Record<string, Schema> }
    const document = t.app.swagger() as unknown as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content: Record<string, { schema: Schema }> }> }>
      >
    }
    const answer = document.paths['/v1/browser-sessions']?.post?.responses['200']?.content['application/json']?.schema
    const challenge = answer?.anyOf?.find((branch) => branch.properties?.mfaToken)
    expect(challenge?.description).toContain('POST /v1/browser-sessions/mfa')
    expect(challenge?.properties?.mfaToken?.description).toMatch(/^Single use.*POST \/v1\/browser-sessions\/mfa/)

    const user = await api.user()
    const enrolment = (await api.enrol(user.slug, user.accessToken)).json() as { secret: string }
    await awayFromStepEdge()
    expect((await api.confirm(user.slug, user.accessToken, await codeAt(enrolment.secret, 0))).statusCode).toBe(200)
    const { mfaToken } = (await browserLogin(user.slug, user.email)).json() as { mfaToken: string }
    await awayFromStepEdge()
    const bearer = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/mfa',
      headers: { host: host(user.slug) },
      payload: { mfaToken, code: await codeAt(enrolment.secret, 1) },
    })
    expect(bearer.statusCode).toBe(200)
    expect(bearer.json()).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String) })
  })

  it('never writes a cookie value or CSRF token to the log', () => {
    expect(secrets.length).toBeGreaterThan(10)
    const log = lines.join('')
    expect(log.length).toBeGreaterThan(0)
    for (const secret of secrets) expect(log).not.toContain(secret)
    // Not even the random part alone.
    for (const secret of secrets) expect(log).not.toContain(secret.slice(-43))
  })
})
