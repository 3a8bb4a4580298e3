/**
 * The mailer and its delivery handler, driven directly: the handler is called with the JobInfo
 * the queue would pass, so retry decisions are checked attempt by attempt without waiting for
 * backoff. End-to-end delivery through the real queue is in mail.outbox.test.ts and mail.smtp.test.ts.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { simpleParser } from 'mailparser'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { loadConfig } from '../../config.ts'
import { platformScope, tenantScope } from '../db/database.ts'
import { createLogger } from '../observability/logger.ts'
import type { Jobs, QueueDefinition, SendOptions } from '../jobs/types.ts'
import {
  createMailer,
  MAIL_DELIVER_QUEUE,
  MAIL_PURGE_QUEUE,
  type DeliverJob,
  type Mailer,
  type MailRetryPolicy,
} from './mailer.ts'
import { mailRepository } from './mail.repository.ts'
import { startTestSmtpServer, type TestSmtpServer } from './testing.ts'

/** Records what the mailer asks of the job platform. */
function recordingJobs() {
  const sent: Array<{ name: string; data: unknown; options: SendOptions | undefined }> = []
  const defined: QueueDefinition[] = []
  const jobs: Jobs = {
    define(definition) {
      defined.push(definition as QueueDefinition)
    },
    async send(_tx, name, data, options) {
      sent.push({ name, data, options })
      return randomUUID()
    },
  }
  return { jobs, sent, defined }
}

const retry: MailRetryPolicy = { limit: 2, delaySeconds: 1, maxDelaySeconds: 2 }

let t: TestApp
const servers: TestSmtpServer[] = []
const mailers: Mailer[] = []

beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => {
  for (const mailer of mailers) mailer.close()
  await Promise.all(servers.map((s) => s.close()))
  await t?.close()
})

function mailerFor(smtpUrl?: string, logger = t.platform.logger) {
  const config = smtpUrl ? { ...t.config, mail: { ...t.config.mail, smtpUrl } } : t.config
  const recorded = recordingJobs()
  const mailer = createMailer({ config, logger, database: t.platform.database, jobs: recorded.jobs, retry })
  mailers.push(mailer)
  return { mailer, ...recorded }
}

const message = (overrides: Partial<Parameters<Mailer['send']>[1]> = {}) => ({
  tenantId: null,
  to: 'learner@example.test',
  subject: 'Reset your password',
  text: 'Open https://lyceum.test/reset?token=abc to choose a new password.',
  html: '<p>Open <a href="https://lyceum.test/reset?token=abc">this link</a>.</p>',
  messageKey: `test.reset:${randomUUID()}`,
  ...overrides,
})

const load = (id: string) => t.platform.database.transaction(platformScope, (tx) => mailRepository.findById(tx, id))
const sendAsPlatform = (mailer: Mailer, input: ReturnType<typeof message>) =>
  t.platform.database.transaction(platformScope, (tx) => mailer.send(tx, input))
const job = (retryCount: number) => ({ id: randomUUID(), retryCount })

