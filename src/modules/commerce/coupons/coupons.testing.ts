/** Test helpers of coupons: the admin calls over HTTP, and a tenant selling two priced courses. */
import type { TestApp } from '../../../../test/build-test-app.ts'
import { buildPublishedCourse } from '../../catalogue/testing.ts'
import { pricesClient, sellingTenant, type SellingTenant } from '../prices/prices.testing.ts'

export function couponsClient(t: TestApp) {
  const { call } = pricesClient(t)
  return {
    call,
    create: (token: string | undefined, body: unknown, headers = {}) =>
      call('POST', '/v1/commerce/coupons', token, body, headers),
    list: (token: string | undefined, query = '') => call('GET', `/v1/commerce/coupons${query}`, token),
    get: (token: string | undefined, id: string) => call('GET', `/v1/commerce/coupons/${id}`, token),
    archive: (token: string | undefined, id: string) => call('POST', `/v1/commerce/coupons/${id}/archive`, token),
  }
}

export interface CouponShop extends SellingTenant {
  /** Products of two priced courses (USD 49.99 and 19.99; EUR 45.00 and 18.00). */
  productIds: [string, string]
}

/** A tenant selling two courses in USD and EUR, with its administrator's token. */
export async function couponShop(t: TestApp): Promise<CouponShop> {
  const shop = await sellingTenant(t)
  const prices = pricesClient(t)
  const second = await buildPublishedCourse(t.platform.database, shop.id, shop.instructor.userId)
  const productIds: string[] = []
  for (const [courseId, usd, eur] of [
    [shop.courseId, 4999, 4500],
    [second.courseId, 1999, 1800],
  ] as const) {
    const priced = await prices.setCoursePrice(courseId, 'USD', usd, shop.instructor.token)
    if (priced.statusCode !== 200) throw new Error(`price: ${priced.statusCode} ${priced.body}`)
    await prices.setCoursePrice(courseId, 'EUR', eur, shop.instructor.token)
    productIds.push((priced.json() as { productId: string }).productId)
  }
  return { ...shop, productIds: productIds as [string, string] }
}
