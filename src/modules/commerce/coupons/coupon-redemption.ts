/**
 * What checkout asks of coupons, in its tenant transaction: decide a basket's discounts without
 * holding anything (a quote), reserve the coupons for an order (the limits hold under concurrent
 * checkouts), and release an order's coupons when it fails, is cancelled or expires.
 *
 * Reserving locks the coupons' rows (FOR UPDATE, in code order, so orders naming the same
 * coupons queue instead of deadlocking), counts their unreleased redemptions in all and by the
 * buyer, runs the pure decision (coupon-decision.ts) and records one redemption per coupon. The
 * locks last until the caller's transaction ends: reserve late in it, and never call a payment
 * provider while holding them.
 *
 * A code is compared without case. A code that is unknown, archived or another tenant's is one
 * refusal, 422 COUPON_UNKNOWN, so nothing shows whether it exists elsewhere; the decision's
 * refusals are 422 with their own codes (COUPON_EXPIRED, COUPON_EXHAUSTED, ...). Every refusal
 * names the code (`couponCode`) and its position (`${path}.${index}`).
 */
import type { Tx } from '../../../platform/db/database.ts'
import type { CurrencyCode } from '../money/index.ts'
import { parseDecimal } from '../money/index.ts'
import { applyCoupons, type BasketLine, type CouponFacts, type DiscountedLine } from './coupon-decision.ts'
import { couponErrors } from './coupons.errors.ts'
import { couponsRepository as repository, type CouponRow, type RedemptionCounts } from './coupons.repository.ts'

/** The most codes one order takes. */
export const MAX_COUPONS_PER_ORDER = 5

const CODE = /^[A-Z0-9][A-Z0-9_-]{2,31}$/

/** A typed code as stored (upper case, no surrounding spaces), or null when it cannot be a code. */
export function normaliseCouponCode(text: string): string | null {
  const code = text.trim().toUpperCase()
  return CODE.test(code) ? code : null
}

export interface CouponRequest {
  /** As the buyer typed them, in the order they apply. */
  codes: readonly string[]
  /** The buyer's user id; null for an anonymous quote (per-buyer limits then count nothing). */
  buyerId: string | null
  currency: CurrencyCode
  /** The order's lines in `currency`, before discounts; amounts come from prices, never the client. */
  lines: readonly BasketLine[]
  now: Date
  /** Where the codes were sent, for the refusals' field paths (default body.couponCodes). */
  path?: string
}

export interface ReserveRequest extends CouponRequest {
  buyerId: string
  orderId: string
}

export interface AppliedCoupon {
  id: string
  code: string
}

export interface CouponOutcome {
  /** Each line with its price after discounts and the discount of each coupon. */
  lines: readonly DiscountedLine[]
  /** The coupons applied, in the order they applied. */
  coupons: readonly AppliedCoupon[]
}

/** Upper-cased codes, refusing repeats and too many; unknown-looking codes are refused as unknown. */
function parseCodes(request: CouponRequest): string[] {
  const path = request.path ?? 'body.couponCodes'
  if (request.codes.length > MAX_COUPONS_PER_ORDER) throw couponErrors.tooMany(path, MAX_COUPONS_PER_ORDER)
  const codes = request.codes.map((text, i) => {
    const code = normaliseCouponCode(text)
    if (code === null) throw couponErrors.unknown(text, `${path}.${i}`)
    return code
  })
  codes.forEach((code, i) => {
    if (codes.indexOf(code) !== i) throw couponErrors.duplicateCode(`${path}.${i}`)
  })
  for (const line of request.lines)
    if (line.amount.currency !== request.currency)
      throw new Error(`basket line of ${line.productId} is in ${line.amount.currency}, not ${request.currency}`)
  return codes
}

