/**
 * Prices over HTTP: the tenant's commerce settings, versioned course and path prices within them,
 * who may set them, and that nothing crosses tenants.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { buildPublishedCourse } from '../../catalogue/testing.ts'
import { auditEntries, pricesClient, sellingTenant } from './prices.testing.ts'

let t: TestApp
let api: ReturnType<typeof pricesClient>
beforeAll(async () => {
  t = await buildTestApp()
  api = pricesClient(t)
})
afterAll(async () => t?.close())

const SETTINGS = { allowedCurrencies: ['USD', 'EUR'], baseCurrency: 'USD', minimumPrices: [], pricesIncludeTax: true }

describe('commerce settings', () => {
  it('start on the defaults and are replaced by an administrator with If-Match, audited', async () => {
    const tenant = await t.createTenant()
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
    const initial = await api.settings(await t.tokenFor(tenant.id, ['compliance']))
    expect(initial.statusCode).toBe(200)
    expect(initial.headers.etag).toBe('"v0"')
    expect(initial.json()).toEqual({
      allowedCurrencies: ['USD'],
      baseCurrency: 'USD',
      minimumPrices: [],
      pricesIncludeTax: false,
      partialRefundAccess: 'keep',
      version: 0,
      updatedAt: null,
      updatedBy: null,
    })
    expect((await api.replaceSettings(admin, SETTINGS, '')).statusCode).toBe(428)
    expect((await api.replaceSettings(admin, SETTINGS, '"v3"')).statusCode).toBe(412)
    const body = {
      ...SETTINGS,
      allowedCurrencies: ['EUR', 'USD', 'JPY'],
      minimumPrices: [{ currency: 'EUR', amount: 50 }],
    }
    const replaced = await api.replaceSettings(admin, body)
    expect(replaced.statusCode).toBe(200)
    expect(replaced.headers.etag).toBe('"v1"')
    expect(replaced.json()).toMatchObject({
      allowedCurrencies: ['EUR', 'JPY', 'USD'],
      minimumPrices: [{ amount: 50, currency: 'EUR' }],
      pricesIncludeTax: true,
      version: 1,
    })
    // The same values again change nothing and audit nothing.
    expect((await api.replaceSettings(admin, body, '"v1"')).headers.etag).toBe('"v1"')
    const audit = await auditEntries(t, tenant.id, 'commerce.settings_changed')
    expect(audit).toHaveLength(1)
    expect(audit[0]!.details).toMatchObject({ from: { allowedCurrencies: ['USD'] }, to: { baseCurrency: 'USD' } })
  })

  it('set the partial-refund access policy: keep by default, revoke when set, unchanged when left out', async () => {
    const tenant = await t.createTenant()
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
    const revoke = await api.replaceSettings(admin, { ...SETTINGS, partialRefundAccess: 'revoke' })
    expect([revoke.statusCode, revoke.json().partialRefundAccess]).toEqual([200, 'revoke'])
    // A client that does not know the setting replaces the rest and leaves the policy as it was.
    const without = await api.replaceSettings(admin, { ...SETTINGS, pricesIncludeTax: false }, '"v1"')
    expect([without.statusCode, without.json().partialRefundAccess]).toEqual([200, 'revoke'])
    const audit = await auditEntries(t, tenant.id, 'commerce.settings_changed')
    expect(
      audit.map((entry) => (entry.details as { to: { partialRefundAccess: string } }).to.partialRefundAccess),
    ).toEqual(expect.arrayContaining(['revoke']))
    for (const value of ['refund', '', null, true, 'KEEP']) {
      const refused = await api.replaceSettings(admin, { ...SETTINGS, partialRefundAccess: value }, '"v2"')
      expect([refused.statusCode, refused.json().code]).toEqual([400, 'VALIDATION_FAILED'])
    }
    const keep = await api.replaceSettings(admin, { ...SETTINGS, partialRefundAccess: 'keep' }, '"v2"')
    expect([keep.statusCode, keep.json().partialRefundAccess]).toEqual([200, 'keep'])
  })

  it('are for administrators only', async () => {
    const tenant = await t.createTenant()
    for (const role of ['instructor', 'learner', 'finance'] as const) {
      const token = await t.tokenFor(tenant.id, [role])
      expect((await api.settings(token)).statusCode).toBe(403)
      expect((await api.replaceSettings(token, SETTINGS)).statusCode).toBe(403)
    }
    expect((await api.settings(undefined)).statusCode).toBe(401)
  })

  it('refuse unknown, repeated and disallowed currencies and bad minimums with a problem naming the field', async () => {
    const tenant = await t.createTenant()
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
    const refused = async (patch: Record<string, unknown>) => {
      const response = await api.replaceSettings(admin, { ...SETTINGS, ...patch })
      const problem = response.json()
      return [response.statusCode, problem.code, problem.errors?.[0]?.path]
    }
    expect(await refused({ allowedCurrencies: ['USD', 'XYZ'] })).toEqual([
      400,
      'UNKNOWN_CURRENCY',
      'body.allowedCurrencies.1',
    ])
    expect(await refused({ allowedCurrencies: ['USD', 'usd'] })).toEqual([
      400,
      'VALIDATION_FAILED',
      'body.allowedCurrencies.1',
    ])
    expect(await refused({ allowedCurrencies: ['USD', 'USD'] })).toEqual([
      400,
      'DUPLICATE_CURRENCY',
      'body.allowedCurrencies.1',
    ])
    expect(await refused({ allowedCurrencies: [] })).toEqual([400, 'VALIDATION_FAILED', 'body.allowedCurrencies'])
    expect(await refused({ baseCurrency: 'JPY' })).toEqual([422, 'BASE_CURRENCY_NOT_ALLOWED', 'body.baseCurrency'])
    expect(await refused({ minimumPrices: [{ currency: 'GBP', amount: 50 }] })).toEqual([
      422,
      'CURRENCY_NOT_ALLOWED',
      'body.minimumPrices.0.currency',
    ])
    expect(
      await refused({
        minimumPrices: [
          { currency: 'EUR', amount: 50 },
          { currency: 'EUR', amount: 60 },
        ],
      }),
    ).toEqual([400, 'DUPLICATE_CURRENCY', 'body.minimumPrices.1.currency'])
    for (const amount of [0, -5, 1.5, '5.5', 1e13])
      expect((await refused({ minimumPrices: [{ currency: 'EUR', amount }] }))[0]).toBe(400)
    expect((await refused({ baseCurrency: 'US\u0000' }))[0]).toBe(400)
    const raw = await t.app.inject({
      method: 'PUT',
      url: '/v1/commerce/settings',
      headers: { ...t.auth(admin), 'if-match': '"v0"', 'content-type': 'application/json' },
      payload:
        '{"allowedCurrencies":["USD"],"baseCurrency":"USD","minimumPrices":[{"currency":"USD","amount":1e309}],"pricesIncludeTax":false}',
    })
    expect([raw.statusCode, raw.json().code]).toEqual([400, 'VALIDATION_FAILED'])
  })

  it('never strand a current price: its currency stays allowed and no minimum rises above it', async () => {
    const s = await sellingTenant(t)
    expect((await api.setCoursePrice(s.courseId, 'EUR', 900, s.instructor.token)).statusCode).toBe(200)
    const inUse = await api.replaceSettings(s.admin, { ...SETTINGS, allowedCurrencies: ['USD'] }, '"v1"')
    expect([inUse.statusCode, inUse.json().code, inUse.json().prices]).toEqual([409, 'CURRENCY_IN_USE', 1])
    const above = await api.replaceSettings(
      s.admin,
      { ...SETTINGS, minimumPrices: [{ currency: 'EUR', amount: 1000 }] },
      '"v1"',
    )
    expect([above.statusCode, above.json().code]).toEqual([409, 'PRICES_BELOW_MINIMUM'])
    const atIt = await api.replaceSettings(
      s.admin,
      { ...SETTINGS, minimumPrices: [{ currency: 'EUR', amount: 900 }] },
      '"v1"',
    )
    expect(atIt.statusCode).toBe(200)
  })
})

describe('course prices', () => {
  it('version every change: a new amount is a new version, the old one is kept and closed where it starts', async () => {
    const s = await sellingTenant(t)
    const empty = await api.coursePrices(s.courseId, s.instructor.token)
    expect(empty.json()).toEqual({
      productId: null,
      productType: 'course',
      subjectId: s.courseId,
      revision: 0,
      prices: [],
    })
    expect(empty.headers.etag).toBe('"v0"')

    const first = await api.setCoursePrice(s.courseId, 'USD', 1999, s.instructor.token, { 'if-match': '"v0"' })
    expect(first.statusCode).toBe(200)
    expect(first.headers.etag).toBe('"v1"')
    const v1 = first.json()
    expect(v1).toMatchObject({ price: { amount: 1999, currency: 'USD' }, version: 1, validTo: null, endedBy: null })
    expect(v1.createdBy).toBe(`user:${s.instructor.userId}`)

    const second = await api.setCoursePrice(s.courseId, 'USD', 2499, s.instructor.token, { 'if-match': '"v1"' })
    const v2 = second.json()
    expect([second.statusCode, second.headers.etag, v2.version, v2.productId]).toEqual([200, '"v2"', 2, v1.productId])
    expect(v2.id).not.toBe(v1.id)
    // A stale ETag is refused; the same amount again changes nothing.
    expect(
      (await api.setCoursePrice(s.courseId, 'USD', 10, s.instructor.token, { 'if-match': '"v1"' })).statusCode,
    ).toBe(412)
    const same = await api.setCoursePrice(s.courseId, 'USD', 2499, s.instructor.token)
    expect([same.headers.etag, same.json().id]).toEqual(['"v2"', v2.id])

    await api.setCoursePrice(s.courseId, 'EUR', 2299, s.instructor.token)
    const list = (await api.coursePrices(s.courseId, s.instructor.token)).json()
    expect(list.revision).toBe(3)
    expect(list.prices.map((p: { price: unknown }) => p.price)).toEqual([
      { amount: 2299, currency: 'EUR' },
      { amount: 2499, currency: 'USD' },
    ])

    const history = (await api.courseHistory(s.courseId, s.instructor.token, '?currency=USD')).json()
    expect(history.data.map((v: { id: string }) => v.id)).toEqual([v2.id, v1.id])
    const closed = history.data[1]
    expect(closed.validTo).toBe(v2.validFrom)
    expect(closed.endedBy).toBe(`user:${s.instructor.userId}`)
    expect(closed.price).toEqual({ amount: 1999, currency: 'USD' })
    expect((await auditEntries(t, s.id, 'commerce.price_set')).map((e) => [e.details.from, e.details.to])).toEqual([
      [null, 1999],
      [1999, 2499],
      [null, 2299],
    ])
  })

  it('serialises concurrent changes of one product: contiguous versions, one current price, free consistent', async () => {
    const s = await sellingTenant(t)
    const amounts = Array.from({ length: 12 }, (_, i) => 1000 + i)
    const answers = await Promise.all(amounts.map((amount) => api.setCoursePrice(s.courseId, 'USD', amount, s.admin)))
    expect(answers.map((a) => a.statusCode)).toEqual(amounts.map(() => 200))
    const history = (await api.courseHistory(s.courseId, s.admin, '?limit=100')).json().data as Array<{
      version: number
      validFrom: string
      validTo: string | null
    }>
    expect(history.map((v) => v.version)).toEqual(amounts.map((_, i) => amounts.length - i))
    expect(history.filter((v) => v.validTo === null)).toHaveLength(1)
    // Each version ends where the next begins.
    for (let i = 1; i < history.length; i++) expect(history[i]!.validTo).toBe(history[i - 1]!.validFrom)
    expect((await api.coursePrices(s.courseId, s.admin)).json().revision).toBe(amounts.length)

    // A price set in one currency while the only other one is removed: the course ends up paid.
    await Promise.all([
      api.setCoursePrice(s.courseId, 'EUR', 900, s.admin),
      api.removeCoursePrice(s.courseId, 'USD', s.admin),
    ])
    const shown = await api.publicGet(s.host, `/v1/catalogue/courses/${s.courseSlug}`)
    expect(shown.json().free).toBe(false)
  })

  it('removes a price by closing its version, and says when there is none', async () => {
    const s = await sellingTenant(t)
    const set = (await api.setCoursePrice(s.courseId, 'EUR', 1500, s.instructor.token)).json()
    const removed = await api.removeCoursePrice(s.courseId, 'EUR', s.instructor.token, { 'if-match': '"v1"' })
    expect([removed.statusCode, removed.body]).toEqual([204, ''])
    expect((await api.coursePrices(s.courseId, s.instructor.token)).json()).toMatchObject({ revision: 2, prices: [] })
    const again = await api.removeCoursePrice(s.courseId, 'EUR', s.instructor.token)
    expect([again.statusCode, again.json().code]).toEqual([404, 'PRICE_NOT_FOUND'])
    const [closed] = (await api.courseHistory(s.courseId, s.instructor.token)).json().data
    expect(closed).toMatchObject({ id: set.id, endedBy: `user:${s.instructor.userId}` })
    expect(closed.validTo).not.toBeNull()
    expect(await auditEntries(t, s.id, 'commerce.price_removed')).toHaveLength(1)
  })

  it('keeps every price within the tenant rules and refuses what no price can be', async () => {
    const s = await sellingTenant(t, { minimums: [{ currency: 'EUR', amount: 100 }] })
    const refused = async (currency: string, amount: unknown) => {
      const response = await api.setCoursePrice(s.courseId, currency, amount, s.instructor.token)
      return [response.statusCode, response.json().code]
    }
    expect(await refused('GBP', 1000)).toEqual([422, 'CURRENCY_NOT_ALLOWED'])
    expect(await refused('EUR', 99)).toEqual([422, 'PRICE_BELOW_MINIMUM'])
    expect(await refused('XYZ', 1000)).toEqual([400, 'UNKNOWN_CURRENCY'])
    expect(await refused('usd', 1000)).toEqual([400, 'VALIDATION_FAILED'])
    expect(await refused('US%00', 1000)).toEqual([400, 'VALIDATION_FAILED'])
    for (const amount of [0, -1999, 19.99, '19.99', null, 1e12 + 1, Number.MAX_SAFE_INTEGER + 2])
      expect([amount, ...(await refused('USD', amount))]).toEqual([amount, 400, 'VALIDATION_FAILED'])
    for (const payload of [
      '{"amount":1e309}',
      '{"amount":NaN}',
      '{"amount":"1\\u0000"}',
      '{"amount":1999,"currency":"EUR"}',
    ]) {
      const response = await t.app.inject({
        method: 'PUT',
        url: `/v1/courses/${s.courseId}/prices/USD`,
        headers: { ...t.auth(s.instructor.token), 'content-type': 'application/json' },
        payload,
      })
      expect([payload, response.statusCode]).toEqual([payload, 400])
    }
    // The largest price there is, and nothing was stored by any refusal.
    expect(await refused('USD', 1e12)).toEqual([200, undefined])
    expect((await api.coursePrices(s.courseId, s.instructor.token)).json().prices).toHaveLength(1)
  })

  it('are set by the course staff and administrators only', async () => {
    const s = await sellingTenant(t)
    const coInstructor = randomUUID()
    const { courseId } = await buildPublishedCourse(t.platform.database, s.id, s.instructor.userId, {
      coInstructorIds: [coInstructor],
    })
    const co = await t.tokenFor(s.id, ['instructor'], coInstructor)
    expect((await api.setCoursePrice(courseId, 'USD', 1000, co)).statusCode).toBe(200)
    expect((await api.setCoursePrice(courseId, 'USD', 1100, s.admin)).statusCode).toBe(200)

    const otherInstructor = await t.tokenFor(s.id, ['instructor'])
    const notTheirs = await api.setCoursePrice(courseId, 'USD', 1, otherInstructor)
    expect([notTheirs.statusCode, notTheirs.json().code]).toEqual([404, 'COURSE_NOT_FOUND'])
    expect((await api.coursePrices(courseId, otherInstructor)).statusCode).toBe(404)
    expect((await api.removeCoursePrice(courseId, 'USD', otherInstructor)).statusCode).toBe(404)
    const learner = await t.tokenFor(s.id, ['learner'])
    expect((await api.setCoursePrice(courseId, 'USD', 1, learner)).statusCode).toBe(403)
    expect((await api.coursePrices(courseId, learner)).statusCode).toBe(403)
    expect((await api.setCoursePrice(courseId, 'USD', 1, undefined)).statusCode).toBe(401)
    expect((await api.setCoursePrice(randomUUID(), 'USD', 1000, s.admin)).statusCode).toBe(404)
    expect((await api.coursePrices(courseId, s.admin)).json().prices[0].price.amount).toBe(1100)
  })

  it('cannot be read or set across tenants', async () => {
    const a = await sellingTenant(t)
    const b = await sellingTenant(t)
    await api.setCoursePrice(a.courseId, 'USD', 4200, a.admin)
    for (const response of [
      await api.coursePrices(a.courseId, b.admin),
      await api.setCoursePrice(a.courseId, 'USD', 1, b.admin),
      await api.removeCoursePrice(a.courseId, 'USD', b.admin),
      await api.courseHistory(a.courseId, b.admin),
    ])
      expect([response.statusCode, response.json().code]).toEqual([404, 'COURSE_NOT_FOUND'])
    const onB = await api.publicGet(b.host, `/v1/catalogue/courses/${a.courseSlug}/prices`)
    expect([onB.statusCode, onB.json().code]).toEqual([404, 'COURSE_NOT_IN_CATALOGUE'])
    expect((await api.coursePrices(a.courseId, a.admin)).json().prices[0].price.amount).toBe(4200)
  })
})

describe('learning path prices', () => {
  it('sell a published path as a bundle, priced by holders of paths:manage', async () => {
    const s = await sellingTenant(t)
    const call = (method: 'POST' | 'PUT', url: string, payload: object, ifMatch?: string) =>
      t.app.inject({
        method,
        url,
        headers: { ...t.auth(s.admin), ...(ifMatch ? { 'if-match': ifMatch } : {}) },
        payload,
      })
    const path = (await call('POST', '/v1/learning-paths', { slug: 'bundle', title: 'Bundle' })).json()
    await call('PUT', `/v1/learning-paths/${path.id}/courses`, { courses: [{ courseId: s.courseId }] }, '"v1"')
    await call('POST', `/v1/learning-paths/${path.id}/publish`, {}, '"v2"')

    expect((await api.setPathPrice(path.id, 'USD', 9900, s.instructor.token)).statusCode).toBe(403)
    const set = await api.setPathPrice(path.id, 'USD', 9900, s.admin)
    expect(set.statusCode).toBe(200)
    expect((await api.pathPrices(path.id, s.admin)).json()).toMatchObject({ productType: 'learning_path', revision: 1 })
    const shown = (await api.publicGet(s.host, '/v1/catalogue/paths/bundle/prices')).json()
    expect(shown).toEqual({
      productId: set.json().productId,
      free: false,
      pricesIncludeTax: false,
      prices: [{ priceVersionId: set.json().id, price: { amount: 9900, currency: 'USD' } }],
    })
    // The bundle's price leaves its course free.
    expect((await api.publicGet(s.host, `/v1/catalogue/courses/${s.courseSlug}/prices`)).json().free).toBe(true)
    const unknown = await api.setPathPrice(randomUUID(), 'USD', 9900, s.admin)
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'LEARNING_PATH_NOT_FOUND'])
    expect((await api.publicGet(s.host, '/v1/catalogue/paths/nope/prices')).statusCode).toBe(404)
  })
})
