/**
 * The provider's refund events applied to orders, in the event's processing transaction
 * (payments/event-processing.ts): the ledger's refund, the order's refunded amount and status
 * (refund-state.ts), the buyer's access (enrolment's grants) and the outbox event
 * `payment.refunded` commit together or not at all.
 *
 * - Idempotent per provider refund id: the refund row and the ledger's posting (external
 *   reference = the provider's refund id) exist once; a replay finds the row succeeded and does
 *   nothing.
 * - Out of order: a refund of an order whose capture is not booked yet answers `notYet` and the
 *   job retries it later. So does the event of a refund we asked for while our request has not
 *   recorded the provider's answer yet (the event may overtake it), within ANSWER_WINDOW_SECONDS.
 * - A refund made outside Lyceum (the provider's dashboard) is booked as the provider's.
 */
import type { Logger } from 'pino'
import type { Tx } from '../../../platform/db/database.ts'
import { AppError } from '../../../platform/errors.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import type { AccessGrants } from '../../enrolment/index.ts'
import { LEDGER_ERRORS, postRefund } from '../ledger/index.ts'
import { notYet, type NotYet, type PaymentEventEnvelope } from '../payments/payment-events.ts'
import { commerceSettingsOf } from '../prices/settings.service.ts'
import { ordersRepository, type OrderRow } from './orders.repository.ts'
import { PAYMENT_REFUNDED, type PaymentRefundedPayload } from './orders.events.ts'
import { applyRefund, refundRevokesAccess } from './refund-state.ts'
import { disputesRepository, refundsRepository, type RefundRow } from './refunds.repository.ts'

export interface RefundHandlerDeps {
  access: AccessGrants
  events: EventPublisher
  logger: Logger
}

/**
 * How long the event of a refund we asked for waits for our request to record the provider's
 * answer before it is booked as a refund made at the provider (a request that died between the
 * provider's answer and its own commit).
 */
export const ANSWER_WINDOW_SECONDS = 600

export const PROVIDER_REFUND_REASON = 'Refunded at the provider'

type Envelope = PaymentEventEnvelope<
  'refund.succeeded' | 'refund.failed' | 'dispute.opened' | 'dispute.won' | 'dispute.lost'
>

/**
 * The order an event is about, locked, when it is one to act on: undefined for a payment that
 * is no order's (nothing to book), `notYet` while its capture is not booked. A payment event
 * naming another payment than the order's, or another currency, contradicts our books: an
 * error, so the event dead-letters for an operator instead of being applied or dropped.
 */
export async function lockEventOrder(tx: Tx, envelope: Envelope, log: Logger): Promise<OrderRow | NotYet | undefined> {
  const { orderId, paymentId, event } = envelope
  const order = await ordersRepository.lock(tx, orderId)
  if (!order) {
    log.info({ orderId, paymentId, kind: event.kind }, 'payment event of a payment without an order; nothing to book')
    return undefined
  }
  if (order.paidAt === null) return notYet(`order ${orderId} is not captured yet; its ${event.kind} waits`)
  if (order.paymentId !== paymentId || order.currency !== event.currency)
    throw new Error(
      `${event.kind} of payment ${paymentId} (${event.currency}) contradicts order ${orderId} (payment ${order.paymentId}, ${order.currency})`,
    )
  return order
}

/** The ledger's "not posted yet" is a wait, not a failure. */
async function unlessNotPosted<T>(work: () => Promise<T>, reason: string): Promise<T | NotYet> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof AppError && error.code === LEDGER_ERRORS.captureNotFound) return notYet(reason)
    throw error
  }
}

/** Our refund row for the event, or notYet while a request of ours may still be recording it. */
async function refundOfEvent(
  tx: Tx,
  order: OrderRow,
  envelope: PaymentEventEnvelope<'refund.succeeded'>,
): Promise<RefundRow | NotYet> {
  const { providerRefundId, amount } = envelope.event.refund
  const known = await refundsRepository.byProviderRefund(tx, providerRefundId, true)
  if (known) return known
  if ((await refundsRepository.awaitingAnswer(tx, order.id, ANSWER_WINDOW_SECONDS)).length > 0)
    return notYet(`a refund asked for order ${order.id} is still recording the provider's answer`)
  const inserted = await refundsRepository.insert(tx, {
    orderId: order.id,
    paymentId: envelope.paymentId,
    origin: 'provider',
    requestKey: null,
    providerRefundId,
    amount,
    currency: order.currency,
    reason: PROVIDER_REFUND_REASON,
    requestedBy: null,
  })
  if (!inserted) throw new Error(`refund ${providerRefundId} appeared under the order's lock`)
  return inserted
}

