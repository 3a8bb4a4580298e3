import { Type } from 'typebox'
import { operatorAccess, tenantAccess } from '../../../platform/http/access.ts'
import { Page } from '../../../platform/http/pagination.ts'
import type { App } from '../../../platform/http/server.ts'
import {
  Member,
  MemberParams,
  MemberQuery,
  MemberRoleParams,
  MemberStatusBody,
  TenantMemberParams,
  TenantMemberRoleParams,
} from './members.schemas.ts'
import type { MembersService } from './members.service.ts'

const tags = ['identity']
const ROLE_RULES =
  "Nobody changes their own roles (403 SELF_ROLE_CHANGE); a role is granted or revoked only by someone ranking at least as high (403 ROLE_LEVEL_TOO_LOW); the last active tenant_admin cannot be removed (409 LAST_TENANT_ADMIN); refused while impersonating. Applies on the member's next request."
const STATUS_RULES =
  "Disabling ends access on the member's next request. Not on yourself (403 SELF_ROLE_CHANGE), not on someone who outranks you, and not on the last active tenant_admin (409 LAST_TENANT_ADMIN)."
const OPERATOR_NOTE = ' Operator variant for any tenant (e.g. to appoint its first tenant_admin).'

/** The tenant administrator's routes, on the caller's own tenant. */
function tenantRoutes(app: App, service: MembersService, MemberRef: ReturnType<typeof Type.Ref>) {
  app.get(
    '/v1/members',
    {
      schema: {
        summary: "List the tenant's members",
        tags,
        operationId: 'listMembers',
        querystring: MemberQuery,
        response: { 200: Page(MemberRef, 'MemberPage') },
      },
      config: { access: tenantAccess('members:read') },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.put(
    '/v1/members/:userId/roles/:role',
    {
      schema: {
        summary: 'Grant a role to a member',
        description: ROLE_RULES,
        tags,
        operationId: 'grantMemberRole',
        params: MemberRoleParams,
        response: { 200: MemberRef },
      },
      config: { access: tenantAccess('members:manage'), privileged: true },
    },
    async (request) => service.grantRole(request.ctx, request.params),
  )

  app.delete(
    '/v1/members/:userId/roles/:role',
    {
      schema: {
        summary: 'Revoke a role from a member',
        description: ROLE_RULES,
        tags,
        operationId: 'revokeMemberRole',
        params: MemberRoleParams,
        response: { 204: Type.Null({ description: 'Revoked (also when the member did not hold the role)' }) },
      },
      config: { access: tenantAccess('members:manage'), privileged: true },
    },
    async (request, reply) => {
      await service.revokeRole(request.ctx, request.params)
      return reply.status(204).send(null)
    },
  )

  app.put(
    '/v1/members/:userId/status',
    {
      schema: {
        summary: 'Enable or disable a member',
        description: STATUS_RULES,
        tags,
        operationId: 'setMemberStatus',
        params: MemberParams,
        body: MemberStatusBody,
        response: { 200: MemberRef },
      },
      config: { access: tenantAccess('members:manage'), privileged: true },
    },
    async (request) => service.setStatus(request.ctx, { ...request.params, status: request.body.status }),
  )
}

/** The same changes for platform operators, on the tenant named in the path. */
function operatorRoutes(app: App, service: MembersService, MemberRef: ReturnType<typeof Type.Ref>) {
  app.put(
    '/v1/tenants/:tenantId/members/:userId/roles/:role',
    {
      schema: {
        summary: "Grant a role to a tenant's member",
        description: ROLE_RULES + OPERATOR_NOTE,
        tags,
        operationId: 'grantTenantMemberRole',
        params: TenantMemberRoleParams,
        response: { 200: MemberRef },
      },
      config: { access: operatorAccess('platform:members') },
    },
    async (request) => service.grantRole(request.ctx, request.params),
  )

  app.delete(
    '/v1/tenants/:tenantId/members/:userId/roles/:role',
    {
      schema: {
        summary: "Revoke a role from a tenant's member",
        description: ROLE_RULES + OPERATOR_NOTE,
        tags,
        operationId: 'revokeTenantMemberRole',
        params: TenantMemberRoleParams,
        response: { 204: Type.Null({ description: 'Revoked (also when the member did not hold the role)' }) },
      },
      config: { access: operatorAccess('platform:members') },
    },
    async (request, reply) => {
      await service.revokeRole(request.ctx, request.params)
      return reply.status(204).send(null)
    },
  )

  app.put(
    '/v1/tenants/:tenantId/members/:userId/status',
    {
      schema: {
        summary: "Enable or disable a tenant's member",
        description: STATUS_RULES + OPERATOR_NOTE,
        tags,
        operationId: 'setTenantMemberStatus',
        params: TenantMemberParams,
        body: MemberStatusBody,
        response: { 200: MemberRef },
      },
      config: { access: operatorAccess('platform:members') },
    },
    async (request) => service.setStatus(request.ctx, { ...request.params, status: request.body.status }),
  )
}

export function membersRoutes(service: MembersService) {
  return async function routes(app: App) {
    app.addSchema(Member)
    const MemberRef = Type.Ref('Member')
    tenantRoutes(app, service, MemberRef)
    operatorRoutes(app, service, MemberRef)
  }
}
