import { createHash } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import {
  accountsClient,
  EXISTS_SUBJECT,
  STRONG_PASSWORD,
  tokenFrom,
  uniqueEmail,
  VERIFY_SUBJECT,
} from './accounts.testing.ts'

let t: TestApp
let api: ReturnType<typeof accountsClient>
beforeAll(async () => {
  // The worker delivers mail into the captured outbox; a roomy auth quota keeps this file's sign-ups unthrottled.
  t = await buildTestApp({ worker: true, env: { RATE_LIMITS: 'auth=1000/10000' } })
  api = accountsClient(t)
})
afterAll(async () => t?.close())

async function waitForCaptured(to: string): Promise<void> {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    const mails = await api.verificationMails(to)
    if (mails.length > 0 && mails.every((m) => m.status === 'captured')) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`the verification email to ${to} was not delivered to the outbox`)
}

describe('registration and email verification', () => {
  it('registers a learner, emails a single-use link and verifies the address once', async () => {
    const { id: tenantId, slug } = await t.createTenant()
    const email = uniqueEmail('ada')
    const registered = await api.register(slug, { email, password: STRONG_PASSWORD, displayName: 'Ada' })
    expect(registered.statusCode).toBe(202)
    expect(registered.json()).toEqual({ status: 'verification_pending' })

    await waitForCaptured(email)
    const [mail] = await api.verificationMails(email)
    // Sent by the notification center as a security notification, once per token.
    const [delivery] = await api.query<{ event_id: string; type: string }>(
      sql`SELECT event_id, type FROM notifications.deliveries WHERE mail_message_id = ${mail!.id}`,
    )
    expect(delivery).toEqual({
      event_id: expect.stringMatching(/^identity\.verify_email:[0-9a-f-]{36}$/),
      type: 'identity.email_verification',
    })
    // The link goes to the tenant's own host (where the page and the API serve this tenant), not PUBLIC_URL's.
    const tenantOrigin = new URL(t.config.http.publicUrl)
    tenantOrigin.hostname = `${slug}.${t.config.http.baseDomain}`
    expect(mail?.text).toContain(`${tenantOrigin.origin}/verify-email?token=`)
    const token = tokenFrom(mail!)
    expect(Buffer.from(token, 'base64url')).toHaveLength(32)

    const verified = await api.verify(slug, token)
    expect(verified.statusCode).toBe(200)
    expect(verified.json()).toEqual({ status: 'verified' })
    const again = await api.verify(slug, token)
    expect(again.statusCode).toBe(400)
    expect(again.json().code).toBe('VERIFICATION_TOKEN_INVALID')

    const [user] = await api.query<{
      id: string
      status: string
      verified: boolean
      display_name: string
      hash: string
    }>(
      sql`SELECT id, status, email_verified_at IS NOT NULL AS verified, display_name, password_hash AS hash FROM identity.users WHERE tenant_id = ${tenantId} AND email = ${email}`,
    )
    expect(user).toMatchObject({ status: 'active', verified: true, display_name: 'Ada' })
    expect(user?.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    const roles = await api.query<{ role: string; granted_by: string }>(
      sql`SELECT role, granted_by FROM identity.memberships WHERE user_id = ${user!.id}`,
    )
    expect(roles).toEqual([{ role: 'learner', granted_by: 'self-registration' }])
    const audit = await api.query<{ action: string; tenant_id: string }>(
      sql`SELECT action, tenant_id FROM platform.audit_log WHERE target_id = ${user!.id} ORDER BY occurred_at`,
    )
    expect(audit).toEqual([
      { action: 'user.registered', tenant_id: tenantId },
      { action: 'user.email_verified', tenant_id: tenantId },
    ])
  })

  it('stores the verification token only as its SHA-256 hash', async () => {
    const { slug } = await t.createTenant()
    const email = uniqueEmail('hash')
    await api.register(slug, { email, password: STRONG_PASSWORD })
    const token = tokenFrom((await api.verificationMails(email))[0]!)
    const rows = await api.query<{ token_hash: string; row: string }>(
      sql`SELECT o.token_hash, row_to_json(o)::text AS row FROM identity.one_time_tokens o JOIN identity.users u ON u.id = o.user_id WHERE u.email = ${email}`,
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]?.token_hash).toBe(createHash('sha256').update(token).digest('hex'))
    expect(rows[0]?.row).not.toContain(token)
    const elsewhere = await api.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM (SELECT row_to_json(u)::text AS r FROM identity.users u UNION ALL SELECT row_to_json(a)::text FROM platform.audit_log a) x WHERE r LIKE ${`%${token}%`}`,
    )
    expect(elsewhere).toEqual([{ n: 0 }])
  })

  it('refuses unknown and expired tokens with the same VERIFICATION_TOKEN_INVALID', async () => {
    const { id: tenantId, slug } = await t.createTenant()
    const email = uniqueEmail('late')
    await api.register(slug, { email, password: STRONG_PASSWORD })
    const token = tokenFrom((await api.verificationMails(email))[0]!)
    await api.query(
      sql`UPDATE identity.one_time_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = ${createHash('sha256').update(token).digest('hex')}`,
    )
    const expired = await api.verify(slug, token)
    const unknown = await api.verify(slug, 'A'.repeat(43))
    for (const response of [expired, unknown]) {
      expect(response.statusCode).toBe(400)
      expect(response.json()).toMatchObject({ code: 'VERIFICATION_TOKEN_INVALID', detail: expired.json().detail })
    }
    const [user] = await api.query<{ verified: boolean }>(
      sql`SELECT email_verified_at IS NOT NULL AS verified FROM identity.users WHERE tenant_id = ${tenantId} AND email = ${email}`,
    )
    expect(user?.verified).toBe(false)
  })

  it('lets exactly one of two concurrent uses of a token succeed', async () => {
    const { slug } = await t.createTenant()
    const email = uniqueEmail('race')
    await api.register(slug, { email, password: STRONG_PASSWORD })
    const token = tokenFrom((await api.verificationMails(email))[0]!)
    const statuses = (await Promise.all([api.verify(slug, token), api.verify(slug, token)])).map((r) => r.statusCode)
    expect(statuses.sort()).toEqual([200, 400])
  })

  it.each(['role', 'roles', 'permissions', 'isAdmin', 'tenantId'])(
    'rejects a body carrying %s with 400 naming the field, and creates nothing',
    async (field) => {
      const { slug } = await t.createTenant()
      const email = uniqueEmail('sneaky')
      const value =
        field === 'isAdmin'
          ? true
          : field === 'role'
            ? 'tenant_admin'
            : field === 'tenantId'
              ? '00000000-0000-4000-8000-000000000000'
              : ['tenant_admin']
      const response = await api.register(slug, { email, password: STRONG_PASSWORD, [field]: value })
      expect(response.statusCode).toBe(400)
      expect(response.json().code).toBe('VALIDATION_FAILED')
      expect(response.json().errors).toEqual([
        expect.objectContaining({ path: `body.${field}`, code: 'additionalProperties' }),
      ])
      expect(await api.query(sql`SELECT 1 FROM identity.users WHERE email = ${email}`)).toEqual([])
    },
  )

  it('refuses a weak password with every policy violation and creates nothing', async () => {
    const { slug } = await t.createTenant()
    const local = `g${Math.random().toString(36).slice(2, 8)}`
    const email = `${local}@example.org`
    const response = await api.register(slug, { email, password: local.toUpperCase() })
    expect(response.statusCode).toBe(400)
    expect(response.json().code).toBe('PASSWORD_POLICY_VIOLATION')
    const codes = response.json().errors.map((e: { path: string; code: string }) => `${e.path}:${e.code}`)
    expect(codes).toEqual(['body.password:too_short', 'body.password:contains_email'])
    const common = await api.register(slug, { email, password: '1QAZ2WSX3EDC' })
    expect(common.json().errors).toEqual([expect.objectContaining({ path: 'body.password', code: 'common' })])
    expect(await api.query(sql`SELECT 1 FROM identity.users WHERE email = ${email}`)).toEqual([])
  })

  it('answers a sign-up with a registered email exactly like a new one and notifies the owner instead', async () => {
    const { id: tenantId, slug } = await t.createTenant()
    const email = uniqueEmail('twice')
    const first = await api.register(slug, { email, password: STRONG_PASSWORD })
    const second = await api.register(slug, {
      email: `  ${email.toUpperCase()} `,
      password: 'an-entirely-different-pass',
      displayName: 'Mallory',
    })
    const third = await api.register(slug, { email, password: STRONG_PASSWORD })
    for (const response of [second, third]) {
      expect(response.statusCode).toBe(first.statusCode)
      expect(response.body).toBe(first.body)
      expect(response.headers['content-type']).toBe(first.headers['content-type'])
    }
    const subjects = (await api.outbox(email)).map((m) => m.subject).sort()
    // One notice a day, however many attempts.
    expect(subjects).toEqual([VERIFY_SUBJECT, EXISTS_SUBJECT])
    const users = await api.query<{ display_name: string | null }>(
      sql`SELECT display_name FROM identity.users WHERE tenant_id = ${tenantId} AND email = ${email}`,
    )
    expect(users).toEqual([{ display_name: null }])
    const duplicates = await api.query(
      sql`SELECT 1 FROM platform.audit_log WHERE tenant_id = ${tenantId} AND action = 'user.registration_duplicate'`,
    )
    expect(duplicates).toHaveLength(2)
  })

  it('normalises the email: trimmed, lower-cased, and mail goes to the canonical address', async () => {
    const { id: tenantId, slug } = await t.createTenant()
    const email = uniqueEmail('case')
    expect(
      (await api.register(slug, { email: ` ${email.toUpperCase()}  `, password: STRONG_PASSWORD })).statusCode,
    ).toBe(202)
    expect(await api.query(sql`SELECT email FROM identity.users WHERE tenant_id = ${tenantId}`)).toEqual([{ email }])
    expect(await api.verificationMails(email)).toHaveLength(1)
    const controlChars = await api.register(slug, {
      email: uniqueEmail(),
      password: STRONG_PASSWORD,
      displayName: 'Ada\nAdmin',
    })
    expect(controlChars.json().errors).toEqual([expect.objectContaining({ path: 'body.displayName', code: 'pattern' })])
  })

  it("registers in the Host's tenant only: tenant B gets no row and A's token does not verify on B", async () => {
    const a = await t.createTenant()
    const b = await t.createTenant()
    const email = uniqueEmail('iso')
    await api.register(a.slug, { email, password: STRONG_PASSWORD })
    const tenants = await api.query<{ tenant_id: string }>(
      sql`SELECT tenant_id FROM identity.users WHERE email = ${email}`,
    )
    expect(tenants).toEqual([{ tenant_id: a.id }])
    const token = tokenFrom((await api.verificationMails(email))[0]!)
    expect((await api.verify(b.slug, token)).json().code).toBe('VERIFICATION_TOKEN_INVALID')
    // The same address is a separate account in B, with its own verification.
    expect((await api.register(b.slug, { email, password: STRONG_PASSWORD })).statusCode).toBe(202)
    expect(await api.verificationMails(email)).toHaveLength(2)
    expect((await api.verify(a.slug, token)).statusCode).toBe(200)
  })

  it('needs a tenant host: 400 TENANT_REQUIRED, whatever tenant headers say', async () => {
    const { id, slug } = await t.createTenant()
    for (const url of ['/v1/auth/register', '/v1/auth/verify-email', '/v1/auth/resend-verification']) {
      const response = await t.app.inject({
        method: 'POST',
        url,
        headers: { host: 'localhost', 'x-tenant-id': id, 'x-tenant': slug },
        payload: { email: uniqueEmail(), password: STRONG_PASSWORD },
      })
      expect(response.statusCode).toBe(400)
      expect(response.json().code).toBe('TENANT_REQUIRED')
    }
  })
})

describe('resending the verification email', () => {
  it('throttles to one email a minute and five a day, answering the same every time', async () => {
    const { id: tenantId, slug } = await t.createTenant()
    const email = uniqueEmail('resend')
    const registered = await api.register(slug, { email, password: STRONG_PASSWORD })
    const tooSoon = await api.resend(slug, email)
    expect(tooSoon.statusCode).toBe(202)
    expect(tooSoon.body).toBe(registered.body)
    expect(await api.verificationMails(email)).toHaveLength(1)

    for (let sent = 2; sent <= 5; sent++) {
      await api.ageTokens(tenantId, email, 61)
      expect((await api.resend(slug, email)).statusCode).toBe(202)
      expect((await api.resend(slug, email)).statusCode).toBe(202)
      expect(await api.verificationMails(email)).toHaveLength(sent)
    }
    await api.ageTokens(tenantId, email, 61)
    const capped = await api.resend(slug, email)
    expect(capped.body).toBe(registered.body)
    expect(await api.verificationMails(email)).toHaveLength(5)
  })

  it('keeps earlier links valid until one is used, then retires the rest', async () => {
    const { id: tenantId, slug } = await t.createTenant()
    const email = uniqueEmail('links')
    await api.register(slug, { email, password: STRONG_PASSWORD })
    await api.ageTokens(tenantId, email, 120)
    await api.resend(slug, email)
    const [newer, older] = (await api.verificationMails(email)).map(tokenFrom)
    expect(newer).not.toBe(older)
    expect((await api.verify(slug, older!)).statusCode).toBe(200)
    expect((await api.verify(slug, newer!)).json().code).toBe('VERIFICATION_TOKEN_INVALID')
  })

  it('sends nothing for unknown or already verified addresses, with the same answer', async () => {
    const { slug } = await t.createTenant()
    const email = uniqueEmail('done')
    const registered = await api.register(slug, { email, password: STRONG_PASSWORD })
    await api.verify(slug, tokenFrom((await api.verificationMails(email))[0]!))
    const unknownEmail = uniqueEmail('nobody')
    for (const address of [email, unknownEmail]) {
      const response = await api.resend(slug, address)
      expect(response.statusCode).toBe(202)
      expect(response.body).toBe(registered.body)
    }
    expect(await api.verificationMails(email)).toHaveLength(1)
    expect(await api.outbox(unknownEmail)).toEqual([])
  })
})