function factsOf(row: CouponRow, counts: RedemptionCounts | undefined): CouponFacts {
  return {
    id: row.id,
    code: row.code,
    kind: row.kind,
    percentOff: row.percentOff === null ? null : parseDecimal(row.percentOff),
    amountsOff: row.amountsOff,
    maxDiscounts: row.maxDiscounts,
    validFrom: row.validFrom === null ? null : new Date(row.validFrom),
    validUntil: row.validUntil === null ? null : new Date(row.validUntil),
    maxRedemptions: row.maxRedemptions,
    maxRedemptionsPerBuyer: row.maxRedemptionsPerBuyer,
    productIds: row.productIds,
    stackable: row.stackable,
    redemptions: counts?.total ?? 0,
    redemptionsByBuyer: counts?.byBuyer ?? 0,
  }
}

/** The rows in the buyer's order, or COUPON_UNKNOWN for the first code without a live coupon. */
function inCodeOrder(codes: readonly string[], rows: readonly CouponRow[], request: CouponRequest): CouponRow[] {
  const byCode = new Map(rows.map((row) => [row.code, row]))
  return codes.map((code, i) => {
    const row = byCode.get(code)
    if (!row) throw couponErrors.unknown(code, `${request.path ?? 'body.couponCodes'}.${i}`)
    return row
  })
}

async function decide(
  tx: Tx,
  request: CouponRequest,
  codes: readonly string[],
  rows: readonly CouponRow[],
  exceptOrderId: string | null,
): Promise<CouponOutcome> {
  const ordered = inCodeOrder(codes, rows, request)
  const counts = await repository.counts(
    tx,
    ordered.map((row) => row.id),
    request.buyerId,
    exceptOrderId,
  )
  const decision = applyCoupons(
    ordered.map((row) => factsOf(row, counts.get(row.id))),
    request.lines,
    request.currency,
    request.now,
  )
  if (!decision.ok)
    throw couponErrors.refused(
      decision.code,
      decision.couponCode,
      `${request.path ?? 'body.couponCodes'}.${codes.indexOf(decision.couponCode)}`,
    )
  return { lines: decision.lines, coupons: ordered.map((row) => ({ id: row.id, code: row.code })) }
}

const undiscounted = (request: CouponRequest): CouponOutcome => {
  const decision = applyCoupons([], request.lines, request.currency, request.now)
  if (!decision.ok) throw new Error('a basket without coupons was refused')
  return { lines: decision.lines, coupons: [] }
}

/** The basket's discounts if ordered now, holding nothing (quotes); refusals as reserveCoupons. */
export async function previewCoupons(tx: Tx, request: CouponRequest): Promise<CouponOutcome> {
  const codes = parseCodes(request)
  if (codes.length === 0) return undiscounted(request)
  return decide(tx, request, codes, await repository.live(tx, codes), null)
}

/**
 * Reserves the coupons for `orderId` and returns the discounts. Idempotent per order: reserving
 * again with the same codes records nothing new (the order's own redemptions do not count against
 * it); coupons the order held but no longer names are released. An order whose coupons were
 * released (it ended) cannot reserve again: 409 ORDER_COUPONS_RELEASED.
 */
export async function reserveCoupons(tx: Tx, request: ReserveRequest): Promise<CouponOutcome> {
  const codes = parseCodes(request)
  const held = await repository.ofOrder(tx, request.orderId)
  if (held.some((redemption) => redemption.released)) throw couponErrors.orderReleased(request.orderId)
  if (codes.length === 0) {
    if (held.length > 0) await repository.release(tx, request.orderId)
    return undiscounted(request)
  }
  const rows = await repository.lockLive(tx, [...codes].sort())
  const outcome = await decide(tx, request, codes, rows, request.orderId)
  const ids = outcome.coupons.map((coupon) => coupon.id)
  if (held.some((redemption) => !ids.includes(redemption.couponId))) await repository.release(tx, request.orderId, ids)
  await repository.insertRedemptions(
    tx,
    ids.map((couponId) => ({
      couponId,
      orderId: request.orderId,
      buyerId: request.buyerId,
    })),
  )
  return outcome
}

/** Releases every coupon an order holds (it failed, was cancelled or expired); how many were released. */
export function releaseCouponRedemptions(tx: Tx, orderId: string): Promise<number> {
  return repository.release(tx, orderId)
}
