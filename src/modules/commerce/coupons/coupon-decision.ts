/**
 * Whether coupons apply to a basket and what they take off each line: a pure decision over the
 * coupons' facts and their redemption counts (coupons.service.ts gathers them under a row lock,
 * so the limits hold under concurrent checkouts).
 *
 * Rules (docs/commerce.md, "Coupons"):
 * - A coupon applies inside its validity window, while its total and per-buyer limits leave a
 *   redemption, to the lines of the products it names (all lines when it names none); a coupon
 *   that matches no line of the basket is refused rather than silently ignored.
 * - Several coupons only when every one of them is stackable; they apply in the order given, each
 *   to what the previous ones left.
 * - Percent: each eligible line loses percent × its amount, rounded half-even at the currency's
 *   exponent; with a cap in the order's currency, the total is capped and the cap is split over
 *   the lines in proportion to their discounts.
 * - Fixed: an amount in the order's currency (none set for it: refused), at most what the
 *   eligible lines still cost, split over them in proportion to their amounts.
 * - A line never goes below zero; no amount ever comes from the client.
 */
import {
  allocate,
  isZero,
  money,
  multiplyByDecimal,
  parseDecimal,
  subtract,
  sum,
  type Decimal,
  type Money,
} from '../money/index.ts'
import type { CurrencyCode } from '../money/index.ts'

export interface CouponFacts {
  readonly id: string
  readonly code: string
  readonly kind: 'percent' | 'fixed'
  /** Percent off ("15" is 15 %), for kind percent. */
  readonly percentOff: Decimal | null
  /** Minor units off per currency, for kind fixed. */
  readonly amountsOff: Readonly<Record<string, number>>
  /** Largest discount per currency, for kind percent (none: uncapped). */
  readonly maxDiscounts: Readonly<Record<string, number>>
  readonly validFrom: Date | null
  readonly validUntil: Date | null
  readonly maxRedemptions: number | null
  readonly maxRedemptionsPerBuyer: number | null
  /** Products it applies to; null for every product. */
  readonly productIds: readonly string[] | null
  readonly stackable: boolean
  readonly redemptions: number
  readonly redemptionsByBuyer: number
}

export interface BasketLine {
  readonly productId: string
  readonly amount: Money
}

export interface LineDiscount {
  readonly couponId: string
  readonly amount: Money
}

export interface DiscountedLine extends BasketLine {
  /** What the line costs after every coupon. */
  readonly price: Money
  readonly discounts: readonly LineDiscount[]
}

export type CouponRefusalCode =
  | 'COUPON_NOT_YET_VALID'
  | 'COUPON_EXPIRED'
  | 'COUPON_EXHAUSTED'
  | 'COUPON_BUYER_LIMIT_REACHED'
  | 'COUPON_NOT_APPLICABLE'
  | 'COUPON_CURRENCY_NOT_SUPPORTED'
  | 'COUPON_NOT_STACKABLE'

export type CouponDecision =
  | { readonly ok: true; readonly lines: readonly DiscountedLine[] }
  | { readonly ok: false; readonly code: CouponRefusalCode; readonly couponCode: string }

function refusalOf(coupon: CouponFacts, now: Date, lines: readonly BasketLine[]): CouponRefusalCode | null {
  if (coupon.validFrom && now < coupon.validFrom) return 'COUPON_NOT_YET_VALID'
  if (coupon.validUntil && now >= coupon.validUntil) return 'COUPON_EXPIRED'
  if (coupon.maxRedemptions !== null && coupon.redemptions >= coupon.maxRedemptions) return 'COUPON_EXHAUSTED'
  if (coupon.maxRedemptionsPerBuyer !== null && coupon.redemptionsByBuyer >= coupon.maxRedemptionsPerBuyer)
    return 'COUPON_BUYER_LIMIT_REACHED'
  if (!lines.some((line) => appliesTo(coupon, line))) return 'COUPON_NOT_APPLICABLE'
  return null
}

const appliesTo = (coupon: CouponFacts, line: BasketLine) =>
  coupon.productIds === null || coupon.productIds.includes(line.productId)

/** Percent as a factor: "15" → 0.15, "12.5" → 0.125, exactly. */
function fractionOf(percent: Decimal): Decimal {
  const scale = percent.scale + 2
  const digits = percent.units.toString().padStart(scale + 1, '0')
  return parseDecimal(`${digits.slice(0, -scale)}.${digits.slice(-scale)}`)
}

/** The discount per line (zero for lines the coupon does not cover), or a refusal. */
function discountsOf(
  coupon: CouponFacts,
  prices: readonly Money[],
  eligible: readonly boolean[],
  currency: CurrencyCode,
): Money[] | CouponRefusalCode {
  const zero = money(0, currency)
  if (coupon.kind === 'percent') {
    if (!coupon.percentOff) return 'COUPON_NOT_APPLICABLE'
    const percent = coupon.percentOff
    const raw = prices.map((price, i) =>
      eligible[i] ? multiplyByDecimal(price, fractionOf(percent), 'half-even') : zero,
    )
    const cap = coupon.maxDiscounts[currency]
    const total = sum(currency, raw)
    if (cap === undefined || total.amount <= cap || total.amount === 0) return raw
    return allocate(
      money(cap, currency),
      raw.map((discount) => discount.amount),
    )
  }
  const off = coupon.amountsOff[currency]
  if (off === undefined) return 'COUPON_CURRENCY_NOT_SUPPORTED'
  const remaining = prices.map((price, i) => (eligible[i] ? price : zero))
  const available = sum(currency, remaining)
  if (isZero(available)) return prices.map(() => zero)
  const amount = money(Math.min(off, available.amount), currency)
  return allocate(
    amount,
    remaining.map((price) => price.amount),
  )
}

export function applyCoupons(
  coupons: readonly CouponFacts[],
  lines: readonly BasketLine[],
  currency: CurrencyCode,
  now: Date,
): CouponDecision {
  if (coupons.length > 1) {
    const lone = coupons.find((coupon) => !coupon.stackable)
    if (lone) return { ok: false, code: 'COUPON_NOT_STACKABLE', couponCode: lone.code }
  }
  let prices = lines.map((line) => line.amount)
  const discounts: LineDiscount[][] = lines.map(() => [])
  for (const coupon of coupons) {
    const refusal = refusalOf(coupon, now, lines)
    if (refusal) return { ok: false, code: refusal, couponCode: coupon.code }
    const eligible = lines.map((line) => appliesTo(coupon, line))
    const off = discountsOf(coupon, prices, eligible, currency)
    if (typeof off === 'string') return { ok: false, code: off, couponCode: coupon.code }
    prices = prices.map((price, i) => subtract(price, off[i]!))
    off.forEach((amount, i) => {
      if (!isZero(amount)) discounts[i]!.push({ couponId: coupon.id, amount })
    })
  }
  return {
    ok: true,
    lines: lines.map((line, i) => ({ ...line, price: prices[i]!, discounts: discounts[i]! })),
  }
}
