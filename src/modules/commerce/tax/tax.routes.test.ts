/**
 * Tax over HTTP and as checkout reads it: the seller-of-record profile, the rate table with its
 * history, who may change them, what bad input gets, and that nothing crosses tenants.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { rowsOf, type QueryCounter } from '../../../platform/db/database.ts'
import { money, parseCurrencyCode } from '../money/index.ts'
import { auditEntries, pricesClient } from '../prices/prices.testing.ts'
import { decideTax, taxLine } from './tax-decision.ts'
import { taxFactsOf, sellerOf } from './tax.service.ts'
import { impersonatedAdmin, inTenant, taxClient } from './tax.testing.ts'

let t: TestApp
let api: ReturnType<typeof taxClient>
const counters = new Map<string, QueryCounter>()
beforeAll(async () => {
  t = await buildTestApp({
    instrument: (app) =>
      app.addHook('onResponse', async (request) => {
        if (request.ctx) counters.set(request.url, { ...request.ctx.counter })
      }),
  })
  api = taxClient(t)
})
afterAll(async () => t?.close())

const PROFILE = {
  sellerLegalName: 'Lyceum Lernwerk GmbH',
  sellerCountry: 'DE',
  sellerTaxId: 'de 123 456 789',
  sellerAddress: ['Lindenstraße 7 ', '10969 Berlin'],
  reverseChargeB2B: true,
}
const ADDRESS = ['Lindenstraße 7', '10969 Berlin']

async function adminTenant() {
  const tenant = await t.createTenant()
  return { ...tenant, admin: await t.tokenFor(tenant.id, ['tenant_admin']) }
}

const problem = (response: { statusCode: number; json(): Record<string, unknown> }) => {
  const body = response.json() as { code?: string; errors?: Array<{ path: string }> }
  return [response.statusCode, body.code, body.errors?.[0]?.path]
}

describe('tax profile', () => {
  it('starts empty, is set with If-Match by an administrator, audited, and normalises the tax number', async () => {
    const s = await adminTenant()
    const initial = await api.profile(await t.tokenFor(s.id, ['compliance']))
    expect([initial.statusCode, initial.headers.etag]).toEqual([200, '"v0"'])
    expect(initial.json()).toEqual({
      mode: 'seller_of_record',
      sellerLegalName: null,
      sellerCountry: null,
      sellerTaxId: null,
      sellerAddress: [],
      reverseChargeB2B: false,
      pricesIncludeTax: false,
      version: 0,
      updatedAt: null,
      updatedBy: null,
    })
    expect((await api.replaceProfile(s.admin, PROFILE, '')).statusCode).toBe(428)
    expect((await api.replaceProfile(s.admin, PROFILE, '"v2"')).statusCode).toBe(412)
    const set = await api.replaceProfile(s.admin, PROFILE)
    expect([set.statusCode, set.headers.etag]).toEqual([200, '"v1"'])
    expect(set.json()).toMatchObject({
      sellerTaxId: 'DE123456789',
      sellerAddress: ADDRESS,
      reverseChargeB2B: true,
      version: 1,
    })
    // The same values again change nothing and audit nothing; a change needs the new ETag.
    expect((await api.replaceProfile(s.admin, { ...PROFILE, sellerTaxId: 'DE123456789' }, '"v1"')).headers.etag).toBe(
      '"v1"',
    )
    expect((await api.replaceProfile(s.admin, { ...PROFILE, reverseChargeB2B: false }, '"v0"')).statusCode).toBe(412)
    const changed = await api.replaceProfile(s.admin, { ...PROFILE, reverseChargeB2B: false }, '"v1"')
    expect(changed.json()).toMatchObject({ reverseChargeB2B: false, version: 2 })
    const audit = await auditEntries(t, s.id, 'commerce.tax_profile_changed')
    expect(audit.map((entry) => entry.details)).toEqual([
      {
        from: null,
        to: {
          sellerLegalName: PROFILE.sellerLegalName,
          sellerCountry: 'DE',
          sellerTaxId: 'DE123456789',
          sellerAddress: ADDRESS,
          reverseChargeB2B: true,
        },
      },
      {
        from: {
          sellerLegalName: PROFILE.sellerLegalName,
          sellerCountry: 'DE',
          sellerTaxId: 'DE123456789',
          sellerAddress: ADDRESS,
          reverseChargeB2B: true,
        },
        to: {
          sellerLegalName: PROFILE.sellerLegalName,
          sellerCountry: 'DE',
          sellerTaxId: 'DE123456789',
          sellerAddress: ADDRESS,
          reverseChargeB2B: false,
        },
      },
    ])
  })

  it('shows whether prices include tax, from the commerce settings', async () => {
    const s = await adminTenant()
    const settings = { allowedCurrencies: ['EUR'], baseCurrency: 'EUR', minimumPrices: [], pricesIncludeTax: true }
    expect((await pricesClient(t).replaceSettings(s.admin, settings)).statusCode).toBe(200)
    expect((await api.profile(s.admin)).json().pricesIncludeTax).toBe(true)
    const facts = await inTenant(t, s.id, taxFactsOf)
    expect(facts.profile).toEqual({ sellerCountry: null, reverseChargeB2B: false, pricesIncludeTax: true })
  })

  it('refuses unknown countries, malformed names and numbers, and reverse charge it cannot apply', async () => {
    const s = await adminTenant()
    const refused = async (patch: Record<string, unknown>) =>
      problem(await api.replaceProfile(s.admin, { ...PROFILE, ...patch }))
    expect(await refused({ sellerCountry: 'UK' })).toEqual([400, 'UNKNOWN_COUNTRY', 'body.sellerCountry'])
    expect(await refused({ sellerCountry: 'de' })).toEqual([400, 'VALIDATION_FAILED', 'body.sellerCountry'])
    expect(await refused({ sellerLegalName: 'Evil\u0000GmbH' })).toEqual([
      400,
      'VALIDATION_FAILED',
      'body.sellerLegalName',
    ])
    expect(await refused({ sellerLegalName: 'Line\nbreak' })).toEqual([
      400,
      'VALIDATION_FAILED',
      'body.sellerLegalName',
    ])
    expect(await refused({ sellerLegalName: '   ' })).toEqual([400, 'VALIDATION_FAILED', 'body.sellerLegalName'])
    expect(await refused({ sellerLegalName: 'x'.repeat(201) })).toEqual([
      400,
      'VALIDATION_FAILED',
      'body.sellerLegalName',
    ])
    expect(await refused({ sellerAddress: ['Line\nbreak'] })).toEqual([
      400,
      'VALIDATION_FAILED',
      'body.sellerAddress.0',
    ])
    expect(await refused({ sellerAddress: [' '] })).toEqual([400, 'VALIDATION_FAILED', 'body.sellerAddress.0'])
    expect(await refused({ sellerAddress: Array<string>(7).fill('x') })).toEqual([
      400,
      'VALIDATION_FAILED',
      'body.sellerAddress',
    ])
    expect(await refused({ sellerTaxId: 'DE12345678' })).toEqual([422, 'SELLER_TAX_ID_INVALID', 'body.sellerTaxId'])
    expect(await refused({ sellerTaxId: 'DE<script>' })).toEqual([400, 'VALIDATION_FAILED', 'body.sellerTaxId'])
    expect(await refused({ sellerTaxId: null })).toEqual([422, 'REVERSE_CHARGE_NOT_AVAILABLE', 'body.sellerTaxId'])
    expect(await refused({ sellerCountry: 'US', sellerTaxId: '12-3456789' })).toEqual([
      422,
      'REVERSE_CHARGE_NOT_AVAILABLE',
      'body.sellerCountry',
    ])
    expect(await refused({ reverseChargeB2B: 'yes please' })).toEqual([
      400,
      'VALIDATION_FAILED',
      'body.reverseChargeB2B',
    ])
    // A seller outside the EU keeps its own kind of number.
    const us = await api.replaceProfile(s.admin, {
      ...PROFILE,
      sellerCountry: 'US',
      sellerTaxId: '12-3456789',
      reverseChargeB2B: false,
    })
    expect([us.statusCode, us.json().sellerTaxId]).toEqual([200, '123456789'])
  })

  it('is read with tenant:read and changed by administrators only, never while impersonating', async () => {
    const s = await adminTenant()
    for (const role of ['learner', 'instructor', 'finance'] as const) {
      const token = await t.tokenFor(s.id, [role])
      expect((await api.profile(token)).statusCode).toBe(403)
      expect((await api.replaceProfile(token, PROFILE)).statusCode).toBe(403)
    }
    expect((await api.replaceProfile(await t.tokenFor(s.id, ['compliance']), PROFILE)).statusCode).toBe(403)
    expect((await api.profile(undefined)).statusCode).toBe(401)
    const impersonating = await impersonatedAdmin(t, s.id)
    expect((await api.profile(impersonating)).statusCode).toBe(200)
    expect(problem(await api.replaceProfile(impersonating, PROFILE))).toEqual([
      403,
      'IMPERSONATION_FORBIDDEN',
      undefined,
    ])
    expect(problem(await api.setRate(impersonating, 'DE', { name: 'USt', rate: '0.19' }))).toEqual([
      403,
      'IMPERSONATION_FORBIDDEN',
      undefined,
    ])
  })
})

describe('tax rates', () => {
  it('keep history: a change retires the live rate where the next one starts', async () => {
    const s = await adminTenant()
    const first = await api.setRate(s.admin, 'DE', { name: 'USt', rate: '0.190' }, { 'if-match': '"v0"' })
    expect([first.statusCode, first.headers.etag]).toEqual([200, '"v1"'])
    const v1 = first.json()
    expect(v1).toMatchObject({ country: 'DE', region: null, name: 'USt', rate: '0.19', version: 1, retiredAt: null })
    // The same rate again changes nothing; a stale ETag is refused.
    expect((await api.setRate(s.admin, 'DE', { name: 'USt', rate: '0.19' })).json().id).toBe(v1.id)
    expect((await api.setRate(s.admin, 'DE', { name: 'USt', rate: '0.16' }, { 'if-match': '"v0"' })).statusCode).toBe(
      412,
    )
    const v2 = (await api.setRate(s.admin, 'DE', { name: 'USt', rate: '0.16' }, { 'if-match': '"v1"' })).json()
    expect(v2).toMatchObject({ rate: '0.16', version: 2 })
    const all = (await api.rates(s.admin, '?status=all')).json().data
    expect(all.map((rate: { id: string }) => rate.id)).toEqual([v1.id, v2.id])
    expect(all[0].retiredAt).toBe(v2.createdAt)
    expect(all[0].retiredBy).toMatch(/^user:/)
    expect((await api.rates(s.admin)).json().data.map((rate: { id: string }) => rate.id)).toEqual([v2.id])
    expect((await api.rates(s.admin, '?status=retired')).json().data.map((rate: { id: string }) => rate.id)).toEqual([
      v1.id,
    ])
    expect(
      (await auditEntries(t, s.id, 'commerce.tax_rate_set')).map((entry) => [entry.details.from, entry.details.to]),
    ).toEqual([
      [null, { name: 'USt', rate: '0.19' }],
      [
        { name: 'USt', rate: '0.19', id: v1.id },
        { name: 'USt', rate: '0.16' },
      ],
    ])
  })

  it('are set per country or region, listed by place with cursor pages, and removed by retiring them', async () => {
    const s = await adminTenant()
    for (const [place, name, rate] of [
      ['US-NY', 'NY sales tax', '0.08875'],
      ['FR', 'TVA', '0.2'],
      ['US', 'No federal sales tax', '0'],
      ['DE', 'USt', '0.19'],
    ] as const)
      expect((await api.setRate(s.admin, place, { name, rate })).statusCode).toBe(200)
    const places: string[] = []
    let cursor: string | null = null
    do {
      const page: { data: Array<{ country: string; region: string | null }>; nextCursor: string | null } = (
        await api.rates(s.admin, `?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
      ).json()
      places.push(...page.data.map((rate) => rate.region ?? rate.country))
      cursor = page.nextCursor
    } while (cursor)
    expect(places).toEqual(['DE', 'FR', 'US', 'US-NY'])
    expect((await api.rates(s.admin, '?country=US')).json().data).toHaveLength(2)

    const removed = await api.removeRate(s.admin, 'US-NY', { 'if-match': '"v1"' })
    expect([removed.statusCode, removed.body]).toEqual([204, ''])
    expect(problem(await api.removeRate(s.admin, 'US-NY'))).toEqual([404, 'TAX_RATE_NOT_FOUND', undefined])
    expect((await api.removeRate(s.admin, 'FR', { 'if-match': '"v7"' })).statusCode).toBe(412)
    // A new rate for a place continues its versions.
    expect(
      (await api.setRate(s.admin, 'US-NY', { name: 'NY', rate: '0.08' }, { 'if-match': '"v1"' })).json().version,
    ).toBe(2)
    expect((await auditEntries(t, s.id, 'commerce.tax_rate_removed'))[0]!.details).toEqual({
      place: 'US-NY',
      name: 'NY sales tax',
      rate: '0.08875',
    })
  })

  it('refuse unknown places, regions of another country and rates outside [0, 1)', async () => {
    const s = await adminTenant()
    const set = async (place: string, rate: unknown, name: unknown = 'VAT') =>
      problem(await api.setRate(s.admin, place, { name, rate }))
    expect(await set('XX', '0.1')).toEqual([400, 'UNKNOWN_COUNTRY', 'params.place'])
    expect(await set('UK', '0.2')).toEqual([400, 'UNKNOWN_COUNTRY', 'params.place'])
    expect(await set('de', '0.19')).toEqual([400, 'VALIDATION_FAILED', 'params.place'])
    expect(await set('US-NYCX', '0.1')).toEqual([400, 'VALIDATION_FAILED', 'params.place'])
    for (const rate of ['1', '1.5', '0.1234567', '-0.1', '1e-2', '0.19\u0000', ''])
      expect((await set('DE', rate))[0]).toBe(400)
    expect(await set('DE', '1')).toEqual([400, 'INVALID_TAX_RATE', 'body.rate'])
    expect(await set('DE', '0.1234567')).toEqual([400, 'INVALID_TAX_RATE', 'body.rate'])
    expect(await set('DE', '0.19', 'x'.repeat(101))).toEqual([400, 'VALIDATION_FAILED', 'body.name'])
    expect(await set('DE', '0.19', 'U\u0000St')).toEqual([400, 'VALIDATION_FAILED', 'body.name'])
    expect((await api.call('GET', '/v1/commerce/tax/rates?status=gone', s.admin)).statusCode).toBe(400)
    expect((await api.call('GET', '/v1/commerce/tax/rates?country=XX', s.admin)).statusCode).toBe(400)
    expect((await api.call('GET', '/v1/commerce/tax/rates?cursor=bm9wZQ', s.admin)).statusCode).toBe(400)
    expect(await set('US-', '0.1')).toEqual([400, 'VALIDATION_FAILED', 'params.place'])
    expect((await api.setRate(s.admin, 'CA-QC', { name: 'QST', rate: '0.09975' })).statusCode).toBe(200)
  })

  it('are for administrators to change, tenant:read to list', async () => {
    const s = await adminTenant()
    const reader = await t.tokenFor(s.id, ['compliance'])
    expect((await api.rates(reader)).statusCode).toBe(200)
    expect((await api.setRate(reader, 'DE', { name: 'USt', rate: '0.19' })).statusCode).toBe(403)
    expect((await api.removeRate(reader, 'DE')).statusCode).toBe(403)
    const learner = await t.tokenFor(s.id, ['learner'])
    expect((await api.rates(learner)).statusCode).toBe(403)
    expect((await api.setRate(undefined, 'DE', { name: 'USt', rate: '0.19' })).statusCode).toBe(401)
  })
})

describe('tax facts for checkout', () => {
  it('give the profile and live rates of the transaction tenant only, which decide a sale', async () => {
    const a = await adminTenant()
    const b = await adminTenant()
    await api.replaceProfile(a.admin, PROFILE)
    for (const [place, rate] of [
      ['DE', '0.19'],
      ['FR', '0.2'],
      ['US-NY', '0.08875'],
    ] as const)
      await api.setRate(a.admin, place, { name: `${place} tax`, rate })
    await api.setRate(a.admin, 'FR', { name: 'TVA', rate: '0.2' })
    await api.setRate(b.admin, 'DE', { name: 'B tax', rate: '0.5' })

    const facts = await inTenant(t, a.id, taxFactsOf)
    expect(facts.profile).toEqual({ sellerCountry: 'DE', reverseChargeB2B: true, pricesIncludeTax: false })
    expect(facts.rates.map((rate) => [rate.region ?? rate.country, rate.rate.text])).toEqual([
      ['DE', '0.19'],
      ['FR', '0.2'],
      ['US-NY', '0.08875'],
    ])
    const buyer = (country: string, region: string | null = null, vatId: string | null = null) => ({
      country,
      region,
      vatId,
    })
    const line = (location: ReturnType<typeof buyer>) =>
      taxLine(decideTax(facts.profile, facts.rates, location), money(10000, parseCurrencyCode('EUR')))
    expect(line(buyer('DE')).tax.amount).toBe(1900)
    expect(line(buyer('US', 'US-NY')).tax.amount).toBe(888)
    expect(line(buyer('US', 'US-CA')).tax.amount).toBe(0)
    expect(decideTax(facts.profile, facts.rates, buyer('FR', null, 'FR40303265045')).treatment).toBe('reverse-charge')
    expect(await inTenant(t, a.id, sellerOf)).toEqual({
      legalName: PROFILE.sellerLegalName,
      country: 'DE',
      taxId: 'DE123456789',
      address: ADDRESS,
    })
    const other = await inTenant(t, b.id, taxFactsOf)
    expect(other.rates.map((rate) => rate.name)).toEqual(['B tax'])
    expect(await inTenant(t, b.id, sellerOf)).toBeNull()
  })

  it('a retired rate stays exactly as it was: the database refuses to revive or rewrite it', async () => {
    const s = await adminTenant()
    const v1 = (await api.setRate(s.admin, 'DE', { name: 'USt', rate: '0.19' })).json()
    await api.setRate(s.admin, 'DE', { name: 'USt', rate: '0.16' })
    const attempt = (statement: ReturnType<typeof sql>) =>
      inTenant(t, s.id, (tx) => rowsOf(tx, statement)).then(
        () => 'updated',
        (error: { cause?: { code?: string } }) => error.cause?.code,
      )
    expect(
      await attempt(sql`update commerce.tax_rates set retired_at = null, retired_by = null where id = ${v1.id}`),
    ).toBe('55000')
    expect(await attempt(sql`update commerce.tax_rates set rate = 0.5 where id = ${v1.id}`)).toBe('42501')
    expect(await attempt(sql`delete from commerce.tax_rates where id = ${v1.id}`)).toBe('42501')
  })

  it('lists rates in one statement, however many there are', async () => {
    const s = await adminTenant()
    await api.setRate(s.admin, 'DE', { name: 'USt', rate: '0.19' })
    await api.setRate(s.admin, 'DE', { name: 'USt', rate: '0.16' })
    await api.setRate(s.admin, 'US-NY', { name: 'NY', rate: '0.08875' })
    const page = await api.call('GET', '/v1/commerce/tax/rates?status=all', s.admin)
    expect(page.json().data.length).toBeGreaterThan(1)
    expect(counters.get('/v1/commerce/tax/rates?status=all')?.queries).toBe(1)
  })
})
