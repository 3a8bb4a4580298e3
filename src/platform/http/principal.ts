/**
 * Who is calling. A principal is proven by an access token of the identity module (EdDSA,
 * typ at+jwt, verified through the AccessTokenVerifier passed in: users and platform operators
 * alike) or by a tenant API key (ApiKeyVerifier). There is no shared-secret token and no static
 * operator token: anything else is a 401.
 */
import { decodeProtectedHeader } from 'jose'
import { AppError } from '../errors.ts'
import type { Permission, TenantRole } from './permissions.ts'
import type { QueryCounter } from '../db/database.ts'

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
      /** Authenticated by a browser-session cookie (cookie-auth.ts) rather than a bearer token. */
      viaCookie?: true
      /** Who is really acting when this user is impersonated (RFC 8693 act claim): `operator:<id>` or `user:<id>`. */
      actor?: { sub: string; impersonationId?: string }
      /**
       * A token that may do one thing only: 'mfa_enrolment' (the tenant requires a second factor for
       * one of the user's roles and the user has none yet). Routes opt in with `config.allowRestricted`.
       */
      restriction?: 'mfa_enrolment'
      /**
       * The user's profile as the session check read it (ADR 0018), present only when it did: a
       * session-bound access token checked now or served from the session cache, which triggers
       * invalidate when the profile changes. Absent for impersonation tokens, browser sessions and
       * tokens verified without a session check; readers then ask the database.
       */
      profile?: UserProfile
    }
  | { kind: 'operator'; operatorId: string; permissions: Set<Permission>; sessionId?: string }
  /** An integration calling with a tenant API key: exactly the key's scopes, nothing else. */
  | { kind: 'api_key'; keyId: string; tenantId: string; permissions: Set<Permission> }

/** What GET /v1/me shows of the account besides ids and roles. */
export interface UserProfile {
  readonly email: string
  readonly displayName: string | null
  readonly emailVerified: boolean
  /** IANA time zone the member chose; null: UTC. */
  readonly timeZone: string | null
  /** BCP 47 language tag the member chose; null: the tenant's default locale. */
  readonly locale: string | null
}

export const ANONYMOUS: Principal = { kind: 'anonymous' }

/** What a verification that asks the database charges to the request (its statement counter). */
export interface VerifyOptions {
  counter?: QueryCounter
}

export interface PrincipalTokens {
  verify(bearer: string, options?: VerifyOptions): Promise<Principal>
}

/** `typ` of access tokens (RFC 9068); tokens of that type go to the AccessTokenVerifier. */
export const ACCESS_TOKEN_TYPE = 'at+jwt'

/**
 * Verifies access tokens issued by the identity module. Declared here so the HTTP layer can use
 * them without platform code importing a module; app.ts passes the implementation in.
 */
export interface AccessTokenVerifier {
  /** Resolves to the token's principal, or throws AppError INVALID_TOKEN (401). */
  verify(token: string, options?: VerifyOptions): Promise<Principal>
}

/**
 * Verifies tenant API keys (opaque bearers of the identity module). `matches` recognises the key
 * format only, so a bearer that looks like a key is never tried as anything else.
 */
export interface ApiKeyVerifier {
  matches(bearer: string): boolean
  /** Resolves to an `api_key` principal, or throws AppError INVALID_TOKEN (401). */
  verify(bearer: string): Promise<Principal>
}

export interface PrincipalTokenOptions {
  accessTokens?: AccessTokenVerifier
  apiKeys?: ApiKeyVerifier
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

export function createPrincipalTokens(options: PrincipalTokenOptions): PrincipalTokens {
  return {
    async verify(bearer, verifyOptions) {
      // The verifier pins the algorithm itself; typ only selects which verifier gets to say no.
      if (options.accessTokens && headerType(bearer) === ACCESS_TOKEN_TYPE)
        return options.accessTokens.verify(bearer, verifyOptions)
      if (options.apiKeys?.matches(bearer)) return options.apiKeys.verify(bearer)
      throw invalidToken()
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
