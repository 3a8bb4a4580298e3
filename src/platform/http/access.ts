/**
 * Route access declarations. Every route states who may call it; the server refuses to start
 * with a route that does not, and one hook enforces the declaration before any handler runs.
 */
import type { FastifyRequest } from 'fastify'
import { AppError, commonErrors } from '../errors.ts'
import type { Permission } from './permissions.ts'
import type { Principal } from './principal.ts'

export type Access =
  /** Anyone. `tenant: 'required'` means the Host must name a tenant. */
  | { kind: 'public'; tenant?: 'required' | 'optional' }
  /** A signed-in member of a tenant holding every listed permission ([] = any member). */
  | { kind: 'tenant'; permissions: Permission[] }
  /** A platform operator holding every listed permission. */
  | { kind: 'operator'; permissions: Permission[] }

export const publicAccess = (tenant: 'required' | 'optional' = 'optional'): Access => ({ kind: 'public', tenant })
export const tenantAccess = (...permissions: Permission[]): Access => ({ kind: 'tenant', permissions })
export const operatorAccess = (...permissions: Permission[]): Access => ({ kind: 'operator', permissions })

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
    /** The route serves restricted principals too (e.g. the MFA enrolment a tenant requires). */
    allowRestricted?: boolean
    /**
     * Refused while impersonating (403 IMPERSONATION_FORBIDDEN): role and status changes,
     * starting impersonations, API keys, second factors, passwords, ending the user's sessions.
     */
    privileged?: boolean
  }
}

/** For privileged actions decided inside a handler or service rather than by `config.privileged`. */
export function refuseWhileImpersonating(ctx: { principal: Principal }): void {
  if (ctx.principal.kind === 'user' && ctx.principal.actor !== undefined)
    throw new AppError('forbidden', 'IMPERSONATION_FORBIDDEN', 'This action is not allowed while impersonating a user')
}

export function enforceAccess(request: FastifyRequest, access: Access): void {
  const { principal, tenantId } = request.ctx
  if (principal.kind === 'user' && principal.restriction && request.routeOptions.config.allowRestricted !== true)
    throw new AppError(
      'forbidden',
      'MFA_ENROLMENT_REQUIRED',
      'This tenant requires a second factor for your role: enrol one with /v1/me/mfa/totp first',
    )
  if (request.routeOptions.config.privileged === true) refuseWhileImpersonating(request.ctx)
  if (access.kind === 'public') {
    if (access.tenant === 'required' && !tenantId) throw commonErrors.tenantRequired()
    return
  }
  if (principal.kind === 'anonymous') throw commonErrors.unauthenticated()
  if (access.kind === 'operator' && principal.kind !== 'operator')
    throw new AppError('forbidden', 'OPERATOR_REQUIRED', 'This route is for platform operators')
  // API keys act in their tenant with exactly their scopes, which never include operator permissions.
  if (access.kind === 'tenant' && principal.kind !== 'user' && principal.kind !== 'api_key')
    throw new AppError(
      'forbidden',
      'TENANT_MEMBER_REQUIRED',
      'This route is for members of a tenant; operators use /v1/ops or /v1/tenants routes',
    )
  for (const permission of access.permissions) {
    if (!principal.permissions.has(permission)) throw commonErrors.missingPermission(permission)
  }
}

/** OpenAPI fragments derived from the declaration, so the document shows what is enforced. */
export function accessDocumentation(access: Access): {
  security: Array<Record<string, string[]>>
  'x-permissions': string[]
  'x-access': string
} {
  if (access.kind === 'public') return { security: [], 'x-permissions': [], 'x-access': 'public' }
  return { security: [{ bearerAuth: [] }], 'x-permissions': access.permissions, 'x-access': access.kind }
}
