/**
 * The platform mailer. `send` records the message and enqueues its delivery in the caller's
 * transaction, so a rolled-back business write sends nothing; the `mail.deliver` job then hands
 * it to SMTP, or, when no SMTP_URL is configured (development, test), captures it in the outbox
 * that operators read over /v1/ops/mail. Bodies and addresses never reach the logs.
 *
 * Live tokens go in `secrets` (mail-secrets.ts): with SMTP they are stored only sealed under
 * KEY_ENCRYPTION_KEY and dropped after delivery. Settled messages are deleted after
 * MAIL_RETENTION_DAYS by the `mail.purge_delivered` schedule.
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { Config } from '../../config.ts'
import type { Database, Tx } from '../db/database.ts'
import type { JobInfo, Jobs } from '../jobs/types.ts'
import type { CheckResult } from '../observability/health.ts'
import { parseKeyEncryptionKey, sealSecret } from '../crypto/sealed-secrets.ts'
import { platformScope } from '../db/database.ts'
import { scrubText } from '../observability/redaction.ts'
import { createDeliverHandler, type DeliverJob } from './mail.delivery.ts'
import { mailErrors } from './mail.errors.ts'
import {
  mailSecretsBinding,
  renderMessage,
  serialiseSecrets,
  validateSecrets,
  type MailSecrets,
} from './mail-secrets.ts'
import { mailRepository } from './mail.repository.ts'
import { suppressionKey } from './suppressions.ts'
import { createSmtpTransport, describeSmtpFailure, type SmtpTransport } from './smtp-transport.ts'

export type { DeliverJob } from './mail.delivery.ts'

export const MAIL_DELIVER_QUEUE = 'mail.deliver'
export const MAIL_PURGE_QUEUE = 'mail.purge_delivered'
/** Rows deleted per statement by the purge, so one run never holds a huge transaction. */
const PURGE_BATCH = 1000

export interface MailInput {
  /** The tenant the mail is sent for; null for platform mail. Must match the transaction's tenant. */
  tenantId: string | null
  to: string
  subject: string
  text: string
  html?: string
  /** Unique per logical message and namespaced by its sender (e.g. `identity.password_reset:<tokenId>`); sent at most once. */
  messageKey: string
  /**
   * Display name of the From header (a tenant's sender name); the address stays MAIL_FROM's.
   * No quotes, angle brackets or line breaks (it is quoted into the header).
   */
  fromName?: string
  /**
   * Extra headers, from an allowlist: List-Unsubscribe and List-Unsubscribe-Post (RFC 8058),
   * List-Id. One line each, at most 998 characters.
   */
  headers?: Readonly<Record<string, string>>
  /**
   * Values of the `{{name}}` fields in text and html that must not stay in the database:
   * live tokens and the links carrying them. Sealed under KEY_ENCRYPTION_KEY until the delivery
   * job renders the message for SMTP, then dropped (see mail-secrets.ts).
   */
  secrets?: MailSecrets
  /**
   * Delivered even when the address is suppressed (a bounce or complaint on record): mail a person
   * needs to get into or protect their account (verification, password reset, sign-in links,
   * security notices). Everything else is settled as `suppressed` without contacting SMTP.
   */
  essential?: boolean
}

export interface MailRetryPolicy {
  /** Retries after the first attempt. */
  limit: number
  delaySeconds: number
  maxDelaySeconds: number
}

/** SMTP outages last minutes to hours: back off from 30 s up to an hour between tries, about 4 hours in all. */
export const DEFAULT_MAIL_RETRY: MailRetryPolicy = { limit: 8, delaySeconds: 30, maxDelaySeconds: 3600 }

export interface MailerDeps {
  config: Config
  logger: Logger
  database: Database
  jobs: Jobs
  retry?: MailRetryPolicy
}

export interface Mailer {
  /** Records and enqueues a message in `tx`; returns its id (the existing one for a repeated key). */
  send(tx: Tx, input: MailInput): Promise<string>
  /** The `mail.deliver` job handler (idempotent). */
  deliver(data: DeliverJob, job: JobInfo): Promise<void>
  /** Deletes delivered and failed messages older than MAIL_RETENTION_DAYS; returns how many (the scheduled purge). */
  purgeSettled(): Promise<number>
  /** Readiness probe: SMTP reachable and accepting us, or 'disabled' when mail is captured. */
  verifyTransport(): Promise<CheckResult>
  readonly transport: 'smtp' | 'outbox'
  /** Closes the SMTP connection pool. */
  close(): void
}

const ADDRESS = /^[^\s@<>,;:"()[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/

function validate(input: MailInput): void {
  if (input.to.length > 320 || !ADDRESS.test(input.to))
    throw mailErrors.invalidMessage('to', 'must be one email address')
  if (input.subject.length === 0 || input.subject.length > 998 || /[\r\n]/.test(input.subject))
    throw mailErrors.invalidMessage('subject', 'must be 1-998 characters on one line')
  if (input.messageKey.length === 0 || input.messageKey.length > 200)
    throw mailErrors.invalidMessage('messageKey', 'must be 1-200 characters')
  if (input.secrets) validateSecrets(input.secrets, input.text)
  if (input.headers) validateHeaders(input.headers)
  if (input.fromName !== undefined && !FROM_NAME.test(input.fromName))
    throw mailErrors.invalidMessage(
      'fromName',
      'must be 1-100 characters without quotes, angle brackets or line breaks',
    )
}

/** The headers callers may add; anything else (From, Bcc, Received...) is ours to write. */
export const MAIL_HEADER_ALLOWLIST = ['List-Unsubscribe', 'List-Unsubscribe-Post', 'List-Id'] as const

function validateHeaders(headers: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (!(MAIL_HEADER_ALLOWLIST as readonly string[]).includes(name))
      throw mailErrors.invalidMessage('headers', `${name} is not one of ${MAIL_HEADER_ALLOWLIST.join(', ')}`)
    if (value.length === 0 || value.length > 998 || /[\r\n]/.test(value) || value.includes('\u0000'))
      throw mailErrors.invalidMessage('headers', `${name} must be one line of 1-998 characters`)
  }
}

