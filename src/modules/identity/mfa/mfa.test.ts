import { createHash } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { awayFromStepEdge, codeAt, mfaClient, wrongCode, type MfaLogin } from './mfa.testing.ts'
import { recoveryCodeHasher } from './recovery-codes.ts'

let t: TestApp
let api: ReturnType<typeof mfaClient>
beforeAll(async () => {
  t = await buildTestApp({ worker: true, env: { RATE_LIMITS: 'auth=1000/10000' } })
  api = mfaClient(t)
})
afterAll(async () => t?.close())

/** A signed-in user with TOTP confirmed (using the code of step −1, so the current step is still unused). */
async function enrolled() {
  const user = await api.user()
  const enrolment = await api.enrol(user.slug, user.accessToken)
  expect(enrolment.statusCode).toBe(201)
  const { secret, otpauthUri } = enrolment.json() as { secret: string; otpauthUri: string }
  expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Lyceum:/)
  expect(otpauthUri).toContain(`secret=${secret}`)
  await awayFromStepEdge()
  const confirmed = await api.confirm(user.slug, user.accessToken, await codeAt(secret, -1))
  expect(confirmed.statusCode).toBe(200)
  const { recoveryCodes } = confirmed.json() as { recoveryCodes: string[] }
  return { ...user, secret, recoveryCodes }
}

/** As if the last accepted code were minutes old: frees the steps of the window for a test of the window itself. */
const forgetRecentSteps = (userId: string) =>
  api.query(
    sql`UPDATE identity.totp_factors SET last_used_step = last_used_step - 10 WHERE user_id = ${userId} RETURNING user_id`,
  )

describe('TOTP enrolment', () => {
  it('returns the secret once, confirms with a code, hands out 10 distinct recovery codes and refuses a second enrolment', async () => {
    const user = await enrolled()
    expect(user.recoveryCodes).toHaveLength(10)
    expect(new Set(user.recoveryCodes).size).toBe(10)
    // 24 Crockford base32 characters (120 bits) in six groups of four.
    for (const code of user.recoveryCodes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$/)
    expect((await api.enrol(user.slug, user.accessToken)).json().code).toBe('MFA_ALREADY_ENABLED')
    expect(await api.audit(user.userId)).toContainEqual({ action: 'mfa.totp_enabled', outcome: 'success' })
  })

  it('replaces an unconfirmed secret: a code of the first one no longer confirms', async () => {
    const user = await api.user()
    const first = (await api.enrol(user.slug, user.accessToken)).json() as { secret: string }
    const second = (await api.enrol(user.slug, user.accessToken)).json() as { secret: string }
    expect(second.secret).not.toBe(first.secret)
    await awayFromStepEdge()
    const stale = await api.confirm(user.slug, user.accessToken, await codeAt(first.secret, 0))
    expect(stale.statusCode).toBe(401)
    expect(stale.json().code).toBe('MFA_CODE_INVALID')
    expect((await api.confirm(user.slug, user.accessToken, await codeAt(second.secret, 0))).statusCode).toBe(200)
  })

  it('stores the secret and the recovery codes only in protected form', async () => {
    const user = await enrolled()
    const rows = await api.query<{ row: string }>(
      sql`SELECT to_jsonb(f)::text AS row FROM identity.totp_factors f WHERE user_id = ${user.userId}
          UNION ALL SELECT to_jsonb(r)::text FROM identity.recovery_codes r WHERE user_id = ${user.userId}`,
    )
    expect(rows).toHaveLength(11)
    for (const { row } of rows) {
      expect(row).not.toContain(user.secret)
      for (const code of user.recoveryCodes) {
        expect(row).not.toContain(code)
        expect(row).not.toContain(code.replaceAll('-', ''))
      }
    }
  })

  it('turns off only with a valid code, after which sign-in needs the password alone', async () => {
    const user = await enrolled()
    await awayFromStepEdge()
    expect((await api.disable(user.slug, user.accessToken, await wrongCode(user.secret))).statusCode).toBe(401)
    expect((await api.disable(user.slug, user.accessToken, await codeAt(user.secret, 0))).statusCode).toBe(204)
    const login = await api.login(user.slug, user.email)
    expect(login.statusCode).toBe(200)
    expect((login.json() as MfaLogin).accessToken).toEqual(expect.any(String))
    expect(await api.audit(user.userId)).toContainEqual({ action: 'mfa.totp_disabled', outcome: 'success' })
  })
})

