/**
 * What one node knows of its tenants' cache generations, and whether it may trust that. The map
 * only moves forward (max), fed by the invalidation feed's notices and by lazy reads of the
 * committed generation. Trust is withdrawn (every generation forgotten, the epoch advanced) when
 * the feed loses its session; a read of a generation started before that is discarded, since a
 * bump in between may not have been heard. A bump of this process that is not committed yet
 * (onPendingBump) makes the tenant's generation unknown here until its notice arrives.
 */
import type { Logger } from 'pino'
import type { Database } from '../db/database.ts'
import { onPendingBump, readGeneration, type GenerationBump } from './cache-generations.ts'

/** A bump of this process whose notification never came (rolled back) stops bypassing after this. */
const PENDING_BUMP_MS = 5_000

const slot = (tenantId: string, tag: string) => `${tenantId} ${tag}`

export type GenerationTracker = ReturnType<typeof createGenerationTracker>

export function createGenerationTracker(database: Database, logger: Logger) {
  const generations = new Map<string, number>()
  const pending = new Map<string, { awaiting: number; until: number }>()
  const loads = new Map<string, Promise<void>>()
  let epoch = 0

  const load = (tenantId: string, tag: string, key: string) => {
    const started = epoch
    const running = readGeneration(database, tenantId, tag)
      .then((generation) => {
        if (started === epoch) generations.set(key, Math.max(generations.get(key) ?? 0, generation))
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'public-cache generation read failed; serving uncached'))
      .finally(() => loads.delete(key))
    loads.set(key, running)
    return running
  }

  const stopPending = onPendingBump((bump) => {
    const key = slot(bump.tenantId, bump.tag)
    const awaiting = Math.max(pending.get(key)?.awaiting ?? 0, bump.generation)
    pending.set(key, { awaiting, until: Date.now() + PENDING_BUMP_MS })
  })

  return {
    get epoch() {
      return epoch
    },

    /** A committed bump heard from the feed; also for a tenant still loading (the load may have read the older one). */
    apply(bump: GenerationBump): void {
      const key = slot(bump.tenantId, bump.tag)
      generations.set(key, Math.max(generations.get(key) ?? 0, bump.generation))
      const wait = pending.get(key)
      if (wait && wait.awaiting <= bump.generation) pending.delete(key)
    },

    /** The generation this node vouches for, reading it once when unknown; undefined while it cannot. */
    async current(tenantId: string, tag: string): Promise<number | undefined> {
      const key = slot(tenantId, tag)
      const wait = pending.get(key)
      if (wait) {
        if (wait.until > Date.now()) return undefined
        // The bump never committed, or its notice was lost: ask the database again.
        pending.delete(key)
        generations.delete(key)
      }
      if (!generations.has(key)) await (loads.get(key) ?? load(tenantId, tag, key))
      return pending.has(key) ? undefined : generations.get(key)
    },

    /** The generation known here without asking the database. */
    known: (tenantId: string, tag: string) => generations.get(slot(tenantId, tag)),

    forgetAll(): void {
      epoch++
      generations.clear()
      pending.clear()
    },

    close: () => stopPending(),
  }
}
