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
import { parseBump } from './cache-generations.ts'
import { createGenerationTracker } from './generation-tracker.ts'
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

export type ResponseCache = ReturnType<typeof createResponseCache>

const localKey = (capture: Capture, key: string) => `${capture.tenantId} ${capture.tag} ${capture.generation} ${key}`

const sharedKey = (capture: Capture, key: string) =>
  `pc:${capture.tenantId}:${capture.tag}:${capture.generation}:${createHash('sha256').update(key).digest('base64url')}`

export function createResponseCache(options: ResponseCacheOptions) {
  const enabled = options.maxEntries > 0
  const ttlMs = options.ttlSeconds * 1000
  const lru = new BoundedLru<CachedResponse>({ maxEntries: options.maxEntries, maxBytes: options.maxBytes })
  const generations = createGenerationTracker(options.database, options.logger)
  const shared = options.redis ? redisLayer(options.redis, options.logger) : undefined
  let live = false

  const forgetAll = () => {
    generations.forgetAll()
    lru.clear()
  }

  const fromShared = async (capture: Capture, key: string) => {
    const entry = await shared?.get(sharedKey(capture, key))
    if (!entry) return undefined
    const { expiresAt, ...response } = entry
    if (capture.epoch === generations.epoch)
      lru.set(localKey(capture, key), response, Buffer.byteLength(response.body), expiresAt)
    return response
  }

  return {
    /**
     * The tenant's generation of `tag`, captured before the request reads the database; undefined
     * when this node cannot vouch for it (feed not live, a local bump uncommitted, no answer).
     */
    async capture(tenantId: string, tag: string): Promise<Capture | undefined> {
      if (!enabled || !live) return undefined
      const epoch = generations.epoch
      const generation = await generations.current(tenantId, tag)
      if (generation === undefined || !live || epoch !== generations.epoch) return undefined
      return { tenantId, tag, generation, epoch }
    },

    async lookup(capture: Capture, key: string): Promise<CachedResponse | undefined> {
      return lru.get(localKey(capture, key)) ?? (await fromShared(capture, key))
    },

    /** Stores a 200 response read under `capture`, unless trust was withdrawn or the generation moved on since. */
    store(capture: Capture, key: string, entry: CachedResponse): void {
      if (capture.epoch !== generations.epoch || !live) return
      if (generations.known(capture.tenantId, capture.tag) !== capture.generation) return
      const expiresAt = Date.now() + ttlMs
      lru.set(localKey(capture, key), entry, Buffer.byteLength(entry.body), expiresAt)
      shared?.set(sharedKey(capture, key), { ...entry, expiresAt })
    },

    /** Starts listening; until the feed is live every read is uncached. */
    async start(): Promise<void> {
      if (!enabled) return
      await options.feed.start({
        notice: (payload) => {
          const bump = parseBump(payload)
          if (bump) generations.apply(bump)
        },
        // Anything cached before may have missed a bump while the session was down.
        ready: () => {
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
      generations.close()
      live = false
      forgetAll()
      await options.feed.close()
    },

    /** Figures for tests and metrics. */
    stats: () => ({ live, entries: lru.size, bytes: lru.bytes }),
    /** The generation this node serves for a tenant's tag (undefined: not known here). */
    generationOf: (tenantId: string, tag: string) => generations.known(tenantId, tag),
  }
}
