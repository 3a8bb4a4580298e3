/**
 * Counting for rate limits: one fixed-window counter per (class, caller) and per (class, tenant);
 * the caller's quota depends on whether it is a principal or an anonymous address, the tenant's
 * on its plan. A tenant's count is kept under the same key whatever its plan, so a plan change
 * applies to the current window.
 * With Redis every node shares the counters and each increment is one atomic Lua call
 * (rate-limiter-flexible's RateLimiterRedis), so a quota holds exactly across processes; without
 * Redis the counters live in this process (a single node is the only correct topology then) and
 * are answered synchronously (memory-windows.ts): no promise per request for a count in a Map.
 */
import type { Redis } from 'ioredis'
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import { MemoryWindows } from './memory-windows.ts'
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
  /** Synchronous with the in-process store; a promise with Redis. */
  consume(rateClass: RateLimitClass, keys: BucketKeys): Decision | Promise<Decision>
}

interface Counter {
  policy: string
  quota: number
  limiter: RateLimiterRedis
}

function counter(policy: string, quota: number, windowSeconds: number, redis: Redis): Counter {
  const options = { points: quota, duration: windowSeconds, keyPrefix: `${KEY_PREFIX}:${policy}` }
  return {
    policy,
    quota,
    limiter: new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true }),
  }
}

function bucket(policy: string, quota: number, windowSeconds: number, consumed: number, msBeforeNext: number) {
  return {
    policy,
    quota,
    windowSeconds,
    remaining: Math.max(quota - consumed, 0),
    resetSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)),
    exceeded: consumed > quota,
  }
}

async function count(counter: Counter, key: string, windowSeconds: number): Promise<BucketResult> {
  let result: RateLimiterRes
  try {
    result = await counter.limiter.consume(key, 1)
  } catch (rejection) {
    // The library rejects with its result when the quota is exceeded and with an Error when the store fails.
    if (!(rejection instanceof RateLimiterRes)) throw rejection
    result = rejection
  }
  return bucket(counter.policy, counter.quota, windowSeconds, result.consumedPoints, result.msBeforeNext)
}

export function createRateLimiter(settings: RateLimitSettings, redis: Redis | undefined): RateLimiter {
  const policies = resolvePolicies(settings)
  return {
    enabled: settings.enabled,
    policies,
    consume: redis ? redisCounting(policies, redis) : memoryCounting(policies),
  }
}

/** Shared counters: every node sees the same count. */
function redisCounting(policies: Record<RateLimitClass, ClassPolicy>, redis: Redis): RateLimiter['consume'] {
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
  return async (rateClass, keys) => {
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
  }
}

/** This process's counters, answered synchronously; the same buckets and arithmetic as with Redis. */
function memoryCounting(policies: Record<RateLimitClass, ClassPolicy>): RateLimiter['consume'] {
  const windows = new Map<RateLimitClass, { caller: MemoryWindows; tenant: MemoryWindows; tenantPolicy: string }>()
  for (const name of RATE_LIMIT_CLASSES) {
    const windowMs = policies[name].windowSeconds * 1000
    // Caller keys name their kind (`user:`, `ip:`…), so principals and addresses share one map.
    windows.set(name, {
      caller: new MemoryWindows(windowMs),
      tenant: new MemoryWindows(windowMs),
      tenantPolicy: `${name}-tenant`,
    })
  }
  return (rateClass, keys) => {
    const policy = policies[rateClass]
    const counters = windows.get(rateClass)!
    const now = Date.now()
    const quota = keys.anonymous ? policy.perAddress : policy.perCaller
    const own = counters.caller.hit(keys.caller, now)
    const caller = bucket(rateClass, quota, policy.windowSeconds, own.count, own.msBeforeNext)
    // A caller already over its own quota must not keep draining its tenant's: that is the starvation the caller bucket prevents.
    if (caller.exceeded || keys.tenant === null) return { kind: 'counted', buckets: [caller] }
    const shared = counters.tenant.hit(keys.tenant, now)
    const tenant = bucket(
      counters.tenantPolicy,
      policy.perTenant[keys.plan],
      policy.windowSeconds,
      shared.count,
      shared.msBeforeNext,
    )
    return { kind: 'counted', buckets: [caller, tenant] }
  }
}
