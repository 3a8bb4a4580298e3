/**
 * Helpers for the two-factor tests: a verified, signed-in user of a fresh tenant, TOTP codes for
 * a given step relative to now (otplib's epoch option), and the enrolment and second-step calls.
 */
import { sql } from 'drizzle-orm'
import { generate } from 'otplib'
import type { TestApp } from '../../../../test/build-test-app.ts'
import { sessionsClient, type Tokens } from '../sessions/sessions.testing.ts'

export const STEP = 30

const nowSeconds = () => Math.floor(Date.now() / 1000)

/** The code for the step `offset` steps from now. */
export const codeAt = (secret: string, offset: number) => generate({ secret, epoch: nowSeconds() + offset * STEP })

/** Waits out the last seconds of a step, so that a code computed now still has the same offset when the server checks it. */
export async function awayFromStepEdge(): Promise<void> {
  const intoStep = (Date.now() / 1000) % STEP
  if (intoStep > STEP - 4) await new Promise((resolve) => setTimeout(resolve, (STEP - intoStep + 0.2) * 1000))
}

/** A syntactically valid code that matches none of the steps in the window. */
export async function wrongCode(secret: string): Promise<string> {
  const valid = new Set(await Promise.all([-1, 0, 1].map((offset) => codeAt(secret, offset))))
  for (let candidate = 0; ; candidate++) {
    const code = String(candidate).padStart(6, '0')
    if (!valid.has(code)) return code
  }
}

export interface MfaLogin {
  mfaRequired?: true
  mfaToken?: string
  accessToken?: string
}

export function mfaClient(t: TestApp) {
  const sessions = sessionsClient(t)
  const request = (slug: string, method: 'POST' | 'DELETE', url: string, payload?: object, accessToken?: string) =>
    t.app.inject({
      method,
      url,
      headers: { host: `${slug}.localhost`, ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}) },
      ...(payload ? { payload } : {}),
    })

  return {
    ...sessions,
    enrol: (slug: string, accessToken: string) => request(slug, 'POST', '/v1/me/mfa/totp', undefined, accessToken),
    confirm: (slug: string, accessToken: string, code: string) =>
      request(slug, 'POST', '/v1/me/mfa/totp/confirm', { code }, accessToken),
    disable: (slug: string, accessToken: string, code: string) =>
      request(slug, 'DELETE', '/v1/me/mfa/totp', { code }, accessToken),
    secondStep: (slug: string, body: { mfaToken: string; code?: string; recoveryCode?: string }) =>
      request(slug, 'POST', '/v1/auth/mfa', body),

    /** A verified user of a new tenant, signed in (before any factor). */
    async user() {
      const tenant = await t.createTenant()
      const email = await sessions.signUp(tenant.slug)
      const [row] = await sessions.query<{ id: string }>(
        sql`SELECT id FROM identity.users WHERE tenant_id = ${tenant.id} AND email = ${email}`,
      )
      const tokens: Tokens = await sessions.signIn(tenant.slug, email)
      return { ...tenant, email, userId: row!.id, accessToken: tokens.accessToken }
    },

    /** Password step; returns the challenge token (fails when tokens came back instead). */
    async challenge(slug: string, email: string): Promise<string> {
      const response = await sessions.login(slug, email)
      const body = response.json() as MfaLogin
      if (response.statusCode !== 200 || !body.mfaToken)
        throw new Error(`expected an MFA challenge: ${response.statusCode} ${response.body}`)
      return body.mfaToken
    },

    /** Moves the factor's throttling window back, as if it had started `seconds` ago. */
    ageWindow: (userId: string, seconds: number) =>
      sessions.query(
        sql`UPDATE identity.totp_factors SET window_started_at = window_started_at - make_interval(secs => ${seconds}) WHERE user_id = ${userId} RETURNING user_id`,
      ),

    factor: async (userId: string) =>
      (
        await sessions.query<{
          consecutive_failures: number
          window_failures: number
          locked: boolean
          last_used_step: number | null
        }>(
          sql`SELECT consecutive_failures, window_failures, locked_at IS NOT NULL AS locked, last_used_step FROM identity.totp_factors WHERE user_id = ${userId}`,
        )
      )[0],

    audit: (userId: string) =>
      sessions.query<{ action: string; outcome: string }>(
        sql`SELECT action, outcome FROM platform.audit_log WHERE target_id = ${userId} AND action LIKE 'mfa.%' ORDER BY occurred_at, id`,
      ),
  }
}
