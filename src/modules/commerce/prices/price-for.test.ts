/**
 * What checkout calls: priceFor (an explicit price, or the base price converted at the latest
 * exchange rate, half-even at the target exponent), the locked version of an order, what a
 * purchase grants; and the operators' exchange-rate routes those conversions read.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { rowsOf, tenantScope, type Tx } from '../../../platform/db/database.ts'
import { isAppError } from '../../../platform/errors.ts'
import { buildCourse, buildPublishedCourse } from '../../catalogue/testing.ts'
import { parseCurrencyCode, priceFor, priceVersion, productAccess } from '../index.ts'
import { auditEntries, pricesClient, sellingTenant, type SellingTenant } from './prices.testing.ts'

let t: TestApp
let api: ReturnType<typeof pricesClient>
beforeAll(async () => {
  t = await buildTestApp()
  api = pricesClient(t)
})
afterAll(async () => t?.close())

const DAY = 86_400_000
const inTenant = <T>(tenantId: string, work: (tx: Tx) => Promise<T>) =>
  t.platform.database.transaction(tenantScope(tenantId), work)
const quote = (s: { id: string }, productId: string, currency: string, at?: Date) =>
  inTenant(s.id, (tx) => priceFor(tx, productId, parseCurrencyCode(currency), at))

/** The problem a quote is refused with: [code, reason]. */
async function refusal(work: Promise<unknown>): Promise<[string, unknown]> {
  try {
    await work
  } catch (error) {
    if (isAppError(error)) return [error.code, error.extensions?.reason]
    throw error
  }
  throw new Error('the quote was not refused')
}

/** The SQLSTATE behind a driver or ORM error (Drizzle wraps it in `cause`). */
function sqlState(error: unknown): string | undefined {
  for (let current = error; current && typeof current === 'object'; current = (current as { cause?: unknown }).cause) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code
  }
  return undefined
}

async function rate(base: string, quoteCurrency: string, value: string, effectiveAt?: Date) {
  const response = await api.recordRate({
    baseCurrency: base,
    quoteCurrency,
    rate: value,
    source: 'test',
    ...(effectiveAt ? { effectiveAt: effectiveAt.toISOString() } : {}),
  })
  if (response.statusCode !== 201) throw new Error(`rate: ${response.statusCode} ${response.body}`)
  return response.json()
}

async function price(s: SellingTenant, courseId: string, currency: string, amount: number) {
  const response = await api.setCoursePrice(courseId, currency, amount, s.admin)
  if (response.statusCode !== 200) throw new Error(`price: ${response.statusCode} ${response.body}`)
  return response.json() as { id: string; productId: string; validFrom: string }
}

describe('exchange rates', () => {
  it('are recorded and listed by operators only, exactly as decimals, audited on the platform chain', async () => {
    const recorded = await api.recordRate({
      baseCurrency: 'GBP',
      quoteCurrency: 'CHF',
      rate: '1.130500',
      source: 'ECB',
    })
    expect(recorded.statusCode).toBe(201)
    const body = recorded.json()
    expect(body).toMatchObject({ baseCurrency: 'GBP', quoteCurrency: 'CHF', rate: '1.1305', source: 'ECB' })
    expect(body.createdBy).toMatch(/^operator:/)
    const listed = await api.call('GET', '/v1/ops/fx-rates?baseCurrency=GBP&quoteCurrency=CHF', t.operatorToken)
    expect(listed.json().data.map((r: { id: string }) => r.id)).toContain(body.id)
    const [audit] = (await auditEntries(t, null, 'commerce.fx_rate_recorded')).filter((e) => e.target_id === body.id)
    expect(audit?.details).toMatchObject({ rate: '1.1305', baseCurrency: 'GBP' })

    const tenant = await t.createTenant()
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
    expect(
      (await api.recordRate({ baseCurrency: 'GBP', quoteCurrency: 'CHF', rate: '2', source: 'x' }, admin)).statusCode,
    ).toBe(403)
    expect((await api.call('GET', '/v1/ops/fx-rates', admin)).statusCode).toBe(403)
    expect((await api.call('GET', '/v1/ops/fx-rates', undefined)).statusCode).toBe(401)
  })

  it('refuse anything that is not an exact positive decimal between two known, different currencies', async () => {
    const valid = { baseCurrency: 'GBP', quoteCurrency: 'CHF', rate: '1.1', source: 'test' }
    const refused = async (patch: Record<string, unknown>) => {
      const response = await api.recordRate({ ...valid, ...patch })
      return [response.statusCode, response.json().code]
    }
    for (const bad of ['1e3', '-1', '1,5', '.5', 'abc', '1.0000000000001', 1.5, '', 'NaN', 'Infinity'])
      expect([bad, ...(await refused({ rate: bad }))]).toEqual([bad, 400, 'VALIDATION_FAILED'])
    expect(await refused({ rate: '0.000' })).toEqual([400, 'INVALID_DECIMAL'])
    expect(await refused({ quoteCurrency: 'GBP' })).toEqual([400, 'FX_RATE_SAME_CURRENCY'])
    expect(await refused({ quoteCurrency: 'XYZ' })).toEqual([400, 'UNKNOWN_CURRENCY'])
    expect(await refused({ effectiveAt: new Date(Date.now() + DAY).toISOString() })).toEqual([
      422,
      'FX_RATE_EFFECTIVE_AT_INVALID',
    ])
    expect(await refused({ effectiveAt: '1999-12-31T23:59:59Z' })).toEqual([422, 'FX_RATE_EFFECTIVE_AT_INVALID'])
    expect((await refused({ source: 'ECB\u0000' }))[0]).toBe(400)
    expect((await refused({ source: '' }))[0]).toBe(400)
  })
})

