/**
 * Tenant plans: the named tiers an operator puts a tenant on (PATCH /v1/tenants/{id} `plan`), and
 * the tenant-wide quota each gives per rate-limit class, per minute. The one place to change what
 * a plan allows; docs/operations.md ("Rate limits and tenant plans") explains the sizing.
 *
 * Sizing: one node serves roughly 1,500–2,000 uncached authenticated reads a second on two cores
 * (docs/benchmarks.md) and a school's learners average well under one request a second each, so
 * `standard` (2,000 reads/s) lets a tenant of a few thousand active learners use a whole node
 * before it is throttled, `starter` fits a few hundred, and `campus` / `enterprise` are for
 * tenants served by several nodes. Writes are about a fifth of reads. Sign-ins are bounded by the
 * argon2 pool far below these (about 18 a second per node with one hashing slot), so the `auth`
 * quota only stops one tenant's sign-in flood from taking every node's hashing slots.
 */
import type { RateLimitClassName } from '../../config.ts'

export const TENANT_PLANS = ['starter', 'standard', 'campus', 'enterprise'] as const
export type TenantPlan = (typeof TENANT_PLANS)[number]

/** A new tenant's plan, and the plan applied to a name this release does not know. */
export const DEFAULT_PLAN: TenantPlan = 'standard'

export function isTenantPlan(value: unknown): value is TenantPlan {
  return (TENANT_PLANS as readonly unknown[]).includes(value)
}

/** Requests per minute for all callers of one tenant together. */
export const PLAN_TENANT_QUOTAS: Readonly<Record<TenantPlan, Readonly<Record<RateLimitClassName, number>>>> = {
  starter: { read: 30_000, write: 6_000, auth: 600, ops: 3_000, compute: 300 },
  standard: { read: 120_000, write: 24_000, auth: 1_800, ops: 3_000, compute: 1_200 },
  campus: { read: 600_000, write: 120_000, auth: 6_000, ops: 3_000, compute: 6_000 },
  enterprise: { read: 3_000_000, write: 600_000, auth: 18_000, ops: 3_000, compute: 30_000 },
}
