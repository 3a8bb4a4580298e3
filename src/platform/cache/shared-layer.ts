/**
 * The Redis layer of the response cache, shared by every node. Best effort by design: a Redis
 * that is down, slow (past REDIS_TIMEOUT_MS) or failing answers "miss" and the node reads the
 * database; it never fails a request and, since keys carry the generation, never serves data
 * older than the generation the node asked for.
 */
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'

export interface SharedEntry {
  body: string
  etag: string
  contentType: string
  /** Epoch milliseconds after which the entry is not served (the bound on a lost invalidation). */
  expiresAt: number
}

/** A Redis answer later than this is a miss: the database is the fallback, not a wait. */
const REDIS_TIMEOUT_MS = 50

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

export interface SharedLayer {
  get(key: string): Promise<SharedEntry | undefined>
  set(key: string, entry: SharedEntry): void
}

export function redisLayer(redis: Redis, logger: Logger): SharedLayer {
  let lastWarning = 0
  const warn = (error: unknown) => {
    if (Date.now() - lastWarning < 10_000) return
    lastWarning = Date.now()
    logger.warn({ err: error }, 'public-cache Redis read or write failed; serving uncached')
  }
  return {
    async get(key) {
      if (redis.status !== 'ready') return undefined
      const raw = await withTimeout(redis.get(key), REDIS_TIMEOUT_MS).catch((error: unknown) => {
        warn(error)
        return undefined
      })
      if (!raw) return undefined
      // expiresAt \n etag \n content type \n body: the body is stored verbatim, not re-encoded.
      const [expiresAt = '', etag = '', contentType = ''] = raw.split('\n', 3)
      const until = Number(expiresAt)
      if (!etag || !contentType || !(until > Date.now())) return undefined
      const body = raw.slice(expiresAt.length + etag.length + contentType.length + 3)
      return { body, etag, contentType, expiresAt: until }
    },
    set(key, entry) {
      if (redis.status !== 'ready') return
      const value = `${entry.expiresAt}\n${entry.etag}\n${entry.contentType}\n${entry.body}`
      redis.set(key, value, 'PX', Math.max(1, entry.expiresAt - Date.now())).catch(warn)
    },
  }
}
