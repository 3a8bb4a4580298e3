/**
 * The checkout quote over HTTP: every amount from the server (prices, coupons, tax), and nothing
 * a client sends is an amount: each amount-bearing field is refused, as is another tenant's
 * product or a currency the tenant does not sell in (defect 2 of the journeys).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { couponShop, couponsClient, type CouponShop } from '../coupons/coupons.testing.ts'
import { taxClient } from '../tax/tax.testing.ts'

let t: TestApp
let shop: CouponShop
let learner: string
beforeAll(async () => {
  t = await buildTestApp()
  shop = await couponShop(t)
  learner = await t.tokenFor(shop.id, ['learner'])
  const tax = taxClient(t)
  const profile = await tax.replaceProfile(shop.admin, {
    sellerLegalName: 'Lyceum Demo GmbH',
    sellerCountry: 'DE',
    sellerTaxId: 'DE123456789',
    reverseChargeB2B: true,
  })
  if (profile.statusCode !== 200) throw new Error(`tax profile: ${profile.statusCode} ${profile.body}`)
  for (const [place, name, rate] of [
    ['DE', 'USt', '0.19'],
    ['FR', 'TVA', '0.2'],
  ])
    await tax.setRate(shop.admin, place!, { name, rate }, { 'if-match': '"v0"' })
  const coupon = await couponsClient(t).create(shop.admin, { code: 'WELCOME10', kind: 'percent', percentOff: '10' })
  if (coupon.statusCode !== 201) throw new Error(`coupon: ${coupon.statusCode} ${coupon.body}`)
})
afterAll(async () => t?.close())

const quote = (payload: unknown, token: string | null = learner) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/checkout/quote',
    headers: token ? t.auth(token) : {},
    payload: payload as object,
  })
const basket = () => ({ productIds: shop.productIds, currency: 'EUR', billing: { country: 'DE' } })
const problem = (response: { statusCode: number; json(): Record<string, unknown> }) => [
  response.statusCode,
  (response.json() as { code?: string }).code,
]

describe('checkout quote', () => {
  it('prices, discounts and taxes the basket on the server', async () => {
    const response = await quote({ ...basket(), couponCodes: ['welcome10'] })
    expect(response.statusCode, response.body).toBe(200)
    const body = response.json()
    // EUR 45.00 and 18.00, 10 % off (4.50, 1.80), 19 % on 40.50 and 16.20 (7.695 → 7.70, 3.078 → 3.08).
    expect(
      body.lines.map((l: { net: { amount: number }; tax: { amount: number } }) => [l.net.amount, l.tax.amount]),
    ).toEqual([
      [4050, 770],
      [1620, 308],
    ])
    expect(body).toMatchObject({
      currency: 'EUR',
      subtotal: { amount: 6300, currency: 'EUR' },
      discountTotal: { amount: 630, currency: 'EUR' },
      taxTotal: { amount: 1078, currency: 'EUR' },
      total: { amount: 6748, currency: 'EUR' },
      taxTreatment: 'standard',
      coupons: [{ code: 'WELCOME10' }],
    })
    expect(body.lines[0]).toMatchObject({ taxRate: '0.19', taxName: 'USt', conversion: null })
  })

  it('reverse-charges a French business with a VAT number, and charges its consumers French VAT', async () => {
    const business = await quote({ ...basket(), billing: { country: 'FR', vatId: 'FR 40 303 265 045' } })
    expect(business.json()).toMatchObject({ taxTreatment: 'reverse-charge', taxTotal: { amount: 0 } })
    const consumer = await quote({ ...basket(), billing: { country: 'FR' } })
    expect(consumer.json()).toMatchObject({ taxTreatment: 'standard', taxTotal: { amount: 1260 } })
  })

  it('refuses every amount-bearing field a client could send', async () => {
    const extras: Record<string, unknown>[] = [
      { price: 1 },
      { amount: 1 },
      { total: { amount: 1, currency: 'EUR' } },
      { tax: 0 },
      { discount: 6300 },
      { quantity: 3 },
      { items: [{ productId: shop.productIds[0], price: 1 }] },
    ]
    for (const extra of extras)
      expect(problem(await quote({ ...basket(), ...extra }))).toEqual([400, 'VALIDATION_FAILED'])
    const billing = await quote({ ...basket(), billing: { country: 'DE', taxRate: '0' } })
    expect(problem(billing)).toEqual([400, 'VALIDATION_FAILED'])
    const repeated = await quote({ ...basket(), productIds: [shop.productIds[0], shop.productIds[0]] })
    expect(problem(repeated)).toEqual([400, 'VALIDATION_FAILED'])
  })

  it("refuses another tenant's product, a currency the tenant does not sell in and a malformed place", async () => {
    const other = await couponShop(t)
    expect(problem(await quote({ ...basket(), productIds: [other.productIds[0]] }))).toEqual([404, 'PRODUCT_NOT_FOUND'])
    expect((await quote({ ...basket(), currency: 'JPY' })).statusCode).toBe(422)
    expect((await quote({ ...basket(), billing: { country: 'XX' } })).statusCode).toBe(400)
    expect((await quote({ ...basket(), billing: { country: 'US', region: 'CA-QC' } })).statusCode).toBe(400)
    expect((await quote({ ...basket(), couponCodes: ['WEL\u0000COME'] })).statusCode).toBe(400)
    expect(problem(await quote({ ...basket(), couponCodes: ['NOSUCHCODE'] }))).toEqual([422, 'COUPON_UNKNOWN'])
    // Another tenant's code is unknown here, exactly like a code that exists nowhere.
    await couponsClient(t).create(other.admin, { code: 'ELSEWHERE', kind: 'percent', percentOff: '50' })
    expect(problem(await quote({ ...basket(), couponCodes: ['ELSEWHERE'] }))).toEqual([422, 'COUPON_UNKNOWN'])
  })

  it('needs a signed-in member', async () => {
    expect((await quote(basket(), null)).statusCode).toBe(401)
  })
})
