/**
 * What checkout asks of coupons, in tenant transactions as checkout runs them: previews hold
 * nothing, reservations count against the limits (exactly as many as allowed under 20-way
 * concurrency: PGlite serialises, PostgreSQL really races), releases free them again, and a code
 * that is unknown, archived or another tenant's is one and the same refusal.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { newQueryCounter, type Tx } from '../../../platform/db/database.ts'
import { isAppError } from '../../../platform/errors.ts'
import { money, parseCurrencyCode } from '../money/index.ts'
import { ensureTestOrder } from '../orders/orders.testing.ts'
import { taxFactsOf } from '../tax/tax.service.ts'
import { inTenant } from '../tax/tax.testing.ts'
import {
  previewCoupons,
  releaseCouponRedemptions,
  reserveCoupons,
  type CouponRequest,
  type ReserveRequest,
} from './coupon-redemption.ts'
import { couponShop, couponsClient, type CouponShop } from './coupons.testing.ts'

let t: TestApp
let api: ReturnType<typeof couponsClient>
beforeAll(async () => {
  t = await buildTestApp()
  api = couponsClient(t)
})
afterAll(async () => t?.close())

const USD = parseCurrencyCode('USD')
const EUR = parseCurrencyCode('EUR')

/** The shop's two products at their USD prices (what checkout would have priced). */
const basket = (shop: CouponShop, currency = USD) => [
  { productId: shop.productIds[0], amount: money(currency === USD ? 4999 : 4500, currency) },
  { productId: shop.productIds[1], amount: money(currency === USD ? 1999 : 1800, currency) },
]

function request(shop: CouponShop, codes: string[], overrides: Partial<ReserveRequest> = {}): ReserveRequest {
  return {
    codes,
    buyerId: randomUUID(),
    orderId: randomUUID(),
    currency: USD,
    lines: basket(shop, overrides.currency ?? USD),
    now: new Date(),
    ...overrides,
  }
}

/** The order a reservation names must exist (a foreign key): one of the shop's first product. */
const orderOf = (shop: CouponShop, req: ReserveRequest) => (tx: Tx) =>
  ensureTestOrder(tx, { id: req.orderId, buyerId: req.buyerId, productId: shop.productIds[0], currency: req.currency })
const reserve = (shop: CouponShop, req: ReserveRequest) =>
  inTenant(t, shop.id, async (tx) => {
    await orderOf(shop, req)(tx)
    return reserveCoupons(tx, req)
  })
const preview = (shop: CouponShop, req: CouponRequest) => inTenant(t, shop.id, (tx) => previewCoupons(tx, req))

/** The refusal's status, code and field path, or 'ok'. */
async function outcome(work: Promise<unknown>) {
  try {
    await work
    return 'ok'
  } catch (error) {
    if (!isAppError(error)) throw error
    return [error.status, error.code, error.errors?.[0]?.path]
  }
}

async function coupon(shop: CouponShop, body: Record<string, unknown>): Promise<{ id: string; code: string }> {
  const response = await api.create(shop.admin, { kind: 'percent', percentOff: '10', ...body })
  if (response.statusCode !== 201) throw new Error(`coupon: ${response.statusCode} ${response.body}`)
  return response.json()
}

const held = async (shop: CouponShop, id: string) => (await api.get(shop.admin, id)).json().redemptions as number

