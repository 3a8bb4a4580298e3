/**
 * Free follows the prices: a course with a current price is not free in the catalogue (detail,
 * listing, filter, facets, search), self-enrolment refuses it, and it is free again when its last
 * price goes. Every price change reaches the cached public pages at once on the node that made it
 * and, on PostgreSQL, within a second on another node (ADR 0017).
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, testDatabaseUrl, type TestApp } from '../../../../test/build-test-app.ts'
import { eventually } from '../../../../test/cache-listeners.ts'
import { buildCourse, buildPublishedCourse } from '../../catalogue/testing.ts'
import { publishCourse } from '../../catalogue/index.ts'
import { tenantScope } from '../../../platform/db/database.ts'
import { createMember, enrolmentClient } from '../../enrolment/testing.ts'
import { pricesClient, sellingTenant, type SellingTenant } from './prices.testing.ts'

/** Statements each public catalogue read ran (0 for a cache hit), and the last count per URL. */
const statements: number[] = []
const queriesOf = new Map<string, number>()
let t: TestApp
let api: ReturnType<typeof pricesClient>
beforeAll(async () => {
  t = await buildTestApp({
    instrument: (app) =>
      app.addHook('onResponse', async (request) => {
        if (request.url.startsWith('/v1/catalogue') && request.ctx) {
          statements.push(request.ctx.counter.queries + request.ctx.counter.overhead)
          queriesOf.set(request.url, request.ctx.counter.queries)
        }
      }),
  })
  api = pricesClient(t)
})
afterAll(async () => t?.close())

/** Until the notice of this node's own change arrives the node does not cache the tenant (read-your-writes). */
const cacheable = (tenantId: string, app: TestApp = t) =>
  eventually(async () => (await app.platform.publicCache.capture(tenantId, 'catalogue')) !== undefined, 5_000)

function catalogueOf(s: SellingTenant, on: TestApp = t) {
  const get = (url: string) => api.publicGet(s.host, url, on)
  return {
    detailFree: async () => (await get(`/v1/catalogue/courses/${s.courseSlug}`)).json().free as boolean,
    cardFree: async () =>
      ((await get('/v1/catalogue/courses')).json().data as Array<{ slug: string; free: boolean }>).find(
        (c) => c.slug === s.courseSlug,
      )?.free,
    freeOnly: async () => ((await get('/v1/catalogue/courses?free=true')).json().data as unknown[]).length,
    searchFree: async () => (await get('/v1/catalogue/courses?q=priced')).json().data[0]?.free as boolean | undefined,
    freeFacet: async () => (await get('/v1/catalogue/facets')).json().free as Array<{ value: boolean; count: number }>,
    prices: async () => (await get(`/v1/catalogue/courses/${s.courseSlug}/prices`)).json(),
  }
}

describe('free follows the prices', () => {
  it('in every catalogue read, and self-enrolment with it', async () => {
    const s = await sellingTenant(t)
    const shown = catalogueOf(s)
    const learner = await createMember(t, s.id)
    const enrolment = enrolmentClient(t)
    expect([await shown.detailFree(), await shown.cardFree(), await shown.freeOnly()]).toEqual([true, true, 1])
    expect(await shown.freeFacet()).toEqual([{ value: true, count: 1 }])

    const price = (await api.setCoursePrice(s.courseId, 'USD', 1999, s.instructor.token)).json()
    await api.setCoursePrice(s.courseId, 'EUR', 1799, s.instructor.token)
    expect([await shown.detailFree(), await shown.cardFree(), await shown.freeOnly()]).toEqual([false, false, 0])
    expect(await shown.searchFree()).toBe(false)
    expect(await shown.freeFacet()).toEqual([{ value: false, count: 1 }])
    expect(await shown.prices()).toEqual({
      productId: price.productId,
      free: false,
      pricesIncludeTax: false,
      prices: [
        { priceVersionId: expect.any(String), price: { amount: 1799, currency: 'EUR' } },
        { priceVersionId: price.id, price: { amount: 1999, currency: 'USD' } },
      ],
    })
    const paid = await enrolment.selfEnrol(s.courseId, learner.token)
    expect([paid.statusCode, paid.json().code]).toEqual([409, 'COURSE_NOT_FREE'])

    // One price left is still a paid course; none left is free again.
    await api.removeCoursePrice(s.courseId, 'USD', s.instructor.token)
    expect(await shown.detailFree()).toBe(false)
    await api.removeCoursePrice(s.courseId, 'EUR', s.instructor.token)
    expect([await shown.detailFree(), await shown.cardFree(), await shown.freeOnly()]).toEqual([true, true, 1])
    expect((await shown.prices()).free).toBe(true)
    expect((await enrolment.selfEnrol(s.courseId, learner.token)).statusCode).toBe(201)
  })

  it('holds for a course priced before its first publication', async () => {
    const s = await sellingTenant(t)
    const slug = `draft-${randomUUID().slice(0, 8)}`
    const { courseId } = await buildCourse(t.platform.database, s.id, s.instructor.userId, { slug })
    expect((await api.setCoursePrice(courseId, 'USD', 5000, s.instructor.token)).statusCode).toBe(200)
    // Not in the catalogue yet: nothing to show.
    expect((await api.publicGet(s.host, `/v1/catalogue/courses/${slug}/prices`)).statusCode).toBe(404)
    await t.platform.database.transaction(tenantScope(s.id), (tx) => publishCourse(tx, courseId, s.instructor.userId))
    expect((await api.publicGet(s.host, `/v1/catalogue/courses/${slug}`)).json().free).toBe(false)
    expect((await api.publicGet(s.host, `/v1/catalogue/courses/${slug}/prices`)).json().free).toBe(false)
  })
})

