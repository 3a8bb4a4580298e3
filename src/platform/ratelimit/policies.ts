/**
 * Rate-limit route classes and their quotas. Each request spends one unit from two buckets of its
 * class: the caller's and its tenant's, so neither a single caller nor a single tenant can starve
 * the others. Classes have separate buckets, so browsing never eats into the login budget and the
 * other way round.
 *
 * The caller is the signed-in principal (user, API key, operator), never its address: a campus
 * behind one NAT address is hundreds of callers. Anonymous callers can only be told apart by
 * address, so their per-address quota is higher (it is shared by everyone behind that address).
 * The tenant's quota comes from its plan (plans.ts).
 *
 * When the shared store (Redis) is unreachable, a class either fails open (the request proceeds
 * unlimited and the outage is logged: reads and writes are authenticated or cheap and must keep
 * working) or fails closed with 503 (auth: credential guessing must never become unlimited).
 */
import type { RateLimitClassName, RateLimitSettings } from '../../config.ts'
import { PLAN_TENANT_QUOTAS, TENANT_PLANS, type TenantPlan } from './plans.ts'

export type RateLimitClass = RateLimitClassName

export const RATE_LIMIT_CLASSES: readonly RateLimitClass[] = ['read', 'write', 'auth', 'ops', 'compute']

export interface ClassPolicy {
  readonly name: RateLimitClass
  /** Requests per window for one signed-in principal. */
  readonly perCaller: number
  /** Requests per window for one client address of anonymous callers. */
  readonly perAddress: number
  /** Requests per window for all callers of one tenant together, by the tenant's plan. */
  readonly perTenant: Readonly<Record<TenantPlan, number>>
  readonly windowSeconds: number
  readonly onStoreFailure: 'open' | 'closed'
}

/**
 * Per-minute caller defaults. A learner's client rarely needs more than a few reads a second;
 * an address's anonymous quota is ten times that, for the people sharing it. Auth is mostly
 * anonymous (sign-in, password reset): 120 per address a minute lets a school's morning sign-in
 * wave through one NAT, while accounts lock after repeated failures and an address is slowed
 * after 10 failed sign-ins (login-ip-throttle.ts), far below the NIST cap of 100 consecutive
 * failures per account. Compute is for writes that make the server do bounded but costly CPU work
 * before answering, such as compiling a short-answer pattern when a question is saved (routes opt
 * in with `config: { rateLimit: 'compute' }`).
 */
const CALLER_DEFAULTS: Record<
  RateLimitClass,
  { perCaller: number; perAddress: number; onStoreFailure: 'open' | 'closed' }
> = {
  read: { perCaller: 1_200, perAddress: 12_000, onStoreFailure: 'open' },
  write: { perCaller: 240, perAddress: 1_200, onStoreFailure: 'open' },
  auth: { perCaller: 30, perAddress: 120, onStoreFailure: 'closed' },
  ops: { perCaller: 600, perAddress: 600, onStoreFailure: 'open' },
  compute: { perCaller: 30, perAddress: 30, onStoreFailure: 'open' },
}

/**
 * The quota of each class: the built-in default unless the configuration overrides it
 * (RATE_LIMITS `class=caller/tenant`: the caller quota applies to principals and addresses
 * alike, the tenant quota to every plan).
 */
export function resolvePolicies(settings: RateLimitSettings): Record<RateLimitClass, ClassPolicy> {
  // Defaults are per minute; another window keeps the same rate.
  const scale = (perMinute: number) => Math.max(1, Math.round((perMinute * settings.windowSeconds) / 60))
  const entries = RATE_LIMIT_CLASSES.map((name): [RateLimitClass, ClassPolicy] => {
    const defaults = CALLER_DEFAULTS[name]
    const override = settings.overrides[name]
    const tenantQuota = (plan: TenantPlan) => override?.perTenant ?? scale(PLAN_TENANT_QUOTAS[plan][name])
    return [
      name,
      {
        name,
        perCaller: override?.perCaller ?? scale(defaults.perCaller),
        perAddress: override?.perCaller ?? scale(defaults.perAddress),
        perTenant: Object.fromEntries(TENANT_PLANS.map((plan) => [plan, tenantQuota(plan)])) as Record<
          TenantPlan,
          number
        >,
        windowSeconds: settings.windowSeconds,
        onStoreFailure: defaults.onStoreFailure,
      },
    ]
  })
  return Object.fromEntries(entries) as Record<RateLimitClass, ClassPolicy>
}
