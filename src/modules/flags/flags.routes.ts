import { operatorAccess, publicAccess, tenantAccess } from '../../platform/http/access.ts'
import { Page, PageQuery } from '../../platform/http/pagination.ts'
import type { App } from '../../platform/http/server.ts'
import { Type } from 'typebox'
import {
  Flag,
  FlagEvaluation,
  FlagKeyParams,
  SetFlagBody,
  TenantFlagKeyParams,
  TenantIdParams,
} from './flags.schemas.ts'
import type { FlagsService } from './flags.service.ts'

const tags = ['flags']

export function flagsRoutes(service: FlagsService) {
  return async function routes(app: App) {
    app.addSchema(Flag)
    app.addSchema(FlagEvaluation)
    const FlagRef = Type.Ref('Flag')
    const FlagPage = Page(FlagRef, 'FlagPage')

    app.get(
      '/v1/flags',
      {
        schema: {
          summary: "Every declared flag with its default, the tenant's override and the effective value",
          tags,
          operationId: 'listFlags',
          querystring: PageQuery,
          response: { 200: FlagPage },
        },
        config: { access: tenantAccess('flags:read') },
      },
      async (request) => service.listFlags(request.ctx, request.query.limit, request.query.cursor),
    )

    app.get(
      '/v1/flags/evaluation',
      {
        schema: {
          summary: 'Effective values of the flags exposed to client apps',
          tags,
          operationId: 'evaluateFlags',
          response: { 200: Type.Ref('FlagEvaluation') },
        },
        config: { access: publicAccess('required') },
      },
      async (request) => ({ flags: await service.evaluateExposed(request.ctx) }),
    )

    app.put(
      '/v1/flags/:key',
      {
        schema: {
          summary: "Override a flag for the caller's tenant (audited)",
          tags,
          operationId: 'setFlag',
          params: FlagKeyParams,
          body: SetFlagBody,
          response: { 200: FlagRef },
        },
        config: { access: tenantAccess('flags:manage') },
      },
      async (request) => service.setFlag(request.ctx, request.params.key, request.body.enabled),
    )

    app.delete(
      '/v1/flags/:key',
      {
        schema: {
          summary: 'Reset a flag to its declared default (audited)',
          tags,
          operationId: 'resetFlag',
          params: FlagKeyParams,
          response: { 204: Type.Null({ description: 'Reset: the flag follows its declared default again' }) },
        },
        config: { access: tenantAccess('flags:manage') },
      },
      async (request, reply) => {
        await service.resetFlag(request.ctx, request.params.key)
        return reply.status(204).send(null)
      },
    )

    app.get(
      '/v1/tenants/:tenantId/flags',
      {
        schema: {
          summary: "A tenant's flags (operators)",
          tags,
          operationId: 'listTenantFlags',
          params: TenantIdParams,
          querystring: PageQuery,
          response: { 200: FlagPage },
        },
        config: { access: operatorAccess('platform:flags') },
      },
      async (request) =>
        service.listTenantFlags(request.ctx, request.params.tenantId, request.query.limit, request.query.cursor),
    )

    app.put(
      '/v1/tenants/:tenantId/flags/:key',
      {
        schema: {
          summary: 'Override a flag for a tenant (operators, audited)',
          tags,
          operationId: 'setTenantFlag',
          params: TenantFlagKeyParams,
          body: SetFlagBody,
          response: { 200: FlagRef },
        },
        config: { access: operatorAccess('platform:flags') },
      },
      async (request) =>
        service.setTenantFlag(request.ctx, request.params.tenantId, request.params.key, request.body.enabled),
    )

    app.delete(
      '/v1/tenants/:tenantId/flags/:key',
      {
        schema: {
          summary: "Reset a tenant's flag to its default (operators, audited)",
          tags,
          operationId: 'resetTenantFlag',
          params: TenantFlagKeyParams,
          response: { 204: Type.Null({ description: 'Reset: the flag follows its declared default again' }) },
        },
        config: { access: operatorAccess('platform:flags') },
      },
      async (request, reply) => {
        await service.resetTenantFlag(request.ctx, request.params.tenantId, request.params.key)
        return reply.status(204).send(null)
      },
    )
  }
}
