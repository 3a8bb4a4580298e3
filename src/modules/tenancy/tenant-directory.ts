/**
 * Resolves the tenant of a request from its Host: `{slug}.{BASE_DOMAIN}` or a registered domain.
 * Lookups run as the platform role (there is no tenant yet) and are cached briefly in process:
 * the data is derivable, so another node converges within the TTL after a change.
 */
import { platformScope, type Database, type Tx } from '../../platform/db/database.ts'
import type { TenantDirectory, TenantRef } from '../../platform/http/server.ts'
import { DEFAULT_PLAN, isTenantPlan, type TenantPlan } from '../../platform/ratelimit/plans.ts'
import { tenancyRepository } from './tenancy.repository.ts'

/** Subdomains that belong to the platform itself and can never be tenant slugs. */
export const RESERVED_SLUGS = new Set([
  'api',
  'www',
  'app',
  'admin',
  'docs',
  'status',
  'mail',
  'static',
  'cdn',
  'auth',
  'ops',
])

/**
 * The hostname as DNS means it: case-insensitive, and a fully qualified name with its trailing
 * dot (`demo.localhost.`) is the same host as without it.
 */
export function normaliseHostname(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '')
}

const POSITIVE_TTL_MS = 30_000
const NEGATIVE_TTL_MS = 2_000
const MAX_ENTRIES = 10_000

/** What the directory caches: the reference the HTTP layer needs, plus the plan the rate limits need. */
type DirectoryRef = TenantRef & { plan: string }
type Entry = { value: DirectoryRef | null; expires: number }
/** Synchronous when cached. */
type Lookup<T> = T | Promise<T>

export interface CachedTenantDirectory extends TenantDirectory {
  /**
   * The tenant's rate-limit plan (the default for an unknown tenant or a plan this release does
   * not know); synchronous while the tenant is cached, so the rate-limit hook needs no promise.
   */
  planOf(tenantId: string): TenantPlan | Promise<TenantPlan>
  invalidate(): void
}

export interface TenantDirectoryOptions {
  /**
   * Whether a tenant is currently served on its registered domains (a feature flag, evaluated
   * with its own short cache). Asked after the cached lookup so a change applies within seconds.
   */
  servesCustomDomains?: (tenantId: string) => Promise<boolean>
}

function planFrom(tenant: DirectoryRef | null): TenantPlan {
  const plan = tenant?.plan
  return isTenantPlan(plan) ? plan : DEFAULT_PLAN
}

export function createTenantDirectory(
  database: Database,
  baseDomain: string,
  options: TenantDirectoryOptions = {},
): CachedTenantDirectory {
  // One map per kind of key, so a lookup needs no composed key string (hashed anew each request).
  const bySlug = new Map<string, Entry>()
  const byDomain = new Map<string, Entry>()
  const byIdCache = new Map<string, Entry>()
  const suffix = `.${baseDomain}`

  /** A fresh cached value synchronously (no promise on the request path), else a promise of the loaded one. */
  function cached(
    cache: Map<string, Entry>,
    key: string,
    load: () => Promise<DirectoryRef | undefined>,
  ): Lookup<DirectoryRef | null> {
    const hit = cache.get(key)
    if (hit !== undefined && hit.expires > Date.now()) return hit.value
    return load().then((loaded) => {
      const value = loaded ?? null
      if (bySlug.size + byDomain.size + byIdCache.size >= MAX_ENTRIES) invalidate()
      cache.set(key, { value, expires: Date.now() + (value ? POSITIVE_TTL_MS : NEGATIVE_TTL_MS) })
      return value
    })
  }

  function invalidate(): void {
    bySlug.clear()
    byDomain.clear()
    byIdCache.clear()
  }

  const lookup = <T>(work: (tx: Tx) => Promise<T>) => database.transaction(platformScope, work)

  function byId(id: string): Lookup<DirectoryRef | null> {
    return cached(byIdCache, id, () =>
      lookup(async (tx) => {
        const row = await tenancyRepository.findById(tx, id)
        return row ? { id: row.id, slug: row.slug, status: row.status, plan: row.plan } : undefined
      }),
    )
  }

  async function servedDomain(tenant: Lookup<DirectoryRef | null>): Promise<DirectoryRef | null> {
    const served = await tenant
    if (served && options.servesCustomDomains && !(await options.servesCustomDomains(served.id))) return null
    return served
  }

  return {
    byHost(host) {
      const hostname = normaliseHostname(host)
      if (hostname.endsWith(suffix)) {
        const slug = hostname.slice(0, -suffix.length)
        if (RESERVED_SLUGS.has(slug)) return null
        // A deeper subdomain (x.demo.localhost) names no tenant, like an unknown slug does.
        if (slug.includes('.')) return 'unknown-subdomain'
        const tenant = cached(bySlug, slug, () => lookup((tx) => tenancyRepository.findRefBySlug(tx, slug)))
        return tenant instanceof Promise ? tenant.then(orUnknown) : orUnknown(tenant)
      }
      if (hostname === baseDomain || !hostname.includes('.') || /^[\d.]+$|:/.test(hostname)) return null
      const tenant = cached(byDomain, hostname, () => lookup((tx) => tenancyRepository.findRefByDomain(tx, hostname)))
      // A registered domain is served only while the tenant's flag allows it (its own short cache).
      return tenant === null ? null : servedDomain(tenant)
    },
    byId,
    planOf(tenantId) {
      const tenant = byId(tenantId)
      return tenant instanceof Promise ? tenant.then(planFrom) : planFrom(tenant)
    },
    invalidate,
  }
}

const orUnknown = (tenant: DirectoryRef | null) => tenant ?? 'unknown-subdomain'
