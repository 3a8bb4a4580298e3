import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../config.ts'
import { resolvePolicies } from './policies.ts'
import { DEFAULT_PLAN, TENANT_PLANS } from './plans.ts'
import { rateLimitField, rateLimitPolicyField, sfString } from './headers.ts'
import { parseRateLimitList } from './rate-limit.testing.ts'
import { TEST_VAPID } from '../../../test/vapid.ts'

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env)
    return []
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
}

describe('rate-limit configuration', () => {
  it('uses the per-minute defaults outside tests: per principal, a higher per-address quota, tenant quotas by plan', () => {
    const policies = resolvePolicies(loadConfig({}).rateLimits)
    expect(policies.read).toMatchObject({
      perCaller: 1_200,
      perAddress: 12_000,
      perTenant: { starter: 30_000, standard: 120_000, campus: 600_000, enterprise: 3_000_000 },
      windowSeconds: 60,
      onStoreFailure: 'open',
    })
    expect(policies.auth).toMatchObject({ perCaller: 30, perAddress: 120, onStoreFailure: 'closed' })
    expect(policies.auth.perTenant.standard).toBe(1_800)
    // Writes that make the server compile (question patterns) stay tightly limited per caller.
    expect(policies.compute).toMatchObject({ perCaller: 30, perAddress: 30, onStoreFailure: 'open' })
    expect(loadConfig({}).rateLimits.enabled).toBe(true)
  })

  it('sizes every plan above the one below it, for every class but the operators', () => {
    const policies = resolvePolicies(loadConfig({}).rateLimits)
    for (const name of ['read', 'write', 'auth', 'compute'] as const) {
      const quotas = TENANT_PLANS.map((plan) => policies[name].perTenant[plan])
      expect(quotas).toEqual([...quotas].sort((a, b) => a - b))
      expect(new Set(quotas).size).toBe(TENANT_PLANS.length)
    }
    expect(DEFAULT_PLAN).toBe('standard')
  })

  it('is off in the test profile unless a test asks for quotas', () => {
    expect(loadConfig({ LYCEUM_PROFILE: 'test' }).rateLimits.enabled).toBe(false)
    expect(loadConfig({ LYCEUM_PROFILE: 'test', RATE_LIMITS: 'read=3' }).rateLimits.enabled).toBe(true)
  })

  it('applies overrides per class: the caller quota to principals and addresses, the tenant quota to every plan', () => {
    const settings = loadConfig({ RATE_LIMITS: 'read=10,auth=5/7', RATE_LIMIT_WINDOW_SECONDS: '30' }).rateLimits
    const policies = resolvePolicies(settings)
    // Without a tenant quota, the plans keep theirs at the same rate over the shorter window.
    expect(policies.read).toMatchObject({ perCaller: 10, perAddress: 10, windowSeconds: 30 })
    expect(policies.read.perTenant).toMatchObject({ starter: 15_000, standard: 60_000 })
    expect(policies.auth).toMatchObject({ perCaller: 5, perAddress: 5 })
    expect(Object.values(policies.auth.perTenant)).toEqual([7, 7, 7, 7])
    // Untouched classes keep their rate over the shorter window.
    expect(policies.write).toMatchObject({ perCaller: 120, perAddress: 600 })
    expect(policies.write.perTenant.standard).toBe(12_000)
  })

  it('reports a malformed RATE_LIMITS by name, and refuses "off" in production', () => {
    expect(problemsOf({ RATE_LIMITS: 'read=ten' })[0]).toMatch(/^RATE_LIMITS: .*got "read=ten"/)
    expect(problemsOf({ RATE_LIMITS: 'reads=10' })).toHaveLength(1)
    expect(problemsOf({ RATE_LIMITS: 'read=0' })).toHaveLength(1)
    const production = {
      LYCEUM_PROFILE: 'production',
      DATABASE_URL: 'postgres://u@db/lyceum',
      METRICS_TOKEN: 'metrics-token-0123456789abcdef',
      PUBLIC_URL: 'https://api.example.com',
      SMTP_URL: 'smtp://mail.internal:587',
      CLAMD_URL: 'unix:///run/clamav/clamd.ctl',
      KEY_ENCRYPTION_KEY: 'cmF0ZS1saW1pdC10ZXN0LWtlay0wMTIzNDU2Nzg5YWI',
      IP_HASH_SECRET: 'rate-limit-test-ip-hash-secret-0123456789',
      RECOVERY_CODE_HMAC_SECRET: 'rate-limit-test-recovery-code-secret-0123456789',
      FILE_URL_SECRET: 'rate-limit-test-file-url-secret-0123456789',
      ...TEST_VAPID,
    }
    expect(problemsOf({ ...production, RATE_LIMITS: 'off' })).toContainEqual(
      expect.stringMatching(/^RATE_LIMITS=off .* refused in production/),
    )
    expect(problemsOf({ ...production, RATE_LIMITS: 'read=100' })).toEqual([])
  })
})

describe('draft-11 header fields', () => {
  it('serializes policies and status as structured-field lists that round-trip', () => {
    const policy = rateLimitPolicyField([
      { name: 'read', quota: 600, windowSeconds: 60 },
      { name: 'read-tenant', quota: 120_000, windowSeconds: 60 },
    ])
    expect(policy).toBe('"read";q=600;w=60, "read-tenant";q=120000;w=60')
    expect(parseRateLimitList(policy)).toEqual([
      { name: 'read', params: { q: 600, w: 60 } },
      { name: 'read-tenant', params: { q: 120_000, w: 60 } },
    ])
    expect(rateLimitField({ policy: 'auth', remaining: 0, resetSeconds: 37 })).toBe('"auth";r=0;t=37')
  })

  it('escapes quotes and backslashes in names and refuses what an sf-string cannot carry', () => {
    expect(sfString('a"b\\c')).toBe('"a\\"b\\\\c"')
    expect(parseRateLimitList(`${sfString('a"b\\c')};q=1`)[0]!.name).toBe('a"b\\c')
    expect(() => sfString('naïve')).toThrow()
  })
})
