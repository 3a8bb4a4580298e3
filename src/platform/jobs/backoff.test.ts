import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bossRetryOptions, fullJitterDelay, retryDelayBound, type RetryPolicy } from './backoff.ts'

const policy: RetryPolicy = { limit: 10, baseSeconds: 2, capSeconds: 30 }

const policies = fc
  .record({
    limit: fc.integer({ min: 0, max: 50 }),
    baseSeconds: fc.double({ min: 0.001, max: 3600, noNaN: true }),
    capSeconds: fc.double({ min: 0.001, max: 86_400, noNaN: true }),
  })
  .filter((p) => p.capSeconds >= p.baseSeconds)

describe('retry backoff', () => {
  it('doubles the delay bound on every attempt until the cap', () => {
    expect([0, 1, 2, 3, 4, 5].map((attempt) => retryDelayBound(attempt, policy))).toEqual([2, 4, 8, 16, 30, 30])
  })

  it('draws a full-jitter delay anywhere between zero and the bound', () => {
    expect(fullJitterDelay(3, policy, () => 0)).toBe(0)
    expect(fullJitterDelay(3, policy, () => 0.5)).toBe(8)
    expect(fullJitterDelay(3, policy, () => 0.999_999)).toBeCloseTo(16, 2)
    fc.assert(
      fc.property(
        policies,
        fc.nat({ max: 40 }),
        fc.double({ min: 0, max: 0.999_999_9, noNaN: true }),
        (p, attempt, r) => {
          const delay = fullJitterDelay(attempt, p, () => r)
          return delay >= 0 && delay <= retryDelayBound(attempt, p)
        },
      ),
    )
  })

  it('configures pg-boss so that its own retry time is never earlier than ours', () => {
    // pg-boss waits min(retryDelayMax, retryDelay * 2^min(16, n) * (1 + random)); its earliest
    // choice (random = 0) must not come before the latest full-jitter delay we may pick.
    fc.assert(
      fc.property(policies, fc.nat({ max: 40 }), (p, attempt) => {
        const boss = bossRetryOptions(p)
        const earliestBoss = Math.min(boss.retryDelayMax, boss.retryDelay * 2 ** Math.min(16, attempt))
        return (
          Number.isInteger(boss.retryDelay) &&
          Number.isInteger(boss.retryDelayMax) &&
          earliestBoss >= retryDelayBound(attempt, p)
        )
      }),
    )
  })
})
