/**
 * Receipt of provider webhooks, shared by the HTTP route and the sandbox's delivery job: verify
 * the signature over the raw bytes first (nothing is read, written or logged from an unverified
 * body), then record the normalised event once per (provider, provider event id) together with
 * its processing job. A replay finds the row and changes nothing; a type commerce does not act
 * on is acknowledged and logged, so the provider stops resending it.
 */
import type { Logger } from 'pino'
import { platformScope, type Database } from '../../../platform/db/database.ts'
import type { Jobs } from '../../../platform/jobs/index.ts'
import { processingPriority } from './payment-events.ts'
import { paymentsErrors, providerFailure } from './payments.errors.ts'
import { webhookEventsRepository } from './payments.repository.ts'
import { WebhookSignatureError, type WebhookDelivery } from './port.ts'
import type { PaymentProviders } from './providers.ts'

export const PROCESS_PAYMENT_EVENT_QUEUE = 'commerce.process_payment_event'

export interface ProcessPaymentEventJob {
  /** commerce.payment_webhook_events.id */
  webhookEventId: string
}

export type ReceiptOutcome = 'accepted' | 'duplicate' | 'ignored'

export interface Receipt {
  outcome: ReceiptOutcome
  /** The stored event (accepted and duplicate); absent for ignored types. */
  webhookEventId?: string
}

export interface InboundDeps {
  database: Database
  jobs: Jobs
  providers: PaymentProviders
  logger: Logger
}

export function createInbound(deps: InboundDeps) {
  const log = deps.logger.child({ component: 'payments.webhooks' })

  return {
    async receive(providerName: string, delivery: WebhookDelivery): Promise<Receipt> {
      const provider = deps.providers.get(providerName)
      if (!provider) throw paymentsErrors.providerNotServed(providerName)
      let verified
      try {
        verified = await provider.verifyWebhook(delivery)
      } catch (error) {
        if (error instanceof WebhookSignatureError) {
          log.warn({ provider: provider.name, reason: error.reason }, 'payment webhook refused: signature')
          throw paymentsErrors.webhookSignatureInvalid(provider.name)
        }
        throw providerFailure(error, provider.retryAfterSeconds)
      }
      const { event, providerEventId, type } = verified
      if (!event) {
        log.info(
          { provider: provider.name, providerEventId, type },
          'payment webhook of a type commerce does not act on',
        )
        return { outcome: 'ignored' }
      }
      return deps.database.transaction(platformScope, async (tx) => {
        const id = await webhookEventsRepository.record(tx, {
          provider: provider.name,
          providerEventId,
          eventType: type,
          kind: event.kind,
          providerPaymentId: event.providerPaymentId,
          occurredAt: new Date(event.occurredAt),
          event,
        })
        if (!id) {
          log.info({ provider: provider.name, providerEventId, type }, 'payment webhook replayed; already recorded')
          const existing = await webhookEventsRepository.idOf(tx, provider.name, providerEventId)
          return { outcome: 'duplicate' as const, ...(existing ? { webhookEventId: existing } : {}) }
        }
        await deps.jobs.send<ProcessPaymentEventJob>(
          tx,
          PROCESS_PAYMENT_EVENT_QUEUE,
          { webhookEventId: id },
          { priority: processingPriority(event.kind) },
        )
        log.info({ provider: provider.name, providerEventId, type, webhookEventId: id }, 'payment webhook recorded')
        return { outcome: 'accepted' as const, webhookEventId: id }
      })
    },
  }
}

export type Inbound = ReturnType<typeof createInbound>
