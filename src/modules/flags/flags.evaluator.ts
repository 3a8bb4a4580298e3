/**
 * Evaluates flags for a tenant: its override if present, else the declared default.
 * A tenant's overrides are cached in process for a couple of seconds: gated routes and host
 * resolution ask on every request, and another node's change must show here within the TTL
 * (this node's own changes invalidate at once).
 */
import { tenantScope, type Database } from '../../platform/db/database.ts'
import type { FeatureEvaluator } from '../../platform/http/feature-gate.ts'
import { FLAG_CATALOGUE, FLAG_KEYS, isFlagKey, type FlagKey } from './flags.catalogue.ts'
import { flagsRepository } from './flags.repository.ts'

export const OVERRIDE_CACHE_TTL_MS = 2_000
const MAX_CACHED_TENANTS = 10_000

type Overrides = ReadonlyMap<string, boolean>
type Entry = { expires: number; overrides: Promise<Overrides> }

export interface FlagEvaluator extends FeatureEvaluator {
  /** Every declared flag's effective value for a tenant. */
  effective(tenantId: string): Promise<Record<FlagKey, boolean>>
  /** Drops a tenant's cached overrides after a change on this node. */
  invalidate(tenantId: string): void
}

export function createFlagEvaluator(database: Database, ttlMs = OVERRIDE_CACHE_TTL_MS): FlagEvaluator {
  const cache = new Map<string, Entry>()

  /** Concurrent callers share one load (the promise is cached), so a burst costs one query. */
  function overridesOf(tenantId: string): Promise<Overrides> {
    const hit = cache.get(tenantId)
    if (hit && hit.expires > Date.now()) return hit.overrides
    const overrides = database
      .transaction(tenantScope(tenantId), (tx) => flagsRepository.overrideValues(tx, tenantId))
      .then((rows) => new Map(rows.map((row) => [row.flagKey, row.enabled])))
    if (cache.size >= MAX_CACHED_TENANTS) cache.clear()
    const entry = { expires: Date.now() + ttlMs, overrides }
    cache.set(tenantId, entry)
    // A failed load must not be served from the cache until it expires.
    overrides.catch(() => cache.get(tenantId) === entry && cache.delete(tenantId))
    return overrides
  }

  const valueOf = (overrides: Overrides, key: FlagKey) => overrides.get(key) ?? FLAG_CATALOGUE[key].defaultEnabled

  return {
    declares: isFlagKey,
    async isEnabled(tenantId, key) {
      if (!isFlagKey(key)) throw new Error(`feature flag "${key}" is not declared`)
      if (tenantId === null) return FLAG_CATALOGUE[key].defaultEnabled
      return valueOf(await overridesOf(tenantId), key)
    },
    async effective(tenantId) {
      const overrides = await overridesOf(tenantId)
      return Object.fromEntries(FLAG_KEYS.map((key) => [key, valueOf(overrides, key)])) as Record<FlagKey, boolean>
    },
    invalidate(tenantId) {
      cache.delete(tenantId)
    },
  }
}
