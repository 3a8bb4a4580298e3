import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { createLogger } from '../../../platform/observability/logger.ts'
import { accountsClient, tokenFrom } from '../accounts/accounts.testing.ts'
import { hashIp } from './login-events.ts'
import type { Tokens } from './sessions.testing.ts'

// Every secret of the sign-in flows, made unique per run so a hit cannot be a coincidence.
const run = randomBytes(4).toString('hex')
const CANARY = {
  emailLocal: `canary-local-${run}`,
  password: `canary-Password-${run}-lantern`,
  wrongPassword: `canary-wrong-${run}-harbour`,
  newPassword: `canary-newpass-${run}-violet`,
  unknownLocal: `canary-nobody-${run}`,
}
const EMAIL = `${CANARY.emailLocal}@example.org`
const LOCKED_EMAIL = `canary-locked-${run}@example.org`
const UNKNOWN_EMAIL = `${CANARY.unknownLocal}@example.org`

const lines: string[] = []
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(chunk.toString('utf8'))
    done()
  },
})
const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>)

let t: TestApp
let accounts: ReturnType<typeof accountsClient>
// Tokens and emailed secrets seen during the flows; none may reach the log.
const issued: string[] = []

beforeAll(async () => {
  t = await buildTestApp({ worker: true, logger: createLogger('trace', sink), env: { RATE_LIMITS: 'auth=1000/10000' } })
  accounts = accountsClient(t)
})
afterAll(async () => t?.close())

const post = (slug: string, url: string, payload: object, remoteAddress = '127.0.0.1') =>
  t.app.inject({
    method: 'POST',
    url,
    remoteAddress,
    headers: { host: `${slug}.localhost`, 'user-agent': 'vitest' },
    payload,
  })
const login = (slug: string, email: string, password: string, remoteAddress?: string) =>
  post(slug, '/v1/auth/login', { email, password }, remoteAddress)

async function signUp(slug: string, email: string, password: string): Promise<void> {
  expect((await accounts.register(slug, { email, password })).statusCode).toBe(202)
  const [mail] = await accounts.verificationMails(email)
  const token = tokenFrom(mail!)
  issued.push(token)
  expect((await accounts.verify(slug, token)).statusCode).toBe(200)
}

async function resetPassword(slug: string, email: string, newPassword: string): Promise<void> {
  expect((await post(slug, '/v1/auth/password-reset', { email })).statusCode).toBe(202)
  const mail = (await accounts.outbox(email)).find((m) => m.subject === 'Reset your password')
  const token = /\/reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail!.text)![1]!
  issued.push(token)
  expect((await post(slug, '/v1/auth/password-reset/confirm', { token, newPassword })).statusCode).toBe(200)
}

function keepTokens(body: Tokens): Tokens {
  issued.push(body.accessToken, body.refreshToken)
  return body
}

describe('sign-in logging', () => {
  let tenant: { id: string; slug: string }

  it('logs a failed sign-in, lock and locked attempt at warn with request, tenant and user ids and the hashed IP', async () => {
    tenant = await t.createTenant()
    await signUp(tenant.slug, EMAIL, CANARY.password)
    await signUp(tenant.slug, LOCKED_EMAIL, CANARY.password)
    expect((await login(tenant.slug, EMAIL, CANARY.wrongPassword)).statusCode).toBe(401)
    expect((await login(tenant.slug, UNKNOWN_EMAIL, CANARY.wrongPassword)).statusCode).toBe(401)
    for (let attempt = 1; attempt <= 5; attempt++) await login(tenant.slug, LOCKED_EMAIL, CANARY.wrongPassword)
    expect((await login(tenant.slug, LOCKED_EMAIL, CANARY.password)).json().code).toBe('INVALID_CREDENTIALS')

    const auth = entries().filter((entry) => typeof entry.event === 'string' && entry.tenantId === tenant.id)
    const base = { level: 40, tenantId: tenant.id, ipHash: hashIp('127.0.0.1'), requestId: expect.any(String) }
    expect(auth.filter((e) => e.event === 'auth.login_failed')).toHaveLength(7)
    expect(auth).toContainEqual(
      expect.objectContaining({
        ...base,
        event: 'auth.login_failed',
        msg: 'auth.login_failed',
        reason: 'wrong_password',
        userId: expect.any(String),
      }),
    )
    expect(auth).toContainEqual(
      expect.objectContaining({ ...base, event: 'auth.login_failed', reason: 'unknown_email', userId: null }),
    )
    expect(auth).toContainEqual(
      expect.objectContaining({ ...base, event: 'auth.account_locked', userId: expect.any(String), seconds: 60 }),
    )
    expect(auth).toContainEqual(
      expect.objectContaining({ ...base, event: 'auth.login_locked', userId: expect.any(String) }),
    )
  })

  it('walks sign-in, refresh, logout and password reset without writing secrets to the log', async () => {
    const first = keepTokens((await login(tenant.slug, EMAIL, CANARY.password)).json() as Tokens)
    const refreshed = await post(tenant.slug, '/v1/auth/refresh', { refreshToken: first.refreshToken })
    expect(refreshed.statusCode).toBe(200)
    const second = keepTokens(refreshed.json() as Tokens)
    // Reuse of the rotated token: the failure path logs too.
    expect((await post(tenant.slug, '/v1/auth/refresh', { refreshToken: first.refreshToken })).statusCode).toBe(401)
    const signedIn = keepTokens((await login(tenant.slug, EMAIL, CANARY.password)).json() as Tokens)
    const me = await t.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { host: `${tenant.slug}.localhost`, authorization: `Bearer ${signedIn.accessToken}` },
    })
    expect(me.statusCode).toBe(200)
    await resetPassword(tenant.slug, EMAIL, CANARY.newPassword)
    expect((await login(tenant.slug, EMAIL, CANARY.password)).statusCode).toBe(401)
    keepTokens((await login(tenant.slug, EMAIL, CANARY.newPassword)).json() as Tokens)
    expect(second.accessToken).not.toBe(first.accessToken)
  })
})

