/**
 * Test helpers of orders: the HTTP calls, a shop with tax and coupons and a buyer, row counts.
 * `ensureTestOrder` writes an order row directly (in the caller's tenant
 * transaction) for tests of the parts an order references — coupon reservations need their order
 * to exist (a foreign key) — without going through checkout: one line of `productId` at its
 * current price, untaxed, so its totals are the line's.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf, type Tx } from '../../../platform/db/database.ts'
import { createMember, type TestMember } from '../../enrolment/testing.ts'
import { couponShop, couponsClient, type CouponShop } from '../coupons/coupons.testing.ts'
import { parseCurrencyCode } from '../money/index.ts'
import { priceFor } from '../prices/price-for.ts'
import { taxClient } from '../tax/tax.testing.ts'
import { ordersRepository } from './orders.repository.ts'

export interface TestOrder {
  id: string
  buyerId: string
  productId: string
  currency: string
}

/** Inserts the order unless it exists (idempotent, so a retried reservation can call it again). */
export async function ensureTestOrder(tx: Tx, order: TestOrder): Promise<void> {
  if (await ordersRepository.find(tx, order.id)) return
  const price = await priceFor(tx, order.productId, parseCurrencyCode(order.currency))
  const amount = price.price.amount
  await ordersRepository.insert(
    tx,
    {
      id: order.id,
      buyerId: order.buyerId,
      idempotencyKey: `test-${order.id}`,
      currency: order.currency,
      subtotal: amount,
      discountTotal: 0,
      netTotal: amount,
      taxTotal: 0,
      total: amount,
      taxTreatment: 'not-registered',
      pricesIncludeTax: false,
      billingCountry: 'US',
    },
    [
      {
        position: 0,
        productId: price.productId,
        productType: price.productType,
        subjectId: price.subjectId,
        title: 'Test order line',
        priceVersionId: price.priceVersionId,
        listPrice: amount,
        discount: 0,
        net: amount,
        tax: 0,
        gross: amount,
      },
    ],
  )
}

type Response = Awaited<ReturnType<TestApp['app']['inject']>>

/** The order calls over HTTP; `place` sends a fresh Idempotency-Key unless one is given. */
export function ordersClient(t: TestApp) {
  const headers = (token: string | undefined, extra: Record<string, string> = {}) => ({
    ...(token ? t.auth(token) : {}),
    ...extra,
  })
  return {
    place: (token: string | undefined, body: unknown, key: string | null = randomUUID()): Promise<Response> =>
      t.app.inject({
        method: 'POST',
        url: '/v1/orders',
        headers: headers(token, key === null ? {} : { 'idempotency-key': key }),
        payload: body as object,
      }),
    get: (token: string | undefined, orderId: string): Promise<Response> =>
      t.app.inject({ method: 'GET', url: `/v1/orders/${orderId}`, headers: headers(token) }),
    mine: (token: string | undefined, query = ''): Promise<Response> =>
      t.app.inject({ method: 'GET', url: `/v1/me/orders${query}`, headers: headers(token) }),
  }
}

export interface OrderShop extends CouponShop {
  /** A member who buys (a real user of the tenant, as admission requires). */
  buyer: TestMember
}

/**
 * A tenant selling two courses (EUR 45.00 and 18.00) with German VAT at 19 %, the coupons
 * WELCOME10 (10 % off) and FREE100 (100 % off, once in all), and a buyer.
 */
export async function orderShop(t: TestApp): Promise<OrderShop> {
  const shop = await couponShop(t)
  const tax = taxClient(t)
  const profile = await tax.replaceProfile(shop.admin, {
    sellerLegalName: 'Lyceum Demo GmbH',
    sellerCountry: 'DE',
    sellerTaxId: 'DE123456789',
    reverseChargeB2B: true,
  })
  if (profile.statusCode !== 200) throw new Error(`tax profile: ${profile.statusCode} ${profile.body}`)
  const rate = await tax.setRate(shop.admin, 'DE', { name: 'USt', rate: '0.19' }, { 'if-match': '"v0"' })
  if (rate.statusCode >= 300) throw new Error(`tax rate: ${rate.statusCode} ${rate.body}`)
  const coupons = couponsClient(t)
  for (const coupon of [
    { code: 'WELCOME10', kind: 'percent', percentOff: '10' },
    { code: 'FREE100', kind: 'percent', percentOff: '100', maxRedemptions: 1 },
  ]) {
    const created = await coupons.create(shop.admin, coupon)
    if (created.statusCode !== 201) throw new Error(`coupon: ${created.statusCode} ${created.body}`)
  }
  return { ...shop, buyer: await createMember(t, shop.id) }
}

/** Rows of the tables payments and orders keep, as the platform role sees them. */
export async function orderRowCounts(t: TestApp, orderIds: readonly string[], buyerId: string) {
  // One array literal parameter (Drizzle would spread a JS array into a parameter list).
  const ids = `{${orderIds.join(',')}}`
  const [row] = await t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ orders: number; payments: number; sandbox: number }>(
      tx,
      sql`SELECT (SELECT count(*) FROM commerce.orders WHERE buyer_id = ${buyerId}::uuid)::int AS orders,
                 (SELECT count(*) FROM commerce.payments WHERE order_id::text = ANY(${ids}::text[]))::int AS payments,
                 (SELECT count(*) FROM commerce.sandbox_payments WHERE metadata->>'order_id' = ANY(${ids}::text[]))::int AS sandbox`,
    ),
  )
  if (!row) throw new Error('no counts')
  return row
}
