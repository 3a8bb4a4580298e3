/**
 * The response cache of public, caller-independent reads (ADR 0017): an in-process LRU and, when
 * Redis is configured, a shared layer. Keys carry the tenant's generation of the route's tag, so
 * a bump (cache-generations.ts) makes every older entry unreachable on every node at once.
 *
 * Never stale: a request captures the generation *before* its database read and stores under it,
 * so a read racing a bump stores under the old generation, which no lookup asks for after the
 * bump's notification. Until the feed is live, after it lost its session, while a bump of this
 * process is uncommitted, or while a tenant's generation is unknown, the cache is bypassed: reads
 * are uncached and correct. A Redis error or timeout is a miss, never an error.
 */
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Database } from '../db/database.ts'
import { onPendingBump, parseBump, readGeneration, type GenerationBump } from './cache-generations.ts'
import type { InvalidationFeed } from './invalidation-feed.ts'
import { BoundedLru } from './lru.ts'
import { redisLayer } from './shared-layer.ts'

export interface CachedResponse {
  body: string
  etag: string
  contentType: string
}

/** A generation captured before a request's database read; stores go under it. */
export interface Capture {
  readonly tenantId: string
  readonly tag: string
  readonly generation: number
  readonly epoch: number
}

export interface ResponseCacheOptions {
  database: Database
  feed: InvalidationFeed
  logger: Logger
  redis: Redis | undefined
  maxEntries: number
  maxBytes: number
  ttlSeconds: number
}

/** A bump of this process whose notification never came (rolled back) stops bypassing after this. */
const PENDING_BUMP_MS = 5_000

export type ResponseCache = ReturnType<typeof createResponseCache>

const slot = (tenantId: string, tag: string) => `${tenantId} ${tag}`

export function createResponseCache(options: ResponseCacheOptions) {
  const { database, redis, logger } = options
  const enabled = options.maxEntries > 0
  const ttlMs = options.ttlSeconds * 1000
  const lru = new BoundedLru<CachedResponse>({ maxEntries: options.maxEntries, maxBytes: options.maxBytes })
  const generations = new Map<string, number>()
  const pending = new Map<string, { awaiting: number; until: number }>()
  const loads = new Map<string, Promise<void>>()
  const shared = redis ? redisLayer(redis, logger) : undefined
  let live = false
  /** Changes whenever trust is withdrawn: loads and captures from an older epoch are discarded. */
  let epoch = 0

  const forgetAll = () => {
    epoch++
    lru.clear()
    generations.clear()
    pending.clear()
  }

  const applyBump = (bump: GenerationBump) => {
    const key = slot(bump.tenantId, bump.tag)
    // Also for a tenant whose generation is still loading: the load may have read the older one.
    generations.set(key, Math.max(generations.get(key) ?? 0, bump.generation))
    const wait = pending.get(key)
    if (wait && wait.awaiting <= bump.generation) pending.delete(key)
  }

  const stopPending = onPendingBump((bump) => {
    if (!enabled) return
    const key = slot(bump.tenantId, bump.tag)
    const awaiting = Math.max(pending.get(key)?.awaiting ?? 0, bump.generation)
    pending.set(key, { awaiting, until: Date.now() + PENDING_BUMP_MS })
  })

  const load = (tenantId: string, tag: string, key: string) => {
    const started = epoch
    const running = readGeneration(database, tenantId, tag)
      .then((generation) => {
        // Read before a lost session was re-established: a bump in between may not have been heard.
        if (started !== epoch) return
        generations.set(key, Math.max(generations.get(key) ?? 0, generation))
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'public-cache generation read failed; serving uncached'))
      .finally(() => loads.delete(key))
    loads.set(key, running)
    return running
  }

  const redisKey = (capture: Capture, key: string) =>
    `pc:${capture.tenantId}:${capture.tag}:${capture.generation}:${createHash('sha256').update(key).digest('base64url')}`

  const fromShared = async (capture: Capture, key: string, localKey: string) => {
    const entry = await shared?.get(redisKey(capture, key))
    if (!entry) return undefined
    const { expiresAt, ...response } = entry
    if (capture.epoch === epoch) lru.set(localKey, response, Buffer.byteLength(response.body), expiresAt)
    return response
  }

  return {
    /**
     * The tenant's generation of `tag`, captured before the request reads the database; undefined
     * when this node cannot vouch for it (feed not live, a local bump uncommitted, no answer).
     */
    async capture(tenantId: string, tag: string): Promise<Capture | undefined> {
      if (!enabled || !live) return undefined
      const key = slot(tenantId, tag)
      const wait = pending.get(key)
      if (wait) {
        if (wait.until > Date.now()) return undefined
        // The bump never committed, or its notice was lost: ask the database again.
        pending.delete(key)
        generations.delete(key)
      }
      if (!generations.has(key)) await (loads.get(key) ?? load(tenantId, tag, key))
      const generation = generations.get(key)
      if (generation === undefined || !live || pending.has(key)) return undefined
      return { tenantId, tag, generation, epoch }
    },

    async lookup(capture: Capture, key: string): Promise<CachedResponse | undefined> {
      const localKey = `${capture.tenantId} ${capture.tag} ${capture.generation} ${key}`
      return lru.get(localKey) ?? (await fromShared(capture, key, localKey))
    },

    /** Stores a 200 response read under `capture`, unless trust was withdrawn or the generation moved on since. */
    store(capture: Capture, key: string, entry: CachedResponse): void {
      if (capture.epoch !== epoch || !live) return
      if (generations.get(slot(capture.tenantId, capture.tag)) !== capture.generation) return
      const until = Date.now() + ttlMs
      lru.set(
        `${capture.tenantId} ${capture.tag} ${capture.generation} ${key}`,
        entry,
        Buffer.byteLength(entry.body),
        until,
      )
      shared?.set(redisKey(capture, key), { ...entry, expiresAt: until })
    },

    /** Starts listening; until the feed is live every read is uncached. */
    async start(): Promise<void> {
      if (!enabled) return
      await options.feed.start({
        notice: (payload) => {
          const bump = parseBump(payload)
          if (bump) applyBump(bump)
        },
        ready: () => {
          // Anything cached before may have missed a bump while the session was down.
          forgetAll()
          live = true
        },
        lost: () => {
          live = false
          forgetAll()
        },
      })
    },

    async close(): Promise<void> {
      stopPending()
      live = false
      forgetAll()
      await options.feed.close()
    },

    /** Figures for tests and metrics. */
    stats: () => ({ live, entries: lru.size, bytes: lru.bytes }),
    /** The generation this node serves for a tenant's tag (undefined: not known here). */
    generationOf: (tenantId: string, tag: string) => generations.get(slot(tenantId, tag)),
  }
}
