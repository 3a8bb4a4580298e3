/**
 * Ending an unpaid order: its buyer's or staff's cancel (POST /v1/orders/{id}/cancel) and expiry
 * (order-expiry.ts) take this one path, in two steps so the provider is never called inside a
 * database transaction (like refunds.service.ts):
 *
 * 1. The order's payment is canceled at the provider (idempotency key `order-cancel:<order
 *    id>:<reason>`, on our payment record). The provider answers where the payment then stands: `canceled`
 *    (also when it was canceled already), or `succeeded` — the money was taken, the capture's
 *    event will pay the order, so nothing is canceled (409 ORDER_PAYMENT_CAPTURED) — or
 *    `processing` (409 ORDER_PAYMENT_IN_PROGRESS).
 * 2. In one tenant transaction, under the order's lock, the state machine decides again (a
 *    capture may have been booked meanwhile): status `canceled`, the coupons' redemptions
 *    released, `order.canceled` in the outbox, and an audit entry when staff canceled it.
 *
 * Canceling a canceled order changes nothing and answers it as it is (idempotent). A capture
 * that still arrives after a cancel pays the order (order-state.ts) with the discount it locked,
 * while its coupon redemption stays released (released_at is final); a canceled Stripe or
 * sandbox payment cannot be captured, so this needs a provider that captures after a cancel.
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import type { EventPublisher } from '../../../platform/events/events.ts'
import { principalId } from '../../../platform/http/principal.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { releaseCouponRedemptions } from '../coupons/coupon-redemption.ts'
import type { PaymentsApi } from '../payments/payments.module.ts'
import { nextOrderStep } from './order-state.ts'
import { ordersErrors } from './orders.errors.ts'
import { ORDER_CANCELED, type OrderCanceledPayload } from './orders.events.ts'
import { ordersRepository, type OrderRow } from './orders.repository.ts'

/** Who ends the order: its buyer, staff holding orders:refund (audited), or expiry. */
export type CancelOrigin = 'buyer' | 'staff' | 'expiry'

export interface CancelDeps {
  events: EventPublisher
  payments: Pick<PaymentsApi, 'cancelPayment'>
}

export const ORDER_CANCELED_AUDIT = 'commerce.order_canceled'

/** Step 1: the payment canceled at the provider, or the refusal when it was taken or is in flight. */
async function cancelAtProvider(ctx: RequestContext, deps: CancelDeps, order: OrderRow, origin: CancelOrigin) {
  if (order.paymentId === null) return
  const reason = origin === 'expiry' ? 'abandoned' : 'requested_by_customer'
  // The reason is part of the request, so part of the key: expiry after a buyer's cancel that
  // reached the provider (and no further) is another request, answered `canceled`, not refused.
  const payment = await deps.payments.cancelPayment(ctx, order.paymentId, {
    reason,
    idempotencyKey: `order-cancel:${order.id}:${reason}`,
  })
  if (payment.status === 'succeeded') throw ordersErrors.paymentCaptured(order.id)
  if (payment.status !== 'canceled') throw ordersErrors.paymentInProgress(order.id, payment.status)
}

/**
 * Cancels the unpaid order (as read by the caller, who checked who may). Returns the order as it
 * is afterwards; refuses a captured one with 409 ORDER_NOT_CANCELABLE.
 */
export async function cancelOrder(
  ctx: RequestContext,
  deps: CancelDeps,
  order: OrderRow,
  origin: CancelOrigin,
): Promise<OrderRow> {
  const first = nextOrderStep(order.status, 'canceled')
  if (first.kind === 'refuse') throw ordersErrors.notCancelable(order.id, order.status)
  if (first.kind === 'ignore') return order
  await cancelAtProvider(ctx, deps, order, origin)
  return ctx.inTenant(async (tx) => {
    const locked = await ordersRepository.lock(tx, order.id)
    if (!locked) throw ordersErrors.notFound(order.id)
    const step = nextOrderStep(locked.status, 'canceled')
    if (step.kind === 'refuse') throw ordersErrors.notCancelable(locked.id, locked.status)
    if (step.kind === 'ignore') return locked
    // Checkout linked a payment after step 1 read the order: that payment was not canceled.
    if (locked.paymentId !== order.paymentId) throw ordersErrors.cancelRaced(locked.id)
    await releaseCouponRedemptions(tx, locked.id)
    const canceled = await ordersRepository.update(tx, locked.id, { status: step.status })
    const canceledBy = origin === 'expiry' ? null : principalId(ctx.principal)
    const payload: OrderCanceledPayload = {
      orderId: locked.id,
      buyerId: locked.buyerId,
      paymentId: locked.paymentId,
      reason: origin === 'expiry' ? 'expired' : 'requested',
      canceledBy,
      previousStatus: locked.status,
      couponCodes: locked.couponCodes,
      canceledAt: canceled.updatedAt,
    }
    await deps.events.publish(tx, ctx, { type: ORDER_CANCELED, payload })
    if (origin === 'staff')
      await recordAudit(tx, ctx, {
        action: ORDER_CANCELED_AUDIT,
        targetType: 'order',
        targetId: locked.id,
        details: { previousStatus: locked.status, paymentId: locked.paymentId, buyerId: locked.buyerId },
      })
    return canceled
  })
}
