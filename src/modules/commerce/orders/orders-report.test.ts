/**
 * The administrators' orders report: GET /v1/commerce/orders (filters, keyset pages, forged
 * cursors, who may read it, another tenant's orders) and its CSV export (every matching order
 * across pages, exact decimal amounts, cells a spreadsheet would evaluate defused).
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { priceFor } from '../prices/price-for.ts'
import { parseCurrencyCode } from '../money/index.ts'
import { ordersRepository } from './orders.repository.ts'
import {
  captureByEvent,
  deliverSandboxEvent,
  inTenant,
  placeOrder,
  shop,
  type PlacedOrder,
  type Shop,
} from './refunds.testing.ts'

/** An order placed and paid by a signed capture the capture handler books now (no worker in this file). */
async function paidOrder(app: TestApp, seller: Shop): Promise<PlacedOrder> {
  const order = await placeOrder(app, seller)
  await captureByEvent(app, seller.id, order)
  return order
}

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: t.auth(token) })

/** A minimal RFC 4180 reader, so the test checks quoting rather than trusting a split on commas. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"'
      i++
    } else if (c === '"') quoted = !quoted
    else if (!quoted && c === ',') {
      row.push(cell)
      cell = ''
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      i++
    } else cell += c
  }
  return rows
}

/** `count` paid-looking orders of one line in one statement each for orders and lines (all created at one instant). */
async function bulkOrders(s: Shop, count: number, buyerId: string) {
  await inTenant(t, s.id, async (tx) => {
    const price = await priceFor(tx, s.productId, parseCurrencyCode('EUR'))
    await tx.execute(sql`
      WITH placed AS (
        INSERT INTO commerce.orders (tenant_id, buyer_id, idempotency_key, currency, subtotal, discount_total, net_total,
                                     tax_total, total, tax_treatment, prices_include_tax, billing_country)
        SELECT ${s.id}::uuid, ${buyerId}::uuid, 'bulk-' || g, 'EUR', 1999, 0, 1999, 0, 1999, 'not-registered', false, 'DE'
        FROM generate_series(1, ${count}::int) g
        RETURNING id
      )
      INSERT INTO commerce.order_lines (tenant_id, order_id, position, product_id, product_type, subject_id, title,
                                        price_version_id, list_price, discount, net, tax, gross)
      SELECT ${s.id}::uuid, placed.id, 0, ${s.productId}::uuid, 'course', ${s.courseId}::uuid, 'Bulk',
             ${price.priceVersionId}::uuid, 1999, 0, 1999, 0, 1999
      FROM placed`)
  })
}

