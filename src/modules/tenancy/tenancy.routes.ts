import { Type } from 'typebox'
import { operatorAccess, publicAccess, tenantAccess } from '../../platform/http/access.ts'
import { expectedVersion, setEtag } from '../../platform/http/etag.ts'
import { Page, PageQuery } from '../../platform/http/pagination.ts'
import type { App } from '../../platform/http/server.ts'
import {
  CreateTenantBody,
  DomainBody,
  DomainParams,
  Site,
  Tenant,
  TenantIdParams,
  UpdateTenantBody,
} from './tenancy.schemas.ts'
import type { TenancyService } from './tenancy.service.ts'

const tags = ['tenancy']

/** Platform operators manage every tenant: create, list, read and update. */
function tenantRoutes(app: App, service: TenancyService) {
  const TenantRef = Type.Ref('Tenant')
  const TenantPage = Page(TenantRef, 'TenantPage')

  app.post(
    '/v1/tenants',
    {
      schema: {
        summary: 'Create a tenant',
        tags,
        operationId: 'createTenant',
        body: CreateTenantBody,
        response: { 201: TenantRef },
      },
      config: { access: operatorAccess('platform:tenants'), idempotency: 'optional' },
    },
    async (request, reply) => {
      const { tenant, version } = await service.createTenant(request.ctx, request.body)
      setEtag(reply, version)
      return reply.status(201).header('location', `/v1/tenants/${tenant.id}`).send(tenant)
    },
  )

  app.get(
    '/v1/tenants',
    {
      schema: {
        summary: 'List tenants',
        tags,
        operationId: 'listTenants',
        querystring: PageQuery,
        response: { 200: TenantPage },
      },
      config: { access: operatorAccess('platform:tenants') },
    },
    async (request) => service.listTenants(request.ctx, request.query.limit, request.query.cursor),
  )

  app.get(
    '/v1/tenants/:tenantId',
    {
      schema: {
        summary: 'Get a tenant',
        tags,
        operationId: 'getTenant',
        params: TenantIdParams,
        response: { 200: TenantRef },
      },
      config: { access: operatorAccess('platform:tenants') },
    },
    async (request, reply) => {
      const { tenant, version } = await service.getTenant(request.ctx, request.params.tenantId)
      setEtag(reply, version)
      return tenant
    },
  )

  app.patch(
    '/v1/tenants/:tenantId',
    {
      schema: {
        summary: 'Update a tenant (requires If-Match)',
        tags,
        operationId: 'updateTenant',
        params: TenantIdParams,
        body: UpdateTenantBody,
        response: { 200: TenantRef },
      },
      config: { ifMatch: 'required', access: operatorAccess('platform:tenants') },
    },
    async (request, reply) => {
      const { tenant, version } = await service.updateTenant(
        request.ctx,
        request.params.tenantId,
        expectedVersion(request),
        request.body,
      )
      setEtag(reply, version)
      return tenant
    },
  )
}

/** Platform operators register and remove a tenant's custom domains. */
function domainRoutes(app: App, service: TenancyService) {
  const TenantRef = Type.Ref('Tenant')

  app.post(
    '/v1/tenants/:tenantId/domains',
    {
      schema: {
        summary: 'Register a custom domain for a tenant',
        tags,
        operationId: 'addTenantDomain',
        params: TenantIdParams,
        body: DomainBody,
        response: { 201: TenantRef },
      },
      config: { access: operatorAccess('platform:tenants') },
    },
    async (request, reply) => {
      const { tenant } = await service.addDomain(request.ctx, request.params.tenantId, request.body.domain)
      return reply.status(201).send(tenant)
    },
  )

  app.delete(
    '/v1/tenants/:tenantId/domains/:domain',
    {
      schema: {
        summary: 'Remove a custom domain',
        tags,
        operationId: 'removeTenantDomain',
        params: DomainParams,
        response: { 204: Type.Null({ description: 'Removed' }) },
      },
      config: { access: operatorAccess('platform:tenants') },
    },
    async (request, reply) => {
      await service.removeDomain(request.ctx, request.params.tenantId, request.params.domain)
      return reply.status(204).send(null)
    },
  )
}

/** The tenant a request belongs to: in full for its members, public facts for anyone on its host. */
function currentTenantRoutes(app: App, service: TenancyService) {
  const TenantRef = Type.Ref('Tenant')

  app.get(
    '/v1/tenant',
    {
      schema: {
        summary: 'The tenant of the signed-in member',
        tags,
        operationId: 'getCurrentTenant',
        response: { 200: TenantRef },
      },
      config: { access: tenantAccess('tenant:read') },
    },
    async (request, reply) => {
      const { tenant, version } = await service.getCurrentTenant(request.ctx)
      setEtag(reply, version)
      return tenant
    },
  )

  app.get(
    '/v1/site',
    {
      schema: {
        summary: 'Public facts about the tenant this host serves',
        tags,
        operationId: 'getSite',
        response: { 200: Site },
      },
      config: { access: publicAccess('required'), flag: 'tenancy.public_site' },
    },
    async (request) => {
      const { tenant } = await service.getCurrentTenant(request.ctx)
      return { slug: tenant.slug, name: tenant.name, defaultLocale: tenant.defaultLocale, currency: tenant.currency }
    },
  )
}

export function tenancyRoutes(service: TenancyService) {
  return async function routes(app: App) {
    app.addSchema(Tenant)
    tenantRoutes(app, service)
    domainRoutes(app, service)
    currentTenantRoutes(app, service)
  }
}
