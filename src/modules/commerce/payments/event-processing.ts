/**
 * Processing of a recorded webhook event, in a job. First attribution, as the platform role: the
 * event belongs to the tenant that owns the payment it refers to in our own records, and the
 * metadata the provider signed must agree (tenant, order, payment). An event that contradicts
 * our records is rejected and no tenant ever sees it: no tenant can have its event applied to
 * another's payment, whatever it puts in a provider's metadata. Then, in that tenant's
 * transaction, the payment's own record and every handler registered for the kind apply together.
 *
 * An event about a payment we have no record of is not ours (our record commits before the
 * provider is ever called, so it cannot be late): another installation sharing the provider
 * account, or an object made outside Lyceum. It is rejected at once, never retried.
 *
 * Capture facts: a `payment.captured` whose webhook did not carry the fee and card country (Stripe's
 * does not) is completed by asking the provider, after attribution and before the tenant's
 * transaction (never a provider call inside a transaction); the answer is stored with the event,
 * so a retry does not ask again. While the provider cannot answer, the job fails and retries like
 * a `notYet`: handlers never see a capture without its facts (ADR 0023, "Capture facts").
 *
 * Out of order: when a handler answers `notYet` (a refund before the capture it refers to), the
 * job fails with PaymentEventNotReady and the queue retries it with backoff; after its last retry
 * it lands in the dead-letter queue, where operators see it and can replay it (/v1/ops/jobs).
 */
import type { Logger } from 'pino'
import { platformScope, tenantScope, type Database } from '../../../platform/db/database.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import type { Jobs } from '../../../platform/jobs/index.ts'
import { PROCESS_PAYMENT_EVENT_QUEUE, type ProcessPaymentEventJob } from './inbound.ts'
import {
  isNotYet,
  withCaptureFacts,
  type InboundPaymentEvent,
  type PaymentEvent,
  type PaymentEventEnvelope,
  type PaymentEventHandler,
  type PaymentEventKind,
} from './payment-events.ts'
import {
  paymentsRepository,
  webhookEventsRepository,
  type PaymentRow,
  type WebhookEventRow,
} from './payments.repository.ts'
import type { PaymentProviders } from './providers.ts'

/** The event cannot apply yet; the job retries it. */
export class PaymentEventNotReady extends Error {
  readonly code = 'PAYMENT_EVENT_NOT_READY'
  constructor(reason: string) {
    super(reason)
    this.name = 'PaymentEventNotReady'
  }
}

export interface HandlerRegistry {
  on<K extends PaymentEventKind>(kind: K, handler: PaymentEventHandler<K>): void
  of(kind: PaymentEventKind): PaymentEventHandler[]
}

export function createHandlerRegistry(): HandlerRegistry {
  const handlers = new Map<PaymentEventKind, PaymentEventHandler[]>()
  return {
    on(kind, handler) {
      handlers.set(kind, [...(handlers.get(kind) ?? []), handler as PaymentEventHandler])
    },
    of: (kind) => handlers.get(kind) ?? [],
  }
}

export type ProcessOutcome = 'processed' | 'rejected' | 'already_done'

export interface RetryPolicy {
  limit: number
  delaySeconds: number
  maxDelaySeconds: number
}

/** About 80 minutes of retries (5 s doubling to 10 min, full jitter) before the dead-letter queue. */
export const DEFAULT_EVENT_RETRY: RetryPolicy = { limit: 12, delaySeconds: 5, maxDelaySeconds: 600 }

export interface ProcessingDeps {
  database: Database
  jobs: Jobs
  handlers: HandlerRegistry
  providers: PaymentProviders
  logger: Logger
  retry?: RetryPolicy
}

const NOT_OURS = 'no payment of ours has this id'

/** Why the event contradicts the payment record, or undefined when it agrees. */
function contradiction(row: WebhookEventRow, event: InboundPaymentEvent, payment: PaymentRow): string | undefined {
  if (payment.provider !== row.provider) return `the payment belongs to ${payment.provider}`
  if (payment.providerPaymentId !== null && payment.providerPaymentId !== row.providerPaymentId)
    return 'the payment is linked to another provider payment'
  const claimed = event.metadata
  if (!claimed) return undefined
  if (claimed.tenantId !== payment.tenantId) return 'the signed tenant is not the payment owner'
  if (claimed.paymentId !== payment.id || claimed.orderId !== payment.orderId)
    return 'the signed payment or order is not this payment'
  return undefined
}

/**
 * The event with its capture facts: as stored, or completed by the provider (outside any
 * transaction) and stored. A provider that cannot answer yet fails the job, which retries.
 */