describe('GET /v1/commerce/orders', () => {
  it('lists the tenant’s orders newest first, filtered, in keyset pages', async () => {
    const s = await shop(t)
    const waiting = await placeOrder(t, s)
    const paid = await paidOrder(t, s)
    const refunded = await paidOrder(t, s)
    await deliverSandboxEvent(t, s.id, refunded, 'refund.succeeded', { id: `re_${randomUUID()}`, amount: 5_000 })
    await placeOrder(t, await shop(t))
    const finance = await t.tokenFor(s.id, ['finance'])
    const all = await get('/v1/commerce/orders', finance)
    expect(all.statusCode, all.body).toBe(200)
    expect(all.json().data.map((o: { id: string }) => o.id)).toEqual([refunded.orderId, paid.orderId, waiting.orderId])
    expect(all.json().data[0]).toMatchObject({
      id: refunded.orderId,
      buyerId: refunded.buyerId,
      status: 'refunded',
      total: { amount: 5_000, currency: 'EUR' },
      refunded: { amount: 5_000, currency: 'EUR' },
      paymentId: refunded.paymentId,
      provider: 'sandbox',
      needsRefund: false,
      paidAt: expect.any(String),
    })
    const ids = async (query: string) =>
      (await get(`/v1/commerce/orders?${query}`, s.admin)).json().data.map((o: { id: string }) => o.id)
    expect(await ids('status=paid')).toEqual([paid.orderId])
    expect(await ids('status=awaiting_payment')).toEqual([waiting.orderId])
    expect(await ids(`buyerId=${paid.buyerId}`)).toEqual([paid.orderId])
    expect(await ids('currency=USD')).toEqual([])
    expect(await ids('createdFrom=2999-01-01T00:00:00Z')).toEqual([])
    expect(await ids('createdTo=2000-01-01T00:00:00Z')).toEqual([])
    expect(await ids(`createdFrom=2000-01-01T00:00:00Z&createdTo=2999-01-01T00:00:00Z`)).toHaveLength(3)
    // Page by page: every order once.
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: { data: Array<{ id: string }>; nextCursor: string | null } = (
        await get(`/v1/commerce/orders?limit=1${cursor ? `&cursor=${cursor}` : ''}`, s.admin)
      ).json()
      seen.push(...page.data.map((o: { id: string }) => o.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(seen).toEqual([refunded.orderId, paid.orderId, waiting.orderId])
  })

  it('refuses bad filters and forged cursors with 400, and other roles with 403', async () => {
    const s = await shop(t)
    const codeOf = async (query: string) => {
      const response = await get(`/v1/commerce/orders?${query}`, s.admin)
      return [response.statusCode, response.json().code]
    }
    expect(await codeOf('cursor=bm90LWEtY3Vyc29y')).toEqual([400, 'INVALID_CURSOR'])
    expect(await codeOf('createdFrom=2030-01-02T00:00:00Z&createdTo=2030-01-01T00:00:00Z')).toEqual([
      400,
      'VALIDATION_FAILED',
    ])
    expect(await codeOf('status=lost')).toEqual([400, 'VALIDATION_FAILED'])
    expect(await codeOf('buyerId=someone')).toEqual([400, 'VALIDATION_FAILED'])
    expect(await codeOf('currency=eur')).toEqual([400, 'VALIDATION_FAILED'])
    for (const role of ['learner', 'instructor', 'compliance'] as const) {
      const token = await t.tokenFor(s.id, [role])
      expect((await get('/v1/commerce/orders', token)).statusCode).toBe(403)
      expect((await get('/v1/commerce/orders.csv', token)).statusCode).toBe(403)
    }
  })

  it('shows no other tenant’s orders', async () => {
    const a = await shop(t)
    const b = await shop(t)
    await placeOrder(t, a)
    expect((await get('/v1/commerce/orders', b.admin)).json().data).toEqual([])
  })
})

describe('GET /v1/commerce/orders.csv', () => {
  it('streams a header and every matching order, amounts as decimals, formulas defused', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s)
    await inTenant(t, s.id, (tx) =>
      ordersRepository.update(tx, order.orderId, { reviewReason: '=HYPERLINK("http://evil", "click")' }),
    )
    const response = await get('/v1/commerce/orders.csv', s.admin)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="orders-\d{4}-\d{2}-\d{2}\.csv"$/)
    const [header, ...rows] = parseCsv(response.body)
    expect(header).toEqual([
      'id',
      'created_at',
      'paid_at',
      'status',
      'buyer_id',
      'currency',
      'subtotal',
      'discount_total',
      'tax_total',
      'total',
      'refunded',
      'tax_treatment',
      'billing_country',
      'vat_id',
      'provider',
      'payment_id',
      'coupon_codes',
      'needs_refund',
      'review_reason',
    ])
    const column = (name: string) => (header as string[]).indexOf(name)
    expect(rows).toHaveLength(1)
    const [row] = rows as [string[]]
    expect(row[column('id')]).toBe(order.orderId)
    expect(row[column('status')]).toBe('paid')
    expect(row[column('total')]).toBe('50.00')
    expect(row[column('refunded')]).toBe('0.00')
    expect(row[column('review_reason')]).toBe('\'=HYPERLINK("http://evil", "click")')
  })

  it('streams more orders than one page, with the listing’s filters', async () => {
    const s = await shop(t)
    const buyer = randomUUID()
    await bulkOrders(s, 520, buyer)
    const waiting = await placeOrder(t, s)
    const all = parseCsv((await get('/v1/commerce/orders.csv', s.admin)).body).slice(1)
    expect(all).toHaveLength(521)
    expect(new Set(all.map((row) => row[0])).size).toBe(521)
    expect(all[0]?.[0]).toBe(waiting.orderId)
    const theirs = parseCsv((await get(`/v1/commerce/orders.csv?buyerId=${buyer}`, s.admin)).body).slice(1)
    expect(theirs).toHaveLength(520)
    expect(theirs.every((row) => row[9] === '19.99')).toBe(true)
    expect(parseCsv((await get('/v1/commerce/orders.csv?status=refunded', s.admin)).body)).toHaveLength(1)
    expect((await get('/v1/commerce/orders.csv?limit=5', s.admin)).statusCode).toBe(400)
    expect(
      (await get('/v1/commerce/orders.csv?createdFrom=2030-01-02T00:00:00Z&createdTo=2030-01-01T00:00:00Z', s.admin))
        .statusCode,
    ).toBe(400)
  })
})
