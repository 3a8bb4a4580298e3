/**
 * Canary test for the two-factor flows: with trace logging captured, a full enrolment, a sign-in
 * with a wrong and then a right code, a sign-in with a recovery code and a magic-link challenge
 * must leave no TOTP secret, otpauth URI, code, recovery code, mfaToken or session token in the
 * log output.
 */
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { createLogger } from '../../../platform/observability/logger.ts'
import { accountsClient } from '../accounts/accounts.testing.ts'
import type { Tokens } from '../sessions/sessions.testing.ts'
import { awayFromStepEdge, codeAt, mfaClient, wrongCode, type MfaLogin } from './mfa.testing.ts'

const lines: string[] = []
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(chunk.toString('utf8'))
    done()
  },
})

let t: TestApp
let api: ReturnType<typeof mfaClient>
beforeAll(async () => {
  t = await buildTestApp({ worker: true, logger: createLogger('trace', sink), env: { RATE_LIMITS: 'auth=1000/10000' } })
  api = mfaClient(t)
})
afterAll(async () => t?.close())

/** Secrets longer than a code: must not appear anywhere in the output. */
const secrets: Array<[string, string]> = []
/** Six-digit codes: must not appear as a number of their own (digits inside timestamps or hex ids are not them). */
const codes: string[] = []
const keep = (name: string, value: string) => secrets.push([name, value])

async function signInWithSecondFactor(
  slug: string,
  email: string,
  proof: { code?: string; recoveryCode?: string },
): Promise<Tokens> {
  const challenge = (await api.login(slug, email)).json() as MfaLogin
  keep('mfaToken', challenge.mfaToken!)
  const response = await api.secondStep(slug, { mfaToken: challenge.mfaToken!, ...proof })
  expect(response.statusCode).toBe(200)
  const tokens = response.json() as Tokens
  keep('access token', tokens.accessToken)
  keep('refresh token', tokens.refreshToken)
  return tokens
}

describe('two-factor logging', () => {
  it('walks enrolment, sign-in with wrong and right codes, a recovery code and a magic-link challenge', async () => {
    const user = await api.user()
    keep('access token', user.accessToken)
    const enrolment = (await api.enrol(user.slug, user.accessToken)).json() as { secret: string; otpauthUri: string }
    keep('TOTP secret', enrolment.secret)
    keep('otpauth URI', enrolment.otpauthUri)
    keep('otpauth URI (encoded)', encodeURIComponent(enrolment.otpauthUri))
    await awayFromStepEdge()
    const confirmCode = await codeAt(enrolment.secret, -1)
    codes.push(confirmCode)
    const confirmed = await api.confirm(user.slug, user.accessToken, confirmCode)
    expect(confirmed.statusCode).toBe(200)
    const { recoveryCodes } = confirmed.json() as { recoveryCodes: string[] }
    for (const code of recoveryCodes) {
      keep('recovery code', code)
      keep('recovery code (bare)', code.replace('-', ''))
    }

    const failed = (await api.login(user.slug, user.email)).json() as MfaLogin
    keep('mfaToken', failed.mfaToken!)
    const wrong = await wrongCode(enrolment.secret)
    codes.push(wrong)
    expect((await api.secondStep(user.slug, { mfaToken: failed.mfaToken!, code: wrong })).statusCode).toBe(401)

    await awayFromStepEdge()
    const code = await codeAt(enrolment.secret, 0)
    codes.push(code)
    await signInWithSecondFactor(user.slug, user.email, { code })
    await signInWithSecondFactor(user.slug, user.email, { recoveryCode: recoveryCodes[0]! })
    expect(
      (
        await api.secondStep(user.slug, {
          mfaToken: await api.challenge(user.slug, user.email),
          recoveryCode: recoveryCodes[0]!,
        })
      ).statusCode,
    ).toBe(401)

    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/v1/auth/magic-link',
          headers: { host: `${user.slug}.localhost` },
          payload: { email: user.email },
        })
      ).statusCode,
    ).toBe(202)
    const mail = (await accountsClient(t).outbox(user.email)).find((m) => m.subject === 'Your sign-in link')
    const link = /\/magic-link\?token=([A-Za-z0-9_-]+)/.exec(mail!.text)![1]!
    keep('magic link token', link)
    const consumed = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/magic-link/consume',
      headers: { host: `${user.slug}.localhost` },
      payload: { token: link },
    })
    const challenge = consumed.json() as MfaLogin
    expect(challenge.mfaRequired).toBe(true)
    keep('mfaToken (magic link)', challenge.mfaToken!)
  })

  it('never writes a TOTP secret, otpauth URI, code, recovery code, mfaToken or token to the log', () => {
    const output = lines.join('')
    expect(lines.length).toBeGreaterThan(20)
    // The flows above were logged (request lines and the audit-worthy failure), just not their secrets.
    expect(output).toContain('/v1/auth/mfa')
    expect(secrets.length).toBeGreaterThan(25)
    for (const [name, value] of secrets) expect(output.includes(value), `log contains a ${name}`).toBe(false)
    for (const code of codes)
      expect(new RegExp(`(?<![0-9a-fA-F])${code}(?![0-9a-fA-F])`).test(output), `log contains the code ${code}`).toBe(
        false,
      )
  })
})