describe('coupon previews and reservations', () => {
  it('discount the basket, any case of the code, capped; a preview holds nothing, a reservation one per order', async () => {
    const shop = await couponShop(t)
    const welcome = await coupon(shop, {
      code: 'WELCOME10',
      percentOff: '10',
      maxDiscounts: [{ currency: 'USD', amount: 600 }],
    })
    const previewed = await preview(shop, request(shop, [' welcome10 ']))
    // 10 % of 4999 and 1999 is 500 + 200 = 700, capped at 600 and split 429 / 171 in proportion.
    expect(previewed.lines.map((line) => line.price.amount)).toEqual([4570, 1828])
    expect(previewed.coupons).toEqual([{ id: welcome.id, code: 'WELCOME10' }])
    expect(await held(shop, welcome.id)).toBe(0)

    const order = request(shop, ['Welcome10'])
    const reserved = await reserve(shop, order)
    expect(reserved).toEqual(previewed)
    expect(await held(shop, welcome.id)).toBe(1)
    // Again for the same order (a retried checkout): the same answer, still one redemption.
    expect(await reserve(shop, order)).toEqual(reserved)
    expect(await held(shop, welcome.id)).toBe(1)
    // No code: the basket as it is.
    const plain = await preview(shop, request(shop, []))
    expect(plain).toEqual({
      lines: basket(shop).map((line) => ({ ...line, price: line.amount, discounts: [] })),
      coupons: [],
    })
  })

  it('keeps per-buyer and total limits, and frees them when an order is released', async () => {
    const shop = await couponShop(t)
    const once = await coupon(shop, { code: 'ONCE', maxRedemptionsPerBuyer: 1, maxRedemptions: 2 })
    const buyer = randomUUID()
    const first = request(shop, ['ONCE'], { buyerId: buyer })
    await reserve(shop, first)
    expect(await outcome(reserve(shop, request(shop, ['ONCE'], { buyerId: buyer })))).toEqual([
      422,
      'COUPON_BUYER_LIMIT_REACHED',
      'body.couponCodes.0',
    ])
    expect(await outcome(preview(shop, request(shop, ['ONCE'], { buyerId: buyer })))).toEqual([
      422,
      'COUPON_BUYER_LIMIT_REACHED',
      'body.couponCodes.0',
    ])
    // An anonymous quote has no buyer to count.
    expect(await outcome(preview(shop, request(shop, ['ONCE'], { buyerId: null as never })))).toBe('ok')
    await reserve(shop, request(shop, ['ONCE']))
    expect(await outcome(reserve(shop, request(shop, ['ONCE'])))).toEqual([
      422,
      'COUPON_EXHAUSTED',
      'body.couponCodes.0',
    ])

    expect(await inTenant(t, shop.id, (tx) => releaseCouponRedemptions(tx, first.orderId))).toBe(1)
    expect(await inTenant(t, shop.id, (tx) => releaseCouponRedemptions(tx, first.orderId))).toBe(0)
    expect(await held(shop, once.id)).toBe(1)
    expect(await outcome(reserve(shop, request(shop, ['ONCE'], { buyerId: buyer })))).toBe('ok')
    // A released order stays released.
    expect(await outcome(reserve(shop, first))).toEqual([409, 'ORDER_COUPONS_RELEASED', undefined])
  })

  it('refuses unknown, archived and other tenants’ codes alike, and malformed, repeated or too many codes', async () => {
    const shop = await couponShop(t)
    const other = await couponShop(t)
    await coupon(other, { code: 'THEIRS' })
    const archived = await coupon(shop, { code: 'OLDCODE' })
    await api.archive(shop.admin, archived.id)
    await coupon(shop, { code: 'MINE', stackable: true })
    const unknown = ['NOSUCH', 'THEIRS', 'OLDCODE']
    for (const code of unknown) {
      expect(await outcome(reserve(shop, request(shop, ['MINE', code])))).toEqual([
        422,
        'COUPON_UNKNOWN',
        'body.couponCodes.1',
      ])
      expect(await outcome(preview(shop, request(shop, [code])))).toEqual([422, 'COUPON_UNKNOWN', 'body.couponCodes.0'])
    }
    // The refusal reads the same whichever the reason, so another tenant's codes cannot be probed.
    const details = await Promise.all(
      unknown.map((code) =>
        preview(shop, { ...request(shop, [code]), path: 'codes' }).catch((error: unknown) => {
          const {
            status,
            code: errorCode,
            message,
            errors,
          } = error as { status: number; code: string; message: string; errors: unknown }
          return { status, errorCode, message: message.replace(code, 'X'), errors }
        }),
      ),
    )
    expect(new Set(details.map((detail) => JSON.stringify(detail))).size).toBe(1)
    expect(await outcome(preview(shop, request(shop, ['x\u0000y'])))).toEqual([
      422,
      'COUPON_UNKNOWN',
      'body.couponCodes.0',
    ])
    expect(await outcome(preview(shop, request(shop, ['Y'.repeat(200)])))).toEqual([
      422,
      'COUPON_UNKNOWN',
      'body.couponCodes.0',
    ])
    expect(await outcome(preview(shop, request(shop, ['MINE', 'mine'])))).toEqual([
      400,
      'DUPLICATE_COUPON_CODE',
      'body.couponCodes.1',
    ])
    expect(await outcome(preview(shop, request(shop, ['A1A', 'B1B', 'C1C', 'D1D', 'E1E', 'F1F'])))).toEqual([
      400,
      'TOO_MANY_COUPONS',
      'body.couponCodes',
    ])
  })

  it('applies the terms: stacking, products, currencies and the validity window', async () => {
    const shop = await couponShop(t)
    await coupon(shop, { code: 'HALF', percentOff: '50', stackable: true })
    await coupon(shop, { code: 'SOLO', percentOff: '5' })
    await coupon(shop, {
      code: 'FIVE',
      kind: 'fixed',
      percentOff: undefined,
      amountsOff: [{ currency: 'USD', amount: 500 }],
      productIds: [shop.productIds[1]],
      stackable: true,
    })
    const later = new Date(Date.now() + 3_600_000).toISOString()
    await coupon(shop, { code: 'LATER', validFrom: later })
    const stacked = await preview(shop, request(shop, ['HALF', 'FIVE']))
    // Half off both (2500 and 1000 off, half-even), then 5.00 off what is left of the second.
    expect(stacked.lines.map((line) => line.price.amount)).toEqual([2499, 499])
    expect(stacked.lines[1]!.discounts.map((d) => d.amount.amount)).toEqual([1000, 500])
    expect(await outcome(preview(shop, request(shop, ['HALF', 'SOLO'])))).toEqual([
      422,
      'COUPON_NOT_STACKABLE',
      'body.couponCodes.1',
    ])
    expect(await outcome(preview(shop, { ...request(shop, ['FIVE']), lines: basket(shop).slice(0, 1) }))).toEqual([
      422,
      'COUPON_NOT_APPLICABLE',
      'body.couponCodes.0',
    ])
    expect(await outcome(preview(shop, request(shop, ['FIVE'], { currency: EUR })))).toEqual([
      422,
      'COUPON_CURRENCY_NOT_SUPPORTED',
      'body.couponCodes.0',
    ])
    expect(await outcome(preview(shop, request(shop, ['LATER'])))).toEqual([
      422,
      'COUPON_NOT_YET_VALID',
      'body.couponCodes.0',
    ])
    expect(await outcome(preview(shop, request(shop, ['LATER'], { now: new Date(Date.now() + 7_200_000) })))).toBe('ok')
  })

  it('costs a fixed number of statements whatever the basket: preview 2, reservation 4, tax facts 3', async () => {
    const shop = await couponShop(t)
    await coupon(shop, { code: 'AAA', stackable: true })
    await coupon(shop, { code: 'BBB', stackable: true })
    const statements = async (work: (tx: Tx) => Promise<unknown>) => {
      const counter = newQueryCounter()
      await inTenant(t, shop.id, work, counter)
      return counter.queries
    }
    const lines = Array.from({ length: 20 }, (_, i) => ({ productId: `${i}`, amount: money(1000 + i, USD) }))
    const order = { ...request(shop, ['AAA', 'BBB']), lines }
    await inTenant(t, shop.id, orderOf(shop, order))
    expect(await statements((tx) => previewCoupons(tx, order))).toBe(2)
    expect(await statements((tx) => reserveCoupons(tx, order))).toBe(4)
    expect(await statements((tx) => previewCoupons(tx, { ...order, codes: [] }))).toBe(0)
    expect(await statements((tx) => taxFactsOf(tx))).toBe(3)
  })

  it('gives a coupon allowed 5 redemptions to exactly 5 of 20 simultaneous orders', async () => {
    const shop = await couponShop(t)
    const limited = await coupon(shop, { code: 'FIRST5', maxRedemptions: 5 })
    const results = await Promise.all(
      Array.from({ length: 20 }, () => outcome(reserve(shop, request(shop, ['first5'])))),
    )
    expect(results.filter((result) => result === 'ok')).toHaveLength(5)
    expect(results.filter((result) => result !== 'ok')).toEqual(
      Array.from({ length: 15 }, () => [422, 'COUPON_EXHAUSTED', 'body.couponCodes.0']),
    )
    expect(await held(shop, limited.id)).toBe(5)
  })
})
