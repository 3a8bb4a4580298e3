/**
 * Suppressed addresses: a permanent refusal of the recipient by a real SMTP server (smtp-server on
 * loopback) suppresses the address, and later mail to it settles as `suppressed` without reaching
 * the server; the provider's signed bounce and complaint events (signed with the standardwebhooks
 * library) suppress too, and a missing, forged or stale signature records nothing. Allowlisted
 * headers reach SMTP and the outbox. Delivery handlers are called as the queue would.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../db/database.ts'
import type { Jobs } from '../jobs/types.ts'
import { createMailer, type Mailer, type MailInput } from './mailer.ts'
import { startTestSmtpServer, type TestSmtpServer } from './testing.ts'

const secret = `whsec_${randomBytes(32).toString('base64')}`
const noJobs: Jobs = { define() {}, send: async () => randomUUID() }
let t: TestApp
let server: TestSmtpServer
let mailer: Mailer

beforeAll(async () => {
  t = await buildTestApp({ env: { MAIL_PROVIDER_WEBHOOK_SECRET: secret } })
  server = await startTestSmtpServer((recipient) =>
    recipient.startsWith('gone-')
      ? { at: 'rcpt', code: 550 }
      : recipient.startsWith('unknown-')
        ? { at: 'rcpt', code: 550, text: '5.1.1 No such mailbox' }
        : recipient.startsWith('relay-')
          ? { at: 'rcpt', code: 550, text: '5.7.1 Relaying denied' }
          : recipient.startsWith('content-')
            ? { at: 'data', code: 550, text: '5.7.1 Message content rejected' }
            : recipient.startsWith('big-')
              ? { at: 'data', code: 552 }
              : undefined,
  )
  mailer = createMailer({
    config: { ...t.config, mail: { ...t.config.mail, smtpUrl: server.url } },
    logger: t.platform.logger,
    database: t.platform.database,
    jobs: noJobs,
    retry: { limit: 2, delaySeconds: 1, maxDelaySeconds: 2 },
  })
})
afterAll(async () => {
  mailer?.close()
  await server?.close()
  await t?.close()
})

const address = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}@example.test`
const message = (to: string, extra: Partial<MailInput> = {}): MailInput => ({
  tenantId: null,
  to,
  subject: 'News',
  text: 'Hello',
  messageKey: `test.suppression:${randomUUID()}`,
  ...extra,
})
const send = (input: MailInput) => t.platform.database.transaction(platformScope, (tx) => mailer.send(tx, input))
const deliver = (messageId: string) => mailer.deliver({ messageId }, { id: randomUUID(), retryCount: 0 })
const row = async (id: string) => {
  const [found] = await t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ status: string; last_error: string | null }>(
      tx,
      sql`SELECT status, last_error FROM platform.mail_messages WHERE id = ${id}`,
    ),
  )
  return found!
}

describe('suppression after SMTP refusals', () => {
  it('suppresses an address the server refuses with 550 and settles later mail to it without SMTP', async () => {
    const to = address('gone')
    const first = await send(message(to))
    await deliver(first)
    expect(await row(first)).toMatchObject({ status: 'failed' })
    const refusals = server.refusals.get(to)
    const second = await send(message(to.toUpperCase()))
    await deliver(second)
    expect(await row(second)).toMatchObject({ status: 'suppressed', last_error: expect.stringContaining('bounce') })
    expect(server.refusals.get(to)).toBe(refusals)
    // The address is stored only as a keyed hash.
    const stored = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<Record<string, unknown>>(tx, sql`SELECT * FROM platform.mail_suppressions`),
    )
    expect(JSON.stringify(stored)).not.toContain(to)
    expect(JSON.stringify(stored).toLowerCase()).not.toContain(to.split('@')[0]!)
  })

  it('does not suppress an address for a refusal of the message itself (552)', async () => {
    const to = address('big')
    const id = await send(message(to))
    await deliver(id)
    expect(await row(id)).toMatchObject({ status: 'failed' })
    const again = await send(message(to))
    await deliver(again).catch(() => undefined)
    expect((await row(again)).status).not.toBe('suppressed')
  })

  it('suppresses on a mailbox status (5.1.x) only: relay, policy and content refusals suppress nothing (security review)', async () => {
    const suppressedAfter = async (to: string) => {
      await deliver(await send(message(to))).catch(() => undefined)
      const again = await send(message(to))
      await deliver(again).catch(() => undefined)
      return (await row(again)).status === 'suppressed'
    }
    expect(await suppressedAfter(address('unknown'))).toBe(true)
    expect(await suppressedAfter(address('relay'))).toBe(false)
    expect(await suppressedAfter(address('content'))).toBe(false)
    const stored = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ detail: string | null }>(tx, sql`SELECT detail FROM platform.mail_suppressions WHERE source = 'smtp'`),
    )
    // The reply's codes only: its text usually repeats the address.
    expect(stored.map((entry) => entry.detail)).toContain('RCPT TO 550 5.1.1')
  })

  it('still delivers essential mail (account recovery, security notices) to a suppressed address', async () => {
    const to = address('gone')
    await deliver(await send(message(to)))
    const essential = await send(message(to, { essential: true }))
    await deliver(essential).catch(() => undefined)
    // The server refuses it again, but it was attempted rather than settled as suppressed.
    expect((await row(essential)).status).toBe('failed')
    expect(server.refusals.get(to)).toBe(2)
  })

  it('passes allowlisted headers to SMTP and refuses others', async () => {
    const to = address('fine')
    const headers = {
      'List-Unsubscribe': '<https://x.example/u?t=1>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    }
    const id = await send(message(to, { headers }))
    await deliver(id)
    const raw = server.received.at(-1)!.toString('utf8')
    expect(raw).toContain('List-Unsubscribe: <https://x.example/u?t=1>')
    expect(raw).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click')
    const ops = await t.app.inject({ method: 'GET', url: `/v1/ops/mail/${id}`, headers: t.auth(t.operatorToken) })
    expect(ops.json().headers).toEqual(headers)
    await expect(send(message(to, { headers: { Bcc: 'x@y.test' } }))).rejects.toMatchObject({
      code: 'MAIL_INVALID_MESSAGE',
    })
    await expect(send(message(to, { headers: { 'List-Id': 'a\r\nBcc: x@y.test' } }))).rejects.toMatchObject({
      code: 'MAIL_INVALID_MESSAGE',
    })
  })
})

describe('provider events', () => {
  const post = (body: string, headers: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/mail/provider-events',
      headers: { 'content-type': 'application/json', ...headers },
      payload: body,
    })
  const signed = (body: string, at = new Date(), key = secret) => {
    const id = `msg_${randomUUID()}`
    const signature = new Webhook(key).sign(id, at, body)
    return {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    }
  }

  it('suppresses bounced and complaining recipients from a signed request, once', async () => {
    const bounced = address('provider')
    const complained = address('provider')
    const body = JSON.stringify({
      events: [
        { type: 'bounce', recipient: bounced, detail: '550 5.1.1 user unknown' },
        { type: 'complaint', recipient: complained },
      ],
    })
    const response = await post(body, signed(body))
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).toEqual({ received: 2, suppressed: 2 })
    expect((await post(body, signed(body))).json()).toEqual({ received: 2, suppressed: 0 })
    const id = await send(message(complained))
    await deliver(id)
    expect(await row(id)).toMatchObject({ status: 'suppressed', last_error: expect.stringContaining('complaint') })
  })

  it('refuses a missing, forged or stale signature with 400 and records nothing', async () => {
    const victim = address('victim')
    const body = JSON.stringify({ events: [{ type: 'bounce', recipient: victim }] })
    const other = `whsec_${randomBytes(32).toString('base64')}`
    const attempts = [
      {},
      signed(body, new Date(), other),
      signed(body, new Date(Date.now() - 10 * 60 * 1000)),
      { ...signed(body), 'webhook-id': 'msg_other' },
    ]
    for (const headers of attempts) {
      const response = await post(body, headers)
      expect(response.statusCode).toBe(400)
      expect(response.json().code).toBe('WEBHOOK_SIGNATURE_INVALID')
    }
    const id = await send(message(victim))
    await deliver(id)
    expect((await row(id)).status).toBe('sent')
  })

  it('refuses a signed body that is not the documented shape with 400', async () => {
    for (const body of [
      'not json',
      '{}',
      JSON.stringify({ events: [{ type: 'spam', recipient: 'a@b.test' }] }),
      JSON.stringify({ events: [{ type: 'bounce', recipient: 'nobody' }] }),
    ]) {
      const response = await post(body, signed(body))
      expect(response.statusCode, body).toBe(400)
      expect(response.json().code).toBe('MAIL_PROVIDER_EVENT_INVALID')
    }
  })
})
