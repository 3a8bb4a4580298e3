/**
 * Operator routes under `/v1/tenants/:tenantId/...` act inside the named tenant's scope, where
 * RLS makes an unknown tenant look like an empty one: a list there would answer 200 with no rows.
 * A resource under a parent the caller cannot see is 404, so the tenant is looked up first (the
 * directory caches it) and an unknown one is 404 TENANT_NOT_FOUND on every such route.
 */
import type { FastifyRequest } from 'fastify'
import type { App } from './app-type.ts'
import { AppError } from '../errors.ts'
import type { TenantDirectory } from './server.ts'
import { attachRouteHook } from './route-hooks.ts'

const TENANT_PATH = '/v1/tenants/:tenantId/'

export function registerTenantPathCheck(app: App, tenants: TenantDirectory): void {
  // preHandler: after validation, so the id is known to be a UUID before it reaches the database.
  // Route-level (route-hooks.ts), on those routes only: every other request skips it at no cost.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(TENANT_PATH)) return
    attachRouteHook(route, 'preHandler', async (request: FastifyRequest) => {
      const { tenantId } = request.params as { tenantId?: unknown }
      if (typeof tenantId !== 'string') return
      if (!(await tenants.byId(tenantId)))
        throw new AppError('not_found', 'TENANT_NOT_FOUND', `Tenant ${tenantId} does not exist`)
    })
  })
}
