/**
 * Secret variables of mail (defect 12): with SMTP, a live token is stored only sealed under
 * KEY_ENCRYPTION_KEY, rendered by the delivery job for the SMTP server and dropped once the
 * message is delivered or finally failed; settled mail is purged after the retention period.
 * The handler is called directly with the JobInfo the queue would pass (as in mailer.test.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { simpleParser } from 'mailparser'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../db/database.ts'
import type { Jobs } from '../jobs/types.ts'
import { secretField } from './mail-secrets.ts'
import { createMailer, type Mailer, type MailInput, type MailRetryPolicy } from './mailer.ts'
import { startTestSmtpServer, type Refusal, type TestSmtpServer } from './testing.ts'

const retry: MailRetryPolicy = { limit: 2, delaySeconds: 1, maxDelaySeconds: 2 }
const noJobs: Jobs = { define() {}, send: async () => randomUUID() }

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

function mailerFor(options: { smtpUrl?: string; keyEncryptionKey?: string } = {}) {
  const config = {
    ...t.config,
    mail: { ...t.config.mail, smtpUrl: options.smtpUrl },
    signingKeys: {
      ...t.config.signingKeys,
      keyEncryptionKey: options.keyEncryptionKey ?? t.config.signingKeys.keyEncryptionKey,
    },
  }
  const mailer = createMailer({ config, logger: t.platform.logger, database: t.platform.database, jobs: noJobs, retry })
  mailers.push(mailer)
  return mailer
}

async function smtpServer(policy?: (recipient: string) => Refusal | undefined) {
  const server = await startTestSmtpServer(policy)
  servers.push(server)
  return server
}

const resetMessage = (token = randomBytes(32).toString('base64url')) => {
  const link = `https://academy.example.test/reset-password?token=${token}`
  const input: MailInput = {
    tenantId: null,
    to: `learner-${randomUUID().slice(0, 8)}@example.test`,
    subject: 'Reset your password',
    text: `Choose a new password: ${secretField('link')}\nOr enter this code: ${secretField('code')}`,
    html: `<p><a href="${secretField('link')}">Choose a new password</a> or enter <code>${secretField('code')}</code></p>`,
    messageKey: `test.reset:${randomUUID()}`,
    secrets: { link, code: token },
  }
  return { input, token, link }
}

const send = (mailer: Mailer, input: MailInput) =>
  t.platform.database.transaction(platformScope, (tx) => mailer.send(tx, input))
/** The whole stored row as text, every column: where a live token would show. */
const rawRow = async (id: string) => {
  const [row] = await t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<Record<string, unknown>>(tx, sql`SELECT * FROM platform.mail_messages WHERE id = ${id}`),
  )
  return { row: row!, text: JSON.stringify(row) }
}
const job = (retryCount: number) => ({ id: randomUUID(), retryCount })

describe('mail secrets with SMTP', () => {
  it('stores fields and a sealed copy, hands the rendered mail to SMTP, then drops the secrets', async () => {
    const server = await smtpServer()
    const mailer = mailerFor({ smtpUrl: server.url })
    const { input, token, link } = resetMessage()
    const id = await send(mailer, input)

    const queued = await rawRow(id)
    expect(queued.text).not.toContain(token)
    expect(queued.row).toMatchObject({ text_body: input.text, html_body: input.html, secrets_dropped_at: null })
    expect(String(queued.row.secrets_sealed).split('.')).toHaveLength(5)

    await mailer.deliver({ messageId: id }, job(0))
    const parsed = await simpleParser(server.received.at(-1)!)
    expect(parsed.text?.trim()).toBe(`Choose a new password: ${link}\nOr enter this code: ${token}`)
    expect(parsed.html).toContain(`<a href="${link}">`)

    const delivered = await rawRow(id)
    expect(delivered.row).toMatchObject({ status: 'sent', secrets_sealed: null, text_body: input.text })
    expect(delivered.row.secrets_dropped_at).not.toBeNull()
    expect(delivered.text).not.toContain(token)
  })

  it('keeps the secrets for a retry, drops them at the final failure, and never mails the fields', async () => {
    const server = await smtpServer((recipient) =>
      recipient.startsWith('busy') ? { at: 'data', code: 451 } : undefined,
    )
    const mailer = mailerFor({ smtpUrl: server.url })
    const { input, token } = resetMessage()
    const id = await send(mailer, { ...input, to: `busy-${input.to}` })
    await expect(mailer.deliver({ messageId: id }, job(0))).rejects.toThrow()
    expect((await rawRow(id)).row).toMatchObject({ status: 'queued', secrets_dropped_at: null })
    expect((await rawRow(id)).row.secrets_sealed).not.toBeNull()

    await expect(mailer.deliver({ messageId: id }, job(retry.limit))).rejects.toThrow()
    const failed = await rawRow(id)
    expect(failed.row).toMatchObject({ status: 'failed', secrets_sealed: null })
    expect(failed.text).not.toContain(token)

    // An operator replaying the dead job later: the message cannot be rendered any more, so it is not sent.
    const received = server.received.length
    await expect(mailer.deliver({ messageId: id }, job(0))).resolves.toBeUndefined()
    expect(server.received).toHaveLength(received)
    expect((await rawRow(id)).row).toMatchObject({
      status: 'failed',
      last_error: expect.stringContaining('secret variables were dropped'),
    })
  })

  it('does not deliver a message whose secrets do not open under the configured key, until the last attempt fails it', async () => {
    const server = await smtpServer()
    const { input } = resetMessage()
    const id = await send(mailerFor({ smtpUrl: server.url }), input)
    const otherKey = mailerFor({ smtpUrl: server.url, keyEncryptionKey: randomBytes(32).toString('base64url') })
    await expect(otherKey.deliver({ messageId: id }, job(0))).rejects.toThrow(/do not open/)
    expect((await rawRow(id)).row).toMatchObject({ status: 'queued' })
    await otherKey.deliver({ messageId: id }, job(retry.limit))
    expect((await rawRow(id)).row).toMatchObject({ status: 'failed', secrets_sealed: null })
    expect(server.received).toHaveLength(0)
  })
})

