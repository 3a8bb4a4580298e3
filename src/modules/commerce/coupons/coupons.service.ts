/**
 * Coupons as tenant administrators manage them: create (terms checked here, products checked to
 * be this tenant's), list, read, archive; each change audited. Terms never change after creation:
 * orders and their redemptions name the coupon, and what they were charged must stay explainable
 * by it, so a change of terms is an archive and a new coupon (which may reuse the code).
 */
import { recordAudit } from '../../../platform/audit/audit.ts'
import { uniqueViolation } from '../../../platform/db/pg-errors.ts'
import { commonErrors } from '../../../platform/errors.ts'
import type { PageResult } from '../../../platform/http/pagination.ts'
import { principalId } from '../../../platform/http/principal.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import { parseCurrencyCode, parseDecimal, type CurrencyCode } from '../money/index.ts'
import { existingProducts } from '../prices/price-for.ts'
import { pricesErrors } from '../prices/prices.errors.ts'
import { couponErrors } from './coupons.errors.ts'
import {
  couponsCursor,
  couponsRepository as repository,
  type CouponWithCount,
  type NewCoupon,
} from './coupons.repository.ts'
import type { Coupon, CouponQuery, CreateCouponBody } from './coupons.schemas.ts'

/** Canonical text of a stored percentage ("10.00" → "10"). */
export const percentText = (stored: string | null): string | null =>
  stored === null ? null : parseDecimal(stored).text

const moneyList = (amounts: Record<string, number>) =>
  Object.entries(amounts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amount]) => ({ amount, currency }))

export function presentCoupon(row: CouponWithCount): Coupon {
  return {
    ...row,
    percentOff: percentText(row.percentOff),
    amountsOff: moneyList(row.amountsOff),
    maxDiscounts: moneyList(row.maxDiscounts),
    status: row.archivedAt === null ? 'active' : 'archived',
  }
}

/** A coupon's terms, as its creation's audit entry records them. */
const termsOf = (coupon: Coupon) => ({
  code: coupon.code,
  kind: coupon.kind,
  percentOff: coupon.percentOff,
  amountsOff: coupon.amountsOff,
  maxDiscounts: coupon.maxDiscounts,
  validFrom: coupon.validFrom,
  validUntil: coupon.validUntil,
  maxRedemptions: coupon.maxRedemptions,
  maxRedemptionsPerBuyer: coupon.maxRedemptionsPerBuyer,
  productIds: coupon.productIds,
  stackable: coupon.stackable,
})

type Amounts = CreateCouponBody['amountsOff']

/** Per-currency amounts as a map; known, distinct ISO 4217 codes (400 UNKNOWN_CURRENCY, DUPLICATE_CURRENCY). */
function amountsByCurrency(list: Amounts, path: string): Record<CurrencyCode, number> {
  const result: Record<string, number> = {}
  for (const [i, item] of (list ?? []).entries()) {
    const currency = parseCurrencyCode(item.currency, `${path}.${i}.currency`)
    if (currency in result) throw pricesErrors.duplicateCurrency(`${path}.${i}.currency`, currency)
    result[currency] = item.amount
  }
  return result
}

/** 0 < percent ≤ 100 with at most two places (400 INVALID_PERCENT). */
function parsePercent(text: string): string {
  const percent = parseDecimal(text, 'body.percentOff')
  if (percent.scale > 2 || percent.units === 0n || percent.units > 100n * 10n ** BigInt(percent.scale))
    throw couponErrors.invalidPercent('body.percentOff')
  return percent.text
}

function parseKindTerms(body: CreateCouponBody) {
  if (body.kind === 'percent') {
    if (body.percentOff === undefined) throw couponErrors.terms('body.percentOff', 'is required for a percent coupon')
    if (body.amountsOff?.length) throw couponErrors.terms('body.amountsOff', 'is for fixed coupons only')
    return {
      percentOff: parsePercent(body.percentOff),
      amountsOff: {},
      maxDiscounts: amountsByCurrency(body.maxDiscounts, 'body.maxDiscounts'),
    }
  }
  if (body.percentOff !== undefined) throw couponErrors.terms('body.percentOff', 'is for percent coupons only')
  if (body.maxDiscounts?.length)
    throw couponErrors.terms('body.maxDiscounts', 'is for percent coupons only (a fixed coupon is its own cap)')
  if (!body.amountsOff?.length) throw couponErrors.terms('body.amountsOff', 'needs at least one currency')
  return { percentOff: null, amountsOff: amountsByCurrency(body.amountsOff, 'body.amountsOff'), maxDiscounts: {} }
}

