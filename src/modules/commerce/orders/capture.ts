/**
 * An order is paid only by its provider (ADR 0025): the handlers of the verified, processed
 * `payment.captured` and `payment.failed` events, each in the event's tenant transaction
 * together with the payment record's update. Each locks the order and asks the state machine
 * (order-state.ts), so a replayed or late event changes nothing. A failure keeps the order's
 * coupons (the buyer may try again); only cancel and expiry release them (cancel.ts).
 *
 * A capture whose amount or currency is not the order's is recorded on the order for a person to
 * review (`review_reason`) and grants nothing. An event about a payment whose order is not an
 * order here (a payment made by other code) is left alone.
 */
import type { Logger } from 'pino'
import type { PaymentEventOf } from '../payments/payment-events.ts'
import type { PaymentsApi } from '../payments/payments.module.ts'
import { markOrderPaid, type Capture, type FulfilmentDeps } from './fulfilment.ts'
import { nextOrderStep } from './order-state.ts'
import { ORDER_PAYMENT_FAILED, type OrderPaymentFailedPayload } from './orders.events.ts'
import { ordersRepository, type OrderRow } from './orders.repository.ts'

const COUNTRY = /^[A-Z]{2}$/

/**
 * The processing fee and the card's country the payments pipeline completed the event with
 * (ADR 0023, "Capture facts"). A fee the provider states in another currency is null: the
 * capture posts none and the reconciliation shows it. A country that is not an ISO code is kept
 * out of the tax evidence.
 */
function extrasOf(event: PaymentEventOf<'payment.captured'>): { fee: number; cardCountry: string | null } {
  const { fee, cardCountry } = event
  return {
    fee: fee !== null && Number.isSafeInteger(fee) && fee >= 0 && fee <= event.amount ? fee : 0,
    cardCountry: cardCountry !== null && COUNTRY.test(cardCountry) ? cardCountry : null,
  }
}

/** Why the capture does not pay this order, or null when it does. */
function mismatch(order: OrderRow, event: PaymentEventOf<'payment.captured'>, paymentId: string): string | null {
  if (order.paymentId !== null && order.paymentId !== paymentId)
    return `captured by payment ${paymentId}, but the order's payment is ${order.paymentId}`
  if (event.currency !== order.currency) return `captured in ${event.currency}, but the order is in ${order.currency}`
  if (event.amount !== order.total) return `captured ${event.amount}, but the order's total is ${order.total}`
  return null
}

export function registerOrderPaymentHandlers(payments: PaymentsApi, deps: FulfilmentDeps & { logger: Logger }): void {
  const log = deps.logger.child({ component: 'commerce.orders' })

  payments.onPaymentEvent('payment.captured', async ({ event, orderId, paymentId }, { tx, ctx }) => {
    const order = await ordersRepository.lock(tx, orderId)
    if (!order)
      return log.warn({ orderId, paymentId }, 'capture of a payment whose order is not an order here; ignored')
    const step = nextOrderStep(order.status, 'captured')
    if (step.kind !== 'apply') return
    const wrong = mismatch(order, event, paymentId)
    if (wrong !== null) {
      log.error(
        { orderId, paymentId, reason: wrong },
        'capture does not match its order: held for review, nothing granted',
      )
      await ordersRepository.update(tx, order.id, { reviewReason: wrong })
      return
    }
    // Cannot happen with Stripe or the sandbox (a canceled payment cannot be captured): the order
    // is paid with the discount it locked, and its released coupon redemption stays released.
    if (order.status === 'canceled')
      log.warn({ orderId, paymentId }, 'capture of a canceled order: paid; its coupons stay released')
    const capture: Capture = {
      paymentId,
      provider: event.provider,
      ...extrasOf(event),
      occurredAt: new Date(event.occurredAt),
    }
    await markOrderPaid(tx, ctx, deps, order, capture)
  })

  payments.onPaymentEvent('payment.failed', async ({ event, orderId, paymentId }, { tx, ctx }) => {
    const order = await ordersRepository.lock(tx, orderId)
    if (!order) return
    const step = nextOrderStep(order.status, 'payment_failed')
    if (step.kind !== 'apply') return
    // The coupons stay with the order: payment_failed is not final (the buyer may try again, and
    // a capture pays the order with its discount). Cancel and expiry release them (cancel.ts).
    await ordersRepository.update(tx, order.id, {
      status: step.status,
      ...(order.paymentId === null ? { paymentId, provider: event.provider } : {}),
    })
    const payload: OrderPaymentFailedPayload = {
      orderId: order.id,
      buyerId: order.buyerId,
      paymentId,
      failureCode: event.failure.code,
    }
    await deps.events.publish(tx, ctx, { type: ORDER_PAYMENT_FAILED, payload })
  })
}
