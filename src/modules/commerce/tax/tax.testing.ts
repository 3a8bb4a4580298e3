/**
 * Test helpers of tax and coupons: the tax calls over HTTP, an administrator's token while an
 * operator impersonates them (privileged routes refuse it), and reading in a tenant's transaction
 * as checkout does.
 */
import { randomUUID } from 'node:crypto'
import type { TestApp } from '../../../../test/build-test-app.ts'
import { tenantScope, type QueryCounter, type Tx } from '../../../platform/db/database.ts'
import { pricesClient } from '../prices/prices.testing.ts'

export function taxClient(t: TestApp) {
  const { call } = pricesClient(t)
  return {
    call,
    profile: (token: string | undefined) => call('GET', '/v1/commerce/tax/profile', token),
    replaceProfile: (token: string, body: unknown, ifMatch = '"v0"') =>
      call('PUT', '/v1/commerce/tax/profile', token, body, ifMatch ? { 'if-match': ifMatch } : {}),
    rates: (token: string | undefined, query = '') => call('GET', `/v1/commerce/tax/rates${query}`, token),
    setRate: (token: string | undefined, place: string, body: unknown, headers = {}) =>
      call('PUT', `/v1/commerce/tax/rates/${place}`, token, body, headers),
    removeRate: (token: string | undefined, place: string, headers = {}) =>
      call('DELETE', `/v1/commerce/tax/rates/${place}`, token, undefined, headers),
  }
}

/** The access token of an operator impersonating a new administrator of the tenant. */
export async function impersonatedAdmin(t: TestApp, tenantId: string): Promise<string> {
  const adminId = randomUUID()
  await t.tokenFor(tenantId, ['tenant_admin'], adminId)
  const started = await t.app.inject({
    method: 'POST',
    url: `/v1/tenants/${tenantId}/impersonations`,
    headers: t.auth(t.operatorToken),
    payload: { userId: adminId, reason: 'Ticket 4711: checking the commerce settings' },
  })
  if (started.statusCode !== 201) throw new Error(`impersonation: ${started.statusCode} ${started.body}`)
  return (started.json() as { accessToken: string }).accessToken
}

/** Work in the tenant's transaction, as checkout runs it (its statements counted in `counter` when given). */
export function inTenant<T>(
  t: TestApp,
  tenantId: string,
  work: (tx: Tx) => Promise<T>,
  counter?: QueryCounter,
): Promise<T> {
  return t.platform.database.transaction(tenantScope(tenantId), work, counter ? { counter } : {})
}