describe('mailer', () => {
  it('declares mail.deliver with its retry policy, and the daily purge', () => {
    const { defined } = mailerFor()
    expect(defined.map((queue) => queue.name)).toEqual([MAIL_DELIVER_QUEUE, MAIL_PURGE_QUEUE])
    expect(defined[1]).toMatchObject({ schedule: { cron: '23 3 * * *' } })
    expect(defined[0]).toMatchObject({
      name: MAIL_DELIVER_QUEUE,
      retryLimit: 2,
      retryDelaySeconds: 1,
      retryDelayMaxSeconds: 2,
      pollingIntervalSeconds: 1,
    })
  })

  it('records a queued message and enqueues its delivery keyed by the message key', async () => {
    const { mailer, sent } = mailerFor()
    const input = message()
    const id = await sendAsPlatform(mailer, input)
    expect(await load(id)).toMatchObject({
      status: 'queued',
      attempts: 0,
      toAddress: input.to,
      fromAddress: t.config.mail.from,
      textBody: input.text,
      htmlBody: input.html,
    })
    expect(sent).toEqual([
      { name: MAIL_DELIVER_QUEUE, data: { messageId: id }, options: { singletonKey: input.messageKey } },
    ])
  })

  it('sends a repeated message key once and returns the first id', async () => {
    const { mailer, sent } = mailerFor()
    const input = message()
    const first = await sendAsPlatform(mailer, input)
    const second = await sendAsPlatform(mailer, { ...input, subject: 'A second attempt' })
    expect(second).toBe(first)
    expect(sent).toHaveLength(1)
    expect((await load(first))?.subject).toBe(input.subject)
  })

  it("sends for a tenant inside that tenant's transaction, invisible to other tenants", async () => {
    const { mailer } = mailerFor()
    const a = await t.createTenant()
    const b = await t.createTenant()
    const input = message({ tenantId: a.id })
    const id = await t.platform.database.transaction(tenantScope(a.id), (tx) => mailer.send(tx, input))
    expect(
      await t.platform.database.transaction(tenantScope(a.id), (tx) => mailRepository.findById(tx, id)),
    ).toBeDefined()
    expect(
      await t.platform.database.transaction(tenantScope(b.id), (tx) => mailRepository.findById(tx, id)),
    ).toBeUndefined()
    // B can neither send as A (RLS refuses the row) nor learn about A's message through its key.
    await expect(t.platform.database.transaction(tenantScope(b.id), (tx) => mailer.send(tx, input))).rejects.toThrow()
    await expect(
      t.platform.database.transaction(tenantScope(b.id), (tx) => mailer.send(tx, { ...input, tenantId: b.id })),
    ).rejects.toThrow(/outside this transaction's scope/)
  })

  it('refuses a malformed recipient or a multi-line subject', async () => {
    const { mailer, sent } = mailerFor()
    await expect(sendAsPlatform(mailer, message({ to: 'a@example.test, b@example.test' }))).rejects.toMatchObject({
      code: 'MAIL_INVALID_MESSAGE',
    })
    await expect(sendAsPlatform(mailer, message({ subject: 'Hi\r\nBcc: victim@example.test' }))).rejects.toMatchObject({
      code: 'MAIL_INVALID_MESSAGE',
    })
    expect(sent).toHaveLength(0)
  })
})

describe('mail.deliver without SMTP', () => {
  it('captures the message in the outbox once, however often the job runs', async () => {
    const { mailer } = mailerFor()
    const id = await sendAsPlatform(mailer, message())
    await mailer.deliver({ messageId: id }, job(0))
    const captured = await load(id)
    expect(captured).toMatchObject({
      status: 'captured',
      transport: 'outbox',
      attempts: 1,
      lastError: null,
      providerMessageId: null,
    })
    expect(captured?.sentAt).toBeInstanceOf(Date)
    await mailer.deliver({ messageId: id }, job(1))
    expect(await load(id)).toEqual(captured)
  })

  it('ignores a job for a message that does not exist', async () => {
    const { mailer } = mailerFor()
    await expect(mailer.deliver({ messageId: randomUUID() } satisfies DeliverJob, job(0))).resolves.toBeUndefined()
  })

  it('reports the transport as disabled for readiness', async () => {
    expect(await mailerFor().mailer.verifyTransport()).toEqual({
      status: 'disabled',
      detail: 'mail captured in outbox',
    })
  })
})

describe('mail.deliver over SMTP', () => {
  it('delivers through the SMTP server and records the Message-ID it accepted', async () => {
    const server = await startTestSmtpServer()
    servers.push(server)
    const { mailer } = mailerFor(server.url)
    const input = message()
    const id = await sendAsPlatform(mailer, input)
    await mailer.deliver({ messageId: id }, job(0))
    const row = await load(id)
    expect(row).toMatchObject({ status: 'sent', transport: 'smtp', attempts: 1, lastError: null })
    expect(server.received).toHaveLength(1)
    const parsed = await simpleParser(server.received[0]!)
    expect(parsed.messageId).toBe(row?.providerMessageId)
    expect(parsed.subject).toBe(input.subject)
    expect(parsed.text?.trim()).toBe(input.text)
    await mailer.deliver({ messageId: id }, job(1))
    expect(server.received).toHaveLength(1)
    expect(await mailer.verifyTransport()).toMatchObject({ status: 'ok' })
  })

  it('keeps a transiently refused message queued for the retry, then fails it on the last attempt', async () => {
    const server = await startTestSmtpServer(() => ({ at: 'data', code: 451 }))
    servers.push(server)
    const { mailer } = mailerFor(server.url)
    const id = await sendAsPlatform(mailer, message())
    await expect(mailer.deliver({ messageId: id }, job(0))).rejects.toThrow(
      /SMTP delivery of mail message .* failed \(EMESSAGE 451 DATA\)/,
    )
    expect(await load(id)).toMatchObject({
      status: 'queued',
      transport: 'smtp',
      attempts: 1,
      lastError: expect.stringContaining('Message refused by test server'),
    })
    await expect(mailer.deliver({ messageId: id }, job(1))).rejects.toThrow()
    expect((await load(id))?.status).toBe('queued')
    await expect(mailer.deliver({ messageId: id }, job(retry.limit))).rejects.toThrow()
    expect(await load(id)).toMatchObject({ status: 'failed', attempts: 3, sentAt: null })
    expect(server.refusals.get('learner@example.test')).toBe(3)
  })

  it('fails a permanently refused message at once instead of retrying it', async () => {
    const server = await startTestSmtpServer(() => ({ at: 'rcpt', code: 550 }))
    servers.push(server)
    const { mailer } = mailerFor(server.url)
    const id = await sendAsPlatform(mailer, message())
    await expect(mailer.deliver({ messageId: id }, job(0))).resolves.toBeUndefined()
    expect(await load(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: expect.stringContaining('Recipient refused'),
    })
  })

  it('reports an unreachable SMTP server as failing', async () => {
    const server = await startTestSmtpServer()
    await server.close()
    const { mailer } = mailerFor(server.url)
    const check = await mailer.verifyTransport()
    expect(check.status).toBe('failing')
    expect(check.detail).toMatch(/^SMTP: /)
  })
})

describe('mail logging', () => {
  it('never logs recipients, subjects or bodies, nor puts them in job errors', async () => {
    const lines: string[] = []
    const logger = createLogger('debug', { write: (line: string) => void lines.push(line) })
    const server = await startTestSmtpServer((to) =>
      to.startsWith('busy') ? { at: 'data', code: 451 } : to.startsWith('gone') ? { at: 'rcpt', code: 550 } : undefined,
    )
    servers.push(server)
    const outbox = mailerFor(undefined, logger).mailer
    const smtp = mailerFor(server.url, logger).mailer
    const secret = `canary-${randomUUID()}`
    const input = (to: string) =>
      message({
        to: `${to}-${secret}@example.test`,
        subject: `Subject ${secret}`,
        text: `Text ${secret}`,
        html: `<p>${secret}</p>`,
      })
    const ids = [
      await sendAsPlatform(outbox, input('captured')),
      await sendAsPlatform(smtp, input('sent')),
      await sendAsPlatform(smtp, input('busy')),
      await sendAsPlatform(smtp, input('gone')),
    ]
    await outbox.deliver({ messageId: ids[0]! }, job(0))
    const errors: string[] = []
    for (const id of ids.slice(1))
      await smtp.deliver({ messageId: id }, job(retry.limit)).catch((error: Error) => errors.push(error.message))
    expect((await Promise.all(ids.map(load))).map((m) => m?.status)).toEqual(['captured', 'sent', 'failed', 'failed'])
    expect(errors).toHaveLength(1)
    for (const id of ids) expect(lines.join('')).toContain(id)
    expect([...lines, ...errors].join('\n')).not.toContain(secret)
  })
})

describe('configuration', () => {
  it('reads SMTP_URL and MAIL_FROM from the environment', () => {
    const config = loadConfig({
      LYCEUM_PROFILE: 'test',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      MAIL_FROM: 'School <school@example.test>',
    })
    expect(config.mail).toEqual({
      smtpUrl: 'smtp://127.0.0.1:2525',
      from: 'School <school@example.test>',
      retentionDays: 30,
    })
    expect(loadConfig({ LYCEUM_PROFILE: 'test', MAIL_RETENTION_DAYS: '7' }).mail.retentionDays).toBe(7)
    expect(() => loadConfig({ LYCEUM_PROFILE: 'test', MAIL_RETENTION_DAYS: '0' })).toThrow(/MAIL_RETENTION_DAYS/)
  })
})
