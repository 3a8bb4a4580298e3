/**
 * Events orders publish (platform/events outbox), in the transaction that made the change. The
 * payload is the contract (invoices subscribe to order.paid): fields are only ever added.
 * Amounts are integer minor units of `currency`; instants RFC 3339.
 */
import type { ProductType } from '../prices/product-type.ts'
import type { TaxTreatment } from '../tax/tax-decision.ts'

/** An order was placed: its quote is locked and its coupons reserved; no money has moved. */
export const ORDER_CREATED = 'order.created'

export type OrderCreatedPayload = {
  orderId: string
  buyerId: string
  currency: string
  total: number
  productIds: string[]
  couponCodes: string[]
}

/** The provider captured the order's payment (or it cost nothing): the ledger and the grants are written with it. */
export const ORDER_PAID = 'order.paid'

export type OrderPaidLine = {
  productId: string
  productType: ProductType
  subjectId: string
  title: string
  listPrice: number
  discount: number
  net: number
  tax: number
  gross: number
  taxRate: string | null
  taxName: string | null
}

export type OrderPaidPayload = {
  orderId: string
  buyerId: string
  currency: string
  subtotal: number
  discountTotal: number
  netTotal: number
  taxTotal: number
  total: number
  taxTreatment: TaxTreatment
  pricesIncludeTax: boolean
  billing: { country: string; region: string | null; vatId: string | null }
  lines: OrderPaidLine[]
  /** Null for an order that cost nothing (no payment was taken). */
  paymentId: string | null
  provider: string | null
  paidAt: string
}

/**
 * An order's payment failed at the provider. The order keeps its coupons: the buyer may try
 * again, and a later capture pays it at the price it locked.
 */
export const ORDER_PAYMENT_FAILED = 'order.payment_failed'

export type OrderPaymentFailedPayload = {
  orderId: string
  buyerId: string
  paymentId: string
  failureCode: string
}

/**
 * An unpaid order was canceled — by its buyer or staff, or because it stayed unpaid too long —
 * after its payment was canceled at the provider; its coupons were released.
 */
export const ORDER_CANCELED = 'order.canceled'

export type OrderCanceledPayload = {
  orderId: string
  buyerId: string
  /** Its payment (canceled at the provider), or null when none was made. */
  paymentId: string | null
  /** `requested`: by the buyer or staff (canceledBy); `expired`: unpaid longer than the window (order-expiry.ts). */
  reason: 'requested' | 'expired'
  /** Who asked (`user:<id>`), or null for expiry. */
  canceledBy: string | null
  /** The status it was canceled from: awaiting_payment or payment_failed. */
  previousStatus: string
  /** The codes whose redemptions were released. */
  couponCodes: string[]
  canceledAt: string
}

/**
 * A refund of an order's payment succeeded at the provider and is booked (ledger, order, access),
 * published in the transaction of the provider's verified `refund.succeeded` (refunds.ts).
 * Invoices issue the credit note and the refund email from it.
 */
export const PAYMENT_REFUNDED = 'payment.refunded'

export type PaymentRefundedPayload = {
  orderId: string
  /** Our payment record (commerce.payments.id). */
  paymentId: string
  providerRefundId: string
  /** This refund (at least 1). */
  amount: number
  currency: string
  /** Refunded on the order so far, this refund included. */
  refundedTotal: number
  /** Nothing of the payment is left with the seller (refunds and lost disputes together). */
  fullyRefunded: boolean
  /**
   * Why: the administrator's words, the automatic refund's, or "Refunded at the provider". The
   * orders code always states one; a consumer accepts null (a refund whose reason is unknown).
   */
  reason: string | null
  /** When the provider says it happened. */
  refundedAt: string
}

/** A dispute of an order's payment opened, was won or was lost, and is booked (disputes.ts). */
export const PAYMENT_DISPUTED = 'payment.disputed'

export type PaymentDisputedPayload = {
  orderId: string
  paymentId: string
  providerDisputeId: string
  amount: number
  currency: string
  /** The buyer's bank's reason as the provider reports it. */
  reason: string
  status: 'opened' | 'won' | 'lost'
}
