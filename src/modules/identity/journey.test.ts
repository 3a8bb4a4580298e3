/**
 * Journey 1 (sign-up and sessions) walked over HTTP against the real app with its job worker:
 * register → verification email from the captured outbox → verify → login (failures, counter
 * reset) → TOTP → refresh rotation and reuse detection → sessions on several devices → logout
 * everywhere → password reset from the outbox. The steps share state and run in order.
 *
 * A second tenant holds an account with the SAME email address: no response of the journey may
 * carry its tenant, slug, user or tokens, and its account must be untouched at the end.
 */
import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import {
  accountsClient,
  STRONG_PASSWORD,
  uniqueEmail,
  VERIFY_SUBJECT,
  type OutboxMail,
} from './accounts/accounts.testing.ts'
import { awayFromStepEdge, STEP } from './mfa/mfa.testing.ts'
import { generate } from 'otplib'

const RESET_SUBJECT = 'Reset your password'
const NEW_PASSWORD = 'copper-meadow-41-quartz'
const OTHER_TENANT_PASSWORD = 'granite-orchard-93-willow'
const WRONG_PASSWORD = 'not-the-password-at-all'
const MAIL_WAIT_MS = 30_000

interface Tokens {
  accessToken: string
  tokenType: 'Bearer'
  expiresIn: number
  refreshToken: string
}
interface Me {
  id: string
  tenantId: string
  roles: string[]
  emailVerified: boolean
  sessionId: string | null
}

let t: TestApp
let accounts: ReturnType<typeof accountsClient>
beforeAll(async () => {
  t = await buildTestApp({ worker: true })
  accounts = accountsClient(t)
})
afterAll(async () => t?.close())

/** State carried from step to step. */
const journey = {
  email: uniqueEmail('journey'),
  tenant: { id: '', slug: '' },
  other: { id: '', slug: '', userId: '', tokens: undefined as Tokens | undefined },
  userId: '',
  secret: '',
  lastStep: 0,
  recoveryCodes: [] as string[],
  sessions: {} as Record<string, Tokens>,
  resetToken: '',
}

/** Strings of the other tenant that must never appear in a response of this journey. */
const foreign = () =>
  [
    journey.other.id,
    journey.other.slug,
    journey.other.userId,
    journey.other.tokens?.accessToken,
    journey.other.tokens?.refreshToken,
  ].filter((s): s is string => Boolean(s))

function checked(response: LightMyRequestResponse): LightMyRequestResponse {
  for (const value of foreign())
    expect(response.body, `a response carries the other tenant's ${value}`).not.toContain(value)
  if (response.statusCode >= 400) {
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.json()).toMatchObject({ status: response.statusCode, code: expect.any(String) })
  }
  return response
}

/** A call on the journey tenant's host, as a client would make it. */
async function call(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  options: { payload?: object; token?: string; userAgent?: string; slug?: string } = {},
) {
  const headers = {
    host: `${options.slug ?? journey.tenant.slug}.localhost`,
    'user-agent': options.userAgent ?? 'journey-laptop',
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  }
  return checked(await t.app.inject({ method, url, headers, ...(options.payload ? { payload: options.payload } : {}) }))
}

const login = (password: string, userAgent?: string) =>
  call('POST', '/v1/auth/login', { payload: { email: journey.email, password }, ...(userAgent ? { userAgent } : {}) })
const me = async (token: string) => call('GET', '/v1/me', { token })
const withoutIds = (body: Record<string, unknown>) => {
  const { requestId: _requestId, instance: _instance, ...rest } = body
  return rest
}

