/**
 * Tenancy: tenants (slug, name, status, region, locale, currency, domains, settings), created by
 * platform operators, and resolution of an anonymous request's tenant from its Host.
 * Owns the `tenancy` schema; other modules reference `tenants.id` by foreign key.
 */
import type { Database } from '../../platform/db/database.ts'
import type { EventPublisher } from '../../platform/events/events.ts'
import { tenancyRoutes } from './tenancy.routes.ts'
import { createTenancyService } from './tenancy.service.ts'
import { createTenantDirectory, type TenantDirectoryOptions } from './tenant-directory.ts'

export { tenants } from './tenancy.tables.ts'
export type { Tenant, CreateTenantBody } from './tenancy.schemas.ts'
export { TENANT_CREATED, type TenantCreatedPayload } from './tenancy.events.ts'
export {
  findTenantSite,
  readTenantSite,
  tenantOrigin,
  type TenantBranding,
  type TenantSite,
  type TenantSiteOptions,
  type TenantUrlSettings,
} from './tenant-site.ts'

export function createTenancyModule(
  deps: {
    database: Database
    baseDomain: string
    events: EventPublisher
    /** Outside production a tenant's web client may be an http://*.localhost URL. */
    allowLocalHttpWebApps: boolean
  } & TenantDirectoryOptions,
) {
  const directory = createTenantDirectory(deps.database, deps.baseDomain, deps)
  const service = createTenancyService(directory, deps.events, { allowLocalHttpWebApps: deps.allowLocalHttpWebApps })
  return {
    /** Host and id lookups for the HTTP layer. */
    directory,
    api: { createTenant: service.createTenant, getTenant: service.getTenant, listTenants: service.listTenants },
    routes: tenancyRoutes(service),
  }
}

export type TenancyModule = ReturnType<typeof createTenancyModule>
