import { createHash } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { accountsClient, type OutboxMail } from '../accounts/accounts.testing.ts'
import { awayFromStepEdge, codeAt, mfaClient } from '../mfa/mfa.testing.ts'
import { sessionsClient, STRONG_PASSWORD } from '../sessions/sessions.testing.ts'

let t: TestApp
let api: ReturnType<typeof sessionsClient>
let accounts: ReturnType<typeof accountsClient>
beforeAll(async () => {
  // A roomy auth quota: this file calls the auth routes far more often than one client would.
  t = await buildTestApp({ worker: true, env: { RATE_LIMITS: 'auth=1000/10000' } })
  api = sessionsClient(t)
  accounts = accountsClient(t)
})
afterAll(async () => t?.close())

const NEW_PASSWORD = 'copper-meadow-41-quartz'
const RESET_SUBJECT = 'Reset your password'
const MAGIC_SUBJECT = 'Your sign-in link'
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')

const post = (slug: string, url: string, payload: object) =>
  t.app.inject({ method: 'POST', url, headers: { host: `${slug}.localhost` }, payload })
const requestReset = (slug: string, email: string) => post(slug, '/v1/auth/password-reset', { email })
const confirmReset = (slug: string, token: string, newPassword = NEW_PASSWORD) =>
  post(slug, '/v1/auth/password-reset/confirm', { token, newPassword })
const requestMagic = (slug: string, email: string) => post(slug, '/v1/auth/magic-link', { email })
const consumeMagic = (slug: string, token: string) => post(slug, '/v1/auth/magic-link/consume', { token })

const mails = async (to: string, subject: string) => (await accounts.outbox(to)).filter((m) => m.subject === subject)
function linkToken(mail: OutboxMail, path: string): string {
  const match = new RegExp(`/${path}\\?token=([A-Za-z0-9_-]+)`).exec(mail.text)
  if (!match?.[1]) throw new Error(`no ${path} link in the email`)
  return match[1]
}
async function latestToken(email: string, subject: string, path: string): Promise<string> {
  const found = await mails(email, subject)
  if (!found[0]) throw new Error(`no "${subject}" email to ${email}`)
  // The outbox lists newest first.
  return linkToken(found[0], path)
}

async function account(options: { verify?: boolean } = {}) {
  const tenant = await t.createTenant()
  const email = await api.signUp(tenant.slug, options)
  return { ...tenant, email }
}

const auditActions = async (email: string) =>
  (
    await accounts.query<{ action: string }>(
      sql`SELECT a.action FROM platform.audit_log a JOIN identity.users u ON u.id::text = a.target_id WHERE u.email = ${email} ORDER BY a.occurred_at`,
    )
  ).map((r) => r.action)

