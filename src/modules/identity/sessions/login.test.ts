import { hash } from '@node-rs/argon2'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { accountsClient } from '../accounts/accounts.testing.ts'
import { sessionsClient, STRONG_PASSWORD, uniqueEmail } from './sessions.testing.ts'

let t: TestApp
let api: ReturnType<typeof sessionsClient>
let mail: ReturnType<typeof accountsClient>
beforeAll(async () => {
  t = await buildTestApp({ worker: true, env: { RATE_LIMITS: 'auth=1000/10000' } })
  api = sessionsClient(t)
  mail = accountsClient(t)
})
afterAll(async () => t?.close())

const WRONG = 'not-the-password-at-all'

async function account(options: { verify?: boolean } = {}) {
  const tenant = await t.createTenant()
  const email = await api.signUp(tenant.slug, options)
  const [user] = await api.query<{ id: string }>(
    sql`SELECT id FROM identity.users WHERE tenant_id = ${tenant.id} AND email = ${email}`,
  )
  return { ...tenant, email, userId: user!.id }
}

const loginState = async (userId: string) =>
  (
    await api.query<{ failures: number; locked: boolean; forever: boolean }>(
      sql`SELECT failed_login_count AS failures, coalesce(locked_until > now(), false) AS locked, coalesce(locked_until = 'infinity', false) AS forever FROM identity.users WHERE id = ${userId}`,
    )
  )[0]

const lockSecondsOf = async (userId: string) =>
  Number(
    (
      await api.query<{ seconds: number }>(
        sql`SELECT ceil(extract(epoch from (locked_until - now())))::int AS seconds FROM identity.users WHERE id = ${userId}`,
      )
    )[0]?.seconds,
  )

const LOCKED_SUBJECT = 'Your account was locked after failed sign-ins'

const auditOf = (userId: string) =>
  api.query<{ action: string; outcome: string; reason: string | null }>(
    sql`SELECT action, outcome, details->>'reason' AS reason FROM platform.audit_log WHERE target_id = ${userId} AND action LIKE 'auth.%' ORDER BY occurred_at, id`,
  )

