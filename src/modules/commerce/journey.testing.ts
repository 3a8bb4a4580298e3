/**
 * The steps the commerce journeys share, over HTTP on one tenant's host: a tenant that sells in
 * euros with German VAT and a coupon, a course an instructor authors and prices and an
 * administrator publishes, a learner who registers from the verification email, and the mail the
 * platform sent. Journey 3 (buy → enrolled) and journey 5 (refund → access ends) start from them.
 */
import type { LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'
import type { TestApp } from '../../../test/build-test-app.ts'
import { createMember, type TestMember } from '../enrolment/testing.ts'

export const JOURNEY_WAIT_MS = 60_000
const PASSWORD = 'copper-meadow-81-thistle'
const VERIFY_SUBJECT = 'Confirm your email address'

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT'
export interface CallOptions {
  token?: string
  payload?: object | string
  headers?: Record<string, string>
}
export type Call = (method: Method, url: string, options?: CallOptions) => Promise<LightMyRequestResponse>

export interface Shopfront {
  tenant: { id: string; slug: string }
  admin: string
  finance: string
  call: Call
}

export interface PricedCourse {
  instructor: TestMember
  courseId: string
  slug: string
  /** The first lesson is a preview, the second needs access. */
  lessonIds: string[]
  productId: string
}

/** Asks `probe` until it returns something (not undefined), with a generous limit. */
export async function poll<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + JOURNEY_WAIT_MS
  for (;;) {
    const found = await probe()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`${what}: not within ${JOURNEY_WAIT_MS} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Calls on the tenant's host; error responses must be problem documents. */
function callOn(t: TestApp, slug: string): Call {
  return async (method, url, options = {}) => {
    const response = await t.app.inject({
      method,
      url,
      headers: {
        host: `${slug}.${t.config.http.baseDomain}`,
        ...(options.token ? t.auth(options.token) : {}),
        ...options.headers,
      },
      ...(options.payload ? { payload: options.payload } : {}),
    })
    if (response.statusCode >= 400) expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    return response
  }
}

/**
 * A new tenant whose administrator sets up selling: USD and EUR, a German seller of record, 19 %
 * German VAT and the coupon BAKERY20 (20 % off).
 */
export async function openShop(t: TestApp): Promise<Shopfront> {
  const tenant = await t.createTenant()
  const shop: Shopfront = {
    tenant,
    admin: await t.tokenFor(tenant.id, ['tenant_admin']),
    finance: await t.tokenFor(tenant.id, ['finance']),
    call: callOn(t, tenant.slug),
  }
  const admin = { token: shop.admin }
  const settings = await shop.call('PUT', '/v1/commerce/settings', {
    ...admin,
    headers: { 'if-match': '"v0"' },
    payload: { allowedCurrencies: ['USD', 'EUR'], baseCurrency: 'USD', minimumPrices: [], pricesIncludeTax: false },
  })
  expect(settings.statusCode, settings.body).toBe(200)
  const profile = await shop.call('PUT', '/v1/commerce/tax/profile', {
    ...admin,
    headers: { 'if-match': '"v0"' },
    payload: {
      sellerLegalName: 'Backstube Lyceum GmbH',
      sellerCountry: 'DE',
      sellerTaxId: 'DE987654321',
      reverseChargeB2B: true,
    },
  })
  expect(profile.statusCode, profile.body).toBe(200)
  const rate = await shop.call('PUT', '/v1/commerce/tax/rates/DE', {
    ...admin,
    headers: { 'if-match': '"v0"' },
    payload: { name: 'USt', rate: '0.19' },
  })
  expect(rate.statusCode, rate.body).toBeLessThan(300)
  const coupon = await shop.call('POST', '/v1/commerce/coupons', {
    ...admin,
    payload: { code: 'BAKERY20', kind: 'percent', percentOff: '20' },
  })
  expect(coupon.statusCode, coupon.body).toBe(201)
  return shop
}

/**
 * An instructor authors a two-lesson course, the administrator approves it (published) and the
 * instructor prices it at EUR 40.00 and USD 45.00.
 */
export async function publishPricedCourse(
  t: TestApp,
  shop: Shopfront,
  course: { slug: string; summary: string },
): Promise<PricedCourse> {
  const instructor = await createMember(t, shop.tenant.id, ['instructor'])
  const asInstructor = (method: Method, url: string, payload: object, ifMatch?: string) =>
    shop.call(method, url, {
      token: instructor.token,
      payload,
      ...(ifMatch ? { headers: { 'if-match': ifMatch } } : {}),
    })
  const created = await asInstructor('POST', '/v1/courses', {
    slug: course.slug,
    title: 'Bread at home',
    summary: course.summary,
    description: 'Starter, dough, oven.',
    level: 'beginner',
    language: 'en',
    category: 'cooking',
  })
  expect(created.statusCode, created.body).toBe(201)
  const courseId = (created.json() as { id: string }).id
  let etag = String(created.headers.etag)
  const module = await asInstructor('POST', `/v1/courses/${courseId}/modules`, { title: 'Starter' }, etag)
  expect(module.statusCode).toBe(201)
  etag = String(module.headers.etag)
  const lessonIds: string[] = []
  for (const lesson of [
    { kind: 'text', title: 'Why a starter', body: 'Wild yeast.', preview: true },
    { kind: 'text', title: 'Feeding the starter', body: 'Flour and water, every day.' },
  ]) {
    const added = await asInstructor(
      'POST',
      `/v1/courses/${courseId}/modules/${(module.json() as { id: string }).id}/lessons`,
      lesson,
      etag,
    )
    expect(added.statusCode).toBe(201)
    lessonIds.push((added.json() as { id: string }).id)
    etag = String(added.headers.etag)
  }
  const submitted = await asInstructor('POST', `/v1/courses/${courseId}/submit`, {}, etag)
  expect(submitted.statusCode, submitted.body).toBe(200)
  const reviewed = await shop.call('GET', `/v1/courses/${courseId}`, { token: shop.admin })
  const approved = await shop.call('POST', `/v1/courses/${courseId}/approve`, {
    token: shop.admin,
    headers: { 'if-match': String(reviewed.headers.etag) },
    payload: {},
  })
  expect(approved.json()).toMatchObject({ status: 'published' })

  let productId = ''
  for (const [currency, amount] of [
    ['EUR', 4000],
    ['USD', 4500],
  ] as const) {
    const priced = await asInstructor('PUT', `/v1/courses/${courseId}/prices/${currency}`, { amount })
    expect(priced.statusCode, priced.body).toBe(200)
    productId = (priced.json() as { productId: string }).productId
  }
  return { instructor, courseId, slug: course.slug, lessonIds, productId }
}

/** The tenant's captured mail to `email` with this subject, once it is there. */
export function mailTo(
  t: TestApp,
  shop: Shopfront,
  email: string,
  subject: string,
): Promise<{ subject: string; text: string }> {
  return poll(`the email "${subject}"`, async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/v1/ops/mail?limit=100&tenantId=${shop.tenant.id}&to=${encodeURIComponent(email)}`,
      headers: t.auth(t.operatorToken),
    })
    const mails = (response.json() as { data: Array<{ subject: string; text: string }> }).data
    return mails.find((m) => m.subject === subject)
  })
}