describe('priceFor', () => {
  it('quotes an explicit price as it is, and converts the base price half-even at the target exponent', async () => {
    const s = await sellingTenant(t, { currencies: ['USD', 'EUR', 'JPY', 'BHD', 'KRW'] })
    const usd = await price(s, s.courseId, 'USD', 1999)
    const eur = await price(s, s.courseId, 'EUR', 1799)
    const usdToJpy = await rate('USD', 'JPY', '150.25')
    await rate('USD', 'BHD', '0.376')
    expect(await quote(s, usd.productId, 'EUR')).toEqual({
      productId: usd.productId,
      productType: 'course',
      subjectId: s.courseId,
      priceVersionId: eur.id,
      price: { amount: 1799, currency: 'EUR' },
      conversion: null,
    })
    // 19.99 USD × 150.25 = 3003.4975 JPY → 3003; 19.99 × 0.376 = 7.51624 BHD → 7.516
    expect(await quote(s, usd.productId, 'JPY')).toMatchObject({
      priceVersionId: usd.id,
      price: { amount: 3003, currency: 'JPY' },
      conversion: {
        from: { amount: 1999, currency: 'USD' },
        rate: '150.25',
        fxRateId: usdToJpy.id,
        rounding: 'half-even',
      },
    })
    expect((await quote(s, usd.productId, 'BHD')).price).toEqual({ amount: 7516, currency: 'BHD' })

    // Ties go to the even neighbour: 1.00 USD × 2.5 = 2.5 KRW → 2; 3.00 USD × 2.5 = 7.5 KRW → 8.
    await rate('USD', 'KRW', '2.5')
    const second = await buildPublishedCourse(t.platform.database, s.id, s.instructor.userId)
    const one = await price(s, s.courseId, 'USD', 100)
    const three = await price(s, second.courseId, 'USD', 300)
    expect((await quote(s, one.productId, 'KRW')).price.amount).toBe(2)
    expect((await quote(s, three.productId, 'KRW')).price.amount).toBe(8)
  })

  it('refuses what cannot be sold, saying why', async () => {
    const s = await sellingTenant(t, {
      currencies: ['USD', 'EUR', 'CAD', 'SEK', 'NOK', 'JPY'],
      minimums: [{ currency: 'NOK', amount: 100_000 }],
    })
    const usd = await price(s, s.courseId, 'USD', 1000)
    await rate('USD', 'SEK', '10.5', new Date(Date.now() - 8 * DAY))
    await rate('USD', 'NOK', '10.8')
    expect(await refusal(quote(s, usd.productId, 'GBP'))).toEqual(['CURRENCY_NOT_ALLOWED', undefined])
    expect(await refusal(quote(s, usd.productId, 'CAD'))).toEqual(['PRICE_NOT_AVAILABLE', 'no_rate'])
    expect(await refusal(quote(s, usd.productId, 'SEK'))).toEqual(['PRICE_NOT_AVAILABLE', 'stale_rate'])
    // 10.00 USD is 108.00 NOK, below the tenant's 1000.00 NOK.
    expect(await refusal(quote(s, usd.productId, 'NOK'))).toEqual(['PRICE_NOT_AVAILABLE', 'below_minimum'])
    // The quote at a time before any price.
    expect(await refusal(quote(s, usd.productId, 'USD', new Date(Date.now() - DAY)))).toEqual([
      'PRICE_NOT_AVAILABLE',
      'no_price',
    ])

    // Only a EUR price: no base price to convert into JPY.
    const eurOnly = await buildPublishedCourse(t.platform.database, s.id, s.instructor.userId)
    const eur = await price(s, eurOnly.courseId, 'EUR', 900)
    expect(await refusal(quote(s, eur.productId, 'JPY'))).toEqual(['PRICE_NOT_AVAILABLE', 'no_price'])

    // Priced while a draft: not for sale until it is in the catalogue.
    const draft = await buildCourse(t.platform.database, s.id, s.instructor.userId)
    const drafted = await price(s, draft.courseId, 'USD', 5000)
    expect(await refusal(quote(s, drafted.productId, 'USD'))).toEqual(['PRODUCT_NOT_FOR_SALE', undefined])

    const other = await sellingTenant(t)
    expect(await refusal(quote(other, usd.productId, 'USD'))).toEqual(['PRODUCT_NOT_FOUND', undefined])
    expect(await refusal(quote(s, randomUUID(), 'USD'))).toEqual(['PRODUCT_NOT_FOUND', undefined])
  })

  it('quotes the version in force at `at`, and an order’s locked version stays as it was sold', async () => {
    const s = await sellingTenant(t)
    const v1 = await price(s, s.courseId, 'USD', 1000)
    const v2 = await price(s, s.courseId, 'USD', 1200)
    expect((await quote(s, v1.productId, 'USD')).priceVersionId).toBe(v2.id)
    const between = new Date(Date.parse(v2.validFrom) - 1)
    expect(await quote(s, v1.productId, 'USD', between)).toMatchObject({
      priceVersionId: v1.id,
      price: { amount: 1000, currency: 'USD' },
    })
    const locked = await inTenant(s.id, (tx) => priceVersion(tx, v1.id))
    expect(locked).toMatchObject({
      id: v1.id,
      price: { amount: 1000, currency: 'USD' },
      version: 1,
      validTo: v2.validFrom,
    })
    expect(await inTenant((await sellingTenant(t)).id, (tx) => priceVersion(tx, v1.id))).toBeUndefined()

    // The database keeps it so: a closed version cannot be reopened or changed, a version's amount never.
    const failure = (statement: ReturnType<typeof sql>) =>
      inTenant(s.id, (tx) => rowsOf(tx, statement)).then(() => 'succeeded', sqlState)
    expect(
      await failure(sql`update commerce.price_versions set valid_to = null, ended_by = null where id = ${v1.id}`),
    ).toBe('55000')
    expect(await failure(sql`update commerce.price_versions set amount = 1 where id = ${v2.id}`)).toBe('42501')
    expect(await failure(sql`delete from commerce.price_versions where id = ${v1.id}`)).toBe('42501')
  })
})

