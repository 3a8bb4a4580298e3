/**
 * Helpers for the accounts tests: HTTP calls on a tenant's host, the captured outbox read over
 * the operator mail API, and direct reads/writes through the audited platform scope.
 */
import { sql } from 'drizzle-orm'
import { platformScope, rowsOf } from '../../../platform/db/database.ts'
import type { TestApp } from '../../../../test/build-test-app.ts'

export interface OutboxMail {
  id: string
  to: string
  subject: string
  status: string
  messageKey: string
  text: string
  html: string | null
}

export const VERIFY_SUBJECT = 'Confirm your email address'
export const EXISTS_SUBJECT = 'You already have an account'
/** identity.invitation's English subject starts so (then the tenant's name). */
export const INVITATION_SUBJECT_PREFIX = "You're invited to join"
export const STRONG_PASSWORD = 'violet-harbour-7-lantern'

export const uniqueEmail = (label = 'user') => `${label}.${Math.random().toString(36).slice(2, 10)}@example.org`

export function accountsClient(t: TestApp) {
  const post = (slug: string, url: string, payload: unknown) =>
    t.app.inject({ method: 'POST', url, headers: { host: `${slug}.localhost` }, payload: payload as object })

  async function outbox(to: string): Promise<OutboxMail[]> {
    const response = await t.app.inject({
      method: 'GET',
      url: `/v1/ops/mail?limit=100&to=${encodeURIComponent(to)}`,
      headers: t.auth(t.operatorToken),
    })
    if (response.statusCode !== 200) throw new Error(`mail list failed: ${response.statusCode} ${response.body}`)
    return (response.json() as { data: OutboxMail[] }).data
  }

  const query = <T>(statement: ReturnType<typeof sql>) =>
    t.platform.database.transaction(platformScope, (tx) => rowsOf<T>(tx, statement))

  return {
    register: (slug: string, body: Record<string, unknown>) => post(slug, '/v1/auth/register', body),
    verify: (slug: string, token: string) => post(slug, '/v1/auth/verify-email', { token }),
    resend: (slug: string, email: string) => post(slug, '/v1/auth/resend-verification', { email }),
    outbox,
    verificationMails: async (to: string) => (await outbox(to)).filter((m) => m.subject === VERIFY_SUBJECT),
    query,
    /** Moves every verification token of the address back in time, as if sent `seconds` ago. */
    ageTokens: (tenantId: string, email: string, seconds: number) =>
      query(sql`UPDATE identity.one_time_tokens o SET created_at = o.created_at - make_interval(secs => ${seconds})
                FROM identity.users u WHERE u.id = o.user_id AND u.tenant_id = ${tenantId} AND u.email = ${email} RETURNING o.id`),
  }
}

/** The token in a verification email (the link's query parameter). */
export function tokenFrom(mail: OutboxMail): string {
  const match = /\/verify-email\?token=([A-Za-z0-9_-]+)/.exec(mail.text)
  if (!match?.[1]) throw new Error('no verification link in the email')
  return match[1]
}