/** A visitor registers, verifies the address from the email and signs in: their token and id. */
export async function registerLearner(
  t: TestApp,
  shop: Shopfront,
  email: string,
): Promise<{ token: string; id: string }> {
  const { call } = shop
  expect((await call('POST', '/v1/auth/register', { payload: { email, password: PASSWORD } })).statusCode).toBe(202)
  const mail = await mailTo(t, shop, email, VERIFY_SUBJECT)
  const link = /\/verify-email\?token=([A-Za-z0-9_-]+)/.exec(mail.text)
  expect((await call('POST', '/v1/auth/verify-email', { payload: { token: link?.[1] } })).statusCode).toBe(200)
  const login = await call('POST', '/v1/auth/login', { payload: { email, password: PASSWORD } })
  expect(login.statusCode).toBe(200)
  const token = (login.json() as { accessToken: string }).accessToken
  const id = ((await call('GET', '/v1/me', { token })).json() as { id: string }).id
  return { token, id }
}

/** Balanced: a transaction's debits equal its credits. */
export function sidesOf(entries: Array<{ side: string; amount: { amount: number } }>): {
  debit: number
  credit: number
} {
  const sum = (side: string) => entries.filter((e) => e.side === side).reduce((total, e) => total + e.amount.amount, 0)
  return { debit: sum('debit'), credit: sum('credit') }
}
