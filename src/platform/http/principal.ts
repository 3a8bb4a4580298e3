/**
 * Who is calling. Until the identity module issues real sessions, a principal is proven by a
 * short-lived HS256 token signed with PRINCIPAL_SIGNING_SECRET (or, in development and test
 * only, the static operator token). Verification pins algorithm, issuer, audience and type.
 */
import { timingSafeEqual, createHash } from 'node:crypto'
import { SignJWT, jwtVerify } from 'jose'
import { AppError } from '../errors.ts'
import { OPERATOR_PERMISSIONS, TENANT_ROLES, permissionsOf, type Permission, type TenantRole } from './permissions.ts'

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; userId: string; tenantId: string; roles: TenantRole[]; permissions: Set<Permission> }
  | { kind: 'operator'; operatorId: string; permissions: Set<Permission> }

export const ANONYMOUS: Principal = { kind: 'anonymous' }

const ISSUER = 'lyceum'
const AUDIENCE = 'lyceum-api'
const TOKEN_TYPE = 'lyceum-principal+jwt'
const MAX_LIFETIME_SECONDS = 3600

export interface PrincipalTokens {
  sign(claims: { subject: string; tenantId?: string; roles?: TenantRole[]; operator?: boolean }, lifetimeSeconds?: number): Promise<string>
  verify(bearer: string): Promise<Principal>
}

const invalidToken = () => new AppError('unauthenticated', 'INVALID_TOKEN', 'The bearer token is invalid or expired')

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest()
  const hb = createHash('sha256').update(b).digest()
  return timingSafeEqual(ha, hb)
}

export function createPrincipalTokens(secret: string, operatorToken: string | undefined): PrincipalTokens {
  const key = new TextEncoder().encode(secret)
  return {
    async sign(claims, lifetimeSeconds = 900) {
      const lifetime = Math.min(lifetimeSeconds, MAX_LIFETIME_SECONDS)
      return new SignJWT({ tid: claims.tenantId, roles: claims.roles ?? [], op: claims.operator === true ? true : undefined })
        .setProtectedHeader({ alg: 'HS256', typ: TOKEN_TYPE })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(claims.subject)
        .setIssuedAt()
        .setExpirationTime(`${lifetime}s`)
        .sign(key)
    },
    async verify(bearer) {
      if (operatorToken && sameSecret(bearer, operatorToken))
        return { kind: 'operator', operatorId: 'dev-operator', permissions: new Set(OPERATOR_PERMISSIONS) }
      let payload
      try {
        ;({ payload } = await jwtVerify(bearer, key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, typ: TOKEN_TYPE, maxTokenAge: MAX_LIFETIME_SECONDS }))
      } catch {
        throw invalidToken()
      }
      if (typeof payload.sub !== 'string') throw invalidToken()
      if (payload.op === true) return { kind: 'operator', operatorId: payload.sub, permissions: new Set(OPERATOR_PERMISSIONS) }
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is TenantRole => TENANT_ROLES.includes(r as TenantRole)) : []
      if (typeof payload.tid !== 'string') throw invalidToken()
      return { kind: 'user', userId: payload.sub, tenantId: payload.tid, roles, permissions: permissionsOf(roles) }
    },
  }
}

export function principalId(principal: Principal): string {
  switch (principal.kind) {
    case 'anonymous':
      return 'anonymous'
    case 'user':
      return `user:${principal.userId}`
    case 'operator':
      return `operator:${principal.operatorId}`
  }
}
