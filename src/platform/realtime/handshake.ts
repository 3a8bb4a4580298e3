/**
 * Who opens a realtime connection, and for which tenant, decided exactly as for an HTTP request
 * (context-hook.ts, cookie-auth.ts): an access token in the Socket.IO auth payload (`{ token }`,
 * verified with the platform's principal tokens, its session checked), or the browser-session
 * cookie from a trusted Origin; the tenant from the Host, which must be the credential's. Only a
 * signed-in person connects: anonymous callers, API keys, operators and tokens restricted to MFA
 * enrolment are refused.
 */
import { AppError } from '../errors.ts'
import { tenantForHost, type TenantDirectory } from '../http/context-hook.ts'
import { originTrusted, readCookie, SESSION_COOKIE, type BrowserSessionVerifier } from '../http/cookie-auth.ts'
import type { Principal, PrincipalTokens } from '../http/principal.ts'
import { refuseWhileImpersonating } from '../http/access.ts'

export type UserPrincipal = Extract<Principal, { kind: 'user' }>

/** What the connection keeps to check its session again (revocation, expiry). */
export type Credential = { kind: 'token'; token: string } | { kind: 'cookie'; cookie: string }

export interface HandshakeDeps {
  tokens: PrincipalTokens
  tenants: TenantDirectory
  browserSessions: BrowserSessionVerifier | undefined
  origins: { publicUrl: string; corsOrigins: string[] }
}

export interface HandshakeRequest {
  auth: Record<string, unknown>
  headers: Record<string, string | string[] | undefined>
}

export interface Connection {
  principal: UserPrincipal
  tenantId: string
  credential: Credential
}

/** RFC 6750's b64token alphabet with the HTTP layer's length bounds. */
const TOKEN = /^[A-Za-z0-9._~+/=-]{10,4096}$/

const header = (headers: HandshakeRequest['headers'], name: string) => {
  const value = headers[name]
  return typeof value === 'string' ? value : undefined
}

/** The Host header without its port (`[::1]:3000` → `[::1]`), lower case and without a trailing dot. */
export function hostnameOf(host: string | undefined): string {
  if (!host) return ''
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '')
  return name.toLowerCase()
}

const unauthenticated = (detail: string, code = 'UNAUTHENTICATED') => new AppError('unauthenticated', code, detail)

/** Checks a credential now: the principal it proves, or an AppError (401) when it proves nobody. */
export async function verifyCredential(deps: HandshakeDeps, credential: Credential): Promise<UserPrincipal> {
  let principal: Principal | undefined
  if (credential.kind === 'token') principal = await deps.tokens.verify(credential.token)
  else principal = (await deps.browserSessions?.verify(credential.cookie, undefined))?.principal
  if (!principal) throw unauthenticated('The browser session has ended; sign in again', 'SESSION_ENDED')
  if (principal.kind !== 'user')
    throw new AppError('forbidden', 'PERSON_REQUIRED', 'Realtime connections are for signed-in members')
  if (principal.restriction)
    throw new AppError('forbidden', 'MFA_ENROLMENT_REQUIRED', 'Enrol a second factor before connecting')
  // An impersonator may not read or send a member's messages (ADR 0028); the rooms carry little
  // else, so realtime is refused while impersonating, at the handshake and at every re-check.
  refuseWhileImpersonating({ principal })
  return principal
}

function credentialOf(deps: HandshakeDeps, request: HandshakeRequest): Credential {
  const token = request.auth.token
  if (token !== undefined) {
    if (typeof token !== 'string' || !TOKEN.test(token))
      throw unauthenticated('auth.token must be an access token', 'INVALID_TOKEN')
    return { kind: 'token', token }
  }
  const cookie = deps.browserSessions ? readCookie(header(request.headers, 'cookie'), SESSION_COOKIE) : undefined
  if (cookie === undefined)
    throw unauthenticated('Connect with { auth: { token } } (an access token) or a browser-session cookie')
  // A browser always sends Origin on a cross-origin handshake (and on every WebSocket upgrade).
  if (!originTrusted(header(request.headers, 'origin'), header(request.headers, 'host'), deps.origins))
    throw new AppError('forbidden', 'ORIGIN_NOT_ALLOWED', 'This origin may not use the browser session')
  return { kind: 'cookie', cookie }
}

/** Authenticates a handshake; throws AppError (401/403/404) to refuse it. */
export async function authenticateHandshake(deps: HandshakeDeps, request: HandshakeRequest): Promise<Connection> {
  const credential = credentialOf(deps, request)
  const principal = await verifyCredential(deps, credential)
  const tenantId = await tenantForHost(deps.tenants, hostnameOf(header(request.headers, 'host')), principal)
  if (tenantId !== principal.tenantId)
    throw new AppError('forbidden', 'TENANT_MISMATCH', 'This credential belongs to another tenant')
  return { principal, tenantId, credential }
}
