/**
 * The server's last onRequest hook: who is calling (bearer token, API key, browser-session
 * cookie or nobody) and for which tenant (the token's, which must be the host's if the host names
 * one), kept as `request.ctx`; then the route's declared access is enforced before any handler
 * runs.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../../config.ts'
import { newQueryCounter, type Database, type QueryCounter } from '../db/database.ts'
import { AppError } from '../errors.ts'
import { bindRequestLog } from '../observability/request-log.ts'
import { enforceAccess } from './access.ts'
import type { App } from './app-type.ts'
import { authenticateCookie, type BrowserSessionVerifier } from './cookie-auth.ts'
import { ANONYMOUS, type Principal, type PrincipalTokens } from './principal.ts'
import { createRequestContext } from './request-context.ts'

export interface TenantRef {
  id: string
  slug: string
  status: 'active' | 'suspended'
}

/**
 * How the HTTP layer learns about tenants without depending on the tenancy module. Answers from
 * its cache synchronously, so a request for a known tenant waits on no promise.
 */
export interface TenantDirectory {
  byHost(hostname: string): TenantRef | null | 'unknown-subdomain' | Promise<TenantRef | null | 'unknown-subdomain'>
  byId(id: string): TenantRef | null | Promise<TenantRef | null>
}

export interface ContextDeps {
  config: Config
  database: Database
  tokens: PrincipalTokens
  tenants: TenantDirectory
  /** Browser-session cookies (cookie-auth.ts); without it, cookies authenticate nobody. */
  browserSessions?: BrowserSessionVerifier
}

/**
 * `Bearer <token>` with RFC 6750's b64token alphabet. The length is checked apart: a counted
 * quantifier (`{10,4096}`) made the regex twice as slow on a 550-character access token, a
 * measurable share of a cached request's CPU (docs/benchmarks.md).
 */
const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/
const MIN_BEARER_LENGTH = 10
const MAX_BEARER_LENGTH = 4096

/**
 * Resolves who is calling and for which tenant, then enforces the route's declared access before
 * any handler runs. Callback-style, each step synchronous when its answer is cached: a request
 * waits on a promise only for what is not (a bearer token's verification, a tenant not yet in the
 * directory), instead of a chain of async functions costing a promise and a microtask each.
 */
export function registerRequestContext(app: App, deps: ContextDeps): void {
  app.addHook('onRequest', (request, reply, done) => {
    const config = request.routeOptions.config
    // Created first so the session check's statement counts against the request too.
    const counter = newQueryCounter()
    let principal: Principal | Promise<Principal>
    try {
      principal = principalOf(request, deps, counter, config)
    } catch (error) {
      return done(error as Error)
    }
    if (principal instanceof Promise)
      principal.then((known) => withPrincipal(request, reply, done, deps, config, known, counter), done)
    else withPrincipal(request, reply, done, deps, config, principal, counter)
  })
}

type RouteConfig = FastifyRequest['routeOptions']['config']
type Done = (error?: Error) => void

function withPrincipal(
  request: FastifyRequest,
  reply: FastifyReply,
  done: Done,
  deps: ContextDeps,
  config: RouteConfig,
  principal: Principal,
  counter: QueryCounter,
): void {
  let tenantId: string | null | Promise<string | null>
  try {
    tenantId = tenantOf(request, deps, principal)
  } catch (error) {
    return done(error as Error)
  }
  if (tenantId instanceof Promise)
    tenantId.then((known) => enter(request, reply, done, deps, config, principal, known, counter), done)
  else enter(request, reply, done, deps, config, principal, tenantId, counter)
}

function enter(
  request: FastifyRequest,
  reply: FastifyReply,
  done: Done,
  deps: ContextDeps,
  config: RouteConfig,
  principal: Principal,
  tenantId: string | null,
  counter: QueryCounter,
): void {
  try {
    request.ctx = createRequestContext({
      requestId: String(request.id),
      principal,
      tenantId,
      ip: request.ip,
      database: deps.database,
      counter,
    })
    bindRequestLog(request, reply)
    if (config.access) enforceAccess(request, config.access, config)
  } catch (error) {
    return done(error as Error)
  }
  done()
}

