import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyCoupons, type CouponFacts } from '../coupons/coupon-decision.ts'
import { add, money, parseCurrencyCode, parseDecimal, subtract } from '../money/index.ts'

const c = (code: string) => parseCurrencyCode(code)
import { decideTax, type TaxProfileFacts } from '../tax/tax-decision.ts'
import { assembleQuote, type QuoteItem } from './quote.ts'

const NOW = new Date('2026-12-07T12:00:00Z')
const item = (productId: string, amount: number): QuoteItem => ({
  productId,
  productType: 'course',
  subjectId: `subject-${productId}`,
  title: `Course ${productId}`,
  priceVersionId: `version-${productId}`,
  price: money(amount, c('EUR')),
  conversion: null,
})
const tenPercent: CouponFacts = {
  id: 'c1',
  code: 'WELCOME10',
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
}
const profile: TaxProfileFacts = { sellerCountry: 'DE', reverseChargeB2B: true, pricesIncludeTax: false }
const rates = [{ id: 'de', country: 'DE', region: null, name: 'USt', rate: parseDecimal('0.19') }]

function quote(items: QuoteItem[], coupons: CouponFacts[], pricesIncludeTax: boolean) {
  const decision = applyCoupons(
    coupons,
    items.map((i) => ({ productId: i.productId, amount: i.price })),
    c('EUR'),
    NOW,
  )
  if (!decision.ok) throw new Error(decision.code)
  const tax = decideTax({ ...profile, pricesIncludeTax }, rates, { country: 'DE', region: null, vatId: null })
  return assembleQuote(c('EUR'), items, decision, tax)
}

describe('checkout quote', () => {
  it('discounts, then taxes each line, and totals the lines', () => {
    const q = quote([item('a', 4999), item('b', 1999)], [tenPercent], false)
    expect(
      q.lines.map((l) => [l.listPrice.amount, l.discount.amount, l.net.amount, l.tax.amount, l.gross.amount]),
    ).toEqual([
      [4999, 500, 4499, 855, 5354],
      [1999, 200, 1799, 342, 2141],
    ])
    expect(q).toMatchObject({
      subtotal: money(6998, c('EUR')),
      discountTotal: money(700, c('EUR')),
      netTotal: money(6298, c('EUR')),
      taxTotal: money(1197, c('EUR')),
      total: money(7495, c('EUR')),
      taxTreatment: 'standard',
    })
    expect(q.lines[0]).toMatchObject({ taxRate: '0.19', taxName: 'USt' })
  })

  it('adds up for any basket, coupon and tax mode', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5_000_000 }), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        fc.boolean(),
        (amounts, withCoupon, pricesIncludeTax) => {
          const items = amounts.map((amount, i) => item(`p${i}`, amount))
          const q = quote(items, withCoupon ? [tenPercent] : [], pricesIncludeTax)
          expect(add(q.netTotal, q.taxTotal)).toEqual(q.total)
          const afterDiscounts = subtract(q.subtotal, q.discountTotal)
          expect(pricesIncludeTax ? q.total : q.netTotal).toEqual(afterDiscounts)
        },
      ),
    )
  })
})