describe('the cached catalogue after a price change', () => {
  it('serves the change at once on the node that made it, after serving hits before it', async () => {
    const s = await sellingTenant(t)
    const shown = catalogueOf(s)
    await cacheable(s.id)
    const before = await shown.prices()
    // Uncached, the price page costs what the course detail does: two statements.
    expect(queriesOf.get(`/v1/catalogue/courses/${s.courseSlug}/prices`)).toBe(2)
    expect(await shown.detailFree()).toBe(true)
    statements.length = 0
    expect(await shown.prices()).toEqual(before)
    expect(await shown.detailFree()).toBe(true)
    expect(statements).toEqual([0, 0])
    await api.setCoursePrice(s.courseId, 'USD', 2500, s.instructor.token)
    statements.length = 0
    expect((await shown.prices()).prices.map((p: { price: unknown }) => p.price)).toEqual([
      { amount: 2500, currency: 'USD' },
    ])
    expect(await shown.detailFree()).toBe(false)
    expect(statements.every((n) => n > 0)).toBe(true)
    await api.setCoursePrice(s.courseId, 'USD', 2700, s.instructor.token)
    expect((await shown.prices()).prices[0].price.amount).toBe(2700)
    // A settings change shows in the price pages too (tax included or not).
    await api.replaceSettings(
      s.admin,
      { allowedCurrencies: ['USD', 'EUR'], baseCurrency: 'USD', minimumPrices: [], pricesIncludeTax: true },
      '"v1"',
    )
    expect((await shown.prices()).pricesIncludeTax).toBe(true)
  })
})

// Two apps on one PostgreSQL database are two nodes, each with its own cache and listener.
const twoNodes = testDatabaseUrl() ? describe : describe.skip
if (!testDatabaseUrl()) console.info('free-follows-prices.test: two-node checks need PostgreSQL; skipped')

twoNodes('two nodes on one PostgreSQL', () => {
  let b: TestApp
  beforeAll(async () => {
    b = await buildTestApp()
  })
  afterAll(async () => b?.close())

  it('serve a price change made on the other node within 1 s, free flag included', async () => {
    const s = await sellingTenant(t)
    const onB = catalogueOf(s, b)
    await cacheable(s.id, b)
    expect([await onB.detailFree(), (await onB.prices()).free]).toEqual([true, true])
    const seenByB = b.platform.publicCache.generationOf(s.id, 'catalogue') ?? 0
    await api.setCoursePrice(s.courseId, 'EUR', 3100, s.instructor.token)
    await eventually(() => (b.platform.publicCache.generationOf(s.id, 'catalogue') ?? 0) > seenByB, 1000)
    await eventually(async () => (await onB.detailFree()) === false, 1000)
    await eventually(async () => (await onB.prices()).prices[0]?.price.amount === 3100, 1000)
    await api.removeCoursePrice(s.courseId, 'EUR', s.instructor.token)
    await eventually(async () => (await onB.detailFree()) === true && (await onB.prices()).free === true, 1000)
  })
})

describe('a published course of another instructor', () => {
  it('stays free while a colleague prices theirs', async () => {
    const s = await sellingTenant(t)
    const other = await buildPublishedCourse(t.platform.database, s.id, randomUUID(), {
      slug: `other-${randomUUID().slice(0, 6)}`,
    })
    await api.setCoursePrice(s.courseId, 'USD', 1000, s.instructor.token)
    const learner = await createMember(t, s.id)
    expect((await enrolmentClient(t).selfEnrol(other.courseId, learner.token)).statusCode).toBe(201)
  })
})
