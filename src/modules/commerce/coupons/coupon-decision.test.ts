import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { money, parseDecimal, sum, parseCurrencyCode } from '../money/index.ts'

const c = (code: string) => parseCurrencyCode(code)
import { applyCoupons, type CouponFacts } from './coupon-decision.ts'

const NOW = new Date('2026-12-07T12:00:00Z')
const coupon = (overrides: Partial<CouponFacts>): CouponFacts => ({
  id: 'c1',
  code: 'SAVE',
  kind: 'percent',
  percentOff: parseDecimal('10'),
  amountsOff: {},
  maxDiscounts: {},
  validFrom: null,
  validUntil: null,
  maxRedemptions: null,
  maxRedemptionsPerBuyer: null,
  productIds: null,
  stackable: false,
  redemptions: 0,
  redemptionsByBuyer: 0,
  ...overrides,
})
const lines = [
  { productId: 'p1', amount: money(4999, c('USD')) },
  { productId: 'p2', amount: money(1999, c('USD')) },
]

describe('coupon decision', () => {
  it('takes a percent off every covered line, rounded half-even', () => {
    const decision = applyCoupons([coupon({ percentOff: parseDecimal('12.5') })], lines, c('USD'), NOW)
    expect(decision.ok && decision.lines.map((line) => line.price.amount)).toEqual([4374, 1749])
  })

  it('caps a percent coupon per currency and splits the cap over the lines', () => {
    const capped = coupon({ percentOff: parseDecimal('50'), maxDiscounts: { USD: 1000 } })
    const decision = applyCoupons([capped], lines, c('USD'), NOW)
    if (!decision.ok) throw new Error(decision.code)
    const discounts = decision.lines.flatMap((line) => line.discounts.map((d) => d.amount))
    expect(sum(c('USD'), discounts)).toEqual(money(1000, c('USD')))
  })

  it('takes a fixed amount in the order currency only, never below zero', () => {
    const fixed = coupon({ kind: 'fixed', percentOff: null, amountsOff: { USD: 10000 }, productIds: ['p2'] })
    const decision = applyCoupons([fixed], lines, c('USD'), NOW)
    expect(decision.ok && decision.lines.map((line) => line.price.amount)).toEqual([4999, 0])
    const euros = lines.map((line) => ({ ...line, amount: money(line.amount.amount, c('EUR')) }))
    expect(applyCoupons([fixed], euros, c('EUR'), NOW)).toMatchObject({
      ok: false,
      code: 'COUPON_CURRENCY_NOT_SUPPORTED',
    })
  })

  it('refuses outside its window, past its limits and on baskets it does not cover', () => {
    const cases: [Partial<CouponFacts>, string][] = [
      [{ validFrom: new Date('2026-12-08T00:00:00Z') }, 'COUPON_NOT_YET_VALID'],
      [{ validUntil: NOW }, 'COUPON_EXPIRED'],
      [{ maxRedemptions: 5, redemptions: 5 }, 'COUPON_EXHAUSTED'],
      [{ maxRedemptionsPerBuyer: 1, redemptionsByBuyer: 1 }, 'COUPON_BUYER_LIMIT_REACHED'],
      [{ productIds: ['p9'] }, 'COUPON_NOT_APPLICABLE'],
    ]
    for (const [overrides, code] of cases)
      expect(applyCoupons([coupon(overrides)], lines, c('USD'), NOW)).toMatchObject({ ok: false, code })
  })

  it('stacks only stackable coupons, each on what the previous left', () => {
    const first = coupon({ id: 'a', code: 'A', stackable: true, percentOff: parseDecimal('50') })
    const second = coupon({ id: 'b', code: 'B', stackable: true, percentOff: parseDecimal('50') })
    const decision = applyCoupons([first, second], [lines[0]!], c('USD'), NOW)
    // 4999 − 2500 (2499.5 rounds half-even to 2500) = 2499; 2499 − 1250 (1249.5 → 1250) = 1249
    expect(decision.ok && decision.lines[0]!.price.amount).toBe(1249)
    expect(applyCoupons([first, coupon({ id: 'c', code: 'C' })], lines, c('USD'), NOW)).toMatchObject({
      ok: false,
      code: 'COUPON_NOT_STACKABLE',
      couponCode: 'C',
    })
  })

  it('never makes a line negative nor discounts more than the basket, for any coupons', () => {
    const arbitraryCoupon = fc.record({
      kind: fc.constantFrom('percent' as const, 'fixed' as const),
      percent: fc.integer({ min: 1, max: 100 }),
      off: fc.integer({ min: 1, max: 1_000_000 }),
      cap: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
      products: fc.option(fc.subarray(['p1', 'p2', 'p3']), { nil: null }),
    })
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 3, maxLength: 3 }),
        fc.array(arbitraryCoupon, { minLength: 1, maxLength: 3 }),
        (amounts, specs) => {
          const basket = amounts.map((amount, i) => ({ productId: `p${i + 1}`, amount: money(amount, c('USD')) }))
          const coupons = specs.map((spec, i) =>
            coupon({
              id: `c${i}`,
              code: `C${i}`,
              kind: spec.kind,
              stackable: true,
              percentOff: parseDecimal(String(spec.percent)),
              amountsOff: { USD: spec.off },
              maxDiscounts: spec.cap === undefined ? {} : { USD: spec.cap },
              productIds: spec.products,
            }),
          )
          const decision = applyCoupons(coupons, basket, c('USD'), NOW)
          if (!decision.ok) return
          decision.lines.forEach((line, i) => {
            expect(line.price.amount).toBeGreaterThanOrEqual(0)
            const off = line.discounts.reduce((total, d) => total + d.amount.amount, 0)
            expect(line.price.amount + off).toBe(amounts[i])
          })
        },
      ),
    )
  })
})
