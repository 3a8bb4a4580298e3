/**
 * Counting for rate limits: one fixed-window counter per (class, caller) and per (class, tenant);
 * the caller's quota depends on whether it is a principal or an anonymous address, the tenant's
 * on its plan. A tenant's count is kept under the same key whatever its plan, so a plan change
 * applies to the current window (with Redis; in memory the new plan starts a fresh count).
 * With Redis every node shares the counters and each increment is one atomic Lua call
 * (rate-limiter-flexible's RateLimiterRedis), so a quota holds exactly across processes; without
 * Redis the counters live in this process (a single node is the only correct topology then).
 */
import type { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'
import type { RateLimitSettings } from '../../config.ts'
import { RATE_LIMIT_CLASSES, resolvePolicies, type ClassPolicy, type RateLimitClass } from './policies.ts'
import { TENANT_PLANS, type TenantPlan } from './plans.ts'

const KEY_PREFIX = 'rl'

export interface BucketResult {
  /** Policy name as advertised in the headers: the class for the caller bucket, `<class>-tenant` for the tenant's. */
  policy: string
  quota: number
  windowSeconds: number
  remaining: number
  resetSeconds: number
  exceeded: boolean
}

export type Decision =
  | { kind: 'counted'; buckets: BucketResult[] }
  /** The shared store failed; the class policy decides whether the request may proceed. */
  | { kind: 'store-unavailable'; error: unknown }

export interface BucketKeys {
  caller: string
  /** An anonymous caller is keyed by address and gets the per-address quota. */
  anonymous: boolean
  /** Null for requests outside any tenant (operators, platform routes): only the caller bucket applies. */
  tenant: string | null
  /** The tenant's plan, which sets the tenant bucket's quota. */
  plan: TenantPlan
}

export interface RateLimiter {
  readonly enabled: boolean
  readonly policies: Record<RateLimitClass, ClassPolicy>
  consume(rateClass: RateLimitClass, keys: BucketKeys): Promise<Decision>
}

interface Counter {
  policy: string
  quota: number
  limiter: RateLimiterAbstract
}

function counter(policy: string, quota: number, windowSeconds: number, redis: Redis | undefined): Counter {
  const options = { points: quota, duration: windowSeconds, keyPrefix: `${KEY_PREFIX}:${policy}` }
  const limiter = redis
    ? new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true })
    : new RateLimiterMemory(options)
  return { policy, quota, limiter }
}

async function count(counter: Counter, key: string, windowSeconds: number): Promise<BucketResult> {
  let result: RateLimiterRes
  let exceeded = false
  try {
    result = await counter.limiter.consume(key, 1)
  } catch (rejection) {
    // The library rejects with its result when the quota is exceeded and with an Error when the store fails.
    if (!(rejection instanceof RateLimiterRes)) throw rejection
    result = rejection
    exceeded = true
  }
  return {
    policy: counter.policy,
    quota: counter.quota,
    windowSeconds,
    remaining: result.remainingPoints,
    resetSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)),
    exceeded,
  }
}

export function createRateLimiter(settings: RateLimitSettings, redis: Redis | undefined): RateLimiter {
  const policies = resolvePolicies(settings)
  const counters = new Map<RateLimitClass, { caller: Counter; address: Counter; tenant: Record<TenantPlan, Counter> }>()
  for (const name of RATE_LIMIT_CLASSES) {
    const policy = policies[name]
    const window = policy.windowSeconds
    const tenant = `${name}-tenant`
    counters.set(name, {
      caller: counter(name, policy.perCaller, window, redis),
      // Caller keys name their kind (`user:`, `ip:`…), so both caller counters share one key space.
      address: counter(name, policy.perAddress, window, redis),
      tenant: Object.fromEntries(
        TENANT_PLANS.map((plan) => [plan, counter(tenant, policy.perTenant[plan], window, redis)]),
      ) as Record<TenantPlan, Counter>,
    })
  }
  return {
    enabled: settings.enabled,
    policies,
    async consume(rateClass, keys) {
      const pair = counters.get(rateClass)!
      const window = policies[rateClass].windowSeconds
      try {
        const caller = await count(keys.anonymous ? pair.address : pair.caller, keys.caller, window)
        // A caller already over its own quota must not keep draining its tenant's: that is the starvation the caller bucket prevents.
        if (caller.exceeded || keys.tenant === null) return { kind: 'counted', buckets: [caller] }
        return { kind: 'counted', buckets: [caller, await count(pair.tenant[keys.plan], keys.tenant, window)] }
      } catch (error) {
        return { kind: 'store-unavailable', error }
      }
    },
  }
}
