/**
 * Access tokens (RFC 9068 shape, RFC 8725 rules): EdDSA JWTs with typ at+jwt, our issuer, the API
 * audience, tenant and roles claims and a lifetime of at most 15 minutes. Verification trusts
 * nothing the token says about how to verify it: the algorithm is pinned, the kid must look like
 * one of ours before it is looked up, and jku/x5u/jwk/x5c headers make the token invalid.
 */
import { randomUUID } from 'node:crypto'
import {
  SignJWT,
  decodeProtectedHeader,
  jwtVerify,
  type CryptoKey,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose'
import { AppError } from '../../../platform/errors.ts'
import { BoundedLru } from '../../../platform/cache/lru.ts'
import {
  OPERATOR_PERMISSIONS,
  permissionsOf,
  TENANT_ROLES,
  type TenantRole,
} from '../../../platform/http/permissions.ts'
import { ACCESS_TOKEN_TYPE, type AccessTokenVerifier, type Principal } from '../../../platform/http/principal.ts'
import { SIGNING_ALG } from '../keys/key-crypto.ts'
import type { SigningKeyStore } from '../keys/key-store.ts'

export const ACCESS_TOKEN_AUDIENCE = 'lyceum-api'
export const ACCESS_TOKEN_LIFETIME_SECONDS = 900
const CLOCK_TOLERANCE_SECONDS = 5
const SAFE_KID = /^[A-Za-z0-9_-]{8,64}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** Headers that would let the token choose its own verification key (RFC 8725 §3.10). */
const KEY_SELECTING_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const

/** RFC 8693 §4.1: the party acting on behalf of the subject (impersonation), possibly nested. */
export interface Actor {
  sub: string
  act?: Actor
}

export interface AccessTokenClaims {
  userId: string
  tenantId: string
  roles: TenantRole[]
  sessionId?: string
  actor?: Actor
  /** The impersonation an act-carrying token belongs to (`imp` claim); required with `actor`. */
  impersonationId?: string
  /** The token expires at this time if it comes before the usual lifetime (an impersonation's end). */
  notAfter?: Date
  /** `rst`: a token that only reaches the routes allowing restricted principals (MFA enrolment a tenant requires). */
  restriction?: 'mfa_enrolment'
}

/** A platform operator's token: no tenant, always bound to an operator session (sid). */
export interface OperatorTokenClaims {
  operatorId: string
  sessionId: string
}

export interface AccessTokens extends AccessTokenVerifier {
  issue(claims: AccessTokenClaims): Promise<string>
  /** `sub` = operator id, `op: true`, `sid`; never a `tid` or roles. */
  issueOperator(claims: OperatorTokenClaims): Promise<string>
  /** Drops every cached verification (the signing keys changed somewhere). */
  forgetVerified(): void
}

/**
 * A token that verified: its principal, the key that verified it and its time claims. Served
 * again only while that very key object is still the one its kid resolves to (a key reload, a
 * rotation or a retirement makes it re-verify or fail) and its time claims still pass the checks
 * jwtVerify made (timeClaimsHold), so a cached token is refused exactly when a fresh verification
 * would refuse it.
 */
interface VerifiedToken {
  principal: UserPrincipal | OperatorPrincipal
  kid: string
  key: CryptoKey
  iat: number
  exp: number
  nbf: number | undefined
}

/** Per-entry overhead beside the token's own characters, for the byte bound. */
const VERIFIED_ENTRY_BYTES = 1024

type UserPrincipal = Extract<Principal, { kind: 'user' }>
type OperatorPrincipal = Extract<Principal, { kind: 'operator' }>

const invalidToken = (detail = 'The bearer token is invalid or expired') =>
  new AppError('unauthenticated', 'INVALID_TOKEN', detail)

/**
 * The checks jwtVerify makes on the time claims (jose's jwt_claims_set, same clock, same
 * tolerance, same whole seconds), repeated on every cache hit.
 */
function timeClaimsHold(token: VerifiedToken, nowMs = Date.now()): boolean {
  const now = Math.floor(nowMs / 1000)
  const tolerance = CLOCK_TOLERANCE_SECONDS
  if (token.nbf !== undefined && token.nbf > now + tolerance) return false
  if (token.exp <= now - tolerance) return false
  const age = now - token.iat
  return age - tolerance <= ACCESS_TOKEN_LIFETIME_SECONDS && age >= -tolerance
}

export function createAccessTokens(deps: {
  keys: SigningKeyStore
  issuer: string
  /** Verified tokens kept in process (0 = verify every time). */
  cacheEntries?: number
}): AccessTokens {
  const { keys, issuer } = deps
  const maxEntries = deps.cacheEntries ?? 10_000
  // Only tokens that passed every check get here; a failure is never stored.
  const verified = new BoundedLru<VerifiedToken>({ maxEntries, maxBytes: maxEntries * 4 * VERIFIED_ENTRY_BYTES })
  const cachedPrincipal = async (token: string) => {
    const hit = verified.get(token)
    if (!hit) return undefined
    if (!timeClaimsHold(hit) || (await keys.verificationKey(hit.kid)) !== hit.key) {
      verified.delete(token)
      return undefined
    }
    // A fresh copy, as a verification would return: callers may build on it.
    return { ...hit.principal, permissions: new Set(hit.principal.permissions) }
  }
  /** `notAfter` (unix seconds) shortens the lifetime, never lengthens it. */
  async function sign(payload: JWTPayload, subject: string, notAfter = Infinity): Promise<string> {
    const { kid, privateKey } = await keys.signingKey()
    const now = Math.floor(Date.now() / 1000)
    return new SignJWT(payload)
      .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(issuer)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setSubject(subject)
      .setIssuedAt(now)
      .setExpirationTime(Math.min(now + ACCESS_TOKEN_LIFETIME_SECONDS, notAfter))
      .setJti(randomUUID())
      .sign(privateKey)
  }
  return {
    async issue(claims) {
      const payload: JWTPayload = { tid: claims.tenantId, roles: claims.roles }
      if (claims.sessionId !== undefined) payload.sid = claims.sessionId
      if (claims.actor !== undefined) payload.act = { ...claims.actor }
      if (claims.restriction !== undefined) payload.rst = claims.restriction
      if (claims.impersonationId !== undefined) payload.imp = claims.impersonationId
      const cap = claims.notAfter === undefined ? Infinity : Math.floor(claims.notAfter.getTime() / 1000)
      return sign(payload, claims.userId, cap)
    },
    async issueOperator(claims) {
      return sign({ op: true, sid: claims.sessionId }, claims.operatorId)
    },
    async verify(token) {
      const cached = await cachedPrincipal(token)
      if (cached) return cached
      const { kid, key } = await keyFor(keys, token)
      let payload: JWTPayload
      try {
        ;({ payload } = await jwtVerify(token, key, {
          algorithms: [SIGNING_ALG],
          typ: ACCESS_TOKEN_TYPE,
          issuer,
          audience: ACCESS_TOKEN_AUDIENCE,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          // Also rejects an iat in the future.
          maxTokenAge: ACCESS_TOKEN_LIFETIME_SECONDS,
          requiredClaims: ['sub', 'iat', 'exp', 'jti'],
        }))
      } catch {
        throw invalidToken()
      }
      const principal = principalOf(payload)
      // principalOf accepted it, so iat and exp are numbers; nbf is checked like jose does.
      const { iat, exp, nbf } = payload as { iat: number; exp: number; nbf?: number }
      if (maxEntries > 0)
        verified.set(
          token,
          { principal, kid, key, iat, exp, nbf: typeof nbf === 'number' ? nbf : undefined },
          token.length * 2 + VERIFIED_ENTRY_BYTES,
          // The LRU lets go a little after jwtVerify would refuse it; timeClaimsHold decides.
          (exp + CLOCK_TOLERANCE_SECONDS + 1) * 1000,
        )
      return { ...principal, permissions: new Set(principal.permissions) }
    },
    forgetVerified: () => verified.clear(),
  }
}

/**
 * The verification key named by the token's kid, after checking the header alone. A database
 * failure propagates (the request fails closed with 5xx); an unknown or retired kid is a 401.
 */
async function keyFor(keys: SigningKeyStore, token: string): Promise<{ kid: string; key: CryptoKey }> {
  let header: ProtectedHeaderParameters
  try {
    header = decodeProtectedHeader(token)
  } catch {
    throw invalidToken()
  }
  if (header.alg !== SIGNING_ALG || header.typ !== ACCESS_TOKEN_TYPE) throw invalidToken()
  if (KEY_SELECTING_HEADERS.some((name) => name in header)) throw invalidToken()
  if (typeof header.kid !== 'string' || !SAFE_KID.test(header.kid)) throw invalidToken()
  const key = await keys.verificationKey(header.kid)
  if (!key) throw invalidToken()
  return { kid: header.kid, key }
}

/**
 * Operator claims → principal. The shape is strict so that neither kind can pass for the other:
 * `op` must be exactly true, and an operator token has a session and no tenant, roles, actor,
 * impersonation or restriction.
 * operators/operator-verifier.ts then checks on every request that the session is live and the
 * operator active.
 */
function operatorPrincipalOf(payload: JWTPayload): OperatorPrincipal {
  const { sub, iat, exp, sid } = payload
  if (payload.op !== true) throw invalidToken()
  if (['tid', 'roles', 'act', 'imp', 'rst'].some((claim) => payload[claim] !== undefined)) throw invalidToken()
  if (typeof sub !== 'string' || !UUID.test(sub) || typeof sid !== 'string' || !UUID.test(sid)) throw invalidToken()
  if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > ACCESS_TOKEN_LIFETIME_SECONDS)
    throw invalidToken()
  return { kind: 'operator', operatorId: sub, sessionId: sid, permissions: new Set(OPERATOR_PERMISSIONS) }
}

