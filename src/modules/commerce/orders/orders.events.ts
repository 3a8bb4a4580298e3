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

/** An order's payment failed at the provider; its coupons were released. */
export const ORDER_PAYMENT_FAILED = 'order.payment_failed'

export type OrderPaymentFailedPayload = {
  orderId: string
  buyerId: string
  paymentId: string
  failureCode: string
}
