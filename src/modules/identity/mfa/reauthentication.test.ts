/**
 * Defect 3 (issue 9): a stolen session alone cannot enrol, replace or turn off a second factor or
 * regenerate recovery codes. Each needs the current password, or a sign-in within five minutes;
 * each change is mailed to the user. Also: the second sign-in step needs no tenant host.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { accountsClient } from '../accounts/accounts.testing.ts'
import { STRONG_PASSWORD } from '../sessions/sessions.testing.ts'
import { awayFromStepEdge, codeAt, mfaClient } from './mfa.testing.ts'

let t: TestApp
let api: ReturnType<typeof mfaClient>
let accounts: ReturnType<typeof accountsClient>
beforeAll(async () => {
  t = await buildTestApp({ worker: true, env: { RATE_LIMITS: 'auth=1000/10000' } })
  api = mfaClient(t)
  accounts = accountsClient(t)
})
afterAll(async () => t?.close())

const WRONG = 'not-the-password-at-all'
const ENABLED = 'Two-factor authentication was turned on'
const DISABLED = 'Two-factor authentication was turned off'
const REGENERATED = 'New two-factor recovery codes were created'

const call = (slug: string, method: 'GET' | 'POST' | 'DELETE', url: string, accessToken: string, payload?: object) =>
  t.app.inject({
    method,
    url,
    headers: { host: `${slug}.localhost`, authorization: `Bearer ${accessToken}` },
    ...(payload ? { payload } : {}),
  })

/** As if the user had signed in ten minutes ago: past the re-authentication window. */
const ageSessions = (userId: string) =>
  api.query(
    sql`UPDATE identity.sessions SET created_at = created_at - interval '10 minutes' WHERE user_id = ${userId} RETURNING id`,
  )

const mailsTo = async (email: string, subject: string) =>
  (await accounts.outbox(email)).filter((m) => m.subject === subject)

const failures = async (userId: string) =>
  Number(
    (await api.query<{ n: number }>(sql`SELECT failed_login_count AS n FROM identity.users WHERE id = ${userId}`))[0]
      ?.n,
  )

async function enrolledUser() {
  const user = await api.user()
  const { secret } = (await call(user.slug, 'POST', '/v1/me/mfa/totp', user.accessToken)).json() as { secret: string }
  await awayFromStepEdge()
  const confirmed = await api.confirm(user.slug, user.accessToken, await codeAt(secret, -1))
  expect(confirmed.statusCode).toBe(200)
  return { ...user, secret, recoveryCodes: (confirmed.json() as { recoveryCodes: string[] }).recoveryCodes }
}

