/**
 * Delivery through a real SMTP server started in the test (smtp-server on 127.0.0.1), driven by
 * the real job queue: what arrives is parsed with mailparser and compared with what was sent.
 * The server refuses recipients on request, to exercise retries and the final failure.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { simpleParser, type AddressObject } from 'mailparser'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope } from '../db/database.ts'
import { jobsMatching, waitUntil } from '../jobs/testing.ts'
import { MAIL_DELIVER_QUEUE, type MailInput, type MailRetryPolicy } from './index.ts'
import { startTestSmtpServer, type TestSmtpServer } from './testing.ts'

// Short delays so the failing message runs out of retries within the test.
const retry: MailRetryPolicy = { limit: 2, delaySeconds: 0.2, maxDelaySeconds: 0.5 }
const FROM = 'Lyceum Academy <no-reply@academy.example.test>'

let server: TestSmtpServer
let t: TestApp
beforeAll(async () => {
  server = await startTestSmtpServer((recipient) => {
    if (recipient.startsWith('busy-')) return { at: 'data', code: 451 }
    if (recipient.startsWith('unknown-')) return { at: 'rcpt', code: 550 }
    return undefined
  })
  t = await buildTestApp({ worker: true, env: { SMTP_URL: server.url, MAIL_FROM: FROM }, mailRetry: retry })
})
afterAll(async () => {
  await t?.close()
  await server?.close()
})

const message = (to: string, overrides: Partial<MailInput> = {}): MailInput => ({
  tenantId: null,
  to,
  subject: 'Welcome to Lyceum — your course starts Monday',
  text: 'Hello Ada,\n\nYour course "Analytical Engines" starts on Monday.\n',
  html: '<p>Hello Ada,</p><p>Your course <em>Analytical Engines</em> starts on Monday.</p>',
  messageKey: `test.welcome:${randomUUID()}`,
  ...overrides,
})

const send = (input: MailInput) =>
  t.platform.database.transaction(platformScope, (tx) => t.platform.mail.send(tx, input))
const read = async (id: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/ops/mail/${id}`, headers: t.auth(t.operatorToken) })).json()
const settled = (id: string, status: string) =>
  waitUntil(
    `mail ${id} to be ${status}`,
    async () => {
      const body = await read(id)
      return body.status === status ? body : undefined
    },
    30_000,
  )

const addresses = (field: AddressObject | AddressObject[] | undefined) =>
  [field ?? []].flat().flatMap((a) => a.value.map((v) => v.address))

describe('mail over SMTP', () => {
  it('delivers through the SMTP server exactly what was sent', async () => {
    const to = `ada-${randomUUID().slice(0, 8)}@example.test`
    const input = message(to)
    const id = await send(input)
    const delivered = await settled(id, 'sent')
    expect(delivered).toMatchObject({ transport: 'smtp', attempts: 1, lastError: null, from: FROM, to })
    expect(delivered.providerMessageId).toMatch(/^<.+@academy\.example\.test>$/)

    const raw = server.received.find((m) => m.includes(delivered.providerMessageId))
    expect(raw).toBeDefined()
    const parsed = await simpleParser(raw!)
    expect(parsed.messageId).toBe(delivered.providerMessageId)
    expect(parsed.from?.value).toEqual([{ address: 'no-reply@academy.example.test', name: 'Lyceum Academy' }])
    expect(addresses(parsed.to)).toEqual([to])
    expect(parsed.subject).toBe(input.subject)
    expect(parsed.text).toBe(input.text)
    expect(parsed.html).toBe(input.html)
  })

  it('retries a transient refusal with backoff and marks the message failed after the last attempt', async () => {
    const to = `busy-${randomUUID().slice(0, 8)}@example.test`
    const id = await send(message(to))
    const failed = await settled(id, 'failed')
    expect(failed).toMatchObject({
      transport: 'smtp',
      attempts: retry.limit + 1,
      sentAt: null,
      providerMessageId: null,
    })
    expect(failed.lastError).toContain('Message refused by test server')
    expect(server.refusals.get(to)).toBe(retry.limit + 1)
    // The exhausted job waits in the dead-letter queue, where operators can replay it.
    const dead = await waitUntil('the job in the dead-letter queue', async () => {
      const jobs = await jobsMatching(t.platform.database, `${MAIL_DELIVER_QUEUE}.dead`, { messageId: id })
      return jobs.length > 0 ? jobs : undefined
    })
    expect(dead).toHaveLength(1)
  })

  it('fails a permanently refused recipient after one attempt', async () => {
    const to = `unknown-${randomUUID().slice(0, 8)}@example.test`
    const id = await send(message(to))
    const failed = await settled(id, 'failed')
    expect(failed).toMatchObject({ attempts: 1, transport: 'smtp' })
    expect(failed.lastError).toContain('Recipient refused by test server')
    expect(server.refusals.get(to)).toBe(1)
  })

  it('reports the SMTP server as ready', async () => {
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready', headers: t.auth(t.operatorToken) })
    expect(ready.json().checks.smtp).toMatchObject({ status: 'ok' })
  })
})