describe('per-IP sign-in throttling', () => {
  const ATTACKER = '203.0.113.7'
  const NEIGHBOUR = '198.51.100.9'

  it('refuses the 11th attempt after 10 failures from one IP with 429 LOGIN_THROTTLED, even with the right password', async () => {
    const tenant = await t.createTenant()
    const victim = `victim-${run}@example.org`
    const own = `attacker-${run}@example.org`
    await signUp(tenant.slug, victim, CANARY.password)
    await signUp(tenant.slug, own, CANARY.password)
    for (let attempt = 1; attempt <= 4; attempt++)
      expect((await login(tenant.slug, victim, CANARY.wrongPassword, ATTACKER)).statusCode).toBe(401)
    // A success from the same IP does not reset its count.
    expect((await login(tenant.slug, own, CANARY.password, ATTACKER)).statusCode).toBe(200)
    for (let attempt = 1; attempt <= 6; attempt++)
      expect(
        (await login(tenant.slug, `guess-${attempt}-${run}@example.org`, CANARY.wrongPassword, ATTACKER)).statusCode,
      ).toBe(401)

    const throttled = await login(tenant.slug, own, CANARY.password, ATTACKER)
    expect(throttled.statusCode).toBe(429)
    expect(throttled.json().code).toBe('LOGIN_THROTTLED')
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(50)
    expect(Number(throttled.headers['retry-after'])).toBeLessThanOrEqual(60)

    // Another address in the tenant, and the same address in another tenant, are unaffected.
    expect((await login(tenant.slug, own, CANARY.password, NEIGHBOUR)).statusCode).toBe(200)
    const elsewhere = await t.createTenant()
    await signUp(elsewhere.slug, own, CANARY.password)
    expect((await login(elsewhere.slug, own, CANARY.password, ATTACKER)).statusCode).toBe(200)

    const line = entries().find((e) => e.event === 'auth.login_throttled' && e.tenantId === tenant.id)
    expect(line).toMatchObject({
      level: 40,
      ipHash: hashIp(ATTACKER),
      retryAfter: Number(throttled.headers['retry-after']),
    })
    const audit = await accounts.query<{ target_id: string; outcome: string }>(sqlAudit(tenant.id))
    expect(audit).toEqual([{ target_id: hashIp(ATTACKER), outcome: 'denied' }])
  })

  it('refuses a throttled IP without checking the password or counting the attempt against the account', async () => {
    const tenant = await t.createTenant()
    const email = `counted-${run}@example.org`
    await signUp(tenant.slug, email, CANARY.password)
    for (let attempt = 1; attempt <= 10; attempt++)
      await login(tenant.slug, `nobody-${attempt}-${run}@example.org`, CANARY.wrongPassword, ATTACKER)
    for (let attempt = 1; attempt <= 3; attempt++)
      expect((await login(tenant.slug, email, CANARY.wrongPassword, ATTACKER)).json().code).toBe('LOGIN_THROTTLED')
    const [row] = await accounts.query<{ failures: number }>(sqlFailures(tenant.id, email))
    expect(row?.failures).toBe(0)
  })
})

// Last, so every flow above (throttled attempts included) has written its lines.
describe('log output', () => {
  it('never writes a password, token, emailed secret or the email address to the log', () => {
    const output = lines.join('')
    expect(lines.length).toBeGreaterThan(20)
    expect(output).toContain('"event":"auth.login_failed"')
    expect(issued.length).toBeGreaterThanOrEqual(11)
    for (const [name, value] of Object.entries(CANARY))
      expect(output.includes(value), `log contains canary ${name}`).toBe(false)
    for (const email of [EMAIL, LOCKED_EMAIL, UNKNOWN_EMAIL])
      expect(output.includes(email), `log contains ${email}`).toBe(false)
    // Every canary and test address carries the run id: none of them may appear in any form.
    expect(output.includes(run), 'log contains a value carrying the run id').toBe(false)
    issued.forEach((secret, index) =>
      expect(output.includes(secret), `log contains issued secret #${index}`).toBe(false),
    )
  })
})

const sqlAudit = (tenantId: string) =>
  sql`SELECT target_id, outcome FROM platform.audit_log WHERE tenant_id = ${tenantId} AND action = 'auth.login_throttled'`
const sqlFailures = (tenantId: string, email: string) =>
  sql`SELECT failed_login_count AS failures FROM identity.users WHERE tenant_id = ${tenantId} AND email = ${email}`