describe('re-authentication before second-factor changes', () => {
  it('lets a session that signed in minutes ago enrol without the password, and mails the user when TOTP is on', async () => {
    const user = await enrolledUser()
    const mails = await mailsTo(user.email, ENABLED)
    expect(mails).toHaveLength(1)
    expect(mails[0]?.text).toMatch(new RegExp(`http://${user.slug}\\.localhost(:\\d+)?/reset-password`))
    const status = await call(user.slug, 'GET', '/v1/me/mfa', user.accessToken)
    expect(status.json()).toEqual({ totp: 'enabled', recoveryCodesRemaining: 10 })
  })

  it('refuses enrolment on an older session without the password, and with a wrong one (counted toward the lockout)', async () => {
    const user = await api.user()
    await ageSessions(user.userId)
    const bare = await call(user.slug, 'POST', '/v1/me/mfa/totp', user.accessToken)
    expect(bare.statusCode).toBe(403)
    expect(bare.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(bare.json().code).toBe('REAUTHENTICATION_REQUIRED')
    const empty = await call(user.slug, 'POST', '/v1/me/mfa/totp', user.accessToken, {})
    expect(empty.json().code).toBe('REAUTHENTICATION_REQUIRED')

    const wrong = await call(user.slug, 'POST', '/v1/me/mfa/totp', user.accessToken, { password: WRONG })
    expect(wrong.statusCode).toBe(403)
    expect(wrong.json().code).toBe('REAUTHENTICATION_REQUIRED')
    expect(await failures(user.userId)).toBe(1)
    const [audited] = await api.query<{ reason: string }>(
      sql`SELECT details->>'reason' AS reason FROM platform.audit_log WHERE target_id = ${user.userId} AND action = 'auth.login_failed'`,
    )
    expect(audited?.reason).toBe('reauthentication_wrong_password')
    expect((await call(user.slug, 'GET', '/v1/me/mfa', user.accessToken)).json()).toEqual({
      totp: 'none',
      recoveryCodesRemaining: 0,
    })

    const right = await call(user.slug, 'POST', '/v1/me/mfa/totp', user.accessToken, { password: STRONG_PASSWORD })
    expect(right.statusCode).toBe(201)
    // The right password ends the series of failures, as a sign-in does.
    expect(await failures(user.userId)).toBe(0)
    const { secret } = right.json() as { secret: string }
    await awayFromStepEdge()
    // Confirming only turns on the factor the re-authenticated enrolment created.
    expect((await api.confirm(user.slug, user.accessToken, await codeAt(secret, 0))).statusCode).toBe(200)
    expect(await mailsTo(user.email, ENABLED)).toHaveLength(1)
  })

  it('locks the account after five wrong passwords, then says so, and mails the owner once', async () => {
    const user = await api.user()
    await ageSessions(user.userId)
    for (let attempt = 1; attempt <= 5; attempt++)
      expect((await call(user.slug, 'POST', '/v1/me/mfa/totp', user.accessToken, { password: WRONG })).statusCode).toBe(
        403,
      )
    const locked = await call(user.slug, 'POST', '/v1/me/mfa/totp', user.accessToken, { password: STRONG_PASSWORD })
    expect(locked.statusCode).toBe(429)
    expect(locked.json().code).toBe('ACCOUNT_LOCKED')
    expect(await mailsTo(user.email, 'Your account was locked after failed sign-ins')).toHaveLength(1)
  })

  it('turns TOTP off only with the password (or a recent sign-in) and a code, and mails the user', async () => {
    const user = await enrolledUser()
    await ageSessions(user.userId)
    await awayFromStepEdge()
    const codeOnly = await call(user.slug, 'DELETE', '/v1/me/mfa/totp', user.accessToken, {
      code: await codeAt(user.secret, 0),
    })
    expect(codeOnly.statusCode).toBe(403)
    expect(codeOnly.json().code).toBe('REAUTHENTICATION_REQUIRED')
    const wrong = await call(user.slug, 'DELETE', '/v1/me/mfa/totp', user.accessToken, {
      code: await codeAt(user.secret, 0),
      password: WRONG,
    })
    expect(wrong.json().code).toBe('REAUTHENTICATION_REQUIRED')
    expect(await mailsTo(user.email, DISABLED)).toHaveLength(0)

    const off = await call(user.slug, 'DELETE', '/v1/me/mfa/totp', user.accessToken, {
      code: await codeAt(user.secret, 0),
      password: STRONG_PASSWORD,
    })
    expect(off.statusCode).toBe(204)
    expect(await mailsTo(user.email, DISABLED)).toHaveLength(1)
    expect((await call(user.slug, 'GET', '/v1/me/mfa', user.accessToken)).json()).toEqual({
      totp: 'none',
      recoveryCodesRemaining: 0,
    })
  })

  it('regenerates recovery codes only with re-authentication: the old ones stop working, the new ones work, the user is mailed', async () => {
    const user = await enrolledUser()
    await ageSessions(user.userId)
    const refused = await call(user.slug, 'POST', '/v1/me/mfa/recovery-codes', user.accessToken)
    expect(refused.statusCode).toBe(403)
    expect(refused.json().code).toBe('REAUTHENTICATION_REQUIRED')
    const wrong = await call(user.slug, 'POST', '/v1/me/mfa/recovery-codes', user.accessToken, { password: WRONG })
    expect(wrong.json().code).toBe('REAUTHENTICATION_REQUIRED')

    const fresh = await call(user.slug, 'POST', '/v1/me/mfa/recovery-codes', user.accessToken, {
      password: STRONG_PASSWORD,
    })
    expect(fresh.statusCode).toBe(200)
    expect(fresh.headers['cache-control']).toBe('no-store')
    const { recoveryCodes } = fresh.json() as { recoveryCodes: string[] }
    expect(recoveryCodes).toHaveLength(10)
    expect(recoveryCodes.filter((code) => user.recoveryCodes.includes(code))).toEqual([])
    expect(await mailsTo(user.email, REGENERATED)).toHaveLength(1)

    const old = await api.secondStep(user.slug, {
      mfaToken: await api.challenge(user.slug, user.email),
      recoveryCode: user.recoveryCodes[0]!,
    })
    expect(old.statusCode).toBe(401)
    const used = await api.secondStep(user.slug, {
      mfaToken: await api.challenge(user.slug, user.email),
      recoveryCode: recoveryCodes[0]!,
    })
    expect(used.statusCode).toBe(200)
    expect((await call(user.slug, 'GET', '/v1/me/mfa', user.accessToken)).json()).toEqual({
      totp: 'enabled',
      recoveryCodesRemaining: 9,
    })
    expect(await api.audit(user.userId)).toContainEqual({
      action: 'mfa.recovery_codes_regenerated',
      outcome: 'success',
    })
  })

  it('answers 409 MFA_NOT_ENABLED for recovery codes without a factor', async () => {
    const user = await api.user()
    const response = await call(user.slug, 'POST', '/v1/me/mfa/recovery-codes', user.accessToken, {
      password: STRONG_PASSWORD,
    })
    expect(response.statusCode).toBe(409)
    expect(response.json().code).toBe('MFA_NOT_ENABLED')
  })
})

describe('POST /v1/auth/mfa', () => {
  it('needs no tenant host: the challenge names its tenant', async () => {
    const user = await enrolledUser()
    const mfaToken = await api.challenge(user.slug, user.email)
    await awayFromStepEdge()
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/mfa',
      headers: { host: 'localhost' },
      payload: { mfaToken, code: await codeAt(user.secret, 0) },
    })
    expect(response.statusCode).toBe(200)
    const { accessToken } = response.json() as { accessToken: string }
    const me = await call(user.slug, 'GET', '/v1/me', accessToken)
    expect(me.json()).toMatchObject({ tenantId: user.id, email: user.email })
  })

  it("refuses the challenge on another tenant's host", async () => {
    const user = await enrolledUser()
    const other = await t.createTenant()
    const mfaToken = await api.challenge(user.slug, user.email)
    await awayFromStepEdge()
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/mfa',
      headers: { host: `${other.slug}.localhost` },
      payload: { mfaToken, code: await codeAt(user.secret, 0) },
    })
    expect(response.statusCode).toBe(401)
    expect(response.json().code).toBe('MFA_CHALLENGE_INVALID')
    // Nothing was spent: the challenge still works on the right host.
    expect((await api.secondStep(user.slug, { mfaToken, code: await codeAt(user.secret, 0) })).statusCode).toBe(200)
  })
})
