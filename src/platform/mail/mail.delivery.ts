/**
 * The `mail.deliver` job handler. It is idempotent: a message already sent or captured is left
 * alone, so a duplicate or replayed job never mails twice. No transaction is held open while
 * talking to SMTP (on PGlite that would block every other request): the message is read in one
 * short transaction and the outcome recorded in another.
 */
import type { Logger } from 'pino'
import { platformScope, type Database } from '../db/database.ts'
import type { JobInfo } from '../jobs/types.ts'
import { DELIVERED_STATUSES, mailRepository, type MailRow } from './mail.repository.ts'
import { describeSmtpFailure, type SmtpTransport } from './smtp-transport.ts'

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
}

export function createDeliverHandler(deps: DeliveryDeps): (data: DeliverJob, job: JobInfo) => Promise<void> {
  const { database, logger: log, smtp, retryLimit } = deps

  async function deliverBySmtp(transport: SmtpTransport, message: MailRow, job: JobInfo): Promise<void> {
    let providerMessageId: string
    try {
      ;({ providerMessageId } = await transport.send(message))
    } catch (error) {
      const failure = describeSmtpFailure(error)
      const final = failure.permanent || job.retryCount >= retryLimit
      await database.transaction(platformScope, (tx) =>
        mailRepository.recordFailure(tx, message.id, { lastError: failure.description, final }),
      )
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
    await database.transaction(platformScope, (tx) =>
      mailRepository.recordDelivered(tx, message.id, { status: 'sent', transport: 'smtp', providerMessageId }),
    )
    log.info({ mailMessageId: message.id, attempt: job.retryCount + 1 }, 'mail sent')
  }

  return async function deliver(data, job) {
    const message = await database.transaction(platformScope, (tx) => mailRepository.findById(tx, data.messageId))
    if (!message) {
      log.warn({ mailMessageId: data.messageId }, 'mail.deliver for a message that does not exist')
      return
    }
    if ((DELIVERED_STATUSES as readonly string[]).includes(message.status)) return
    if (smtp) return deliverBySmtp(smtp, message, job)
    await database.transaction(platformScope, (tx) =>
      mailRepository.recordDelivered(tx, message.id, {
        status: 'captured',
        transport: 'outbox',
        providerMessageId: null,
      }),
    )
    log.info({ mailMessageId: message.id }, 'mail captured in outbox')
  }
}
