/**
 * The administrators' payments report over HTTP: who may read it, filters, keyset pages (one
 * statement each, forged cursors refused), the CSV download (header, exact decimals, formula
 * cells defused, streamed across many pages) and tenants kept apart.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { rowsOf, tenantScope } from '../../../platform/db/database.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import { forgedCursor } from '../../../platform/http/pagination.testing.ts'
import { createMember } from '../../enrolment/testing.ts'
import { EXPORT_PAGE_SIZE } from './payments-report.ts'
import type { PaymentsApi } from './payments.module.ts'
import { orderId } from './payments.testing.ts'

let t: TestApp
let api: PaymentsApi
const statements = new Map<string, number>()

beforeAll(async () => {
  t = await buildTestApp({
    instrument: (app) =>
      app.addHook('onResponse', async (request) => {
        if (request.ctx) statements.set(request.url, request.ctx.counter.queries)
      }),
  })
  api = t.modules.commerce.payments
})
afterAll(async () => t?.close())

const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: t.auth(token) })

async function pay(tenantId: string, paymentMethod: string, amount: number, currency: string, manual = false) {
  return api.createPayment(systemContext(t.platform.database, tenantId, 'payments-report'), {
    orderId: orderId(),
    amount,
    currency,
    captureMethod: manual ? 'manual' : 'automatic',
    paymentMethod,
    idempotencyKey: randomUUID(),
  })
}

type Listed = { id: string; status: string; provider: string; amount: { amount: number; currency: string } }
const page = async (url: string, token: string) => {
  const response = await get(url, token)
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as { data: Listed[]; nextCursor: string | null }
}

describe('the payments report', () => {
  let tenant: { id: string; slug: string }
  let finance: string
  let paid: string
  let declined: string
  let held: string

  beforeAll(async () => {
    tenant = await t.createTenant()
    finance = (await createMember(t, tenant.id, ['finance'])).token
    paid = (await pay(tenant.id, 'pm_sandbox_visa', 1999, 'EUR')).id
    declined = (await pay(tenant.id, 'pm_sandbox_declined', 500, 'EUR')).id
    held = (await pay(tenant.id, 'pm_sandbox_visa', 12_345, 'BHD', true)).id
  })

  it('lists the tenant payments newest first, page by page, one statement a page', async () => {
    const seen: Listed[] = []
    let cursor: string | null = null
    do {
      const url = `/v1/commerce/payments?limit=1${cursor ? `&cursor=${cursor}` : ''}`
      const body = await page(url, finance)
      expect(statements.get(url)).toBe(1)
      seen.push(...body.data)
      cursor = body.nextCursor
    } while (cursor)
    expect(seen.map((p) => p.id)).toEqual([held, declined, paid])
    expect(seen[0]).toMatchObject({
      status: 'requires_capture',
      provider: 'sandbox',
      captureMethod: 'manual',
      amount: { amount: 12_345, currency: 'BHD' },
      amountCaptured: { amount: 0, currency: 'BHD' },
    })
    expect(seen[1]).toMatchObject({ status: 'requires_payment_method', failureCode: 'card_declined' })
    expect(seen[2]).toMatchObject({ status: 'succeeded', amountCaptured: { amount: 1999, currency: 'EUR' } })
  })

  it('filters by status, provider, currency and creation time', async () => {
    const ids = async (query: string) => (await page(`/v1/commerce/payments?${query}`, finance)).data.map((p) => p.id)
    expect(await ids('status=succeeded')).toEqual([paid])
    expect(await ids('currency=EUR')).toEqual([declined, paid])
    expect(await ids('provider=stripe')).toEqual([])
    expect(await ids('provider=sandbox&currency=BHD&status=requires_capture')).toEqual([held])
    const [first] = (await page('/v1/commerce/payments?status=succeeded', finance)).data as Array<
      Listed & { createdAt: string }
    >
    expect(await ids(`createdBefore=${encodeURIComponent(first?.createdAt ?? '')}`)).toEqual([])
    expect(await ids(`createdFrom=${encodeURIComponent(first?.createdAt ?? '')}`)).toEqual([held, declined, paid])
    expect(await ids(`createdFrom=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([])
  })

  it('refuses a forged cursor, a bad filter and a window that ends before it starts with 400 problems', async () => {
    const problem = async (query: string) => (await get(`/v1/commerce/payments?${query}`, finance)).json()
    expect(await problem(`cursor=${forgedCursor(['not-an-instant', randomUUID()])}`)).toMatchObject({
      status: 400,
      code: 'INVALID_CURSOR',
    })
    expect(await problem('cursor=bm9wZQ')).toMatchObject({ status: 400, code: 'INVALID_CURSOR' })
    expect(await problem('status=paid')).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' })
    expect(await problem('currency=eur')).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' })
    expect(await problem('createdFrom=0000-01-01T00:00:00Z')).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' })
    expect(await problem('createdFrom=2026-12-02T00:00:00Z&createdBefore=2026-12-01T00:00:00Z')).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
    })
  })

  it('downloads as CSV with a header, exact decimals and the same filters', async () => {
    const response = await get('/v1/commerce/payments.csv?currency=BHD', finance)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="payments-\d{4}-\d{2}-\d{2}\.csv"$/)
    const [header, row, end] = response.body.split('\r\n')
    expect(header).toBe(
      'id,created_at,updated_at,order_id,provider,provider_payment_id,status,capture_method,currency,amount,amount_captured,amount_minor_units,amount_captured_minor_units,failure_code',
    )
    expect(row?.split(',')).toEqual([
      held,
      expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
      expect.any(String),
      expect.any(String),
      'sandbox',
      expect.stringMatching(/^sbpi_/),
      'requires_capture',
      'manual',
      'BHD',
      '12.345',
      '0.000',
      '12345',
      '0',
      '',
    ])
    expect(end).toBe('')
  })

  it('defuses cells a spreadsheet would run as a formula', async () => {
    // A provider's decline code is text we did not write: a hostile one must not become a formula.
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      rowsOf(
        tx,
        sql`UPDATE commerce.payments SET failure_code = '=HYPERLINK("http://x.example")' WHERE id = ${declined}`,
      ),
    )
    const body = (await get('/v1/commerce/payments.csv?status=requires_payment_method', finance)).body
    expect(body).toContain(`,"'=HYPERLINK(""http://x.example"")"\r\n`)
    expect(body).not.toMatch(/,=HYPERLINK/)
  })

  it('streams every row of a long report, page after page, in order', async () => {
    const big = await t.createTenant()
    const reader = await t.tokenFor(big.id, ['tenant_admin'])
    const count = EXPORT_PAGE_SIZE * 2 + 7
    // Rows straight into the table: one statement instead of a thousand payments at the sandbox.
    await t.platform.database.transaction(tenantScope(big.id), (tx) =>
      rowsOf(
        tx,
        sql`INSERT INTO commerce.payments (tenant_id, order_id, provider, idempotency_key, amount, currency, capture_method, created_at)
            SELECT ${big.id}::uuid, gen_random_uuid(), 'sandbox', 'bulk-' || n, 100 + n, 'USD', 'automatic',
                   timestamptz '2026-12-01 10:00:00Z' + (n % 5) * interval '1 microsecond'
              FROM generate_series(1, ${count}) AS n`,
      ),
    )
    const lines = (await get('/v1/commerce/payments.csv', reader)).body.split('\r\n').slice(1, -1)
    expect(lines).toHaveLength(count)
    expect(new Set(lines.map((line) => line.split(',')[0])).size).toBe(count)
    const keys = lines.map((line) => `${line.split(',')[1]} ${line.split(',')[0]}`)
    expect(keys).toEqual([...keys].sort().reverse())
  })

  it('keeps tenants apart, and is for ledger readers only', async () => {
    const other = await t.createTenant()
    const theirs = await t.tokenFor(other.id, ['tenant_admin'])
    expect((await page('/v1/commerce/payments', theirs)).data).toEqual([])
    const csv = (await get('/v1/commerce/payments.csv', theirs)).body
    expect(csv.split('\r\n')).toHaveLength(2)
    for (const url of ['/v1/commerce/payments', '/v1/commerce/payments.csv']) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401)
      const learner = await createMember(t, tenant.id)
      expect((await get(url, learner.token)).json()).toMatchObject({ status: 403, code: 'PERMISSION_DENIED' })
      const instructor = await createMember(t, tenant.id, ['instructor'])
      expect((await get(url, instructor.token)).statusCode).toBe(403)
    }
  })
})
