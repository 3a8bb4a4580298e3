/**
 * A checkout quote: every amount of a sale, computed on the server from the prices in force, the
 * coupons' decision and the tax decision. Pure: quote.service.ts gathers the facts, and an order
 * stores the quote it was created from, so what the buyer saw is what the order charges.
 *
 * Order of operations (docs/commerce.md, "Checkout"): list price per line (an explicit price, or
 * the base price converted, prices/price-for.ts) → coupons take their discounts line by line →
 * tax on each discounted line (added to exclusive prices, extracted from inclusive ones) → totals
 * are sums of the lines, so the lines always add up to the order.
 */
import type { DiscountedLine, LineDiscount } from '../coupons/coupon-decision.ts'
import { money, subtract, sum, type CurrencyCode, type Money } from '../money/index.ts'
import type { PriceQuote } from '../prices/price-for.ts'
import { taxLine, type TaxDecision, type TaxTreatment } from '../tax/tax-decision.ts'

export interface QuoteItem extends PriceQuote {
  /** What the receipt calls it (the course's or path's title at quote time). */
  readonly title: string
}

export interface QuoteLine {
  readonly productId: string
  readonly productType: PriceQuote['productType']
  readonly subjectId: string
  readonly title: string
  readonly priceVersionId: string
  readonly conversion: PriceQuote['conversion']
  readonly listPrice: Money
  readonly discount: Money
  readonly discounts: readonly LineDiscount[]
  readonly net: Money
  readonly tax: Money
  readonly gross: Money
  /** The rate as an exact decimal ("0.19"), or null when no tax applies. */
  readonly taxRate: string | null
  readonly taxName: string | null
}

export interface Quote {
  readonly currency: CurrencyCode
  readonly lines: readonly QuoteLine[]
  readonly subtotal: Money
  readonly discountTotal: Money
  readonly netTotal: Money
  readonly taxTotal: Money
  /** What the buyer pays. */
  readonly total: Money
  readonly taxTreatment: TaxTreatment
  readonly pricesIncludeTax: boolean
}

/** The coupons' lines for this basket, in its order (coupons/coupon-redemption.ts). */
export interface DiscountedBasket {
  readonly lines: readonly DiscountedLine[]
}

export function assembleQuote(
  currency: CurrencyCode,
  items: readonly QuoteItem[],
  coupons: DiscountedBasket,
  tax: TaxDecision,
): Quote {
  if (coupons.lines.length !== items.length) throw new Error('the coupon decision covers another basket')
  const lines = items.map((item, i): QuoteLine => {
    const discounted = coupons.lines[i]!
    if (discounted.productId !== item.productId) throw new Error('the coupon decision covers another basket')
    const taxed = taxLine(tax, discounted.price)
    const charged = tax.treatment === 'standard' && tax.rate
    return {
      productId: item.productId,
      productType: item.productType,
      subjectId: item.subjectId,
      title: item.title,
      priceVersionId: item.priceVersionId,
      conversion: item.conversion,
      listPrice: item.price,
      discount: subtract(item.price, discounted.price),
      discounts: discounted.discounts,
      ...taxed,
      taxRate: charged ? tax.rate!.rate.text : null,
      taxName: charged ? tax.rate!.name : null,
    }
  })
  const total = (pick: (line: QuoteLine) => Money) =>
    lines.length ? sum(currency, lines.map(pick)) : money(0, currency)
  return {
    currency,
    lines,
    subtotal: total((line) => line.listPrice),
    discountTotal: total((line) => line.discount),
    netTotal: total((line) => line.net),
    taxTotal: total((line) => line.tax),
    total: total((line) => line.gross),
    taxTreatment: tax.treatment,
    pricesIncludeTax: tax.pricesIncludeTax,
  }
}
