/**
 * The database's own rules for orders (migration orders_rls), whatever code writes them: at
 * commit an order has lines and its totals are their sums; a line's gross is its net plus tax;
 * the request role cannot change an order's amounts or delete anything; an Idempotency-Key places
 * one order per buyer under concurrency; a coupon redemption names an order of its tenant.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { tenantScope, type Tx } from '../../../platform/db/database.ts'
import { couponShop, couponsClient, type CouponShop } from '../coupons/coupons.testing.ts'
import { parseCurrencyCode } from '../money/index.ts'
import { priceFor } from '../prices/price-for.ts'
import { ordersRepository, type NewOrder, type NewOrderLine } from './orders.repository.ts'
import { ensureTestOrder } from './orders.testing.ts'

let t: TestApp
let shop: CouponShop
beforeAll(async () => {
  t = await buildTestApp()
  shop = await couponShop(t)
})
afterAll(async () => t?.close())

const inShop = <T>(work: (tx: Tx) => Promise<T>) => t.platform.database.transaction(tenantScope(shop.id), work)

/** What the transaction failed with at commit (or during it): the constraint's name or the message. */
async function failure(work: (tx: Tx) => Promise<unknown>): Promise<string> {
  try {
    await inShop(work)
    return 'committed'
  } catch (error) {
    const cause = (error as { cause?: { constraint?: string; message?: string } }).cause ?? error
    const { constraint, message } = cause as { constraint?: string; message?: string }
    return constraint ?? message ?? String(error)
  }
}

/** An order of one EUR 45.00 line (untaxed), with `order` and `line` fields changed. */
async function order(tx: Tx, change: { order?: Partial<NewOrder>; lines?: Array<Partial<NewOrderLine>> } = {}) {
  const price = await priceFor(tx, shop.productIds[0], parseCurrencyCode('EUR'))
  const line: NewOrderLine = {
    position: 0,
    productId: price.productId,
    productType: price.productType,
    subjectId: price.subjectId,
    title: 'Line',
    priceVersionId: price.priceVersionId,
    listPrice: 4500,
    discount: 0,
    net: 4500,
    tax: 0,
    gross: 4500,
  }
  return ordersRepository.insert(
    tx,
    {
      id: randomUUID(),
      buyerId: randomUUID(),
      idempotencyKey: randomUUID(),
      currency: 'EUR',
      subtotal: 4500,
      discountTotal: 0,
      netTotal: 4500,
      taxTotal: 0,
      total: 4500,
      taxTreatment: 'not-registered',
      pricesIncludeTax: false,
      billingCountry: 'DE',
      ...change.order,
    },
    (change.lines ?? [{}]).map((lineChange, position) => ({ ...line, position, ...lineChange })),
  )
}

describe('orders in the database', () => {
  it('commits an order whose totals are the sums of its lines, and refuses one whose are not', async () => {
    expect(await failure((tx) => order(tx))).toBe('committed')
    expect(await failure((tx) => order(tx, { order: { subtotal: 4600, netTotal: 4600, total: 4600 } }))).toBe(
      'order_totals_sum_lines',
    )
    expect(await failure((tx) => order(tx, { lines: [{}, { position: 1, productId: shop.productIds[1] }] }))).toBe(
      'order_totals_sum_lines',
    )
  })

  it('refuses an order without lines at commit', async () => {
    expect(
      await failure((tx) =>
        tx.execute(sql`INSERT INTO commerce.orders (tenant_id, buyer_id, idempotency_key, currency, subtotal, discount_total,
                         net_total, tax_total, total, tax_treatment, prices_include_tax, billing_country)
                       VALUES (${shop.id}::uuid, gen_random_uuid(), 'k', 'EUR', 0, 0, 0, 0, 0, 'standard', false, 'DE')`),
      ),
    ).toBe('order_lines_present')
  })

  it('checks each line: gross is net plus tax, nothing negative, a discount within the price', async () => {
    expect(await failure((tx) => order(tx, { lines: [{ gross: 4501 }] }))).toBe('order_lines_gross_sum')
    expect(await failure((tx) => order(tx, { lines: [{ discount: 4600 }] }))).toBe('order_lines_discount_range')
    expect(await failure((tx) => order(tx, { lines: [{ listPrice: -1, net: -1, gross: -1 }] }))).toBe(
      'order_lines_amounts_not_negative',
    )
    expect(await failure((tx) => order(tx, { order: { taxTotal: -1, total: 4499 } }))).toBe(
      'orders_amounts_not_negative',
    )
  })

  it('lets the request role change an order’s state but never its amounts, and delete nothing', async () => {
    const placed = await inShop((tx) => order(tx))
    const id = placed!.id
    expect(await failure((tx) => ordersRepository.update(tx, id, { reviewReason: 'checked' }))).toBe('committed')
    for (const statement of [
      sql`UPDATE commerce.orders SET total = 1 WHERE id = ${id}::uuid`,
      sql`UPDATE commerce.order_lines SET net = 1 WHERE order_id = ${id}::uuid`,
      sql`DELETE FROM commerce.order_lines WHERE order_id = ${id}::uuid`,
      sql`DELETE FROM commerce.orders WHERE id = ${id}::uuid`,
    ])
      expect(await failure((tx) => tx.execute(statement))).toMatch(/permission denied/)
  })

  it('places one order per buyer and Idempotency-Key, however many transactions race for it', async () => {
    const buyerId = randomUUID()
    const key = randomUUID()
    const results = await Promise.all(
      Array.from({ length: 10 }, () => inShop((tx) => order(tx, { order: { buyerId, idempotencyKey: key } }))),
    )
    expect(results.filter((row) => row !== undefined)).toHaveLength(1)
    const [found] = await inShop((tx) =>
      tx.execute(sql`SELECT count(*)::int AS n FROM commerce.orders WHERE buyer_id = ${buyerId}::uuid`),
    ).then((result) => (result as unknown as { rows: Array<{ n: number }> }).rows)
    expect(found?.n).toBe(1)
  })

  it('keeps coupon redemptions to orders of their tenant', async () => {
    const coupon = await couponsClient(t).create(shop.admin, { code: 'FKCHECK', kind: 'percent', percentOff: '5' })
    expect(coupon.statusCode, coupon.body).toBe(201)
    const other = await couponShop(t)
    const theirs = randomUUID()
    await t.platform.database.transaction(tenantScope(other.id), (tx) =>
      ensureTestOrder(tx, { id: theirs, buyerId: randomUUID(), productId: other.productIds[0], currency: 'EUR' }),
    )
    const mine = randomUUID()
    await inShop((tx) =>
      ensureTestOrder(tx, { id: mine, buyerId: randomUUID(), productId: shop.productIds[0], currency: 'EUR' }),
    )
    const redeem = (orderId: string) => (tx: Tx) =>
      tx.execute(sql`INSERT INTO commerce.coupon_redemptions (tenant_id, coupon_id, order_id, buyer_id)
                     VALUES (${shop.id}::uuid, ${coupon.json().id}::uuid, ${orderId}::uuid, gen_random_uuid())`)
    expect(await failure(redeem(theirs))).toBe('coupon_redemptions_order_fk')
    expect(await failure(redeem(randomUUID()))).toBe('coupon_redemptions_order_fk')
    expect(await failure(redeem(mine))).toBe('committed')
  })
})
