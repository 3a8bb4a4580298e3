/**
 * Orders as the API shows them and as events carry them, from their rows; and the rows a quote
 * becomes. Pure mappings: amounts stay integer minor units of the order's currency.
 */
import { money, type CurrencyCode, type Money } from '../money/index.ts'
import type { Quote } from './quote.ts'
import type { OrderPaidPayload } from './orders.events.ts'
import type { NewOrderLine, OrderLineRow, OrderRow } from './orders.repository.ts'
import type { Order, PaymentAttempt } from './orders.schemas.ts'
import type { PaymentView } from '../payments/payments.service.ts'

export function presentOrder(row: OrderRow, lines: readonly OrderLineRow[]): Order {
  const currency = row.currency as CurrencyCode
  const m = (amount: number): Money => money(amount, currency)
  return {
    id: row.id,
    status: row.status,
    buyerId: row.buyerId,
    currency: row.currency,
    lines: lines.map((line) => ({
      productId: line.productId,
      productType: line.productType,
      subjectId: line.subjectId,
      title: line.title,
      priceVersionId: line.priceVersionId,
      listPrice: m(line.listPrice),
      conversion: line.conversion,
      discount: m(line.discount),
      discounts: line.discounts.map((discount) => ({ couponId: discount.couponId, amount: m(discount.amount) })),
      net: m(line.net),
      tax: m(line.tax),
      gross: m(line.gross),
      taxRate: line.taxRate,
      taxName: line.taxName,
    })),
    couponCodes: row.couponCodes,
    subtotal: m(row.subtotal),
    discountTotal: m(row.discountTotal),
    netTotal: m(row.netTotal),
    taxTotal: m(row.taxTotal),
    total: m(row.total),
    taxTreatment: row.taxTreatment,
    pricesIncludeTax: row.pricesIncludeTax,
    billing: { country: row.billingCountry, region: row.billingRegion, vatId: row.vatId },
    cardCountry: row.cardCountry,
    paymentId: row.paymentId,
    provider: row.provider,
    createdAt: row.createdAt,
    paidAt: row.paidAt,
    refundedAmount: m(row.refundedAmount),
    needsRefund: row.needsRefund,
    admissionRefusal: row.admissionRefusal,
    reviewReason: row.reviewReason,
  }
}

/** What the buyer's client needs of the payment (the client secret is passed on, never stored). */
export const attemptOf = (view: PaymentView): PaymentAttempt => ({
  id: view.id,
  provider: view.provider,
  status: view.status,
  clientSecret: view.clientSecret,
  nextAction: view.nextAction,
  failure: view.failure,
})

/** The quote's lines as the order stores them. */
export function linesOfQuote(quote: Quote): NewOrderLine[] {
  return quote.lines.map((line, position) => ({
    position,
    productId: line.productId,
    productType: line.productType,
    subjectId: line.subjectId,
    title: line.title,
    priceVersionId: line.priceVersionId,
    conversion: line.conversion && {
      from: { amount: line.conversion.from.amount, currency: line.conversion.from.currency },
      rate: line.conversion.rate,
      fxRateId: line.conversion.fxRateId,
      rateEffectiveAt: line.conversion.rateEffectiveAt,
      rounding: line.conversion.rounding,
    },
    listPrice: line.listPrice.amount,
    discount: line.discount.amount,
    net: line.net.amount,
    tax: line.tax.amount,
    gross: line.gross.amount,
    taxRate: line.taxRate,
    taxName: line.taxName,
    discounts: line.discounts.map((discount) => ({ couponId: discount.couponId, amount: discount.amount.amount })),
  }))
}

/** The order.paid event's payload (invoices are issued from it). */
export function paidPayload(row: OrderRow, lines: readonly OrderLineRow[]): OrderPaidPayload {
  if (row.paidAt === null) throw new Error(`order ${row.id} has no paid_at`)
  return {
    orderId: row.id,
    buyerId: row.buyerId,
    currency: row.currency,
    subtotal: row.subtotal,
    discountTotal: row.discountTotal,
    netTotal: row.netTotal,
    taxTotal: row.taxTotal,
    total: row.total,
    taxTreatment: row.taxTreatment,
    pricesIncludeTax: row.pricesIncludeTax,
    billing: { country: row.billingCountry, region: row.billingRegion, vatId: row.vatId },
    lines: lines.map((line) => ({
      productId: line.productId,
      productType: line.productType,
      subjectId: line.subjectId,
      title: line.title,
      listPrice: line.listPrice,
      discount: line.discount,
      net: line.net,
      tax: line.tax,
      gross: line.gross,
      taxRate: line.taxRate,
      taxName: line.taxName,
    })),
    paymentId: row.paymentId,
    provider: row.provider,
    paidAt: row.paidAt,
  }
}
