/**
 * What refunds and disputes do to a captured order, as pure functions of its money: the one
 * place the order's status after a refund or dispute, what is still refundable, and whether a
 * refund ends the buyer's access are decided (docs/commerce.md, "Refunds and disputes").
 *
 * The status is derived, never remembered: `disputed` while a dispute is open; otherwise `paid`
 * when nothing went back, `refunded` when everything did (by refunds, or by disputes lost), and
 * `partially_refunded` in between. So a won dispute returns the order to the status its money
 * says, which is the status it had before the dispute unless a refund of the undisputed rest
 * happened meanwhile, and no replay or reordering of events can leave a stale status behind.
 */
import type { PartialRefundAccess } from '../prices/prices.tables.ts'

/** A captured order's money, in integer minor units of its currency. */
export interface OrderMoney {
  /** What the buyer paid (the order's total). */
  total: number
  /** Given back by refunds that succeeded. */
  refunded: number
  /** Taken back by the buyer's bank in disputes the seller lost. */
  lost: number
  /** Withdrawn by disputes still open. */
  disputed: number
  openDisputes: number
}

export type CapturedStatus = 'paid' | 'partially_refunded' | 'refunded' | 'disputed'

/** A transition the money does not allow: a provider event contradicting our books (a bug or an operator's case). */
export class RefundStateError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RefundStateError'
  }
}

function checkAmount(what: string, amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw new RefundStateError(`${what} must be a whole number of minor units above zero, not ${amount}`)
}

export const capturedMoney = (total: number): OrderMoney => ({
  total,
  refunded: 0,
  lost: 0,
  disputed: 0,
  openDisputes: 0,
})

/** What a refund (or a new dispute) may still take: neither refunded, lost nor withdrawn by an open dispute. */
export const refundableOf = (money: OrderMoney): number => money.total - money.refunded - money.lost - money.disputed

/** Everything the buyer paid has gone back (refunds and lost disputes together). */
export const allReturned = (money: OrderMoney): boolean => money.refunded + money.lost >= money.total

export function statusOf(money: OrderMoney): CapturedStatus {
  if (money.openDisputes > 0) return 'disputed'
  if (money.refunded + money.lost === 0) return 'paid'
  return allReturned(money) ? 'refunded' : 'partially_refunded'
}

export interface RefundOutcome {
  money: OrderMoney
  status: CapturedStatus
  /** Nothing of the payment is left with the seller after this refund. */
  fullyRefunded: boolean
}

export function applyRefund(money: OrderMoney, amount: number): RefundOutcome {
  checkAmount('a refund', amount)
  const refundable = refundableOf(money)
  if (amount > refundable)
    throw new RefundStateError(`a refund of ${amount} exceeds the ${refundable} still refundable`)
  const next = { ...money, refunded: money.refunded + amount }
  return { money: next, status: statusOf(next), fullyRefunded: allReturned(next) }
}

export function applyDisputeOpened(money: OrderMoney, amount: number): OrderMoney {
  checkAmount('a dispute', amount)
  const refundable = refundableOf(money)
  if (amount > refundable)
    throw new RefundStateError(`a dispute of ${amount} exceeds the ${refundable} neither refunded nor disputed`)
  return { ...money, disputed: money.disputed + amount, openDisputes: money.openDisputes + 1 }
}

function closeDispute(money: OrderMoney, amount: number): OrderMoney {
  checkAmount('a dispute', amount)
  if (money.openDisputes === 0 || amount > money.disputed)
    throw new RefundStateError(`no open dispute of ${amount} on this order`)
  return { ...money, disputed: money.disputed - amount, openDisputes: money.openDisputes - 1 }
}

/** Won: the withdrawn amount comes back to the seller; the order's status is its money's again. */
export const applyDisputeWon = (money: OrderMoney, amount: number): OrderMoney => closeDispute(money, amount)

/** Lost: the withdrawn amount is the buyer's for good. */
export function applyDisputeLost(money: OrderMoney, amount: number): OrderMoney {
  const closed = closeDispute(money, amount)
  return { ...closed, lost: closed.lost + amount }
}

/**
 * Whether a refund ends the buyer's access (their `purchase` grants of the order: access
 * itself ends only where no other grant remains). A full refund always does; a partial one as
 * the tenant's `partialRefundAccess` says. A lost dispute always does (disputes.ts).
 */
export const refundRevokesAccess = (fullyRefunded: boolean, policy: PartialRefundAccess): boolean =>
  fullyRefunded || policy === 'revoke'
