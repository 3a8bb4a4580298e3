/**
 * Events the tenancy module publishes (see platform/events). Subscribers react to them in other
 * modules; the payload is the contract, so fields are only ever added.
 */
export const TENANT_CREATED = 'tenancy.tenant_created'

export type TenantCreatedPayload = {
  tenantId: string
  slug: string
  name: string
  region: string
  defaultLocale: string
  currency: string
}