/**
 * Claims → principal. For tokens bound to a session (`sid`), sessions/session-verifier.ts then
 * re-reads the session, the user and the current roles on every request, so revocation and role
 * changes apply at once; the roles here are only the token's claim.
 */
function principalOf(payload: JWTPayload): UserPrincipal | OperatorPrincipal {
  if (payload.op !== undefined) return operatorPrincipalOf(payload)
  const { sub, tid, iat, exp, sid, act, imp, rst } = payload
  if (typeof sub !== 'string' || sub === '' || typeof tid !== 'string' || !UUID.test(tid)) throw invalidToken()
  // Never longer-lived than we issue, whatever key signed it.
  if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > ACCESS_TOKEN_LIFETIME_SECONDS)
    throw invalidToken()
  if (!Array.isArray(payload.roles)) throw invalidToken()
  // A role this version does not know grants nothing (a newer node may have issued it).
  const roles = payload.roles.filter((role): role is TenantRole => TENANT_ROLES.includes(role as TenantRole))
  const principal: UserPrincipal = {
    kind: 'user',
    userId: sub,
    tenantId: tid,
    roles,
    permissions: permissionsOf(roles),
  }
  if (sid !== undefined) {
    if (typeof sid !== 'string') throw invalidToken()
    principal.sessionId = sid
  }
  // An act claim is only ever issued for an impersonation, whose row is checked on every request
  // (sessions/session-verifier.ts): one without its impersonation id, or the reverse, is not ours.
  if ((act === undefined) !== (imp === undefined)) throw invalidToken()
  if (act !== undefined) {
    if (!isActor(act) || typeof imp !== 'string' || !UUID.test(imp)) throw invalidToken()
    principal.actor = { sub: act.sub, impersonationId: imp }
  }
  if (rst !== undefined) {
    // A restriction this version does not know must not be dropped: that would widen the token.
    if (rst !== 'mfa_enrolment') throw invalidToken()
    principal.restriction = rst
  }
  return principal
}

function isActor(value: unknown): value is Actor {
  return typeof value === 'object' && value !== null && typeof (value as { sub?: unknown }).sub === 'string'
}
