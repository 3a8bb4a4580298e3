/**
 * Test helpers of prices: a tenant that sells (settings set by its administrator, an instructor
 * with a published course), the price, settings and exchange-rate calls over HTTP, and the audit
 * entries they leave.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../../platform/db/database.ts'
import { buildPublishedCourse } from '../../catalogue/testing.ts'

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE'

export function pricesClient(t: TestApp) {
  const call = (method: Method, url: string, token: string | undefined, payload?: unknown, headers = {}) =>
    t.app.inject({
      method,
      url,
      headers: { ...(token ? t.auth(token) : {}), ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    })
  return {
    call,
    settings: (token: string | undefined) => call('GET', '/v1/commerce/settings', token),
    replaceSettings: (token: string, body: unknown, ifMatch = '"v0"') =>
      call('PUT', '/v1/commerce/settings', token, body, ifMatch ? { 'if-match': ifMatch } : {}),
    coursePrices: (courseId: string, token: string | undefined) => call('GET', `/v1/courses/${courseId}/prices`, token),
    setCoursePrice: (courseId: string, currency: string, amount: unknown, token: string | undefined, headers = {}) =>
      call('PUT', `/v1/courses/${courseId}/prices/${currency}`, token, { amount }, headers),
    removeCoursePrice: (courseId: string, currency: string, token: string | undefined, headers = {}) =>
      call('DELETE', `/v1/courses/${courseId}/prices/${currency}`, token, undefined, headers),
    courseHistory: (courseId: string, token: string, query = '') =>
      call('GET', `/v1/courses/${courseId}/prices/history${query}`, token),
    pathPrices: (pathId: string, token: string | undefined) =>
      call('GET', `/v1/learning-paths/${pathId}/prices`, token),
    setPathPrice: (pathId: string, currency: string, amount: unknown, token: string | undefined) =>
      call('PUT', `/v1/learning-paths/${pathId}/prices/${currency}`, token, { amount }),
    /** The public catalogue on the tenant's host. */
    publicGet: (host: string, url: string, on: TestApp = t) => on.app.inject({ method: 'GET', url, headers: { host } }),
    recordRate: (body: unknown, token = t.operatorToken) => call('POST', '/v1/ops/fx-rates', token, body),
  }
}

export interface SellingTenant {
  id: string
  slug: string
  host: string
  admin: string
  instructor: { userId: string; token: string }
  /** A published course the instructor owns. */
  courseId: string
  courseSlug: string
}

/** A tenant whose administrator sells in `currencies` (base first) and an instructor's published course. */
export async function sellingTenant(
  t: TestApp,
  options: { currencies?: string[]; minimums?: Array<{ currency: string; amount: number }>; includeTax?: boolean } = {},
): Promise<SellingTenant> {
  const tenant = await t.createTenant()
  const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
  const currencies = options.currencies ?? ['USD', 'EUR']
  const settings = await pricesClient(t).replaceSettings(admin, {
    allowedCurrencies: currencies,
    baseCurrency: currencies[0],
    minimumPrices: options.minimums ?? [],
    pricesIncludeTax: options.includeTax ?? false,
  })
  if (settings.statusCode !== 200) throw new Error(`commerce settings: ${settings.statusCode} ${settings.body}`)
  const userId = randomUUID()
  const token = await t.tokenFor(tenant.id, ['instructor'], userId)
  const courseSlug = `priced-${randomUUID().slice(0, 8)}`
  const { courseId } = await buildPublishedCourse(t.platform.database, tenant.id, userId, { slug: courseSlug })
  return {
    ...tenant,
    host: `${tenant.slug}.${t.config.http.baseDomain}`,
    admin,
    instructor: { userId, token },
    courseId,
    courseSlug,
  }
}

/** The tenant's audit entries of `action` (and the platform's when tenantId is null), oldest first. */
export function auditEntries(t: TestApp, tenantId: string | null, action: string) {
  return t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ actor_id: string; target_id: string; details: Record<string, unknown> }>(
      tx,
      sql`SELECT actor_id, target_id, details FROM platform.audit_log
        WHERE tenant_id IS NOT DISTINCT FROM ${tenantId}::uuid AND action = ${action} ORDER BY occurred_at, id`,
    ),
  )
}
