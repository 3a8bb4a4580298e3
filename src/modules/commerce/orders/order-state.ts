/**
 * An order's state machine, as one pure function: what a fact about its payment does to an order
 * in a given status. The handlers (capture.ts, and refunds beside it) lock the order, ask this
 * function and do what it says, so replays, late events and races are decided in one place.
 *
 *   awaiting_payment ── captured ──▶ paid
 *   awaiting_payment ── failed ────▶ payment_failed ── captured ──▶ paid   (the buyer retried)
 *   awaiting_payment / payment_failed ── canceled ──▶ canceled ── captured ──▶ paid
 *
 * `canceled` is reached by the buyer's or staff's cancel and by expiry (cancel.ts), after the
 * payment was canceled at the provider; a canceled Stripe or sandbox payment is never captured.
 *
 * A capture always wins over an earlier failure or cancellation: the provider took the money,
 * and an order whose money was taken is honoured (or refunded, never ignored). A capture of an
 * order that is captured already (paid, refunded in part or in all, disputed) is a replay and
 * changes nothing; a failure after a capture is an earlier attempt's late news and changes
 * nothing. Refunds and disputes (partially_refunded, refunded, disputed) are added beside these.
 */

/** Every status an order can be in (the database checks the same list). */
export const ORDER_STATUSES = [
  'awaiting_payment',
  'paid',
  'payment_failed',
  'canceled',
  'partially_refunded',
  'refunded',
  'disputed',
] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]

/** The statuses of an order whose payment was captured (paid_at is set). */
export const CAPTURED_STATUSES = ['paid', 'partially_refunded', 'refunded', 'disputed'] as const

export type OrderFact = 'captured' | 'payment_failed' | 'canceled'

export type OrderStep =
  /** Move to `status` and do the fact's work (capture: ledger, grants, order.paid; cancel: release coupons). */
  | { kind: 'apply'; status: OrderStatus }
  /** Nothing to do: a replay, or news that an earlier fact made moot. */
  | { kind: 'ignore'; reason: string }
  /** Not allowed from here (a client's request, e.g. cancelling a paid order): the caller refuses it. */
  | { kind: 'refuse'; reason: string }

export const isCaptured = (status: OrderStatus): boolean => (CAPTURED_STATUSES as readonly string[]).includes(status)

export function nextOrderStep(status: OrderStatus, fact: OrderFact): OrderStep {
  if (fact === 'captured') {
    if (isCaptured(status)) return { kind: 'ignore', reason: `the order is ${status} already` }
    return { kind: 'apply', status: 'paid' }
  }
  if (fact === 'payment_failed') {
    if (status === 'awaiting_payment') return { kind: 'apply', status: 'payment_failed' }
    return { kind: 'ignore', reason: `a payment failure does not change an order that is ${status}` }
  }
  if (status === 'awaiting_payment' || status === 'payment_failed') return { kind: 'apply', status: 'canceled' }
  if (status === 'canceled') return { kind: 'ignore', reason: 'the order is canceled already' }
  return { kind: 'refuse', reason: `an order that is ${status} cannot be canceled` }
}
