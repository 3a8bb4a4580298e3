import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../config.ts'
import { resolvePolicies } from './policies.ts'
import { rateLimitField, rateLimitPolicyField, sfString } from './headers.ts'
import { parseRateLimitList } from './rate-limit.testing.ts'

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
  it('uses the per-minute defaults outside tests, with tenant quotas a multiple of the caller quota', () => {
    const policies = resolvePolicies(loadConfig({}).rateLimits)
    expect(policies.read).toMatchObject({
      perCaller: 600,
      perTenant: 12_000,
      windowSeconds: 60,
      onStoreFailure: 'open',
    })
    expect(policies.auth).toMatchObject({ perCaller: 20, perTenant: 600, onStoreFailure: 'closed' })
    // Writes that make the server compile (question patterns) get a quarter of the write quota.
    expect(policies.compute).toMatchObject({ perCaller: 30, perTenant: 300, onStoreFailure: 'open' })
    expect(loadConfig({}).rateLimits.enabled).toBe(true)
  })

  it('is off in the test profile unless a test asks for quotas', () => {
    expect(loadConfig({ LYCEUM_PROFILE: 'test' }).rateLimits.enabled).toBe(false)
    expect(loadConfig({ LYCEUM_PROFILE: 'test', RATE_LIMITS: 'read=3' }).rateLimits.enabled).toBe(true)
  })

  it('applies overrides per class and keeps the tenant multiple when only the caller quota is given', () => {
    const settings = loadConfig({ RATE_LIMITS: 'read=10,auth=5/7', RATE_LIMIT_WINDOW_SECONDS: '30' }).rateLimits
    const policies = resolvePolicies(settings)
    expect(policies.read).toMatchObject({ perCaller: 10, perTenant: 200, windowSeconds: 30 })
    expect(policies.auth).toMatchObject({ perCaller: 5, perTenant: 7 })
    // Untouched classes keep their rate over the shorter window.
    expect(policies.write).toMatchObject({ perCaller: 60, perTenant: 1_200 })
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
      KEY_ENCRYPTION_KEY: 'cmF0ZS1saW1pdC10ZXN0LWtlay0wMTIzNDU2Nzg5YWI',
      IP_HASH_SECRET: 'rate-limit-test-ip-hash-secret-0123456789',
      RECOVERY_CODE_HMAC_SECRET: 'rate-limit-test-recovery-code-secret-0123456789',
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
      { name: 'read-tenant', quota: 12_000, windowSeconds: 60 },
    ])
    expect(policy).toBe('"read";q=600;w=60, "read-tenant";q=12000;w=60')
    expect(parseRateLimitList(policy)).toEqual([
      { name: 'read', params: { q: 600, w: 60 } },
      { name: 'read-tenant', params: { q: 12_000, w: 60 } },
    ])
    expect(rateLimitField({ policy: 'auth', remaining: 0, resetSeconds: 37 })).toBe('"auth";r=0;t=37')
  })

  it('escapes quotes and backslashes in names and refuses what an sf-string cannot carry', () => {
    expect(sfString('a"b\\c')).toBe('"a\\"b\\\\c"')
    expect(parseRateLimitList(`${sfString('a"b\\c')};q=1`)[0]!.name).toBe('a"b\\c')
    expect(() => sfString('naïve')).toThrow()
  })
})