describe('password reset over HTTP', () => {
  it('walks request → email → confirm: old sessions end, the new password works, the old does not', async () => {
    const { slug, email } = await account()
    const before = await api.signIn(slug, email)

    const requested = await requestReset(slug, email)
    expect(requested.statusCode).toBe(202)
    expect(requested.json()).toEqual({ status: 'email_sent' })
    const token = await latestToken(email, RESET_SUBJECT, 'reset-password')

    const confirmed = await confirmReset(slug, token)
    expect(confirmed.statusCode).toBe(200)
    expect(confirmed.json()).toEqual({ status: 'password_changed' })

    expect((await api.refresh(slug, before.refreshToken)).statusCode).toBe(401)
    expect((await api.call(slug, 'GET', '/v1/me', before.accessToken)).statusCode).toBe(401)
    expect((await api.login(slug, email, STRONG_PASSWORD)).statusCode).toBe(401)
    expect((await api.login(slug, email, NEW_PASSWORD)).statusCode).toBe(200)

    const revoked = await accounts.query<{ revoke_reason: string }>(
      sql`SELECT s.revoke_reason FROM identity.sessions s JOIN identity.users u ON u.id = s.user_id WHERE u.email = ${email} AND s.revoked_at IS NOT NULL`,
    )
    expect(revoked.map((r) => r.revoke_reason)).toEqual(['password_reset'])
    expect(await auditActions(email)).toEqual(
      expect.arrayContaining(['user.password_reset_requested', 'user.password_reset']),
    )
  })

  it('accepts a reset token once; the second use answers 400 RESET_TOKEN_INVALID', async () => {
    const { slug, email } = await account()
    await requestReset(slug, email)
    const token = await latestToken(email, RESET_SUBJECT, 'reset-password')
    expect((await confirmReset(slug, token)).statusCode).toBe(200)
    const again = await confirmReset(slug, token, 'another-fresh-passphrase-9')
    expect(again.statusCode).toBe(400)
    expect(again.json()).toMatchObject({ code: 'RESET_TOKEN_INVALID' })
    expect((await api.login(slug, email, NEW_PASSWORD)).statusCode).toBe(200)
  })

  it('refuses expired and unknown tokens alike', async () => {
    const { slug, email } = await account()
    await requestReset(slug, email)
    const token = await latestToken(email, RESET_SUBJECT, 'reset-password')
    await accounts.query(
      sql`UPDATE identity.one_time_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = ${sha256(token)}`,
    )
    const expired = await confirmReset(slug, token)
    const unknown = await confirmReset(slug, 'A'.repeat(43))
    expect([expired.statusCode, unknown.statusCode]).toEqual([400, 400])
    expect(expired.json()).toMatchObject({ code: 'RESET_TOKEN_INVALID' })
    expect(unknown.json()).toMatchObject({ code: 'RESET_TOKEN_INVALID' })
    expect((await api.login(slug, email, STRONG_PASSWORD)).statusCode).toBe(200)
  })

  it('refuses a weak new password with field errors and leaves the link usable', async () => {
    const { slug, email } = await account()
    await requestReset(slug, email)
    const token = await latestToken(email, RESET_SUBJECT, 'reset-password')
    const weak = await confirmReset(slug, token, 'short')
    expect(weak.statusCode).toBe(400)
    expect(weak.json()).toMatchObject({
      code: 'PASSWORD_POLICY_VIOLATION',
      errors: [expect.objectContaining({ path: 'body.newPassword', code: 'too_short' })],
    })
    expect((await confirmReset(slug, token)).statusCode).toBe(200)
  })

  it('lifts a lockout and retires the other outstanding reset links', async () => {
    const { id: tenantId, slug, email } = await account()
    await requestReset(slug, email)
    const first = await latestToken(email, RESET_SUBJECT, 'reset-password')
    await accounts.ageTokens(tenantId, email, 120)
    await requestReset(slug, email)
    const second = await latestToken(email, RESET_SUBJECT, 'reset-password')
    expect(second).not.toBe(first)
    await accounts.query(
      sql`UPDATE identity.users SET failed_login_count = 100, locked_until = 'infinity' WHERE email = ${email}`,
    )
    // Locked: answered like a wrong password (no enumeration), even with the right one.
    expect((await api.login(slug, email, STRONG_PASSWORD)).json()).toMatchObject({
      status: 401,
      code: 'INVALID_CREDENTIALS',
    })

    expect((await confirmReset(slug, second)).statusCode).toBe(200)
    expect((await confirmReset(slug, first, 'yet-another-passphrase-3')).json()).toMatchObject({
      code: 'RESET_TOKEN_INVALID',
    })
    expect((await api.login(slug, email, NEW_PASSWORD)).statusCode).toBe(200)
  })

  it('tells the owner, and retires the sign-in links and second-step challenges issued before it', async () => {
    const mfa = mfaClient(t)
    const user = await mfa.user()
    const { secret } = (await mfa.enrol(user.slug, user.accessToken)).json() as { secret: string }
    await awayFromStepEdge()
    expect((await mfa.confirm(user.slug, user.accessToken, await codeAt(secret, -1))).statusCode).toBe(200)
    // Someone holding the old password is at the second step; a sign-in link is in the mailbox.
    const challenge = (await api.login(user.slug, user.email, STRONG_PASSWORD)).json() as { mfaToken: string }
    expect(challenge.mfaToken).toEqual(expect.any(String))
    await requestMagic(user.slug, user.email)
    const magic = await latestToken(user.email, MAGIC_SUBJECT, 'magic-link')

    await requestReset(user.slug, user.email)
    expect(
      (await confirmReset(user.slug, await latestToken(user.email, RESET_SUBJECT, 'reset-password'))).statusCode,
    ).toBe(200)
    expect(await mails(user.email, 'Your password was changed')).toHaveLength(1)
    expect((await consumeMagic(user.slug, magic)).json()).toMatchObject({ status: 400, code: 'MAGIC_LINK_INVALID' })
    await awayFromStepEdge()
    const second = await mfa.secondStep(user.slug, { mfaToken: challenge.mfaToken, code: await codeAt(secret, 0) })
    expect(second.statusCode, second.body).toBe(401)
  })

  it('answers unknown addresses exactly like known ones and sends them nothing', async () => {
    const { slug, email } = await account()
    const stranger = `nobody.${Math.random().toString(36).slice(2, 8)}@example.org`
    const known = await requestReset(slug, email)
    const unknown = await requestReset(slug, stranger)
    expect(unknown.statusCode).toBe(known.statusCode)
    expect(unknown.body).toBe(known.body)
    expect(await accounts.outbox(stranger)).toEqual([])
  })

  it('throttles to one email a minute and five a day per account, silently', async () => {
    const { id: tenantId, slug, email } = await account()
    const answers = [await requestReset(slug, email), await requestReset(slug, email)]
    expect(answers.map((r) => r.statusCode)).toEqual([202, 202])
    expect(await mails(email, RESET_SUBJECT)).toHaveLength(1)
    for (let sent = 1; sent < 7; sent++) {
      await accounts.ageTokens(tenantId, email, 120)
      expect((await requestReset(slug, email)).statusCode).toBe(202)
    }
    expect(await mails(email, RESET_SUBJECT)).toHaveLength(5)
  })

  it('never stores a reset token in clear, only its SHA-256', async () => {
    const { slug, email } = await account()
    await requestReset(slug, email)
    const token = await latestToken(email, RESET_SUBJECT, 'reset-password')
    const hashed = await accounts.query(
      sql`SELECT 1 FROM identity.one_time_tokens WHERE purpose = 'reset_password' AND token_hash = ${sha256(token)}`,
    )
    expect(hashed).toHaveLength(1)
    const clear = await accounts.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM (SELECT row_to_json(o)::text AS r FROM identity.one_time_tokens o UNION ALL SELECT row_to_json(a)::text FROM platform.audit_log a) x WHERE r LIKE ${`%${token}%`}`,
    )
    expect(clear[0]?.n).toBe(0)
  })
})

describe('magic-link sign-in over HTTP', () => {
  it('signs in once with the emailed link, proves the address and audits the sign-in', async () => {
    const { slug, email } = await account({ verify: false })
    expect((await requestMagic(slug, email)).json()).toEqual({ status: 'email_sent' })
    const token = await latestToken(email, MAGIC_SUBJECT, 'magic-link')

    const first = await consumeMagic(slug, token)
    expect(first.statusCode).toBe(200)
    const tokens = first.json() as { accessToken: string; tokenType: string }
    expect(tokens.tokenType).toBe('Bearer')
    const me = await api.call(slug, 'GET', '/v1/me', tokens.accessToken)
    expect(me.json()).toMatchObject({ email, emailVerified: true })

    const second = await consumeMagic(slug, token)
    expect(second.statusCode).toBe(400)
    expect(second.json()).toMatchObject({ code: 'MAGIC_LINK_INVALID' })
    expect(await auditActions(email)).toEqual(expect.arrayContaining(['user.magic_link_requested', 'auth.login']))
    expect(
      await accounts.query(
        sql`SELECT 1 FROM identity.one_time_tokens WHERE purpose = 'magic_link' AND token_hash = ${sha256(token)}`,
      ),
    ).toHaveLength(1)
    expect(await accounts.query(sql`SELECT 1 FROM identity.one_time_tokens WHERE token_hash = ${token}`)).toHaveLength(
      0,
    )
  })

  it('answers unknown addresses like known ones and throttles requests', async () => {
    const { slug, email } = await account()
    const known = await requestMagic(slug, email)
    const again = await requestMagic(slug, email)
    const unknown = await requestMagic(slug, `nobody.${Math.random().toString(36).slice(2, 8)}@example.org`)
    expect([again.body, unknown.body]).toEqual([known.body, known.body])
    expect(await mails(email, MAGIC_SUBJECT)).toHaveLength(1)
  })

  it('answers a TOTP account with the sign-in challenge, which a code completes; the link is used up', async () => {
    const mfa = mfaClient(t)
    const user = await mfa.user()
    const { secret } = (await mfa.enrol(user.slug, user.accessToken)).json() as { secret: string }
    await awayFromStepEdge()
    expect((await mfa.confirm(user.slug, user.accessToken, await codeAt(secret, -1))).statusCode).toBe(200)
    await requestMagic(user.slug, user.email)
    const token = await latestToken(user.email, MAGIC_SUBJECT, 'magic-link')

    const challenged = await consumeMagic(user.slug, token)
    expect(challenged.statusCode).toBe(200)
    const body = challenged.json() as { mfaRequired: true; mfaToken: string }
    expect(Object.keys(body).sort()).toEqual(['mfaRequired', 'mfaToken'])
    // The link alone starts no session, and it cannot be used again.
    expect(
      await accounts.query(sql`SELECT 1 FROM identity.sessions WHERE user_id = ${user.userId} AND revoked_at IS NULL`),
    ).toHaveLength(1)
    expect((await consumeMagic(user.slug, token)).json()).toMatchObject({ status: 400, code: 'MAGIC_LINK_INVALID' })

    await awayFromStepEdge()
    const completed = await mfa.secondStep(user.slug, { mfaToken: body.mfaToken, code: await codeAt(secret, 0) })
    expect(completed.statusCode).toBe(200)
    const { accessToken } = completed.json() as { accessToken: string; refreshToken: string }
    expect((await api.call(user.slug, 'GET', '/v1/me', accessToken)).json()).toMatchObject({ email: user.email })
    expect(await auditActions(user.email)).toEqual(
      expect.arrayContaining(['user.magic_link_requested', 'auth.mfa_challenge', 'auth.login']),
    )
  })
})
