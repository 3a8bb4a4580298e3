import { Type } from 'typebox'
import { operatorAccess, tenantAccess } from '../../../platform/http/access.ts'
import { Page } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import {
  Impersonation,
  ImpersonationParams,
  ImpersonationQuery,
  ImpersonationToken,
  StartImpersonationBody,
  TenantImpersonationParams,
  TenantParams,
} from './impersonation.schemas.ts'
import type { ImpersonationService } from './impersonation.service.ts'

const tags = ['identity']
const TokenRef = Type.Ref('ImpersonationToken')
const noStore = { 'cache-control': 'no-store' }
const START_RULES =
  'Acts as the member for at most 60 minutes, with a reason (10-500 characters) recorded in the audit log. The token carries an RFC 8693 act claim naming you, lasts at most 15 minutes (renew it with POST .../token) and fails on its next request once the impersonation ends or expires, the member is disabled, you lose the right or are disabled, or the session you started it from ends (logout, logout-all, revocation, inactivity; for operators sign-out or expiry): it is bound to that session (startedFromSession) and ended with it. Every request made with it is audited with both identities; privileged actions (roles, status, API keys, second factors, passwords, other impersonations) are refused with it (403 IMPERSONATION_FORBIDDEN). Not yourself (403 SELF_IMPERSONATION), not a disabled member (409 USER_DISABLED).'
const TENANT_RULE =
  ' Tenant administrators impersonate only members ranking below them, so never another tenant_admin (403 ROLE_LEVEL_TOO_LOW).'
const RENEW =
  'A new access token for the impersonation, for whoever started it and from the session they started it in (403 NOT_IMPERSONATION_ACTOR otherwise), while it is live (409 IMPERSONATION_NOT_ACTIVE otherwise); it never outlives the impersonation.'
const END =
  "Ends the impersonation: its tokens fail on their next request. Open to its impersonator and the tenant's administrators."

function tenantRoutes(app: App, service: ImpersonationService) {
  app.post(
    '/v1/impersonations',
    {
      schema: {
        summary: 'Start impersonating a member of your tenant',
        description: START_RULES + TENANT_RULE,
        tags,
        operationId: 'startImpersonation',
        body: StartImpersonationBody,
        response: { 201: TokenRef },
      },
      config: { access: tenantAccess('members:impersonate'), privileged: true },
    },
    async (request, reply) =>
      reply
        .status(201)
        .headers(noStore)
        .send(await service.start(request.ctx, request.body)),
  )

  app.get(
    '/v1/impersonations',
    {
      schema: {
        summary: "List the tenant's impersonations, newest first",
        tags,
        operationId: 'listImpersonations',
        querystring: ImpersonationQuery,
        response: { 200: Type.Ref('ImpersonationPage') },
      },
      config: { access: tenantAccess('audit:read') },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.post(
    '/v1/impersonations/:impersonationId/token',
    {
      schema: {
        summary: 'Renew the access token of your impersonation',
        description: RENEW,
        tags,
        operationId: 'renewImpersonationToken',
        params: ImpersonationParams,
        response: { 200: TokenRef },
      },
      config: { access: tenantAccess('members:impersonate'), privileged: true },
    },
    async (request, reply) => reply.headers(noStore).send(await service.renew(request.ctx, request.params)),
  )

  app.delete(
    '/v1/impersonations/:impersonationId',
    {
      schema: {
        summary: 'End an impersonation',
        description: END,
        tags,
        operationId: 'endImpersonation',
        params: ImpersonationParams,
        response: { 204: Type.Null({ description: 'Ended' }) },
      },
      config: { access: tenantAccess('members:impersonate'), privileged: true },
    },
    async (request, reply) => {
      await service.end(request.ctx, request.params)
      return reply.status(204).send(null)
    },
  )
}

/** The same for platform operators, on the tenant named in the path. */
function operatorRoutes(app: App, service: ImpersonationService) {
  app.post(
    '/v1/tenants/:tenantId/impersonations',
    {
      schema: {
        summary: "Start impersonating a tenant's member",
        description: START_RULES,
        tags,
        operationId: 'startTenantImpersonation',
        params: TenantParams,
        body: StartImpersonationBody,
        response: { 201: TokenRef },
      },
      config: { access: operatorAccess('platform:impersonate') },
    },
    async (request, reply) =>
      reply
        .status(201)
        .headers(noStore)
        .send(await service.start(request.ctx, { ...request.params, ...request.body })),
  )

  app.get(
    '/v1/tenants/:tenantId/impersonations',
    {
      schema: {
        summary: "List a tenant's impersonations, newest first",
        tags,
        operationId: 'listTenantImpersonations',
        params: TenantParams,
        querystring: ImpersonationQuery,
        response: { 200: Type.Ref('ImpersonationPage') },
      },
      config: { access: operatorAccess('platform:impersonate') },
    },
    async (request) => service.list(request.ctx, { ...request.params, ...request.query }),
  )

  app.post(
    '/v1/tenants/:tenantId/impersonations/:impersonationId/token',
    {
      schema: {
        summary: 'Renew the access token of your impersonation in a tenant',
        description: RENEW,
        tags,
        operationId: 'renewTenantImpersonationToken',
        params: TenantImpersonationParams,
        response: { 200: TokenRef },
      },
      config: { access: operatorAccess('platform:impersonate') },
    },
    async (request, reply) => reply.headers(noStore).send(await service.renew(request.ctx, request.params)),
  )

  app.delete(
    '/v1/tenants/:tenantId/impersonations/:impersonationId',
    {
      schema: {
        summary: 'End an impersonation in a tenant',
        description: END,
        tags,
        operationId: 'endTenantImpersonation',
        params: TenantImpersonationParams,
        response: { 204: Type.Null({ description: 'Ended' }) },
      },
      config: { access: operatorAccess('platform:impersonate') },
    },
    async (request, reply) => {
      await service.end(request.ctx, request.params)
      return reply.status(204).send(null)
    },
  )
}

export function impersonationRoutes(service: ImpersonationService) {
  return async function routes(app: App) {
    app.addSchema(Impersonation)
    app.addSchema(ImpersonationToken)
    app.addSchema(Page(Type.Ref('Impersonation'), 'ImpersonationPage'))
    tenantRoutes(app, service)
    operatorRoutes(app, service)
  }
}
