/**
 * Browser sessions: the session cookie, its authentication and CSRF protection. Bearer clients
 * never meet any of this: a request with an Authorization header is authenticated by that header
 * alone and its cookies are ignored.
 *
 * A cookie-authenticated request with an unsafe method must carry the session's CSRF token in
 * X-CSRF-Token (synchroniser token, OWASP CSRF cheat sheet) and, when the browser sends Origin,
 * come from this deployment (the tenant's host, PUBLIC_URL or a configured CORS origin).
 * SameSite=Strict already keeps the cookie off cross-site requests; the token and Origin checks
 * also cover same-site attackers (a sibling subdomain) and browsers that ignore SameSite.
 *
 * The identity module issues and checks the cookie (BrowserSessionVerifier, passed in by app.ts),
 * so platform code never imports a module.
 */
import type { FastifyRequest } from 'fastify'
import { AppError } from '../errors.ts'
import type { Principal } from './principal.ts'

/** `__Host-`: the browser accepts it only with Secure, Path=/ and no Domain, so no other host can set or read it. */
export const SESSION_COOKIE = '__Host-lyceum_session'
export const CSRF_HEADER = 'x-csrf-token'

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
/** Opaque values we issue are short; anything longer is not ours and is not looked up. */
const MAX_COOKIE_VALUE = 256

export interface BrowserSession {
  principal: Principal
  /** Whether the X-CSRF-Token presented is this session's token. */
  csrfMatches: boolean
}

/** Implemented by the identity module (browser-session-verifier.ts). */
export interface BrowserSessionVerifier {
  /** The live session of the cookie, or undefined for an unknown, expired or revoked one, or an inactive user. */
  verify(cookie: string, csrfToken: string | undefined): Promise<BrowserSession | undefined>
}

/** The value of one cookie in a Cookie header (RFC 6265 §5.4 pairs separated by `;`), or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=')
    if (separator < 0 || pair.slice(0, separator).trim() !== name) continue
    let value = pair.slice(separator + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    return value.length > 0 && value.length <= MAX_COOKIE_VALUE ? value : undefined
  }
  return undefined
}

/** Set-Cookie for a new session; Max-Age 0 clears it. */
export function sessionCookie(value: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; HttpOnly; Secure; SameSite=Strict`
}

export const clearedSessionCookie = (): string => sessionCookie('', 0)

const csrfInvalid = (detail: string) => new AppError('forbidden', 'CSRF_TOKEN_INVALID', detail)

export interface OriginPolicy {
  publicUrl: string
  corsOrigins: string[]
}

/** Origin absent (not every browser sends it on same-origin requests) or one of ours. */
function originAllowed(request: FastifyRequest, policy: OriginPolicy): boolean {
  return originTrusted(request.headers.origin, request.host, policy)
}

/**
 * The one rule of which origins may use a browser session: the request's own host (`host`, the
 * Host header), PUBLIC_URL or a CORS_ORIGINS entry. HTTP requests and realtime handshakes share it.
 */
export function originTrusted(origin: string | undefined, host: string | undefined, policy: OriginPolicy): boolean {
  if (origin === undefined) return true
  let parsed: URL
  try {
    parsed = new URL(origin)
  } catch {
    return false
  }
  // Only the host is compared for the request's own host: TLS may end at a proxy, so the scheme seen here can differ.
  if (host !== undefined && parsed.host === host) return true
  const trusted = [policy.publicUrl, ...policy.corsOrigins].flatMap((url) => {
    try {
      return [new URL(url).origin]
    } catch {
      return []
    }
  })
  return trusted.includes(parsed.origin)
}

/**
 * The principal of the request's session cookie, or anonymous when it has none (or a dead one:
 * the route's access then answers 401). Throws 403 CSRF_TOKEN_INVALID for an unsafe method
 * without the session's token or from a foreign origin.
 */
export async function authenticateCookie(
  request: FastifyRequest,
  verifier: BrowserSessionVerifier,
  policy: OriginPolicy,
): Promise<Principal | undefined> {
  const cookie = readCookie(request.headers.cookie, SESSION_COOKIE)
  if (cookie === undefined) return undefined
  const header = request.headers[CSRF_HEADER]
  const session = await verifier.verify(cookie, typeof header === 'string' && header.length > 0 ? header : undefined)
  if (!session) return undefined
  if (UNSAFE_METHODS.has(request.method)) {
    if (!originAllowed(request, policy))
      throw csrfInvalid('This request comes from an origin that may not use this session')
    if (!session.csrfMatches)
      throw csrfInvalid('Send the CSRF token of this browser session in the X-CSRF-Token header')
  }
  return session.principal
}