describe('POST /v1/auth/login', () => {
  it('answers unknown email, wrong password and disabled account with the same 401 body', async () => {
    const { slug, email, userId } = await account()
    const other = await account()
    await api.query(sql`UPDATE identity.users SET status = 'disabled' WHERE id = ${other.userId}`)
    const responses = [
      await api.login(slug, uniqueEmail('nobody')),
      await api.login(slug, email, WRONG),
      await api.login(other.slug, other.email),
    ]
    for (const response of responses) {
      expect(response.statusCode).toBe(401)
      const { requestId: _id, instance: _instance, ...body } = response.json() as Record<string, unknown>
      expect(body).toEqual({
        type: expect.any(String),
        title: 'Unauthorized',
        status: 401,
        code: 'INVALID_CREDENTIALS',
        detail: 'The email address or password is wrong',
      })
    }
    expect(await auditOf(userId)).toEqual([
      { action: 'auth.login_failed', outcome: 'failure', reason: 'wrong_password' },
    ])
    expect(await auditOf(other.userId)).toEqual([
      { action: 'auth.login_failed', outcome: 'failure', reason: 'disabled' },
    ])
    const unknown = await api.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM platform.audit_log WHERE action = 'auth.login_failed' AND target_type = 'email' AND details->>'reason' = 'unknown_email'`,
    )
    expect(unknown[0]?.n).toBeGreaterThanOrEqual(1)
  })

  it('refuses an unverified address with 403 EMAIL_NOT_VERIFIED only after the right password', async () => {
    const { slug, email } = await account({ verify: false })
    expect((await api.login(slug, email, WRONG)).json().code).toBe('INVALID_CREDENTIALS')
    const response = await api.login(slug, email)
    expect(response.statusCode).toBe(403)
    expect(response.json().code).toBe('EMAIL_NOT_VERIFIED')
  })

  it('locks after 5 consecutive failures: the same 401 even with the right password, attempts during the lock not counted', async () => {
    const { slug, email, userId } = await account()
    for (let attempt = 1; attempt <= 5; attempt++) expect((await api.login(slug, email, WRONG)).statusCode).toBe(401)
    expect(await loginState(userId)).toEqual({ failures: 5, locked: true, forever: false })
    const seconds = await lockSecondsOf(userId)
    expect(seconds).toBeGreaterThan(50)
    expect(seconds).toBeLessThanOrEqual(60)
    const locked = await api.login(slug, email)
    expect(locked.statusCode).toBe(401)
    expect(locked.json().code).toBe('INVALID_CREDENTIALS')
    expect(locked.headers['retry-after']).toBeUndefined()
    // Attempts during the lock are not counted.
    expect((await api.login(slug, email, WRONG)).statusCode).toBe(401)
    expect((await loginState(userId))?.failures).toBe(5)
    // Entries of one transaction share their timestamp, so compare as a multiset.
    const actions = (await auditOf(userId)).map((a) => `${a.action}:${a.outcome}`).sort()
    expect(actions).toEqual([
      'auth.account_locked:denied',
      ...Array(5).fill('auth.login_failed:failure'),
      'auth.login_locked:denied',
      'auth.login_locked:denied',
    ])
  })

  it('answers a locked account exactly like an unknown address, and mails the owner once per lockout', async () => {
    const { slug, email } = await account()
    for (let attempt = 1; attempt <= 5; attempt++) expect((await api.login(slug, email, WRONG)).statusCode).toBe(401)
    const locked = await api.login(slug, email, WRONG)
    const unknown = await api.login(slug, uniqueEmail(), WRONG)
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined })
    expect(locked.statusCode).toBe(unknown.statusCode)
    expect(strip(locked.json())).toEqual(strip(unknown.json()))
    expect(locked.headers['retry-after']).toBe(unknown.headers['retry-after'])
    // The same over the browser sign-in.
    const browserLocked = await t.app.inject({
      method: 'POST',
      url: '/v1/browser-sessions',
      headers: { host: `${slug}.localhost` },
      payload: { email, password: STRONG_PASSWORD },
    })
    const browserUnknown = await t.app.inject({
      method: 'POST',
      url: '/v1/browser-sessions',
      headers: { host: `${slug}.localhost` },
      payload: { email: uniqueEmail(), password: STRONG_PASSWORD },
    })
    expect(browserLocked.statusCode).toBe(401)
    expect(strip(browserLocked.json())).toEqual(strip(browserUnknown.json()))
    expect(browserLocked.headers['set-cookie']).toBeUndefined()

    const lockMails = (await mail.outbox(email)).filter((m) => m.subject === LOCKED_SUBJECT)
    expect(lockMails).toHaveLength(1)
    expect(lockMails[0]?.text).toContain(`http://${slug}.localhost`)
    expect(lockMails[0]?.text).toContain('/reset-password')
  })

  it('doubles the lock with each further failure, and a success resets the counter', async () => {
    const { slug, email, userId } = await account()
    await api.query(
      sql`UPDATE identity.users SET failed_login_count = 5, locked_until = now() - interval '1 second' WHERE id = ${userId}`,
    )
    expect((await api.login(slug, email, WRONG)).statusCode).toBe(401)
    expect(await lockSecondsOf(userId)).toBeGreaterThan(110)
    expect(await lockSecondsOf(userId)).toBeLessThanOrEqual(120)
    expect((await api.login(slug, email)).statusCode).toBe(401)
    await api.query(
      sql`UPDATE identity.users SET failed_login_count = 20, locked_until = now() - interval '1 second' WHERE id = ${userId}`,
    )
    expect((await api.login(slug, email, WRONG)).statusCode).toBe(401)
    expect(await lockSecondsOf(userId)).toBeGreaterThan(3590)
    // A lock that continues a series is not a new lockout: no further mail.
    expect((await mail.outbox(email)).filter((m) => m.subject === LOCKED_SUBJECT)).toHaveLength(0)

    await api.query(sql`UPDATE identity.users SET locked_until = now() - interval '1 second' WHERE id = ${userId}`)
    expect((await api.login(slug, email)).statusCode).toBe(200)
    expect(await loginState(userId)).toEqual({ failures: 0, locked: false, forever: false })
  })

  it('locks for good at the 100th consecutive failure (NIST), answered like a wrong password, and says so by mail', async () => {
    const { slug, email, userId } = await account()
    await api.query(sql`UPDATE identity.users SET failed_login_count = 99 WHERE id = ${userId}`)
    expect((await api.login(slug, email, WRONG)).statusCode).toBe(401)
    expect(await loginState(userId)).toEqual({ failures: 100, locked: true, forever: true })
    const response = await api.login(slug, email)
    expect(response.statusCode).toBe(401)
    expect(response.json().code).toBe('INVALID_CREDENTIALS')
    const lockMails = (await mail.outbox(email)).filter((m) => m.subject === LOCKED_SUBJECT)
    expect(lockMails).toHaveLength(1)
    expect(lockMails[0]?.text).toContain('stays locked until you reset your password')
  })

  it('rehashes a password stored with weaker parameters on the next sign-in', async () => {
    const { slug, email, userId } = await account()
    const weak = await hash(STRONG_PASSWORD, { algorithm: 2, memoryCost: 8192, timeCost: 1, parallelism: 1 })
    await api.query(sql`UPDATE identity.users SET password_hash = ${weak} WHERE id = ${userId}`)
    expect((await api.login(slug, email)).statusCode).toBe(200)
    const [row] = await api.query<{ password_hash: string }>(
      sql`SELECT password_hash FROM identity.users WHERE id = ${userId}`,
    )
    expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect((await api.login(slug, email)).statusCode).toBe(200)
  })

  it('needs a tenant host', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: { host: 'localhost' },
      payload: { email: uniqueEmail(), password: STRONG_PASSWORD },
    })
    expect(response.statusCode).toBe(400)
    expect(response.json().code).toBe('TENANT_REQUIRED')
  })
})
