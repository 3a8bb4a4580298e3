/**
 * Stripe's balance transactions as the port's movements, for reconciliation: one page of
 * `balanceTransactions.list({ created: { gte, lt }, limit: 100, starting_after, expand:
 * ['data.source'] })` per call, so each page has its own deadline and retry through the breaker
 * (the SDK's auto-pagination would put an unbounded number of requests under one deadline). The
 * expanded source (charge, refund or dispute) names the PaymentIntent, which is how a movement is
 * attributed to a tenant's payment.
 */
import type Stripe from 'stripe'
import type { MovementKind, MovementsPage, MovementsRequest, ProviderMovement } from '../port.ts'
import { fromStripeAmount } from './stripe-amounts.ts'

export const MOVEMENTS_PAGE_SIZE = 100

export function listParams(request: MovementsRequest): Stripe.BalanceTransactionListParams {
  return {
    // Stripe's `created` is in whole seconds: [from, to) in seconds, rounded up at both ends.
    created: { gte: Math.ceil(request.from.getTime() / 1000), lt: Math.ceil(request.to.getTime() / 1000) },
    limit: request.limit ?? MOVEMENTS_PAGE_SIZE,
    expand: ['data.source'],
    ...(request.startingAfter ? { starting_after: request.startingAfter } : {}),
  }
}

const idOf = (value: unknown): string | null =>
  typeof value === 'string'
    ? value
    : typeof value === 'object' && value !== null
      ? String((value as { id: unknown }).id)
      : null

/** The source's id and the PaymentIntent it belongs to (charges, refunds and disputes all name one). */
function sourceOf(source: Stripe.BalanceTransaction['source']): {
  id: string | null
  payment: string | null
  object: string | null
} {
  if (source === null) return { id: null, payment: null, object: null }
  if (typeof source === 'string') return { id: source, payment: null, object: null }
  const named = source as { id: string; object: string; payment_intent?: unknown }
  return { id: named.id, payment: idOf(named.payment_intent), object: named.object }
}

/** Stripe's types by what they do to a payment (docs.stripe.com/reports/balance-transaction-types). */
function kindOf(transaction: Stripe.BalanceTransaction, sourceObject: string | null): MovementKind {
  switch (transaction.type) {
    case 'charge':
    case 'payment':
      return 'charge'
    case 'refund':
    case 'payment_refund':
    case 'refund_failure':
    case 'payment_failure_refund':
      return 'refund'
    case 'adjustment':
      // Disputes move money as adjustments whose source is the dispute.
      if (sourceObject !== 'dispute') return 'other'
      return transaction.reporting_category === 'dispute_reversal' ||
        (transaction.reporting_category !== 'dispute' && transaction.amount > 0)
        ? 'dispute_reversal'
        : 'dispute'
    default:
      return 'other'
  }
}

export function movementOf(transaction: Stripe.BalanceTransaction): ProviderMovement {
  const source = sourceOf(transaction.source)
  return {
    provider: 'stripe',
    id: transaction.id,
    kind: kindOf(transaction, source.object),
    sourceId: source.id,
    providerPaymentId: source.payment,
    currency: transaction.currency.toUpperCase(),
    amount: fromStripeAmount(transaction.amount, transaction.currency),
    fee: fromStripeAmount(transaction.fee, transaction.currency),
    createdAt: new Date(transaction.created * 1000).toISOString(),
  }
}

export function movementsPage(list: Stripe.ApiList<Stripe.BalanceTransaction>): MovementsPage {
  const last = list.data.at(-1)
  return { data: list.data.map(movementOf), next: list.has_more && last ? last.id : null }
}