describe('productAccess', () => {
  it('grants a course for a course, and a path’s listed courses for a bundle', async () => {
    const s = await sellingTenant(t)
    const course = await price(s, s.courseId, 'USD', 1000)
    expect(await inTenant(s.id, (tx) => productAccess(tx, course.productId))).toEqual([
      { kind: 'course', courseId: s.courseId },
    ])
    const second = await buildPublishedCourse(t.platform.database, s.id, s.instructor.userId)
    const call = (method: 'POST' | 'PUT', url: string, payload: object, ifMatch?: string) =>
      t.app.inject({
        method,
        url,
        headers: { ...t.auth(s.admin), ...(ifMatch ? { 'if-match': ifMatch } : {}) },
        payload,
      })
    const path = (await call('POST', '/v1/learning-paths', { slug: 'pair', title: 'Pair' })).json()
    const courses = [{ courseId: second.courseId }, { courseId: s.courseId }]
    await call('PUT', `/v1/learning-paths/${path.id}/courses`, { courses }, '"v1"')
    await call('POST', `/v1/learning-paths/${path.id}/publish`, {}, '"v2"')
    const bundle = (await api.setPathPrice(path.id, 'USD', 1500, s.admin)).json()
    expect(await inTenant(s.id, (tx) => productAccess(tx, bundle.productId))).toEqual([
      { kind: 'course', courseId: second.courseId },
      { kind: 'course', courseId: s.courseId },
    ])
    const other = await sellingTenant(t)
    expect(await refusal(inTenant(other.id, (tx) => productAccess(tx, bundle.productId)))).toEqual([
      'PRODUCT_NOT_FOUND',
      undefined,
    ])
  })
})
