/**
 * Per-IP sign-in throttling (ASVS V6.3, issue 3 point 2): failed sign-ins are counted per client
 * IP and tenant over 15 minutes. From the 10th failure the IP is refused for a minute, doubling
 * with each further failure up to 15 minutes. Refusals happen before the password is checked, so
 * a throttled IP costs no argon2 work, and they are not counted (as with the account lock).
 * A successful sign-in does not reset the count: one valid account must not let an attacker
 * keep guessing the passwords of others from the same address.
 *
 * Counters live in Redis when configured (shared by every node, atomic increments), in this
 * process otherwise, like the route rate limits (src/platform/ratelimit/limiter.ts).
 */
import type { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible'
import { sessionsErrors } from './sessions.errors.ts'

const KEY_PREFIX = 'login-ip'
export const IP_FAILURE_WINDOW_SECONDS = 15 * 60
export const IP_FAILURES_ALLOWED = 10
const FIRST_DELAY_SECONDS = 60
const MAX_DELAY_SECONDS = 15 * 60

export interface LoginIpThrottle {
  /** Seconds left before the IP may try again, 0 when it may try now. */
  heldBackSeconds(tenantId: string, ip: string): Promise<number>
  /** Counts a failed sign-in; returns the failures in the window and the seconds the IP is now held back (0 below the allowance). */
  recordFailure(tenantId: string, ip: string): Promise<{ failures: number; delaySeconds: number }>
}

/** Seconds an IP is held back after `failures` failures in the window: 0 below the allowance, then doubling. */
export function ipDelaySeconds(failures: number): number {
  if (failures < IP_FAILURES_ALLOWED) return 0
  const doublings = Math.min(failures - IP_FAILURES_ALLOWED, 10)
  return Math.min(FIRST_DELAY_SECONDS * 2 ** doublings, MAX_DELAY_SECONDS)
}

function limiter(name: string, points: number, redis: Redis | undefined): RateLimiterAbstract {
  const options = { points, duration: IP_FAILURE_WINDOW_SECONDS, keyPrefix: `${KEY_PREFIX}:${name}` }
  return redis
    ? new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true })
    : new RateLimiterMemory(options)
}

/** The store being down must not make guessing unlimited: the sign-in is refused with 503 instead. */
async function orUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw sessionsErrors.loginThrottleUnavailable(error)
  }
}

export function createLoginIpThrottle(redis: Redis | undefined): LoginIpThrottle {
  // `points` of the failure counter is never consumed against (penalty only counts); the hold is
  // a separate key set with block(), which keeps its own expiry.
  const failures = limiter('failures', Number.MAX_SAFE_INTEGER, redis)
  const holds = limiter('holds', 1, redis)
  const keyOf = (tenantId: string, ip: string) => `${tenantId}:${ip}`
  return {
    async heldBackSeconds(tenantId, ip) {
      const hold = await orUnavailable(() => holds.get(keyOf(tenantId, ip)))
      // block() stores points + 1, so anything above the single point is a hold.
      if (!hold || hold.consumedPoints <= 1 || hold.msBeforeNext <= 0) return 0
      return Math.max(1, Math.ceil(hold.msBeforeNext / 1000))
    },
    async recordFailure(tenantId, ip) {
      const key = keyOf(tenantId, ip)
      const counted = await orUnavailable(() => failures.penalty(key, 1))
      const delaySeconds = ipDelaySeconds(counted.consumedPoints)
      if (delaySeconds > 0) await orUnavailable(() => holds.block(key, delaySeconds))
      return { failures: counted.consumedPoints, delaySeconds }
    },
  }
}