function parseWindow(body: CreateCouponBody, now: Date) {
  const validFrom = body.validFrom === undefined ? null : new Date(body.validFrom)
  const validUntil = body.validUntil === undefined ? null : new Date(body.validUntil)
  if (validUntil && validFrom && validUntil <= validFrom)
    throw couponErrors.window('body.validUntil', 'must be after validFrom')
  if (validUntil && validUntil <= now) throw couponErrors.window('body.validUntil', 'must be in the future')
  return { validFrom, validUntil }
}

function parseProducts(ids: string[] | undefined): string[] | null {
  if (ids === undefined) return null
  const lower = ids.map((id) => id.toLowerCase())
  lower.forEach((id, i) => {
    if (lower.indexOf(id) !== i) throw couponErrors.duplicateProduct(`body.productIds.${i}`)
  })
  return lower
}

function tenantOf(ctx: RequestContext): string {
  if (!ctx.tenantId) throw commonErrors.tenantRequired()
  return ctx.tenantId
}

async function createCoupon(ctx: RequestContext, body: CreateCouponBody): Promise<Coupon> {
  const tenantId = tenantOf(ctx)
  const terms = {
    code: body.code.toUpperCase(),
    kind: body.kind,
    ...parseKindTerms(body),
    ...parseWindow(body, new Date()),
    maxRedemptions: body.maxRedemptions ?? null,
    maxRedemptionsPerBuyer: body.maxRedemptionsPerBuyer ?? null,
    productIds: parseProducts(body.productIds),
    stackable: body.stackable ?? false,
  }
  return ctx.inTenant(async (tx) => {
    if (terms.productIds) {
      const known = await existingProducts(tx, terms.productIds)
      const missing = terms.productIds.findIndex((id) => !known.has(id))
      if (missing >= 0) throw couponErrors.productNotFound(`body.productIds.${missing}`, terms.productIds[missing]!)
    }
    const values: NewCoupon = { ...terms, tenantId, createdBy: principalId(ctx.principal) }
    const row = await repository.insert(tx, values).catch((error: unknown) => {
      if (uniqueViolation(error) === 'coupons_live_code_key') throw couponErrors.codeTaken(terms.code)
      throw error
    })
    const coupon = presentCoupon({ ...row, redemptions: 0 })
    await recordAudit(tx, ctx, {
      action: 'commerce.coupon_created',
      targetType: 'coupon',
      targetId: coupon.id,
      details: termsOf(coupon),
    })
    return coupon
  })
}

async function getCoupon(ctx: RequestContext, couponId: string): Promise<Coupon> {
  const row = await ctx.inTenant((tx) => repository.find(tx, couponId), { readOnly: true })
  if (!row) throw couponErrors.couponNotFound(couponId)
  return presentCoupon(row)
}

async function listCoupons(ctx: RequestContext, query: CouponQuery): Promise<PageResult<Coupon>> {
  const after = couponsCursor.decode(query.cursor)
  const filter = { status: query.status ?? 'active', code: query.code?.toUpperCase() }
  const rows = await ctx.inTenant((tx) => repository.list(tx, filter, query.limit, after), { readOnly: true })
  const page = couponsCursor.page(rows, query.limit, (row) => [row.createdAt, row.id])
  return { data: page.data.map(presentCoupon), nextCursor: page.nextCursor }
}

/**
 * Archives a coupon: no new order can use it (orders holding it keep their discount), and its
 * code is free for a new coupon. Archiving an archived coupon changes nothing.
 */
function archiveCoupon(ctx: RequestContext, couponId: string): Promise<Coupon> {
  return ctx.inTenant(async (tx) => {
    const archived = await repository.archive(tx, couponId, principalId(ctx.principal))
    const row = await repository.find(tx, couponId)
    if (!row) throw couponErrors.couponNotFound(couponId)
    if (archived)
      await recordAudit(tx, ctx, {
        action: 'commerce.coupon_archived',
        targetType: 'coupon',
        targetId: couponId,
        details: { code: row.code, redemptions: row.redemptions },
      })
    return presentCoupon(row)
  })
}

export function createCouponsService() {
  return { create: createCoupon, get: getCoupon, list: listCoupons, archive: archiveCoupon }
}

export type CouponsService = ReturnType<typeof createCouponsService>