const FROM_NAME = /^[^"<>\\\r\n\t]{1,100}$/

/** MAIL_FROM's address under another display name: `"Acme Academy" <no-reply@lyceum.example>`. */
export function fromWithName(from: string, name: string): string {
  const address = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from.trim()
  return `"${name}" <${address}>`
}

async function verify(smtp: SmtpTransport | undefined): Promise<CheckResult> {
  if (!smtp) return { status: 'disabled', detail: 'mail captured in outbox' }
  try {
    await smtp.verify()
    return { status: 'ok', detail: 'SMTP server accepts connections' }
  } catch (error) {
    // /health/ready is public: no addresses or credentials from the server's reply.
    return { status: 'failing', detail: `SMTP: ${scrubText(describeSmtpFailure(error).description)}` }
  }
}

/**
 * The stored form: with SMTP, fields in the bodies and the secrets sealed; without it the
 * captured outbox is the delivery, so the rendered message itself.
 */
async function storedBodies(id: string, input: MailInput, smtp: SmtpTransport | undefined, kek: Uint8Array) {
  const bodies = { text: input.text, html: input.html ?? null }
  if (!input.secrets || Object.keys(input.secrets).length === 0)
    return { textBody: bodies.text, htmlBody: bodies.html, secretsSealed: null }
  if (!smtp) {
    const rendered = renderMessage(bodies, input.secrets)
    return { textBody: rendered.text, htmlBody: rendered.html, secretsSealed: null }
  }
  const secretsSealed = await sealSecret(serialiseSecrets(input.secrets), kek, {
    kid: mailSecretsBinding(id),
    cty: 'json',
  })
  return { textBody: bodies.text, htmlBody: bodies.html, secretsSealed }
}

/** The daily purge of settled mail past its retention. */
function definePurge(jobs: Jobs, log: Logger, retentionDays: number, purge: () => Promise<number>): void {
  jobs.define({
    name: MAIL_PURGE_QUEUE,
    schedule: { cron: '23 3 * * *' },
    // Tomorrow's run deletes whatever today's left: a failure is not worth many retries.
    retryLimit: 2,
    retryDelaySeconds: 60,
    retryDelayMaxSeconds: 300,
    expireInSeconds: 600,
    handler: async () => {
      const purged = await purge()
      if (purged > 0) log.info({ purged, retentionDays }, 'purged settled mail')
    },
  })
}

export function createMailer(deps: MailerDeps): Mailer {
  const { config, database, jobs } = deps
  const retry = deps.retry ?? DEFAULT_MAIL_RETRY
  const smtp = config.mail.smtpUrl ? createSmtpTransport(config.mail.smtpUrl) : undefined
  const log = deps.logger.child({ component: 'mail' })
  if (!smtp && config.profile === 'production')
    log.warn('SMTP_URL is not set: mail is captured in the outbox and never delivered')
  const keyEncryptionKey = parseKeyEncryptionKey(config.signingKeys.keyEncryptionKey)
  const deliver = createDeliverHandler({
    database,
    logger: log,
    smtp,
    retryLimit: retry.limit,
    keyEncryptionKey,
    suppressionKey: suppressionKey(keyEncryptionKey),
  })

  jobs.define<DeliverJob>({
    name: MAIL_DELIVER_QUEUE,
    handler: deliver,
    retryLimit: retry.limit,
    retryDelaySeconds: retry.delaySeconds,
    retryDelayMaxSeconds: retry.maxDelaySeconds,
    expireInSeconds: 120,
    // Sign-in codes and reset links are waited for by a person: poll more often than the default.
    pollingIntervalSeconds: 1,
  })

  definePurge(jobs, log, config.mail.retentionDays, () => purgeSettled())

  async function purgeSettled(): Promise<number> {
    let total = 0
    for (;;) {
      const deleted = await database.transaction(platformScope, (tx) =>
        mailRepository.purgeSettled(tx, config.mail.retentionDays, PURGE_BATCH),
      )
      total += deleted
      if (deleted < PURGE_BATCH) return total
    }
  }

  async function send(tx: Tx, input: MailInput): Promise<string> {
    validate(input)
    const newId = randomUUID()
    const id = await mailRepository.insertOnce(tx, {
      id: newId,
      tenantId: input.tenantId,
      messageKey: input.messageKey,
      toAddress: input.to,
      fromAddress: input.fromName === undefined ? config.mail.from : fromWithName(config.mail.from, input.fromName),
      subject: input.subject,
      headers: input.headers && Object.keys(input.headers).length > 0 ? { ...input.headers } : null,
      essential: input.essential === true,
      ...(await storedBodies(newId, input, smtp, keyEncryptionKey)),
    })
    if (id !== undefined) {
      await jobs.send<DeliverJob>(tx, MAIL_DELIVER_QUEUE, { messageId: id }, { singletonKey: input.messageKey })
      return id
    }
    const existing = await mailRepository.findIdByKey(tx, input.messageKey)
    // Invisible under RLS: another tenant (or the platform) owns the key. Keys must be namespaced.
    if (existing === undefined)
      throw new Error(`mail message key is used outside this transaction's scope: ${input.messageKey}`)
    return existing
  }

  return {
    send,
    deliver,
    purgeSettled,
    transport: smtp ? 'smtp' : 'outbox',
    verifyTransport: () => verify(smtp),
    close: () => smtp?.close(),
  }
}
