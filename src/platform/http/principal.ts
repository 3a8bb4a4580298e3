/**
 * Who is calling. A principal is proven by an access token of the identity module (EdDSA,
 * typ at+jwt, verified through the AccessTokenVerifier passed in), by an interim short-lived
 * HS256 token signed with PRINCIPAL_SIGNING_SECRET, or, in development and test only, by the
 * static operator token. Every verification pins algorithm, issuer, audience and type.
 */
import { createHash, createSecretKey, timingSafeEqual } from 'node:crypto'
import { SignJWT, decodeProtectedHeader, jwtVerify } from 'jose'
import { AppError } from '../errors.ts'
import { OPERATOR_PERMISSIONS, TENANT_ROLES, permissionsOf, type Permission, type TenantRole } from './permissions.ts'

export type Principal =
  | { kind: 'anonymous' }
  | {
      kind: 'user'
      userId: string
      tenantId: string
      roles: TenantRole[]
      permissions: Set<Permission>
      /** The session an access token belongs to (sid claim). */
      sessionId?: string
      /** Who is really acting when this user is impersonated (RFC 8693 act claim): `operator:<id>` or `user:<id>`. */
      actor?: { sub: string; impersonationId?: string }
      /**
       * A token that may do one thing only: 'mfa_enrolment' (the tenant requires a second factor for
       * one of the user's roles and the user has none yet). Routes opt in with `config.allowRestricted`.
       */
      restriction?: 'mfa_enrolment'
    }
  | { kind: 'operator'; operatorId: string; permissions: Set<Permission>; sessionId?: string }
  /** An integration calling with a tenant API key: exactly the key's scopes, nothing else. */
  | { kind: 'api_key'; keyId: string; tenantId: string; permissions: Set<Permission> }

export const ANONYMOUS: Principal = { kind: 'anonymous' }

const ISSUER = 'lyceum'
const AUDIENCE = 'lyceum-api'
const TOKEN_TYPE = 'lyceum-principal+jwt'
const MAX_LIFETIME_SECONDS = 3600

export interface PrincipalTokens {
  sign(claims: { subject: string; tenantId?: string; roles?: TenantRole[]; operator?: boolean }, lifetimeSeconds?: number): Promise<string>
  verify(bearer: string): Promise<Principal>
}

/** `typ` of access tokens (RFC 9068); tokens of that type go to the AccessTokenVerifier. */
export const ACCESS_TOKEN_TYPE = 'at+jwt'

/**
 * Verifies access tokens issued by the identity module. Declared here so the HTTP layer can use
 * them without platform code importing a module; app.ts passes the implementation in.
 */
export interface AccessTokenVerifier {
  /** Resolves to the token's principal, or throws AppError INVALID_TOKEN (401). */
  verify(token: string): Promise<Principal>
}

export interface PrincipalTokenOptions {
  accessTokens?: AccessTokenVerifier
}

/** The protected header's typ, read without trusting anything else in the token. */
function headerType(token: string): unknown {
  try {
    return decodeProtectedHeader(token).typ
  } catch {
    return undefined
  }
}

const invalidToken = () => new AppError('unauthenticated', 'INVALID_TOKEN', 'The bearer token is invalid or expired')

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest()
  const hb = createHash('sha256').update(b).digest()
  return timingSafeEqual(ha, hb)
}

export function createPrincipalTokens(secret: string, operatorToken: string | undefined, options: PrincipalTokenOptions = {}): PrincipalTokens {
  // A KeyObject made once: given raw bytes, jose would import the key again on every verify.
  const key = createSecretKey(Buffer.from(secret, 'utf8'))
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
      // The verifier pins the algorithm itself; typ only selects which verifier gets to say no.
      if (options.accessTokens && headerType(bearer) === ACCESS_TOKEN_TYPE) return options.accessTokens.verify(bearer)
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
    case 'api_key':
      return `api_key:${principal.keyId}`
  }
}
