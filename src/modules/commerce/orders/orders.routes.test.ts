/**
 * Placing and reading orders over HTTP (ADR 0025): the server computes every amount and locks it
 * in the order, nothing a client sends is an amount, one Idempotency-Key places one order and
 * one payment however often (and however concurrently) it is sent, an order that costs nothing
 * is paid at once, and orders are read by their buyer (and finance) only.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../../platform/db/database.ts'
import { createMember } from '../../enrolment/testing.ts'
import { couponShop, couponsClient } from '../coupons/coupons.testing.ts'
import { orderRowCounts, orderShop, ordersClient, type OrderShop } from './orders.testing.ts'

let t: TestApp
let shop: OrderShop
let api: ReturnType<typeof ordersClient>
beforeAll(async () => {
  t = await buildTestApp()
  api = ordersClient(t)
  shop = await orderShop(t)
})
afterAll(async () => t?.close())

const basket = (overrides: Record<string, unknown> = {}) => ({
  productIds: shop.productIds,
  currency: 'EUR',
  billing: { country: 'DE' },
  ...overrides,
})
const problem = (response: { statusCode: number; json(): Record<string, unknown> }) => [
  response.statusCode,
  (response.json() as { code?: string }).code,
]
const amounts = (body: { lines: Array<Record<string, { amount: number }>> }) =>
  body.lines.map((line) => [line.listPrice!.amount, line.discount!.amount, line.net!.amount, line.tax!.amount])

describe('placing an order', () => {
  it('locks the server’s quote in the order and creates its payment for the total', async () => {
    const buyer = await createMember(t, shop.id)
    const payload = basket({ couponCodes: ['welcome10'], paymentMethod: 'pm_sandbox_visa' })
    const quote = await t.app.inject({
      method: 'POST',
      url: '/v1/checkout/quote',
      headers: t.auth(buyer.token),
      payload: basket({ couponCodes: ['welcome10'] }),
    })
    const placed = await api.place(buyer.token, payload)
    expect(placed.statusCode, placed.body).toBe(201)
    const order = placed.json()
    expect(placed.headers.location).toBe(`/v1/orders/${order.id}`)
    // EUR 45.00 and 18.00, 10 % off, 19 % German VAT: exactly what the quote said.
    expect(amounts(order)).toEqual([
      [4500, 450, 4050, 770],
      [1800, 180, 1620, 308],
    ])
    expect(amounts(order)).toEqual(amounts(quote.json()))
    expect(order).toMatchObject({
      status: 'awaiting_payment',
      buyerId: buyer.userId,
      currency: 'EUR',
      couponCodes: ['WELCOME10'],
      subtotal: { amount: 6300, currency: 'EUR' },
      discountTotal: { amount: 630 },
      netTotal: { amount: 5670 },
      taxTotal: { amount: 1078 },
      total: { amount: 6748 },
      taxTreatment: 'standard',
      billing: { country: 'DE', region: null, vatId: null },
      provider: 'sandbox',
      paidAt: null,
      needsRefund: false,
      payment: { provider: 'sandbox', status: 'succeeded', failure: null },
    })
    expect(order.paymentId).toBe(order.payment.id)
    expect(order.lines[0]).toMatchObject({ productId: shop.productIds[0], taxRate: '0.19', taxName: 'USt' })
    // Paid only by the provider's event, never by the answer to the payment's creation.
    const read = await api.get(buyer.token, order.id)
    expect(read.statusCode).toBe(200)
    const { payment: _payment, ...stored } = order
    expect(read.json()).toEqual(stored)
  })

  it('without a payment method leaves the payment to the buyer’s client (its client secret)', async () => {
    const buyer = await createMember(t, shop.id)
    const placed = await api.place(buyer.token, basket({ productIds: [shop.productIds[1]] }))
    expect(placed.statusCode, placed.body).toBe(201)
    expect(placed.json()).toMatchObject({
      status: 'awaiting_payment',
      total: { amount: 2142 },
      payment: { status: 'requires_payment_method', failure: null },
    })
    expect(typeof placed.json().payment.clientSecret).toBe('string')
  })

  it('refuses every amount-bearing field a client could send, and another tenant’s product', async () => {
    const buyer = await createMember(t, shop.id)
    const extras: Record<string, unknown>[] = [
      { price: 1 },
      { amount: 1 },
      { total: { amount: 1, currency: 'EUR' } },
      { tax: 0 },
      { taxTotal: 0 },
      { discount: 6300 },
      { quantity: 3 },
      { lines: [{ productId: shop.productIds[0], net: 1 }] },
      { items: [{ productId: shop.productIds[0], price: 1, currency: 'JPY' }] },
      { productIds: [{ id: shop.productIds[0], currency: 'USD' }] },
      { productIds: [shop.productIds[0], shop.productIds[0]] },
      { billing: { country: 'DE', taxRate: '0' } },
      { paymentMethod: 'pm sandbox' },
    ]
    for (const extra of extras)
      expect(problem(await api.place(buyer.token, basket(extra)))).toEqual([400, 'VALIDATION_FAILED'])
    const other = await couponShop(t)
    expect(problem(await api.place(buyer.token, basket({ productIds: [other.productIds[0]] })))).toEqual([
      404,
      'PRODUCT_NOT_FOUND',
    ])
    expect((await api.place(buyer.token, basket({ currency: 'JPY' }))).statusCode).toBe(422)
    const keyless = await api.place(buyer.token, basket(), null)
    expect(problem(keyless)).toEqual([400, 'VALIDATION_FAILED'])
    expect(keyless.body).toContain('idempotency-key')
    expect((await api.place(undefined, basket())).statusCode).toBe(401)
    expect(await orderRowCounts(t, [], buyer.userId)).toMatchObject({ orders: 0 })
  })

  it('makes one order and one payment of 20 simultaneous requests with one Idempotency-Key', async () => {
    const buyer = await createMember(t, shop.id)
    const key = randomUUID()
    const payload = basket({ paymentMethod: 'pm_sandbox_visa' })
    const responses = await Promise.all(Array.from({ length: 20 }, () => api.place(buyer.token, payload, key)))
    const statuses = responses.map((response) => response.statusCode)
    expect(
      statuses.filter((status) => status !== 201 && status !== 409),
      statuses.join(),
    ).toEqual([])
    const ids = new Set(responses.filter((r) => r.statusCode === 201).map((r) => r.json().id as string))
    expect(ids.size).toBe(1)
    const [orderId] = [...ids] as [string]
    expect(await orderRowCounts(t, [orderId], buyer.userId)).toEqual({ orders: 1, payments: 1, sandbox: 1 })
    // Afterwards the key replays the first answer.
    const again = await api.place(buyer.token, payload, key)
    expect([again.statusCode, again.json().id, again.headers['idempotent-replayed']]).toEqual([201, orderId, 'true'])
    expect(await orderRowCounts(t, [orderId], buyer.userId)).toEqual({ orders: 1, payments: 1, sandbox: 1 })
  })

  it('keeps the key on the order after the replay window: the same basket finds its order, another is refused', async () => {
    const buyer = await createMember(t, shop.id)
    const key = randomUUID()
    const first = await api.place(buyer.token, basket({ paymentMethod: 'pm_sandbox_visa' }), key)
    expect(first.statusCode, first.body).toBe(201)
    // The platform's stored answer is gone (24 h later); the order's own unique key remains.
    const forget = () =>
      t.platform.database.transaction(platformScope, (tx) =>
        rowsOf(tx, sql`DELETE FROM platform.idempotency_keys WHERE tenant_id = ${shop.id}::uuid RETURNING 1`),
      )
    expect((await forget()).length).toBeGreaterThan(0)
    const retried = await api.place(buyer.token, basket({ paymentMethod: 'pm_sandbox_visa' }), key)
    expect([retried.statusCode, retried.json().id, retried.json().payment.id]).toEqual([
      201,
      first.json().id,
      first.json().payment.id,
    ])
    await forget()
    const other = await api.place(buyer.token, basket({ productIds: [shop.productIds[1]] }), key)
    expect(problem(other)).toEqual([422, 'IDEMPOTENCY_KEY_REUSED'])
    expect(await orderRowCounts(t, [first.json().id], buyer.userId)).toEqual({ orders: 1, payments: 1, sandbox: 1 })
  })

  it('pays an order that costs nothing at once, granting its course; buying it again is 409', async () => {
    const buyer = await createMember(t, shop.id)
    const placed = await api.place(buyer.token, basket({ productIds: [shop.productIds[0]], couponCodes: ['FREE100'] }))
    expect(placed.statusCode, placed.body).toBe(201)
    expect(placed.json()).toMatchObject({
      status: 'paid',
      total: { amount: 0 },
      discountTotal: { amount: 4500 },
      paymentId: null,
      provider: null,
      payment: null,
    })
    expect(placed.json().paidAt).toEqual(expect.any(String))
    const enrolments = await t.app.inject({ method: 'GET', url: '/v1/me/enrolments', headers: t.auth(buyer.token) })
    expect(enrolments.json().data.map((e: { courseId: string }) => e.courseId)).toContain(shop.courseId)
    const again = await api.place(buyer.token, basket({ productIds: [shop.productIds[0]] }))
    expect(problem(again)).toEqual([409, 'ALREADY_PURCHASED'])
    // The coupon was good for one use: the next buyer is refused, and no order is left behind.
    const next = await createMember(t, shop.id)
    const refused = await api.place(next.token, basket({ couponCodes: ['FREE100'] }))
    expect(problem(refused)).toEqual([422, 'COUPON_EXHAUSTED'])
    expect(await orderRowCounts(t, [], next.userId)).toMatchObject({ orders: 0 })
  })
})

describe('reading orders', () => {
  it('shows an order to its buyer and to finance, and to nobody else (404)', async () => {
    const buyer = await createMember(t, shop.id)
    const placed = await api.place(buyer.token, basket())
    const id = placed.json().id as string
    expect((await api.get(buyer.token, id)).statusCode).toBe(200)
    expect((await api.get(await t.tokenFor(shop.id, ['finance']), id)).statusCode).toBe(200)
    expect((await api.get(shop.admin, id)).statusCode).toBe(200)
    const stranger = await createMember(t, shop.id)
    expect(problem(await api.get(stranger.token, id))).toEqual([404, 'ORDER_NOT_FOUND'])
    expect(problem(await api.get(shop.instructor.token, id))).toEqual([404, 'ORDER_NOT_FOUND'])
    const elsewhere = await couponShop(t)
    expect(problem(await api.get(elsewhere.admin, id))).toEqual([404, 'ORDER_NOT_FOUND'])
    expect(problem(await api.get(buyer.token, randomUUID()))).toEqual([404, 'ORDER_NOT_FOUND'])
    expect((await api.get(buyer.token, 'not-a-uuid')).statusCode).toBe(400)
    expect((await api.get(undefined, id)).statusCode).toBe(401)
  })

  it('lists the buyer’s own orders newest first, page by page', async () => {
    const buyer = await createMember(t, shop.id)
    const first = (await api.place(buyer.token, basket({ productIds: [shop.productIds[0]] }))).json().id
    const second = (await api.place(buyer.token, basket({ productIds: [shop.productIds[1]] }))).json().id
    await api.place((await createMember(t, shop.id)).token, basket())
    const page = await api.mine(buyer.token, '?limit=1')
    expect(page.statusCode, page.body).toBe(200)
    expect(page.json().data.map((order: { id: string }) => order.id)).toEqual([second])
    const next = await api.mine(buyer.token, `?limit=1&cursor=${page.json().nextCursor}`)
    expect(next.json()).toMatchObject({ data: [{ id: first, lines: [{ productId: shop.productIds[0] }] }] })
    expect(next.json().nextCursor).toBeNull()
    expect(problem(await api.mine(buyer.token, '?cursor=nonsense'))).toEqual([400, 'INVALID_CURSOR'])
    expect((await api.mine(undefined)).statusCode).toBe(401)
  })

  it('keeps a coupon’s redemption with the order that reserved it', async () => {
    const buyer = await createMember(t, shop.id)
    const placed = await api.place(buyer.token, basket({ couponCodes: ['WELCOME10'] }))
    const coupons = await couponsClient(t).list(shop.admin, '?code=WELCOME10')
    expect(coupons.json().data[0].redemptions).toBeGreaterThanOrEqual(1)
    const [row] = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ count: number }>(
        tx,
        sql`SELECT count(*)::int AS count FROM commerce.coupon_redemptions WHERE order_id = ${placed.json().id}::uuid`,
      ),
    )
    expect(row?.count).toBe(1)
  })
})
