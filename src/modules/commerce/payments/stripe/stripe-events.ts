/**
 * Stripe events → provider-neutral payment events. Only the types commerce acts on are mapped;
 * every other type (there are hundreds) is null: acknowledged and logged, never an error.
 */
import type Stripe from 'stripe'
import { metadataFromWire } from '../metadata.ts'
import type { InboundPaymentEvent } from '../payment-events.ts'
import { fromStripeAmount } from './stripe-amounts.ts'

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  typeof value === 'string' ? value : (value?.id ?? null)

function base(event: Stripe.Event, providerPaymentId: string, currency: string, metadata: unknown) {
  return {
    provider: 'stripe' as const,
    providerEventId: event.id,
    occurredAt: new Date(event.created * 1000).toISOString(),
    providerPaymentId,
    metadata: metadataFromWire(metadata),
    currency: currency.toUpperCase(),
  }
}

function fromPaymentIntent(event: Stripe.Event, intent: Stripe.PaymentIntent): InboundPaymentEvent | null {
  const common = base(event, intent.id, intent.currency, intent.metadata)
  const amount = (value: number) => fromStripeAmount(value, intent.currency)
  switch (event.type) {
    case 'payment_intent.amount_capturable_updated':
      return intent.amount_capturable > 0
        ? { ...common, kind: 'payment.authorized', amount: amount(intent.amount_capturable) }
        : null
    case 'payment_intent.succeeded':
      return { ...common, kind: 'payment.captured', amount: amount(intent.amount_received) }
    case 'payment_intent.requires_action':
      return { ...common, kind: 'payment.requires_action' }
    case 'payment_intent.payment_failed': {
      const error = intent.last_payment_error
      return {
        ...common,
        kind: 'payment.failed',
        failure: {
          code: error?.decline_code ?? error?.code ?? 'payment_failed',
          message: error?.message ?? 'The payment failed',
        },
      }
    }
    default:
      return null
  }
}

function fromRefund(event: Stripe.Event, refund: Stripe.Refund): InboundPaymentEvent | null {
  const paymentId = idOf(refund.payment_intent)
  if (!paymentId) return null
  const kind = refund.status === 'succeeded' ? 'refund.succeeded' : refund.status === 'failed' ? 'refund.failed' : null
  if (!kind) return null
  return {
    ...base(event, paymentId, refund.currency, refund.metadata),
    kind,
    refund: { providerRefundId: refund.id, amount: fromStripeAmount(refund.amount, refund.currency) },
  }
}

function fromDispute(event: Stripe.Event, dispute: Stripe.Dispute): InboundPaymentEvent | null {
  const paymentId = idOf(dispute.payment_intent)
  if (!paymentId) return null
  const kind =
    event.type === 'charge.dispute.created'
      ? 'dispute.opened'
      : dispute.status === 'won'
        ? 'dispute.won'
        : dispute.status === 'lost'
          ? 'dispute.lost'
          : null
  if (!kind) return null
  return {
    // A dispute carries no metadata of ours: the pipeline attributes it by the payment id.
    ...base(event, paymentId, dispute.currency, null),
    kind,
    dispute: {
      providerDisputeId: dispute.id,
      amount: fromStripeAmount(dispute.amount, dispute.currency),
      reason: dispute.reason,
    },
  }
}

export function normaliseStripeEvent(event: Stripe.Event): InboundPaymentEvent | null {
  const object = event.data.object as { object?: string }
  if (event.type.startsWith('payment_intent.') && object.object === 'payment_intent')
    return fromPaymentIntent(event, object as Stripe.PaymentIntent)
  if (
    (event.type === 'refund.created' || event.type === 'refund.updated' || event.type === 'refund.failed') &&
    object.object === 'refund'
  )
    return fromRefund(event, object as Stripe.Refund)
  if (
    (event.type === 'charge.dispute.created' || event.type === 'charge.dispute.closed') &&
    object.object === 'dispute'
  )
    return fromDispute(event, object as Stripe.Dispute)
  return null
}