async function withFacts(deps: ProcessingDeps, log: Logger, row: WebhookEventRow): Promise<PaymentEvent> {
  const ready = withCaptureFacts(row.event)
  if (ready) return ready
  const provider = deps.providers.get(row.provider)
  if (!provider) throw new PaymentEventNotReady(`the capture facts need ${row.provider}, which is not served here`)
  let facts
  try {
    facts = await provider.captureFacts(row.providerPaymentId)
  } catch (error) {
    log.warn(
      { webhookEventId: row.id, provider: row.provider, err: error },
      'capture facts unavailable from the provider; the event waits',
    )
    throw error
  }
  if (!facts) throw new PaymentEventNotReady('the provider has not settled the charge yet (no fee known)')
  const event = { ...row.event, ...facts } as PaymentEvent
  await deps.database.transaction(platformScope, (tx) => webhookEventsRepository.recordFacts(tx, row.id, event))
  return event
}

export function definePaymentEventProcessing(deps: ProcessingDeps) {
  const { database } = deps
  const log = deps.logger.child({ component: 'payments.events' })

  /** Platform scope: the payment the event is about and its owner, or the event rejected. */
  async function attribute(
    id: string,
  ): Promise<
    | { kind: 'done' }
    | { kind: 'rejected'; detail: string; foreign: boolean }
    | { kind: 'owner'; row: WebhookEventRow; payment: PaymentRow }
  > {
    return database.transaction(platformScope, async (tx) => {
      const row = await webhookEventsRepository.byId(tx, id, true)
      if (!row || row.status !== 'received') return { kind: 'done' }
      const event = row.event
      const payment =
        (await paymentsRepository.platformByProviderPayment(tx, row.provider, row.providerPaymentId)) ??
        (event.metadata ? await paymentsRepository.byId(tx, event.metadata.paymentId) : undefined)
      if (!payment) {
        await webhookEventsRepository.reject(tx, id, NOT_OURS)
        return { kind: 'rejected', detail: NOT_OURS, foreign: true }
      }
      const detail = contradiction(row, event, payment)
      if (detail) {
        await webhookEventsRepository.reject(tx, id, detail)
        return { kind: 'rejected', detail, foreign: false }
      }
      if (payment.providerPaymentId === null)
        await paymentsRepository.platformLinkProviderPayment(tx, payment.id, row.providerPaymentId)
      if (row.tenantId === null) await webhookEventsRepository.attribute(tx, id, payment.tenantId)
      return { kind: 'owner', row, payment }
    })
  }

  async function process(webhookEventId: string): Promise<ProcessOutcome> {
    const attribution = await attribute(webhookEventId)
    if (attribution.kind === 'done') return 'already_done'
    if (attribution.kind === 'rejected') {
      if (attribution.foreign) log.warn({ webhookEventId }, 'payment webhook about a payment not made here; rejected')
      else
        log.error({ webhookEventId, reason: attribution.detail }, 'payment webhook contradicts our records; rejected')
      return 'rejected'
    }
    const { row, payment } = attribution
    const event = await withFacts(deps, log, row)
    const tenantId = payment.tenantId
    const ctx = systemContext(database, tenantId, `payment-event:${row.id}`)
    return database.transaction(tenantScope(tenantId), async (tx) => {
      const current = await webhookEventsRepository.byId(tx, row.id, true)
      if (!current || current.status !== 'received') return 'already_done'
      await paymentsRepository.applyEvent(tx, payment.id, event)
      const envelope: PaymentEventEnvelope = {
        event,
        tenantId,
        paymentId: payment.id,
        orderId: payment.orderId,
        receivedEventId: row.id,
      }
      for (const handler of deps.handlers.of(row.event.kind)) {
        const answer = await handler(envelope, { tx, ctx })
        // Throwing rolls back every handler's work and the payment's update: all apply together, later.
        if (isNotYet(answer)) throw new PaymentEventNotReady(answer.notYet)
      }
      await webhookEventsRepository.markProcessed(tx, row.id)
      log.info({ webhookEventId: row.id, kind: event.kind, tenantId }, 'payment event processed')
      return 'processed'
    })
  }

  const retry = deps.retry ?? DEFAULT_EVENT_RETRY
  deps.jobs.define<ProcessPaymentEventJob>({
    name: PROCESS_PAYMENT_EVENT_QUEUE,
    handler: async ({ webhookEventId }) => {
      await process(webhookEventId)
    },
    retryLimit: retry.limit,
    retryDelaySeconds: retry.delaySeconds,
    retryDelayMaxSeconds: retry.maxDelaySeconds,
    expireInSeconds: 120,
    pollingIntervalSeconds: 1,
  })
  return { process }
}
