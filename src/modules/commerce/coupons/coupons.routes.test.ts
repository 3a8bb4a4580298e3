/**
 * Coupons over HTTP: created with checked terms, listed and read by administrators, archived
 * instead of edited, audited; bad input is a 4xx problem naming the field; nothing crosses tenants.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { rowsOf, type QueryCounter } from '../../../platform/db/database.ts'
import { auditEntries } from '../prices/prices.testing.ts'
import { impersonatedAdmin, inTenant } from '../tax/tax.testing.ts'
import { couponShop, couponsClient } from './coupons.testing.ts'

let t: TestApp
let api: ReturnType<typeof couponsClient>
const counters = new Map<string, QueryCounter>()
beforeAll(async () => {
  t = await buildTestApp({
    instrument: (app) =>
      app.addHook('onResponse', async (request) => {
        if (request.ctx) counters.set(request.url, { ...request.ctx.counter })
      }),
  })
  api = couponsClient(t)
})
afterAll(async () => t?.close())

const WELCOME = {
  code: 'Welcome10',
  kind: 'percent',
  percentOff: '10',
  maxDiscounts: [
    { currency: 'USD', amount: 1500 },
    { currency: 'EUR', amount: 1200 },
  ],
}

const problem = (response: { statusCode: number; json(): Record<string, unknown> }) => {
  const body = response.json() as { code?: string; errors?: Array<{ path: string }> }
  return [response.statusCode, body.code, body.errors?.[0]?.path]
}

describe('coupon administration', () => {
  it('creates coupons with upper-case codes, reads and lists them, audited', async () => {
    const s = await couponShop(t)
    const created = await api.create(s.admin, WELCOME)
    expect(created.statusCode, created.body).toBe(201)
    const welcome = created.json()
    expect(created.headers.location).toBe(`/v1/commerce/coupons/${welcome.id}`)
    expect(welcome).toMatchObject({
      code: 'WELCOME10',
      kind: 'percent',
      percentOff: '10',
      amountsOff: [],
      maxDiscounts: [
        { amount: 1200, currency: 'EUR' },
        { amount: 1500, currency: 'USD' },
      ],
      validFrom: null,
      validUntil: null,
      maxRedemptions: null,
      productIds: null,
      stackable: false,
      redemptions: 0,
      status: 'active',
      archivedAt: null,
    })
    expect(welcome.createdBy).toMatch(/^user:/)
    const until = new Date(Date.now() + 86_400_000).toISOString()
    const fixed = await api.create(s.admin, {
      code: 'five-off',
      kind: 'fixed',
      amountsOff: [{ currency: 'USD', amount: 500 }],
      validUntil: until,
      maxRedemptions: 100,
      maxRedemptionsPerBuyer: 1,
      productIds: [s.productIds[1]],
      stackable: true,
    })
    expect(fixed.statusCode, fixed.body).toBe(201)
    // Ids have one spelling (docs/architecture.md, API conventions): an upper-case product id is a 400.
    const shouted = await api.create(s.admin, {
      ...WELCOME,
      code: 'shouted',
      productIds: [s.productIds[1].toUpperCase()],
    })
    expect(shouted.statusCode, shouted.body).toBe(400)
    expect(fixed.json()).toMatchObject({
      code: 'FIVE-OFF',
      percentOff: null,
      amountsOff: [{ amount: 500, currency: 'USD' }],
      productIds: [s.productIds[1]],
      maxRedemptionsPerBuyer: 1,
      stackable: true,
    })
    expect((await api.get(s.admin, welcome.id)).json()).toEqual(welcome)
    const list = (await api.list(s.admin)).json()
    expect(list.data.map((c: { code: string }) => c.code)).toEqual(['FIVE-OFF', 'WELCOME10'])
    expect((await api.list(s.admin, '?code=welcome10')).json().data).toHaveLength(1)
    const first = (await api.list(s.admin, '?limit=1')).json()
    expect(first.data).toHaveLength(1)
    const second = (await api.list(s.admin, `?limit=1&cursor=${first.nextCursor}`)).json()
    expect([second.data[0].code, second.nextCursor]).toEqual(['WELCOME10', null])
    const audit = await auditEntries(t, s.id, 'commerce.coupon_created')
    expect(audit.map((entry) => [entry.target_id, entry.details.code])).toEqual([
      [welcome.id, 'WELCOME10'],
      [fixed.json().id, 'FIVE-OFF'],
    ])
    expect(audit[0]!.details).toMatchObject({ percentOff: '10', maxDiscounts: welcome.maxDiscounts, stackable: false })
  })

  it('archives instead of editing: the code is then free for a coupon with new terms', async () => {
    const s = await couponShop(t)
    const old = (await api.create(s.admin, WELCOME)).json()
    expect(problem(await api.create(s.admin, { ...WELCOME, code: 'WELCOME10', percentOff: '20' }))).toEqual([
      409,
      'COUPON_CODE_TAKEN',
      'body.code',
    ])
    const archived = await api.archive(s.admin, old.id)
    expect(archived.statusCode).toBe(200)
    expect(archived.json()).toMatchObject({ status: 'archived', archivedBy: expect.stringMatching(/^user:/) })
    expect((await api.archive(s.admin, old.id)).json().archivedAt).toBe(archived.json().archivedAt)
    const renewed = await api.create(s.admin, { ...WELCOME, percentOff: '20' })
    expect([renewed.statusCode, renewed.json().percentOff]).toEqual([201, '20'])
    expect((await api.list(s.admin)).json().data.map((c: { id: string }) => c.id)).toEqual([renewed.json().id])
    expect((await api.list(s.admin, '?status=archived')).json().data.map((c: { id: string }) => c.id)).toEqual([old.id])
    expect((await api.list(s.admin, '?status=all')).json().data).toHaveLength(2)
    const audit = await auditEntries(t, s.id, 'commerce.coupon_archived')
    expect(audit.map((entry) => [entry.target_id, entry.details])).toEqual([
      [old.id, { code: 'WELCOME10', redemptions: 0 }],
    ])
    // Terms cannot change in the database either, and an archive is never undone.
    const attempt = (statement: ReturnType<typeof sql>) =>
      inTenant(t, s.id, (tx) => rowsOf(tx, statement)).then(
        () => 'updated',
        (error: { cause?: { code?: string } }) => error.cause?.code,
      )
    expect(await attempt(sql`update commerce.coupons set percent_off = 90 where id = ${renewed.json().id}`)).toBe(
      '42501',
    )
    expect(
      await attempt(sql`update commerce.coupons set archived_at = null, archived_by = null where id = ${old.id}`),
    ).toBe('55000')
  })

  it('refuses malformed codes, amounts, currencies, percentages, windows and terms of the other kind', async () => {
    const s = await couponShop(t)
    const refused = async (patch: Record<string, unknown>) =>
      problem(await api.create(s.admin, { ...WELCOME, ...patch }))
    const fixed = { kind: 'fixed', percentOff: undefined, maxDiscounts: undefined }
    expect(await refused({ code: 'NUL\u0000CODE' })).toEqual([400, 'VALIDATION_FAILED', 'body.code'])
    expect(await refused({ code: 'X'.repeat(33) })).toEqual([400, 'VALIDATION_FAILED', 'body.code'])
    expect(await refused({ code: 'AB' })).toEqual([400, 'VALIDATION_FAILED', 'body.code'])
    expect(await refused({ code: 'SPACE CODE' })).toEqual([400, 'VALIDATION_FAILED', 'body.code'])
    expect(await refused({ code: 'ÜBER10' })).toEqual([400, 'VALIDATION_FAILED', 'body.code'])
    for (const percentOff of ['0', '100.01', '12.345', '150'])
      expect(await refused({ percentOff })).toEqual([400, 'INVALID_PERCENT', 'body.percentOff'])
    for (const percentOff of ['-5', '1e2', 'ten', ''])
      expect(await refused({ percentOff })).toEqual([400, 'VALIDATION_FAILED', 'body.percentOff'])
    expect((await refused({ percentOff: '100' }))[0]).toBe(201)
    for (const amount of [1.5, 0, -1, 1e13, '1.5', null])
      expect((await refused({ ...fixed, code: 'FIX', amountsOff: [{ currency: 'USD', amount }] }))[0]).toBe(400)
    expect(await refused({ ...fixed, amountsOff: [{ currency: 'XYZ', amount: 5 }] })).toEqual([
      400,
      'UNKNOWN_CURRENCY',
      'body.amountsOff.0.currency',
    ])
    expect(await refused({ ...fixed, amountsOff: [{ currency: 'usd', amount: 5 }] })).toEqual([
      400,
      'VALIDATION_FAILED',
      'body.amountsOff.0.currency',
    ])
    expect(
      await refused({
        ...fixed,
        amountsOff: [
          { currency: 'USD', amount: 5 },
          { currency: 'USD', amount: 6 },
        ],
      }),
    ).toEqual([400, 'DUPLICATE_CURRENCY', 'body.amountsOff.1.currency'])
    expect(await refused({ maxDiscounts: [{ currency: 'JPY', amount: Number.POSITIVE_INFINITY }] })).toEqual([
      400,
      'VALIDATION_FAILED',
      'body.maxDiscounts.0.amount',
    ])
    expect(await refused({ ...fixed })).toEqual([422, 'COUPON_TERMS_INVALID', 'body.amountsOff'])
    expect(await refused({ ...fixed, percentOff: '5', amountsOff: [{ currency: 'USD', amount: 5 }] })).toEqual([
      422,
      'COUPON_TERMS_INVALID',
      'body.percentOff',
    ])
    expect(
      await refused({ ...fixed, amountsOff: [{ currency: 'USD', amount: 5 }], maxDiscounts: WELCOME.maxDiscounts }),
    ).toEqual([422, 'COUPON_TERMS_INVALID', 'body.maxDiscounts'])
    expect(await refused({ percentOff: undefined })).toEqual([422, 'COUPON_TERMS_INVALID', 'body.percentOff'])
    expect(await refused({ amountsOff: [{ currency: 'USD', amount: 5 }] })).toEqual([
      422,
      'COUPON_TERMS_INVALID',
      'body.amountsOff',
    ])
    const now = Date.now()
    const at = (ms: number) => new Date(now + ms).toISOString()
    expect(await refused({ validFrom: at(86_400_000), validUntil: at(86_400_000) })).toEqual([
      422,
      'COUPON_WINDOW_INVALID',
      'body.validUntil',
    ])
    expect(await refused({ validFrom: at(2 * 86_400_000), validUntil: at(86_400_000) })).toEqual([
      422,
      'COUPON_WINDOW_INVALID',
      'body.validUntil',
    ])
    expect(await refused({ validUntil: at(-1000) })).toEqual([422, 'COUPON_WINDOW_INVALID', 'body.validUntil'])
    expect(await refused({ validUntil: 'tomorrow' })).toEqual([400, 'VALIDATION_FAILED', 'body.validUntil'])
    expect(await refused({ maxRedemptions: 0 })).toEqual([400, 'VALIDATION_FAILED', 'body.maxRedemptions'])
    expect(await refused({ maxRedemptionsPerBuyer: 2.5 })).toEqual([
      400,
      'VALIDATION_FAILED',
      'body.maxRedemptionsPerBuyer',
    ])
    expect(await refused({ stackable: 'sure' })).toEqual([400, 'VALIDATION_FAILED', 'body.stackable'])
    expect(await refused({ redemptions: 0 })).toEqual([400, 'VALIDATION_FAILED', 'body.redemptions'])
    const raw = await t.app.inject({
      method: 'POST',
      url: '/v1/commerce/coupons',
      headers: { ...t.auth(s.admin), 'content-type': 'application/json' },
      payload: '{"code":"RAW10","kind":"fixed","amountsOff":[{"currency":"USD","amount":1e309}]}',
    })
    expect(problem(raw)).toEqual([400, 'VALIDATION_FAILED', 'body.amountsOff.0.amount'])
  })

  it("applies only to this tenant's products, each named once", async () => {
    const s = await couponShop(t)
    const other = await couponShop(t)
    const refused = async (productIds: unknown) => problem(await api.create(s.admin, { ...WELCOME, productIds }))
    expect(await refused([s.productIds[0], other.productIds[0]])).toEqual([
      422,
      'PRODUCT_NOT_FOUND',
      'body.productIds.1',
    ])
    expect(await refused([randomUUID()])).toEqual([422, 'PRODUCT_NOT_FOUND', 'body.productIds.0'])
    expect(await refused([s.productIds[0], s.productIds[0]])).toEqual([400, 'DUPLICATE_PRODUCT', 'body.productIds.1'])
    expect(await refused([])).toEqual([400, 'VALIDATION_FAILED', 'body.productIds'])
    expect(await refused(['not-a-uuid'])).toEqual([400, 'VALIDATION_FAILED', 'body.productIds.0'])
    expect((await api.create(s.admin, { ...WELCOME, productIds: [s.productIds[0]] })).statusCode).toBe(201)
  })

  it('is for administrators of the tenant only, and never while impersonating', async () => {
    const a = await couponShop(t)
    const b = await couponShop(t)
    const coupon = (await api.create(a.admin, WELCOME)).json()
    // Another tenant's administrator sees nothing of it, and may use the same code for its own coupon.
    expect(problem(await api.get(b.admin, coupon.id))).toEqual([404, 'COUPON_NOT_FOUND', undefined])
    expect(problem(await api.archive(b.admin, coupon.id))).toEqual([404, 'COUPON_NOT_FOUND', undefined])
    expect((await api.list(b.admin, '?status=all')).json().data).toEqual([])
    expect((await api.create(b.admin, WELCOME)).statusCode).toBe(201)
    for (const role of ['instructor', 'learner', 'compliance', 'finance'] as const) {
      const token = await t.tokenFor(a.id, [role])
      expect((await api.list(token)).statusCode).toBe(403)
      expect((await api.get(token, coupon.id)).statusCode).toBe(403)
      expect((await api.create(token, { ...WELCOME, code: 'MINE' })).statusCode).toBe(403)
      expect((await api.archive(token, coupon.id)).statusCode).toBe(403)
    }
    expect((await api.list(undefined)).statusCode).toBe(401)
    const impersonating = await impersonatedAdmin(t, a.id)
    expect((await api.list(impersonating)).statusCode).toBe(200)
    expect(problem(await api.create(impersonating, { ...WELCOME, code: 'SNEAKY' }))).toEqual([
      403,
      'IMPERSONATION_FORBIDDEN',
      undefined,
    ])
    expect(problem(await api.archive(impersonating, coupon.id))).toEqual([403, 'IMPERSONATION_FORBIDDEN', undefined])
    expect((await api.get(a.admin, coupon.id)).json().status).toBe('active')
    expect(problem(await api.get(a.admin, randomUUID()))).toEqual([404, 'COUPON_NOT_FOUND', undefined])
    expect((await api.get(a.admin, 'nope')).statusCode).toBe(400)
  })

  it('lists coupons in one statement, however many there are', async () => {
    const s = await couponShop(t)
    await api.create(s.admin, WELCOME)
    await api.create(s.admin, { ...WELCOME, code: 'SECOND' })
    const page = await api.call('GET', '/v1/commerce/coupons?status=all', s.admin)
    expect(page.json().data.length).toBeGreaterThan(1)
    expect(counters.get('/v1/commerce/coupons?status=all')?.queries).toBe(1)
  })
})