/** The tenant the request acts in: the token's (which must be the host's, if the host names one), else the host's. */
function tenantOf(
  request: FastifyRequest,
  deps: ContextDeps,
  principal: Principal,
): string | null | Promise<string | null> {
  return tenantForHost(deps.tenants, request.hostname, principal)
}

/**
 * The rule of tenantOf for a host name (without port) and a principal: HTTP requests and realtime
 * handshakes (platform/realtime) share it. Throws TENANT_MISMATCH, TENANT_SUSPENDED, TENANT_NOT_FOUND.
 */
export function tenantForHost(
  tenants: TenantDirectory,
  hostname: string,
  principal: Principal,
): string | null | Promise<string | null> {
  const deps = { tenants }
  const host = tenantFromHostname(hostname, deps)
  return host instanceof Promise
    ? host.then((hostTenant) => tenantIdFor(deps, principal, hostTenant))
    : tenantIdFor(deps, principal, host)
}

function tenantIdFor(
  deps: Pick<ContextDeps, 'tenants'>,
  principal: Principal,
  hostTenant: TenantRef | null,
): string | null | Promise<string | null> {
  if (principal.kind === 'user' || principal.kind === 'api_key') {
    if (hostTenant && hostTenant.id !== principal.tenantId)
      throw new AppError(
        'forbidden',
        'TENANT_MISMATCH',
        'This token belongs to another tenant than the one this host serves',
      )
    if (hostTenant) return activeTenantId(hostTenant)
    const named = deps.tenants.byId(principal.tenantId)
    return named instanceof Promise ? named.then(tokenTenantId) : tokenTenantId(named)
  }
  if (principal.kind === 'anonymous' && hostTenant) return activeTenantId(hostTenant)
  return null
}

function tokenTenantId(tenant: TenantRef | null): string {
  if (!tenant) throw new AppError('unauthenticated', 'INVALID_TOKEN', 'The token names a tenant that does not exist')
  return activeTenantId(tenant)
}

function activeTenantId(tenant: TenantRef): string {
  if (tenant.status !== 'active')
    throw new AppError('forbidden', 'TENANT_SUSPENDED', `Tenant ${tenant.slug} is suspended`)
  return tenant.id
}

function principalOf(
  request: FastifyRequest,
  deps: ContextDeps,
  counter: QueryCounter,
  config: RouteConfig,
): Principal | Promise<Principal> {
  if (config.ownCredentials) return ANONYMOUS
  // An Authorization header alone decides (bearer clients never meet cookies or CSRF). Public
  // routes ignore the cookie: they need no principal from it, and signing in again must work
  // while the browser still holds a dead one.
  if (request.headers.authorization === undefined && deps.browserSessions && config.access?.kind !== 'public') {
    const { publicUrl, corsOrigins } = deps.config.http
    return authenticateCookie(request, deps.browserSessions, { publicUrl, corsOrigins }).then(
      (principal) => principal ?? ANONYMOUS,
    )
  }
  return authenticate(request, deps.tokens, counter)
}

/** Anonymous without an Authorization header; throws at once on a malformed one. */
function authenticate(
  request: FastifyRequest,
  tokens: PrincipalTokens,
  counter: QueryCounter,
): Principal | Promise<Principal> {
  const header = request.headers.authorization
  if (header === undefined) return ANONYMOUS
  const token = BEARER.exec(header)?.[1]
  if (token === undefined || token.length < MIN_BEARER_LENGTH || token.length > MAX_BEARER_LENGTH)
    throw new AppError('unauthenticated', 'INVALID_AUTHORIZATION', 'Use "Authorization: Bearer <token>"')
  return tokens.verify(token, { counter })
}

function tenantFromHostname(
  hostname: string,
  deps: Pick<ContextDeps, 'tenants'>,
): TenantRef | null | Promise<TenantRef | null> {
  const resolved = deps.tenants.byHost(hostname.toLowerCase())
  return resolved instanceof Promise
    ? resolved.then((known) => servedTenant(hostname, known))
    : servedTenant(hostname, resolved)
}

function servedTenant(hostname: string, resolved: TenantRef | null | 'unknown-subdomain'): TenantRef | null {
  if (resolved === 'unknown-subdomain')
    throw new AppError('not_found', 'TENANT_NOT_FOUND', `No tenant is served at ${hostname}`)
  return resolved
}
