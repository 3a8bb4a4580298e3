/**
 * Defect 12 in the production profile, through a real SMTP server and the real job queue: the
 * verification and invitation mails reach the SMTP peer with their live links, the stored rows
 * hold no token (`{{name}}` fields only, sealed secrets dropped), and the delivered link works.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { simpleParser } from 'mailparser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../../platform/db/database.ts'
import { waitUntil } from '../../../platform/jobs/testing.ts'
import { startTestSmtpServer, type TestSmtpServer } from '../../../platform/mail/testing.ts'
import { STRONG_PASSWORD, uniqueEmail } from '../accounts/accounts.testing.ts'
import { freePort, linkIn, listen, listeningEnv, pageClient } from './pages.testing.ts'

let t: TestApp
let smtp: TestSmtpServer
beforeAll(async () => {
  smtp = await startTestSmtpServer()
  const port = await freePort()
  t = await buildTestApp({
    worker: true,
    env: {
      ...listeningEnv(port),
      LYCEUM_PROFILE: 'production',
      ALLOW_EMBEDDED_DATABASE: 'true',
      METRICS_TOKEN: randomUUID() + randomUUID(),
      SMTP_URL: smtp.url,
      CLAMD_URL: 'unix:///run/clamav/clamd.ctl',
    },
  })
  await listen(t)
})
afterAll(async () => {
  await t?.close()
  await smtp?.close()
})

/** The mail the SMTP peer received for `to`, parsed. */
const received = (to: string) =>
  waitUntil(
    `a mail to ${to} at the SMTP server`,
    async () => {
      for (const raw of smtp.received) {
        const parsed = await simpleParser(raw)
        const recipients = [parsed.to ?? []].flat().flatMap((a) => a.value.map((v) => v.address))
        if (recipients.includes(to)) return parsed
      }
      return undefined
    },
    30_000,
  )

/** Every stored mail row to `to`, whole, as text: where a token would show. */
async function storedMail(to: string) {
  const rows = await t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<Record<string, unknown>>(tx, sql`SELECT * FROM platform.mail_messages WHERE to_address = ${to}`),
  )
  return { rows, text: JSON.stringify(rows) }
}

const settled = (to: string) =>
  waitUntil(`the mail to ${to} recorded as sent`, async () => {
    const { rows } = await storedMail(to)
    return rows.length === 1 && rows[0]!.status === 'sent' ? rows[0] : undefined
  })

describe('production mail with live tokens', () => {
  it('delivers the verification link over SMTP, keeps no token in the database, and the link works', async () => {
    expect(t.config.profile).toBe('production')
    const tenant = await t.createTenant()
    const email = uniqueEmail('prod')
    const registered = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      headers: { host: `${tenant.slug}.localhost` },
      payload: { email, password: STRONG_PASSWORD },
    })
    expect(registered.statusCode).toBe(202)

    const mail = await received(email)
    const link = linkIn(mail.text ?? '', '/verify-email')
    const token = new URL(link).searchParams.get('token')!
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(mail.html).toContain(link)

    const row = await settled(email)
    expect(row).toMatchObject({ secrets_sealed: null, text_body: expect.stringContaining('{{link}}') })
    expect(row.secrets_dropped_at).not.toBeNull()
    expect((await storedMail(email)).text).not.toContain(token)

    const browser = pageClient()
    const done = await browser.submit(await browser.get(link))
    expect(done.status).toBe(200)
    expect(done.body).toContain('Your email address is confirmed')
  })

  it('delivers an invitation the same way', async () => {
    const tenant = await t.createTenant()
    const email = uniqueEmail('prod-invite')
    const created = await t.app.inject({
      method: 'POST',
      url: `/v1/tenants/${tenant.id}/invitations`,
      headers: t.auth(t.operatorToken),
      payload: { email },
    })
    expect(created.statusCode, created.body).toBe(201)
    const link = linkIn((await received(email)).text ?? '', '/invitation')
    await settled(email)
    expect((await storedMail(email)).text).not.toContain(new URL(link).searchParams.get('token'))
    expect((await pageClient().get(link)).status).toBe(200)
  })
})
