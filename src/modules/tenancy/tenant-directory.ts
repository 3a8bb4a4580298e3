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

export interface CachedTenantDirectory extends TenantDirectory {
  /** The tenant's rate-limit plan (the default for an unknown tenant or a plan this release does not know). */
  planOf(tenantId: string): Promise<TenantPlan>
  invalidate(): void
}

export interface TenantDirectoryOptions {
  /**
   * Whether a tenant is currently served on its registered domains (a feature flag, evaluated
   * with its own short cache). Asked after the cached lookup so a change applies within seconds.
   */
  servesCustomDomains?: (tenantId: string) => Promise<boolean>
}

export function createTenantDirectory(
  database: Database,
  baseDomain: string,
  options: TenantDirectoryOptions = {},
): CachedTenantDirectory {
  const cache = new Map<string, Entry>()

  async function cached(key: string, load: () => Promise<DirectoryRef | undefined>): Promise<DirectoryRef | null> {
    const hit = cache.get(key)
    if (hit && hit.expires > Date.now()) return hit.value
    const value = (await load()) ?? null
    if (cache.size >= MAX_ENTRIES) cache.clear()
    cache.set(key, { value, expires: Date.now() + (value ? POSITIVE_TTL_MS : NEGATIVE_TTL_MS) })
    return value
  }

  const lookup = <T>(work: (tx: Tx) => Promise<T>) => database.transaction(platformScope, work)

  function byId(id: string): Promise<DirectoryRef | null> {
    return cached(`id:${id}`, () =>
      lookup(async (tx) => {
        const row = await tenancyRepository.findById(tx, id)
        return row ? { id: row.id, slug: row.slug, status: row.status, plan: row.plan } : undefined
      }),
    )
  }

  return {
    async byHost(host) {
      const hostname = normaliseHostname(host)
      const suffix = `.${baseDomain}`
      if (hostname.endsWith(suffix)) {
        const slug = hostname.slice(0, -suffix.length)
        if (RESERVED_SLUGS.has(slug)) return null
        // A deeper subdomain (x.demo.localhost) names no tenant, like an unknown slug does.
        if (slug.includes('.')) return 'unknown-subdomain'
        const tenant = await cached(`slug:${slug}`, () => lookup((tx) => tenancyRepository.findRefBySlug(tx, slug)))
        return tenant ?? 'unknown-subdomain'
      }
      if (hostname === baseDomain || !hostname.includes('.') || /^[\d.]+$|:/.test(hostname)) return null
      const tenant = await cached(`domain:${hostname}`, () =>
        lookup((tx) => tenancyRepository.findRefByDomain(tx, hostname)),
      )
      if (tenant && options.servesCustomDomains && !(await options.servesCustomDomains(tenant.id))) return null
      return tenant
    },
    byId,
    async planOf(tenantId) {
      const plan = (await byId(tenantId))?.plan
      return isTenantPlan(plan) ? plan : DEFAULT_PLAN
    },
    invalidate: () => cache.clear(),
  }
}
