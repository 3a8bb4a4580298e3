/**
 * Route access declarations. Every route states who may call it; the server refuses to start
 * with a route that does not, and one hook enforces the declaration before any handler runs.
 */
import type { FastifyContextConfig, FastifyRequest } from 'fastify'
import { AppError, commonErrors } from '../errors.ts'
import type { Permission } from './permissions.ts'
import type { Principal } from './principal.ts'

export type Access =
  /** Anyone. `tenant: 'required'` means the Host must name a tenant. */
  | { kind: 'public'; tenant?: 'required' | 'optional' }
  /**
   * A caller in a tenant holding every permission in `permissions` and, when `anyOf` is given, at
   * least one of `anyOf`. API keys call it with exactly their scopes unless `peopleOnly`: then only
   * a signed-in member (a person) may. `tenantAccess()` (no permission: any member acting for
   * themselves) is always people-only, since a key is nobody's "me".
   */
  | { kind: 'tenant'; permissions: Permission[]; anyOf?: Permission[]; peopleOnly: boolean }
  /** A platform operator holding every listed permission. */
  | { kind: 'operator'; permissions: Permission[] }

export const publicAccess = (tenant: 'required' | 'optional' = 'optional'): Access => ({ kind: 'public', tenant })
export interface TenantAccessOptions {
  /** Every one of these (the same as listing them as arguments). */
  allOf?: Permission[]
  /** At least one of these, e.g. administrators (enrolments:manage) or a course's instructors (courses:author). */
  anyOf?: Permission[]
  /**
   * Only a signed-in person: an API key is refused with 403 PERSON_REQUIRED whatever its scopes.
   * For routes whose rules are about who someone is (a course's staff, a reviewer who is not the
   * author, a grader who is not the learner), which a key cannot be.
   */
  peopleOnly?: boolean
}

/** `tenantAccess('a', 'b')` needs both; `tenantAccess({ anyOf: ['a', 'b'], peopleOnly: true })` either, for people only. */
export function tenantAccess(...declared: Permission[] | [TenantAccessOptions]): Access {
  const [first] = declared
  const options: TenantAccessOptions = typeof first === 'object' ? first : { allOf: declared as Permission[] }
  const permissions = options.allOf ?? []
  const anyOf = options.anyOf
  if (anyOf !== undefined && anyOf.length < 2)
    throw new Error('tenantAccess({ anyOf }) names at least two permissions; list a single one as allOf')
  const noPermission = permissions.length === 0 && anyOf === undefined
  return {
    kind: 'tenant',
    permissions,
    ...(anyOf ? { anyOf } : {}),
    peopleOnly: options.peopleOnly === true || noPermission,
  }
}
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

/** `config` is the route's (`request.routeOptions.config`, which Fastify builds anew on every read). */
export function enforceAccess(
  request: FastifyRequest,
  access: Access,
  config: Pick<FastifyContextConfig, 'allowRestricted' | 'privileged'> = request.routeOptions.config,
): void {
  const { principal, tenantId } = request.ctx
  if (principal.kind === 'user' && principal.restriction && config.allowRestricted !== true)
    throw new AppError(
      'forbidden',
      'MFA_ENROLMENT_REQUIRED',
      'This tenant requires a second factor for your role: enrol one with /v1/me/mfa/totp first',
    )
  if (config.privileged === true) refuseWhileImpersonating(request.ctx)
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
  if (access.kind === 'tenant' && access.peopleOnly && principal.kind === 'api_key')
    throw new AppError(
      'forbidden',
      'PERSON_REQUIRED',
      'This route acts for a signed-in person (their own account, or a course they teach or review); API keys cannot call it',
    )
  for (const permission of access.permissions) {
    if (!principal.permissions.has(permission)) throw commonErrors.missingPermission(permission)
  }
  const anyOf = access.kind === 'tenant' ? access.anyOf : undefined
  if (anyOf && !anyOf.some((permission) => principal.permissions.has(permission)))
    throw new AppError(
      'forbidden',
      'PERMISSION_DENIED',
      `This action needs one of the permissions ${anyOf.join(', ')}`,
      {
        extensions: { anyOf },
      },
    )
}

/** Who may present a credential to a route: signed-in members, tenant API keys, platform operators. */
export type PrincipalKind = 'user' | 'api_key' | 'operator'

/**
 * OpenAPI fragments derived from the declaration, so the document shows what is enforced:
 * `x-permissions` (all needed), `x-permissions-any-of` (one of them needed, when declared) and
 * `x-principals` (who may call: `user`, `api_key`, `operator`; empty for public routes).
 */
export function accessDocumentation(access: Access): {
  security: Array<Record<string, string[]>>
  'x-permissions': string[]
  'x-permissions-any-of'?: string[]
  'x-principals': PrincipalKind[]
  'x-access': string
} {
  if (access.kind === 'public') return { security: [], 'x-permissions': [], 'x-principals': [], 'x-access': 'public' }
  const principals: PrincipalKind[] =
    access.kind === 'operator' ? ['operator'] : access.peopleOnly ? ['user'] : ['user', 'api_key']
  return {
    security: [{ bearerAuth: [] }],
    'x-permissions': access.permissions,
    ...(access.kind === 'tenant' && access.anyOf ? { 'x-permissions-any-of': access.anyOf } : {}),
    'x-principals': principals,
    'x-access': access.kind,
  }
}
