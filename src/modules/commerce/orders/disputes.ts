/**
 * The provider's dispute events applied to orders, in the event's processing transaction, with
 * the ledger's dispute postings (ADR 0024), the order's status (refund-state.ts), the buyer's
 * access and the outbox event `payment.disputed`:
 *
 * - opened: the disputed amount leaves the provider's clearing for the buyer's receivable; the
 *   order is `disputed`. Access stays while the bank decides.
 * - won: the amount comes back; the order's status is its money's again (what it was before).
 * - lost: the sale's parts are taken back (platform part to dispute losses); the order's
 *   `purchase` grants are revoked (access ends unless another grant keeps it).
 *
 * Idempotent per provider dispute id (the dispute row, and the ledger's references `<id>`,
 * `<id>:won`, `<id>:lost`). Out of order: a dispute of an order whose capture is not booked, or
 * an outcome before its opening, answers `notYet` and the job retries.
 */
import type { Logger } from 'pino'
import type { Tx } from '../../../platform/db/database.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { postDisputeLost, postDisputeOpened, postDisputeWon } from '../ledger/index.ts'
import { notYet, type NotYet, type PaymentEventEnvelope } from '../payments/payment-events.ts'
import { ordersRepository } from './orders.repository.ts'
import { PAYMENT_DISPUTED, type PaymentDisputedPayload } from './orders.events.ts'
import { applyDisputeLost, applyDisputeOpened, applyDisputeWon, statusOf } from './refund-state.ts'
import { disputesRepository } from './refunds.repository.ts'
import { lockEventOrder, type RefundHandlerDeps } from './refunds.ts'

type Scope = { tx: Tx; ctx: RequestContext }
type DisputeEnvelope<K extends 'dispute.opened' | 'dispute.won' | 'dispute.lost'> = PaymentEventEnvelope<K>

/** The provider's reason as the row keeps it (1-200 characters). */
const reasonOf = (reason: string) => (reason.trim() === '' ? 'unknown' : reason.slice(0, 200))

async function publishDisputed(
  deps: RefundHandlerDeps,
  { tx, ctx }: Scope,
  envelope: DisputeEnvelope<'dispute.opened' | 'dispute.won' | 'dispute.lost'>,
  dispute: { amount: number; reason: string },
  status: PaymentDisputedPayload['status'],
): Promise<void> {
  const payload: PaymentDisputedPayload = {
    orderId: envelope.orderId,
    paymentId: envelope.paymentId,
    providerDisputeId: envelope.event.dispute.providerDisputeId,
    amount: dispute.amount,
    currency: envelope.event.currency,
    reason: dispute.reason,
    status,
  }
  await deps.events.publish(tx, ctx, { type: PAYMENT_DISPUTED, tenantId: envelope.tenantId, payload: { ...payload } })
}

async function onDisputeOpened(
  deps: RefundHandlerDeps,
  log: Logger,
  envelope: DisputeEnvelope<'dispute.opened'>,
  scope: Scope,
): Promise<void | NotYet> {
  const { tx } = scope
  const { event, tenantId, orderId, paymentId } = envelope
  const { providerDisputeId, amount } = event.dispute
  const order = await lockEventOrder(tx, envelope, log)
  if (!order || 'notYet' in order) return order
  if (await disputesRepository.byProviderDispute(tx, providerDisputeId)) return
  const next = applyDisputeOpened(await disputesRepository.moneyOf(tx, order), amount)
  const reason = reasonOf(event.dispute.reason)
  await postDisputeOpened(tx, {
    tenantId,
    externalReference: providerDisputeId,
    captureReference: orderId,
    amount,
    reason,
    occurredAt: new Date(event.occurredAt),
  })
  await disputesRepository.insert(tx, {
    orderId,
    paymentId,
    providerDisputeId,
    amount,
    currency: order.currency,
    reason,
    openedAt: new Date(event.occurredAt),
  })
  await ordersRepository.update(tx, orderId, { status: statusOf(next) })
  await publishDisputed(deps, scope, envelope, { amount, reason }, 'opened')
  log.info({ orderId, providerDisputeId, amount }, 'dispute opened and booked')
}

async function onDisputeClosed(
  deps: RefundHandlerDeps,
  log: Logger,
  envelope: DisputeEnvelope<'dispute.won' | 'dispute.lost'>,
  scope: Scope,
): Promise<void | NotYet> {
  const { tx, ctx } = scope
  const { event, tenantId, orderId } = envelope
  const { providerDisputeId } = event.dispute
  const outcome = event.kind === 'dispute.won' ? 'won' : 'lost'
  const order = await lockEventOrder(tx, envelope, log)
  if (!order || 'notYet' in order) return order
  const dispute = await disputesRepository.byProviderDispute(tx, providerDisputeId)
  if (!dispute) return notYet(`dispute ${providerDisputeId} of order ${orderId} has not been opened here yet`)
  if (dispute.status === outcome) return
  if (dispute.status !== 'open')
    throw new Error(`dispute ${providerDisputeId} was ${dispute.status}; the provider now says ${outcome}`)
  const money = await disputesRepository.moneyOf(tx, order)
  const next = outcome === 'won' ? applyDisputeWon(money, dispute.amount) : applyDisputeLost(money, dispute.amount)
  const closing = {
    tenantId,
    externalReference: `${providerDisputeId}:${outcome}`,
    disputeReference: providerDisputeId,
    occurredAt: new Date(event.occurredAt),
  }
  if (outcome === 'won') await postDisputeWon(tx, closing)
  else await postDisputeLost(tx, closing)
  await disputesRepository.close(tx, dispute.id, outcome)
  await ordersRepository.update(tx, orderId, { status: statusOf(next) })
  if (outcome === 'lost')
    await deps.access.revokeGrants(tx, ctx, {
      tenantId,
      source: 'purchase',
      sourceRef: orderId,
      reason: 'dispute_lost',
    })
  await publishDisputed(deps, scope, envelope, dispute, outcome)
  log.info({ orderId, providerDisputeId, outcome }, 'dispute closed and booked')
}

export const disputeHandlers = (deps: RefundHandlerDeps) => {
  const log = deps.logger.child({ component: 'orders.disputes' })
  return {
    opened: (envelope: DisputeEnvelope<'dispute.opened'>, scope: Scope) => onDisputeOpened(deps, log, envelope, scope),
    closed: (envelope: DisputeEnvelope<'dispute.won' | 'dispute.lost'>, scope: Scope) =>
      onDisputeClosed(deps, log, envelope, scope),
  }
}
