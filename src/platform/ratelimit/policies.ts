/**
 * Rate-limit route classes and their quotas. Each request spends one unit from two buckets of its
 * class: the caller's (user, operator, or client IP when anonymous) and its tenant's, so neither a
 * single caller nor a single tenant can starve the others. Classes have separate buckets, so
 * browsing never eats into the login budget and the other way round.
 *
 * When the shared store (Redis) is unreachable, a class either fails open (the request proceeds
 * unlimited and the outage is logged: reads and writes are authenticated or cheap and must keep
 * working) or fails closed with 503 (auth: credential guessing must never become unlimited).
 */
import type { RateLimitClassName, RateLimitSettings } from '../../config.ts'

export type RateLimitClass = RateLimitClassName

export const RATE_LIMIT_CLASSES: readonly RateLimitClass[] = ['read', 'write', 'auth', 'ops', 'compute']

export interface ClassPolicy {
  readonly name: RateLimitClass
  /** Requests per window for one caller. */
  readonly perCaller: number
  /** Requests per window for all callers of one tenant together. */
  readonly perTenant: number
  readonly windowSeconds: number
  readonly onStoreFailure: 'open' | 'closed'
}

/**
 * Per-minute defaults. Tenant-wide quotas are a multiple of the caller quota: a busy tenant has
 * many callers, but one tenant cannot take the whole node. Auth is per IP for anonymous callers
 * (login, password reset), far below the NIST cap of 100 consecutive failures per account.
 * Compute is for writes that make the server do bounded but costly CPU work before answering,
 * such as compiling a short-answer pattern when a question is saved: a quarter of the write
 * quota, so one author cannot keep the pattern workers busy for everyone (routes opt in with
 * `config: { rateLimit: 'compute' }`).
 */
const DEFAULTS: Record<RateLimitClass, { perCaller: number; perTenant: number; onStoreFailure: 'open' | 'closed' }> = {
  read: { perCaller: 600, perTenant: 12_000, onStoreFailure: 'open' },
  write: { perCaller: 120, perTenant: 2_400, onStoreFailure: 'open' },
  auth: { perCaller: 20, perTenant: 600, onStoreFailure: 'closed' },
  ops: { perCaller: 300, perTenant: 3_000, onStoreFailure: 'open' },
  compute: { perCaller: 30, perTenant: 300, onStoreFailure: 'open' },
}

/** The quota of each class: the built-in default unless the configuration overrides it. */
export function resolvePolicies(settings: RateLimitSettings): Record<RateLimitClass, ClassPolicy> {
  // Defaults are per minute; another window keeps the same rate.
  const windowScale = settings.windowSeconds / 60
  const entries = RATE_LIMIT_CLASSES.map((name): [RateLimitClass, ClassPolicy] => {
    const defaults = DEFAULTS[name]
    const override = settings.overrides[name]
    const perCaller = override?.perCaller ?? Math.max(1, Math.round(defaults.perCaller * windowScale))
    const perTenant = override?.perTenant ?? perCaller * (defaults.perTenant / defaults.perCaller)
    return [
      name,
      { name, perCaller, perTenant, windowSeconds: settings.windowSeconds, onStoreFailure: defaults.onStoreFailure },
    ]
  })
  return Object.fromEntries(entries) as Record<RateLimitClass, ClassPolicy>
}