describe('mail secrets without SMTP', () => {
  it('stores the rendered message: the captured outbox is the delivery itself', async () => {
    const mailer = mailerFor()
    const { input, token } = resetMessage()
    const id = await send(mailer, input)
    const stored = await rawRow(id)
    expect(stored.row).toMatchObject({ secrets_sealed: null, text_body: expect.stringContaining(token) })
    expect(stored.row.html_body).toContain(token)
    await mailer.deliver({ messageId: id }, job(0))
    expect((await rawRow(id)).row).toMatchObject({ status: 'captured', text_body: stored.row.text_body })
  })

  it('refuses secrets with odd names, unused ones and multi-line values', async () => {
    const mailer = mailerFor()
    const { input } = resetMessage()
    const refused: Array<Record<string, string>> = [
      { 'no spaces': 'x' },
      { link: 'x', unused: 'y' },
      { link: 'x\ny', code: 'z' },
    ]
    for (const secrets of refused)
      await expect(send(mailer, { ...input, secrets })).rejects.toMatchObject({ code: 'MAIL_INVALID_MESSAGE' })
  })

  it('escapes secret values in the HTML body', async () => {
    const mailer = mailerFor()
    const { input } = resetMessage()
    const id = await send(mailer, { ...input, secrets: { link: 'https://x.test/?a=1&b="2"', code: '<b>' } })
    const row = (await rawRow(id)).row
    expect(row.html_body).toContain('href="https://x.test/?a=1&amp;b=&quot;2&quot;"')
    expect(row.html_body).toContain('<code>&lt;b&gt;</code>')
    expect(row.text_body).toContain('https://x.test/?a=1&b="2"')
  })
})

describe('mail retention', () => {
  it('purges delivered and failed mail older than MAIL_RETENTION_DAYS, and keeps newer or undelivered mail', async () => {
    const mailer = mailerFor()
    const ids: Record<string, string> = {}
    for (const name of ['oldSent', 'oldFailed', 'oldQueued', 'newSent'])
      ids[name] = await send(mailer, {
        ...resetMessage().input,
        secrets: undefined,
        text: 'Hello',
        html: '<p>Hello</p>',
      })
    const age = (id: string, days: number, status: string) =>
      t.platform.database.transaction(platformScope, (tx) =>
        tx.execute(
          sql`UPDATE platform.mail_messages SET status = ${status}, created_at = now() - make_interval(days => ${days}) WHERE id = ${id}`,
        ),
      )
    const retention = t.config.mail.retentionDays
    await age(ids.oldSent!, retention + 1, 'sent')
    await age(ids.oldFailed!, retention + 1, 'failed')
    await age(ids.oldQueued!, retention + 1, 'queued')
    await age(ids.newSent!, retention - 1, 'sent')
    expect(await mailer.purgeSettled()).toBeGreaterThanOrEqual(2)
    const remaining = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ id: string }>(
        tx,
        sql`SELECT id FROM platform.mail_messages WHERE id IN (${sql.join(
          Object.values(ids).map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`,
      ),
    )
    expect(remaining.map((row) => row.id).sort()).toEqual([ids.oldQueued, ids.newSent].sort())
  })
})
