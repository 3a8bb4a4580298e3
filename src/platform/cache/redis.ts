/**
 * The shared Redis connection (rate limits, caches, fan-out) when REDIS_URL is set. Connection
 * errors are logged, never thrown at the process: callers decide whether to fail open or closed.
 */
import { Redis } from 'ioredis'
import type { Logger } from 'pino'

export function createRedis(url: string, logger: Logger, keyPrefix: string): Redis {
  const redis = new Redis(url, {
    // Applied by ioredis to every key, including the rate limiter's Lua scripts.
    keyPrefix,
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  })
  let lastLogged = 0
  redis.on('error', (error) => {
    // A down Redis emits an error per retry; one line every 10 s is enough.
    if (Date.now() - lastLogged > 10_000) {
      lastLogged = Date.now()
      logger.warn({ err: error }, 'redis connection error')
    }
  })
  return redis
}