async function onRefundSucceeded(
  deps: RefundHandlerDeps,
  log: Logger,
  envelope: PaymentEventEnvelope<'refund.succeeded'>,
  tx: Tx,
  ctx: RequestContext,
): Promise<void | NotYet> {
  const { event, tenantId, paymentId, orderId } = envelope
  const { providerRefundId, amount } = event.refund
  const order = await lockEventOrder(tx, envelope, log)
  if (!order || 'notYet' in order) return order
  const refund = await refundOfEvent(tx, order, envelope)
  if ('notYet' in refund) return refund
  if (refund.status === 'succeeded') return
  if (refund.amount !== amount)
    log.warn(
      { orderId, providerRefundId, asked: refund.amount, refunded: amount },
      'the provider refunded another amount than asked; booking what it refunded',
    )
  // Checked before anything is written: a refund our books cannot take is an operator's case.
  const outcome = applyRefund(await disputesRepository.moneyOf(tx, order), amount)
  const posted = await unlessNotPosted(
    () =>
      postRefund(tx, {
        tenantId,
        externalReference: providerRefundId,
        captureReference: orderId,
        amount,
        reason: refund.reason,
        occurredAt: new Date(event.occurredAt),
      }),
    `the capture of order ${orderId} is not in the ledger yet`,
  )
  if ('notYet' in posted) return posted
  if (!posted.created) {
    // The ledger has this refund already (booked with the order, so this cannot be a first time): change nothing else.
    log.warn({ orderId, providerRefundId }, 'refund already in the ledger; the order is left as it is')
    await refundsRepository.setState(tx, refund.id, { status: 'succeeded', providerRefundId })
    return
  }
  await ordersRepository.update(tx, orderId, { refundedAmount: outcome.money.refunded, status: outcome.status })
  await refundsRepository.setState(tx, refund.id, { status: 'succeeded', providerRefundId, failure: null })
  const { partialRefundAccess } = await commerceSettingsOf(tx)
  if (refundRevokesAccess(outcome.fullyRefunded, partialRefundAccess))
    await deps.access.revokeGrants(tx, ctx, {
      tenantId,
      source: 'purchase',
      sourceRef: orderId,
      reason: outcome.fullyRefunded ? 'refund' : 'partial_refund',
    })
  const payload: PaymentRefundedPayload = {
    orderId,
    paymentId,
    providerRefundId,
    amount,
    currency: order.currency,
    refundedTotal: outcome.money.refunded,
    fullyRefunded: outcome.fullyRefunded,
    reason: refund.reason,
    refundedAt: new Date(event.occurredAt).toISOString(),
  }
  await deps.events.publish(tx, ctx, { type: PAYMENT_REFUNDED, tenantId, payload: { ...payload } })
  log.info({ orderId, providerRefundId, amount, status: outcome.status }, 'refund booked')
}

/** The provider could not refund: nothing is booked; our request, if any, is marked failed. */
export async function onRefundFailed(
  log: Logger,
  envelope: PaymentEventEnvelope<'refund.failed'>,
  tx: Tx,
): Promise<void | NotYet> {
  const { orderId } = envelope
  const { providerRefundId, amount } = envelope.event.refund
  const order = await lockEventOrder(tx, envelope, log)
  if (!order || 'notYet' in order) return order
  log.warn({ orderId, providerRefundId, amount }, 'the provider reports a refund failed')
  const refund = await refundsRepository.byProviderRefund(tx, providerRefundId, true)
  if (!refund) {
    if ((await refundsRepository.awaitingAnswer(tx, orderId, ANSWER_WINDOW_SECONDS)).length > 0)
      return notYet(`a refund asked for order ${orderId} is still recording the provider's answer`)
    return
  }
  if (refund.status === 'failed') return
  if (refund.status === 'succeeded') {
    // Booked already (money, access, credit note): undoing that is a person's decision, not an event's.
    log.error({ orderId, providerRefundId }, 'a refund failed after it was booked; the order is marked for review')
    await ordersRepository.update(tx, orderId, {
      reviewReason: `Refund ${providerRefundId} failed at the provider after it was booked as refunded`,
    })
    return
  }
  await refundsRepository.fail(tx, refund, { failure: 'The provider reports the refund failed' })
}

export const refundHandlers = (deps: RefundHandlerDeps) => {
  const log = deps.logger.child({ component: 'orders.refunds' })
  return {
    succeeded: (envelope: PaymentEventEnvelope<'refund.succeeded'>, scope: { tx: Tx; ctx: RequestContext }) =>
      onRefundSucceeded(deps, log, envelope, scope.tx, scope.ctx),
    failed: (envelope: PaymentEventEnvelope<'refund.failed'>, scope: { tx: Tx; ctx: RequestContext }) =>
      onRefundFailed(log, envelope, scope.tx),
  }
}
