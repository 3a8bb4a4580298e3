/**
 * The `mail.deliver` job handler. It is idempotent: a message already sent or captured is left
 * alone, so a duplicate or replayed job never mails twice. No transaction is held open while
 * talking to SMTP (on PGlite that would block every other request): the message is read in one
 * short transaction and the outcome recorded in another.
 *
 * A message with secret variables (mail-secrets.ts) is rendered here, in memory, from its sealed
 * secrets; recording the outcome drops them, so after delivery (or the final failure) no live
 * token of it is left in the database.
 */
import type { Logger } from 'pino'
import { openSecretText } from '../crypto/sealed-secrets.ts'
import { platformScope, type Database } from '../db/database.ts'
import type { JobInfo } from '../jobs/types.ts'
import { mailSecretsBinding, parseSecrets, renderMessage } from './mail-secrets.ts'
import { DELIVERED_STATUSES, mailRepository, type MailRow } from './mail.repository.ts'
import { describeSmtpFailure, type SmtpTransport } from './smtp-transport.ts'
import { addressHash, suppressionDetail, refusesAddress, suppressionRepository } from './suppressions.ts'

export interface DeliverJob {
  messageId: string
}

export interface DeliveryDeps {
  database: Database
  logger: Logger
  /** Undefined when SMTP_URL is not set: messages are captured in the outbox. */
  smtp: SmtpTransport | undefined
  /** The queue's retryLimit: the attempt with retryCount >= retryLimit is the last one. */
  retryLimit: number
  /** Opens the sealed secrets of messages (KEY_ENCRYPTION_KEY). */
  keyEncryptionKey: Uint8Array
  /** The key suppressed addresses are hashed under (suppressions.ts). */
  suppressionKey: Buffer
}

/** The message as it is handed over, or why it cannot be. */
type Prepared =
  { kind: 'ready'; message: MailRow; rendered: boolean } | { kind: 'unopenable' | 'secrets_dropped'; reason: string }

/** Renders a message with secret variables from its sealed secrets (in memory only). */
async function prepare(message: MailRow, keyEncryptionKey: Uint8Array): Promise<Prepared> {
  if (message.secretsSealed !== null) {
    let secrets
    try {
      const json = await openSecretText(message.secretsSealed, keyEncryptionKey, mailSecretsBinding(message.id))
      secrets = parseSecrets(json)
    } catch {
      return { kind: 'unopenable', reason: 'its sealed secrets do not open under KEY_ENCRYPTION_KEY' }
    }
    const rendered = renderMessage({ text: message.textBody, html: message.htmlBody }, secrets)
    return {
      kind: 'ready',
      message: { ...message, textBody: rendered.text, htmlBody: rendered.html },
      rendered: true,
    }
  }
  // Its fields can no longer be filled: sending it would mail a broken link.
  if (message.secretsDroppedAt !== null)
    return {
      kind: 'secrets_dropped',
      reason: 'its secret variables were dropped when delivery ended; send a new message',
    }
  return { kind: 'ready', message, rendered: false }
}

export function createDeliverHandler(deps: DeliveryDeps): (data: DeliverJob, job: JobInfo) => Promise<void> {
  const { database, logger: log, smtp, retryLimit, keyEncryptionKey, suppressionKey } = deps

  async function refuse(message: MailRow, prepared: Exclude<Prepared, { kind: 'ready' }>, job: JobInfo) {
    // A key mismatch may be fixed by restarting with the right key: retried; dropped secrets never come back.
    const final = prepared.kind === 'secrets_dropped' || job.retryCount >= retryLimit
    await database.transaction(platformScope, (tx) =>
      mailRepository.recordFailure(tx, message.id, { lastError: `Not delivered: ${prepared.reason}`, final }),
    )
    log.error(
      { mailMessageId: message.id, attempt: job.retryCount + 1, final },
      `mail not delivered: ${prepared.reason}`,
    )
    if (!final) throw new Error(`mail message ${message.id} not delivered: ${prepared.reason}`)
  }

  async function deliverBySmtp(transport: SmtpTransport, message: MailRow, job: JobInfo): Promise<void> {
    let providerMessageId: string
    try {
      ;({ providerMessageId } = await transport.send(message))
    } catch (error) {
      const failure = describeSmtpFailure(error)
      const final = failure.permanent || job.retryCount >= retryLimit
      // A permanent refusal of the address itself: no mail goes there again (a hard bounce).
      const suppress = refusesAddress({ permanent: failure.permanent, ...failure.logFields })
      await database.transaction(platformScope, async (tx) => {
        await mailRepository.recordFailure(tx, message.id, { lastError: failure.description, final })
        if (suppress)
          await suppressionRepository.add(tx, {
            addressHash: addressHash(suppressionKey, message.toAddress),
            reason: 'bounce',
            source: 'smtp',
            // Codes only: the server's reply usually repeats the address, which is stored hashed.
            detail: suppressionDetail(failure.logFields),
          })
      })
      log.warn(
        {
          mailMessageId: message.id,
          attempt: job.retryCount + 1,
          permanent: failure.permanent,
          final,
          ...failure.logFields,
        },
        'mail delivery failed',
      )
      // A permanent refusal is settled ('failed'); anything else goes back to the queue's backoff.
      // The thrown message is stored with the job and logged, so it names codes, never addresses.
      if (failure.permanent) return
      throw new Error(
        `SMTP delivery of mail message ${message.id} failed (${Object.values(failure.logFields).join(' ') || 'no reply'})`,
      )
    }
    // The stored bodies keep their fields: the rendered message existed only for the handover.
    await database.transaction(platformScope, (tx) =>
      mailRepository.recordDelivered(tx, message.id, { status: 'sent', transport: 'smtp', providerMessageId }),
    )
    log.info({ mailMessageId: message.id, attempt: job.retryCount + 1 }, 'mail sent')
  }

  return async function deliver(data, job) {
    const stored = await database.transaction(platformScope, (tx) => mailRepository.findById(tx, data.messageId))
    if (!stored) {
      log.warn({ mailMessageId: data.messageId }, 'mail.deliver for a message that does not exist')
      return
    }
    if ((DELIVERED_STATUSES as readonly string[]).includes(stored.status)) return
    const suppressed = stored.essential
      ? undefined
      : await database.transaction(platformScope, (tx) =>
          suppressionRepository.find(tx, addressHash(suppressionKey, stored.toAddress)),
        )
    if (suppressed) {
      await database.transaction(platformScope, (tx) =>
        mailRepository.recordSuppressed(tx, stored.id, suppressed.reason),
      )
      log.info({ mailMessageId: stored.id, reason: suppressed.reason }, 'mail not sent: address suppressed')
      return
    }
    const prepared = await prepare(stored, keyEncryptionKey)
    if (prepared.kind !== 'ready') return refuse(stored, prepared, job)
    const { message } = prepared
    if (smtp) return deliverBySmtp(smtp, message, job)
    // The captured outbox is the delivery itself (never in production, which requires SMTP_URL).
    const rendered = prepared.rendered ? { textBody: message.textBody, htmlBody: message.htmlBody } : undefined
    await database.transaction(platformScope, (tx) =>
      mailRepository.recordDelivered(
        tx,
        message.id,
        { status: 'captured', transport: 'outbox', providerMessageId: null },
        rendered,
      ),
    )
    log.info({ mailMessageId: message.id }, 'mail captured in outbox')
  }
}