describe('second sign-in step', () => {
  it('answers the password step with a challenge, not tokens, and a code then signs in', async () => {
    const user = await enrolled()
    const login = await api.login(user.slug, user.email)
    expect(login.statusCode).toBe(200)
    const body = login.json() as Record<string, unknown>
    expect(Object.keys(body).sort()).toEqual(['mfaRequired', 'mfaToken'])
    await awayFromStepEdge()
    const second = await api.secondStep(user.slug, {
      mfaToken: body.mfaToken as string,
      code: await codeAt(user.secret, 0),
    })
    expect(second.statusCode).toBe(200)
    const { accessToken } = second.json() as { accessToken: string }
    expect((await api.call(user.slug, 'GET', '/v1/me', accessToken)).statusCode).toBe(200)
  })

  it('refuses a code that was already used', async () => {
    const user = await enrolled()
    await awayFromStepEdge()
    const code = await codeAt(user.secret, 0)
    expect(
      (await api.secondStep(user.slug, { mfaToken: await api.challenge(user.slug, user.email), code })).statusCode,
    ).toBe(200)
    const replay = await api.secondStep(user.slug, { mfaToken: await api.challenge(user.slug, user.email), code })
    expect(replay.statusCode).toBe(401)
    expect(replay.json().code).toBe('MFA_CODE_INVALID')
  })

  it('accepts the code of the previous step and refuses the one before it', async () => {
    const user = await enrolled()
    await forgetRecentSteps(user.userId)
    const mfaToken = await api.challenge(user.slug, user.email)
    await awayFromStepEdge()
    expect((await api.secondStep(user.slug, { mfaToken, code: await codeAt(user.secret, -2) })).statusCode).toBe(401)
    expect((await api.secondStep(user.slug, { mfaToken, code: await codeAt(user.secret, -1) })).statusCode).toBe(200)
  })

  it('refuses the 6th attempt in 15 minutes with 429 even with the right code', async () => {
    const user = await enrolled()
    const mfaToken = await api.challenge(user.slug, user.email)
    const wrong = await wrongCode(user.secret)
    for (let i = 0; i < 5; i++)
      expect((await api.secondStep(user.slug, { mfaToken, code: wrong })).statusCode).toBe(401)
    await awayFromStepEdge()
    const refused = await api.secondStep(user.slug, { mfaToken, code: await codeAt(user.secret, 0) })
    expect(refused.statusCode).toBe(429)
    expect(refused.json().code).toBe('MFA_THROTTLED')
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(800)
    const audit = await api.audit(user.userId)
    expect(audit.filter((entry) => entry.action === 'mfa.failed')).toHaveLength(5)
    expect(audit).toContainEqual({ action: 'mfa.attempt_refused', outcome: 'denied' })
    // The new window starts afresh; the refused attempt did not consume the code.
    await api.ageWindow(user.userId, 16 * 60)
    expect((await api.secondStep(user.slug, { mfaToken, code: await codeAt(user.secret, 0) })).statusCode).toBe(200)
    expect(await api.factor(user.userId)).toMatchObject({ consecutive_failures: 0, locked: false })
  })

  it('never lets concurrent guesses exceed the budget of 5 failures', async () => {
    const user = await enrolled()
    const mfaToken = await api.challenge(user.slug, user.email)
    const wrong = await wrongCode(user.secret)
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => api.secondStep(user.slug, { mfaToken, code: wrong })),
    )
    const statuses = responses.map((response) => response.statusCode).sort()
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(7).fill(429)])
    expect(await api.factor(user.userId)).toMatchObject({ window_failures: 5, consecutive_failures: 5 })
  })

  it('locks after 20 consecutive failures across windows, until reset, even with the right code', async () => {
    const user = await enrolled()
    const mfaToken = await api.challenge(user.slug, user.email)
    const wrong = await wrongCode(user.secret)
    for (let window = 0; window < 4; window++) {
      for (let i = 0; i < 5; i++)
        expect((await api.secondStep(user.slug, { mfaToken, code: wrong })).statusCode).toBe(401)
      await api.ageWindow(user.userId, 16 * 60)
    }
    expect(await api.factor(user.userId)).toMatchObject({ consecutive_failures: 20, locked: true })
    await awayFromStepEdge()
    const refused = await api.secondStep(user.slug, { mfaToken, code: await codeAt(user.secret, 0) })
    expect(refused.statusCode).toBe(429)
    expect(refused.json().code).toBe('MFA_LOCKED')
    expect(await api.audit(user.userId)).toContainEqual({ action: 'mfa.locked', outcome: 'denied' })
  })

  it('accepts a recovery code once', async () => {
    const user = await enrolled()
    const recoveryCode = user.recoveryCodes[3]!
    expect(
      (await api.secondStep(user.slug, { mfaToken: await api.challenge(user.slug, user.email), recoveryCode }))
        .statusCode,
    ).toBe(200)
    const again = await api.secondStep(user.slug, {
      mfaToken: await api.challenge(user.slug, user.email),
      recoveryCode,
    })
    expect(again.statusCode).toBe(401)
    expect(again.json().code).toBe('MFA_CODE_INVALID')
    expect(await api.factor(user.userId)).toMatchObject({ consecutive_failures: 1, window_failures: 1 })
  })

  it('uses a challenge once, stores only its hash, and lets it expire', async () => {
    const user = await enrolled()
    await forgetRecentSteps(user.userId)
    const mfaToken = await api.challenge(user.slug, user.email)
    const stored = await api.query<{ token_hash: string }>(
      sql`SELECT token_hash FROM identity.one_time_tokens WHERE user_id = ${user.userId} AND purpose = 'mfa_challenge'`,
    )
    expect(stored).toEqual([{ token_hash: createHash('sha256').update(mfaToken).digest('hex') }])
    // The token names its tenant, so the second step needs no tenant host.
    expect(mfaToken).toMatch(new RegExp(`^mfa1\\.${user.id}\\.[A-Za-z0-9_-]{43}$`))
    await awayFromStepEdge()
    expect((await api.secondStep(user.slug, { mfaToken, code: await codeAt(user.secret, -1) })).statusCode).toBe(200)
    const reused = await api.secondStep(user.slug, { mfaToken, code: await codeAt(user.secret, 0) })
    expect(reused.statusCode).toBe(401)
    expect(reused.json().code).toBe('MFA_CHALLENGE_INVALID')

    const expiring = await api.challenge(user.slug, user.email)
    await api.query(
      sql`UPDATE identity.one_time_tokens SET expires_at = now() - interval '1 second' WHERE user_id = ${user.userId} AND purpose = 'mfa_challenge' AND used_at IS NULL RETURNING id`,
    )
    const expired = await api.secondStep(user.slug, { mfaToken: expiring, code: await codeAt(user.secret, 0) })
    expect(expired.json().code).toBe('MFA_CHALLENGE_INVALID')
  })

  it('stores recovery codes as HMAC-SHA256 under RECOVERY_CODE_HMAC_SECRET, not as a plain digest', async () => {
    const user = await enrolled()
    const stored = (
      await api.query<{ code_hash: string }>(
        sql`SELECT code_hash FROM identity.recovery_codes WHERE user_id = ${user.userId}`,
      )
    ).map((r) => r.code_hash)
    const plain = (code: string) => code.replaceAll('-', '')
    const keyed = recoveryCodeHasher(t.config.recoveryCodes.hmacSecret)
    expect(stored.sort()).toEqual(user.recoveryCodes.map(keyed).sort())
    for (const code of user.recoveryCodes) {
      expect(stored).not.toContain(
        createHash('sha256')
          .update(`lyceum-recovery:${plain(code)}`)
          .digest('hex'),
      )
      expect(stored).not.toContain(createHash('sha256').update(plain(code)).digest('hex'))
    }
  })

  it('refuses a recovery code stored under another secret (a database copy is not enough to test guesses)', async () => {
    const user = await enrolled()
    const otherSecret = recoveryCodeHasher('another-deployment-recovery-secret-0123456789')
    for (const code of user.recoveryCodes)
      await api.query(
        sql`UPDATE identity.recovery_codes SET code_hash = ${otherSecret(code)} WHERE user_id = ${user.userId} AND code_hash = ${recoveryCodeHasher(t.config.recoveryCodes.hmacSecret)(code)} RETURNING id`,
      )
    const refused = await api.secondStep(user.slug, {
      mfaToken: await api.challenge(user.slug, user.email),
      recoveryCode: user.recoveryCodes[0]!,
    })
    expect(refused.statusCode).toBe(401)
    expect(refused.json().code).toBe('MFA_CODE_INVALID')
  })

  it('takes a recovery code in lower case, without dashes or with spaces', async () => {
    const user = await enrolled()
    const typed = user.recoveryCodes[5]!.toLowerCase().replaceAll('-', ' ')
    const accepted = await api.secondStep(user.slug, {
      mfaToken: await api.challenge(user.slug, user.email),
      recoveryCode: typed,
    })
    expect(accepted.statusCode).toBe(200)
  })

  it('requires exactly one of code and recoveryCode', async () => {
    const user = await enrolled()
    const mfaToken = await api.challenge(user.slug, user.email)
    const both = await api.secondStep(user.slug, { mfaToken, code: '123456', recoveryCode: user.recoveryCodes[0]! })
    expect(both.statusCode).toBe(400)
    expect(both.json().code).toBe('MFA_PROOF_REQUIRED')
    expect((await api.secondStep(user.slug, { mfaToken })).statusCode).toBe(400)
  })
})
