/** Error codes of orders (documented for clients; never renamed). */
import { AppError } from '../../../platform/errors.ts'

export const ordersErrors = {
  /** Unknown, another tenant's, or another buyer's (to someone without ledger:read): one answer. */
  notFound: (orderId: string) =>
    new AppError('not_found', 'ORDER_NOT_FOUND', `There is no order ${orderId} for you to see`),
  /** Every course the product gives is the buyer's already through a purchase in force. */
  alreadyPurchased: (productId: string, index: number) =>
    new AppError('conflict', 'ALREADY_PURCHASED', 'You have already bought this, and your access is active', {
      errors: [{ path: `body.productIds.${index}`, message: 'is bought already', code: 'purchased' }],
      extensions: { productId },
    }),
  /**
   * The coupons decided differently under their locks than in the quote a moment before (a
   * limit was reached in between): nothing was kept; a retry prices the basket again.
   */
  quoteChanged: () =>
    new AppError(
      'conflict',
      'ORDER_QUOTE_CHANGED',
      'The prices or coupons changed while the order was placed; nothing was charged, try again',
      { retryAfter: 1 },
    ),
  /** The buyer's Idempotency-Key names an earlier order of another basket (after the 24 h replay window). */
  keyReused: () =>
    new AppError(
      'unprocessable',
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key already placed an order for another basket; use a new key for a new order',
    ),
  /** Only an unpaid order (awaiting_payment, payment_failed) is canceled; a captured one is refunded instead. */
  notCancelable: (orderId: string, status: string) =>
    new AppError('conflict', 'ORDER_NOT_CANCELABLE', `The order is ${status}: only an unpaid order can be canceled`, {
      extensions: { orderId, status },
    }),
  /**
   * The provider took the order's payment but its capture is not booked yet: the order is not
   * canceled, and the capture's event will pay it.
   */
  paymentCaptured: (orderId: string) =>
    new AppError(
      'conflict',
      'ORDER_PAYMENT_CAPTURED',
      'The payment of this order was taken already; the order will be paid, not canceled (ask for a refund instead)',
      { extensions: { orderId } },
    ),
  /** The provider cannot cancel the payment now (it is processing): its outcome decides the order. */
  paymentInProgress: (orderId: string, paymentStatus: string) =>
    new AppError(
      'conflict',
      'ORDER_PAYMENT_IN_PROGRESS',
      `The payment of this order is ${paymentStatus} at the provider and cannot be canceled now; try again later`,
      { extensions: { orderId, paymentStatus }, retryAfter: 60 },
    ),
  /** A payment was linked to the order while it was being canceled: nothing changed; try again. */
  cancelRaced: (orderId: string) =>
    new AppError(
      'conflict',
      'ORDER_CHANGED',
      'The order changed while it was being canceled; nothing was canceled, try again',
      { extensions: { orderId }, retryAfter: 1 },
    ),
}