/** Polls the operator mail API until the tenant's email with `subject` has been captured by the worker. */
async function capturedMail(tenantId: string, subject: string, count = 1): Promise<OutboxMail> {
  const deadline = Date.now() + MAIL_WAIT_MS
  for (;;) {
    const response = checked(
      await t.app.inject({
        method: 'GET',
        url: `/v1/ops/mail?limit=100&tenantId=${tenantId}&to=${encodeURIComponent(journey.email)}`,
        headers: t.auth(t.operatorToken),
      }),
    )
    expect(response.statusCode).toBe(200)
    const captured = (response.json() as { data: OutboxMail[] }).data.filter(
      (m) => m.subject === subject && m.status === 'captured',
    )
    // The outbox lists newest first.
    if (captured.length >= count && captured[0]) return captured[0]
    if (Date.now() > deadline)
      throw new Error(
        `no captured "${subject}" email to ${journey.email} in tenant ${tenantId} within ${MAIL_WAIT_MS} ms`,
      )
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function linkToken(mail: OutboxMail, path: string): string {
  const match = new RegExp(`/${path}\\?token=([A-Za-z0-9_-]+)`).exec(mail.text)
  if (!match?.[1]) throw new Error(`no ${path} link in the email`)
  return match[1]
}

/** A TOTP code for a step newer than every code used so far (each code is accepted once), waiting for the next step if needed. */
async function freshCode(): Promise<string> {
  await awayFromStepEdge()
  let nowStep = Math.floor(Date.now() / 1000 / STEP)
  if (journey.lastStep > nowStep) {
    await new Promise((resolve) => setTimeout(resolve, ((nowStep + 1) * STEP - Date.now() / 1000 + 0.5) * 1000))
    await awayFromStepEdge()
    nowStep = Math.floor(Date.now() / 1000 / STEP)
  }
  const step = Math.max(nowStep, journey.lastStep + 1)
  journey.lastStep = step
  return generate({ secret: journey.secret, epoch: step * STEP })
}

/** Password step answered with a challenge, then the second step with a TOTP or recovery code. */
async function signInWithSecondFactor(
  password: string,
  factor: { code: string } | { recoveryCode: string },
  userAgent?: string,
): Promise<Tokens> {
  const challenge = await login(password, userAgent)
  expect(challenge.statusCode).toBe(200)
  const body = challenge.json() as { mfaRequired?: boolean; mfaToken?: string; accessToken?: string }
  expect(body.mfaRequired).toBe(true)
  expect(body.accessToken).toBeUndefined()
  const completed = await call('POST', '/v1/auth/mfa', {
    payload: { mfaToken: body.mfaToken, ...factor },
    ...(userAgent ? { userAgent } : {}),
  })
  expect(completed.statusCode).toBe(200)
  return completed.json() as Tokens
}

const failedLogins = async () =>
  (
    await accounts.query<{ n: number }>(
      sql`SELECT failed_login_count AS n FROM identity.users WHERE tenant_id = ${journey.tenant.id} AND email = ${journey.email}`,
    )
  )[0]?.n

describe('journey 1: sign-up and sessions over HTTP', { timeout: 120_000 }, () => {
  it('sets up two tenants; the other one already has an account with the same email', async () => {
    journey.tenant = await t.createTenant()
    const other = await t.createTenant()
    const registered = await call('POST', '/v1/auth/register', {
      slug: other.slug,
      payload: { email: journey.email, password: OTHER_TENANT_PASSWORD },
    })
    expect(registered.statusCode).toBe(202)
    const verified = await call('POST', '/v1/auth/verify-email', {
      slug: other.slug,
      payload: { token: linkToken(await capturedMail(other.id, VERIFY_SUBJECT), 'verify-email') },
    })
    expect(verified.statusCode).toBe(200)
    const signedIn = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: { host: `${other.slug}.localhost` },
      payload: { email: journey.email, password: OTHER_TENANT_PASSWORD },
    })
    expect(signedIn.statusCode).toBe(200)
    const tokens = signedIn.json() as Tokens
    const otherMe = await t.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { host: `${other.slug}.localhost`, ...t.auth(tokens.accessToken) },
    })
    journey.other = { ...other, userId: (otherMe.json() as Me).id, tokens }
  })

  it('refuses a self-assigned role, then registers a learner and verifies the address from the emailed link', async () => {
    const asAdmin = await call('POST', '/v1/auth/register', {
      payload: { email: journey.email, password: STRONG_PASSWORD, role: 'tenant_admin' },
    })
    expect(asAdmin.statusCode).toBe(400)
    const registered = await call('POST', '/v1/auth/register', {
      payload: { email: journey.email, password: STRONG_PASSWORD },
    })
    expect(registered.statusCode).toBe(202)
    expect(registered.json()).toEqual({ status: 'verification_pending' })

    const mail = await capturedMail(journey.tenant.id, VERIFY_SUBJECT)
    const verified = await call('POST', '/v1/auth/verify-email', {
      payload: { token: linkToken(mail, 'verify-email') },
    })
    expect(verified.statusCode).toBe(200)
    expect(verified.json()).toEqual({ status: 'verified' })
    // Only the clean registration sent an email: the refused one created nothing.
    const mails = await accounts.outbox(journey.email)
    expect(mails.filter((m) => m.subject === VERIFY_SUBJECT)).toHaveLength(2) // one per tenant
  })

  it('answers wrong passwords like an unknown email, and a success resets the failure counter', async () => {
    const unknown = await call('POST', '/v1/auth/login', {
      payload: { email: uniqueEmail('nobody'), password: WRONG_PASSWORD },
    })
    expect(unknown.statusCode).toBe(401)
    for (let attempt = 0; attempt < 3; attempt++) {
      const wrong = await login(WRONG_PASSWORD)
      expect(wrong.statusCode).toBe(401)
      expect(withoutIds(wrong.json())).toEqual(withoutIds(unknown.json()))
    }
    // The other tenant's password is just a wrong password here.
    expect((await login(OTHER_TENANT_PASSWORD)).json().code).toBe('INVALID_CREDENTIALS')
    expect(await failedLogins()).toBe(4)

    const success = await login(STRONG_PASSWORD)
    expect(success.statusCode).toBe(200)
    expect(await failedLogins()).toBe(0)
    const tokens = success.json() as Tokens
    const profile = (await me(tokens.accessToken)).json() as Me
    expect(profile).toMatchObject({ tenantId: journey.tenant.id, roles: ['learner'], emailVerified: true })
    journey.userId = profile.id
    journey.sessions.first = tokens
  })

  it('enrols TOTP; after logout the password alone no longer signs in', async () => {
    const token = journey.sessions.first!.accessToken
    const enrolment = await call('POST', '/v1/me/mfa/totp', { token })
    expect(enrolment.statusCode).toBe(201)
    journey.secret = (enrolment.json() as { secret: string }).secret
    const confirmed = await call('POST', '/v1/me/mfa/totp/confirm', { token, payload: { code: await freshCode() } })
    expect(confirmed.statusCode).toBe(200)
    journey.recoveryCodes = (confirmed.json() as { recoveryCodes: string[] }).recoveryCodes
    expect(journey.recoveryCodes).toHaveLength(10)

    const out = await call('POST', '/v1/auth/logout', { token })
    expect(out.statusCode).toBe(204)
    expect((await me(token)).statusCode).toBe(401)

    journey.sessions.mfa = await signInWithSecondFactor(STRONG_PASSWORD, { code: await freshCode() })
    expect((await me(journey.sessions.mfa.accessToken)).statusCode).toBe(200)
  })

  it('rotates the refresh token on every use; reusing a rotated one ends that session', async () => {
    const original = journey.sessions.mfa!
    const first = await call('POST', '/v1/auth/refresh', { payload: { refreshToken: original.refreshToken } })
    expect(first.statusCode).toBe(200)
    const rotated = first.json() as Tokens
    expect(rotated.refreshToken).not.toBe(original.refreshToken)
    expect(rotated.accessToken).not.toBe(original.accessToken)
    const second = await call('POST', '/v1/auth/refresh', { payload: { refreshToken: rotated.refreshToken } })
    expect(second.statusCode).toBe(200)
    const latest = second.json() as Tokens
    expect(latest.refreshToken).not.toBe(rotated.refreshToken)
    expect((await me(latest.accessToken)).statusCode).toBe(200)

    const reused = await call('POST', '/v1/auth/refresh', { payload: { refreshToken: original.refreshToken } })
    expect(reused.statusCode).toBe(401)
    expect(reused.json().code).toBe('REFRESH_TOKEN_REUSED')
    expect((await me(latest.accessToken)).statusCode).toBe(401)
    expect(
      (await call('POST', '/v1/auth/refresh', { payload: { refreshToken: latest.refreshToken } })).statusCode,
    ).toBe(401)
  })

  it('signs in on several devices, lists the sessions, revokes one and logs out everywhere', async () => {
    const [laptopCode, phoneCode, tabletCode] = journey.recoveryCodes
    const laptop = await signInWithSecondFactor(STRONG_PASSWORD, { recoveryCode: laptopCode! }, 'journey-laptop')
    const phone = await signInWithSecondFactor(STRONG_PASSWORD, { recoveryCode: phoneCode! }, 'journey-phone')
    const tablet = await signInWithSecondFactor(STRONG_PASSWORD, { recoveryCode: tabletCode! }, 'journey-tablet')
    const sessionOf = async (tokens: Tokens) => ((await me(tokens.accessToken)).json() as Me).sessionId

    const listed = await call('GET', '/v1/me/sessions', { token: phone.accessToken })
    expect(listed.statusCode).toBe(200)
    const data = (listed.json() as { data: Array<{ id: string; userAgent: string | null; current: boolean }> }).data
    expect(data.map((s) => s.userAgent).sort()).toEqual(['journey-laptop', 'journey-phone', 'journey-tablet'])
    expect(data.find((s) => s.current)?.id).toBe(await sessionOf(phone))

    const revoked = await call('DELETE', `/v1/me/sessions/${await sessionOf(tablet)}`, { token: phone.accessToken })
    expect(revoked.statusCode).toBe(204)
    expect((await me(tablet.accessToken)).statusCode).toBe(401)
    expect((await call('GET', '/v1/me/sessions', { token: phone.accessToken })).json().data).toHaveLength(2)

    const everywhere = await call('POST', '/v1/auth/logout-all', { token: phone.accessToken })
    expect(everywhere.json()).toEqual({ revokedSessions: 2 })
    for (const tokens of [laptop, phone]) {
      expect((await me(tokens.accessToken)).statusCode).toBe(401)
      expect(
        (await call('POST', '/v1/auth/refresh', { payload: { refreshToken: tokens.refreshToken } })).statusCode,
      ).toBe(401)
    }
  })

  it('resets the password from the emailed link: the old password fails, the new one works with TOTP', async () => {
    const requested = await call('POST', '/v1/auth/password-reset', { payload: { email: journey.email } })
    expect(requested.statusCode).toBe(202)
    expect(requested.json()).toEqual({ status: 'email_sent' })
    journey.resetToken = linkToken(await capturedMail(journey.tenant.id, RESET_SUBJECT), 'reset-password')

    const confirmed = await call('POST', '/v1/auth/password-reset/confirm', {
      payload: { token: journey.resetToken, newPassword: NEW_PASSWORD },
    })
    expect(confirmed.statusCode).toBe(200)
    expect(confirmed.json()).toEqual({ status: 'password_changed' })

    const old = await login(STRONG_PASSWORD)
    expect(old.statusCode).toBe(401)
    expect(old.json().code).toBe('INVALID_CREDENTIALS')
    const tokens = await signInWithSecondFactor(NEW_PASSWORD, { code: await freshCode() })
    expect((await me(tokens.accessToken)).json()).toMatchObject({ id: journey.userId, tenantId: journey.tenant.id })
    journey.sessions.final = tokens

    const again = await call('POST', '/v1/auth/password-reset/confirm', {
      payload: { token: journey.resetToken, newPassword: 'another-fresh-9-password' },
    })
    expect(again.statusCode).toBe(400)
    expect(again.json().code).toBe('RESET_TOKEN_INVALID')
  })

  it('left the other tenant untouched: its account keeps its password and its session', async () => {
    const other = journey.other
    const stillIn = await t.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { host: `${other.slug}.localhost`, ...t.auth(other.tokens!.accessToken) },
    })
    expect(stillIn.statusCode).toBe(200)
    expect(stillIn.json()).toMatchObject({ id: other.userId, tenantId: other.id, roles: ['learner'] })
    const otherHost = { host: `${other.slug}.localhost` }
    const withJourneyPassword = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: otherHost,
      payload: { email: journey.email, password: NEW_PASSWORD },
    })
    expect(withJourneyPassword.statusCode).toBe(401)
    const withOwnPassword = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: otherHost,
      payload: { email: journey.email, password: OTHER_TENANT_PASSWORD },
    })
    expect(withOwnPassword.statusCode).toBe(200)
    expect(withOwnPassword.json()).toHaveProperty('accessToken') // no two-factor there: the journey's TOTP is its own
    // The journey's live tokens are useless on the other tenant's host.
    const final = journey.sessions.final!
    const crossAccess = await t.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { ...otherHost, ...t.auth(final.accessToken) },
    })
    expect(crossAccess.statusCode).toBe(403)
    expect(crossAccess.json().code).toBe('TENANT_MISMATCH')
    const crossRefresh = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      headers: otherHost,
      payload: { refreshToken: final.refreshToken },
    })
    expect(crossRefresh.statusCode).toBe(401)
    expect((await me(final.accessToken)).statusCode).toBe(200)
  })
})
