import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createRateLimiter, type BucketKeys, type Decision } from './limiter.ts'
import { PLAN_TENANT_QUOTAS, type TenantPlan } from './plans.ts'

// Built-in quotas (no overrides), counted in memory; the window is far longer than the test.
const limiter = createRateLimiter({ enabled: true, windowSeconds: 60, overrides: {} }, undefined)

function bucketsOf(decision: Decision | undefined) {
  if (decision?.kind !== 'counted') throw new Error(`expected counted buckets, got ${JSON.stringify(decision)}`)
  return decision.buckets
}
const exceeded = (decision: Decision) => bucketsOf(decision).some((b) => b.exceeded)

/** Spends `times` units of a class from as many distinct callers, so only the tenant bucket can run out. */
async function spendAsTenant(tenant: string, plan: TenantPlan, times: number): Promise<Decision[]> {
  const decisions: Decision[] = []
  for (let i = 0; i < times; i++) {
    const keys: BucketKeys = { caller: `user:${tenant}:${i}`, anonymous: false, tenant, plan }
    decisions.push(await limiter.consume('compute', keys))
  }
  return decisions
}

describe('tenant quotas by plan', () => {
  it("stops a tenant at its own plan's quota, while a tenant on a larger plan goes on", async () => {
    const starterQuota = PLAN_TENANT_QUOTAS.starter.compute
    const starter = await spendAsTenant(randomUUID(), 'starter', starterQuota + 1)
    expect(starter.filter(exceeded)).toHaveLength(1)
    expect(exceeded(starter.at(-1)!)).toBe(true)
    expect(bucketsOf(starter.at(-1)).at(-1)).toMatchObject({
      policy: 'compute-tenant',
      quota: starterQuota,
      remaining: 0,
    })

    const standard = await spendAsTenant(randomUUID(), 'standard', starterQuota + 1)
    expect(standard.filter(exceeded)).toHaveLength(0)
    expect(bucketsOf(standard.at(-1)).at(-1)).toMatchObject({
      quota: PLAN_TENANT_QUOTAS.standard.compute,
      remaining: PLAN_TENANT_QUOTAS.standard.compute - starterQuota - 1,
    })
  })
})

describe('caller keys', () => {
  it('gives an anonymous address the higher per-address quota and a principal the per-caller quota', async () => {
    const tenant = randomUUID()
    const address = await limiter.consume('read', { caller: 'ip:10.1.2.3', anonymous: true, tenant, plan: 'standard' })
    const member = await limiter.consume('read', {
      caller: `user:${tenant}:${randomUUID()}`,
      anonymous: false,
      tenant,
      plan: 'standard',
    })
    const quotas = limiter.policies.read
    expect(bucketsOf(address)[0]).toMatchObject({ quota: quotas.perAddress })
    expect(bucketsOf(member)[0]).toMatchObject({ quota: quotas.perCaller })
    expect(quotas.perAddress).toBeGreaterThan(quotas.perCaller)
  })
})
