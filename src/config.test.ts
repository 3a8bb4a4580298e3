import { describe, expect, it } from 'vitest'
import { ConfigError, DEV_PRINCIPAL_SECRET, loadConfig } from './config.ts'

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

describe('loadConfig', () => {
  it('starts on embedded defaults in the development profile', () => {
    const config = loadConfig({})
    expect(config.profile).toBe('development')
    expect(config.database.kind).toBe('pglite')
    expect(config.http.port).toBe(3000)
    expect(config.auth.operatorToken).toEqual(expect.any(String))
  })

  it('reports every invalid variable at once, naming each and what was given', () => {
    const problems = problemsOf({ PORT: 'abc', DATABASE_POOL_MAX: '0', LOG_LEVEL: 'loud', PRINCIPAL_SIGNING_SECRET: 'short' })
    const named = problems.map((p) => p.split(':')[0])
    expect(named).toEqual(expect.arrayContaining(['PORT', 'DATABASE_POOL_MAX', 'LOG_LEVEL', 'PRINCIPAL_SIGNING_SECRET']))
    expect(problems.find((p) => p.startsWith('PORT'))).toContain('"abc"')
    expect(problems.find((p) => p.startsWith('PORT'))).toContain('HTTP port')
  })

  it('refuses development defaults in production and lists each fix', () => {
    const problems = problemsOf({ LYCEUM_PROFILE: 'production', OPERATOR_TOKEN: 'x'.repeat(30) })
    expect(problems.join('\n')).toMatch(/DATABASE_URL is required/)
    expect(problems.join('\n')).toMatch(/PRINCIPAL_SIGNING_SECRET/)
    expect(problems.join('\n')).toMatch(/OPERATOR_TOKEN .* must not be set/)
    expect(problems.join('\n')).toMatch(/METRICS_TOKEN/)
    expect(problems.join('\n')).toMatch(/PUBLIC_URL/)
    expect(problems.join('\n')).toMatch(/SMTP_URL is required/)
    expect(problemsOf({ LYCEUM_PROFILE: 'production', PRINCIPAL_SIGNING_SECRET: DEV_PRINCIPAL_SECRET }).join('\n')).toMatch(/PRINCIPAL_SIGNING_SECRET/)
  })

  it('accepts a complete production environment and disables the operator token', () => {
    const config = loadConfig({
      LYCEUM_PROFILE: 'production',
      DATABASE_URL: 'postgres://owner@db.internal:5432/lyceum',
      PRINCIPAL_SIGNING_SECRET: 'p'.repeat(40),
      METRICS_TOKEN: 'm'.repeat(30),
      PUBLIC_URL: 'https://api.example.com/',
      SMTP_URL: 'smtp://mail.internal:587',
    })
    expect(config.auth.operatorToken).toBeUndefined()
    expect(config.http.host).toBe('0.0.0.0')
    expect(config.http.publicUrl).toBe('https://api.example.com')
    expect(config.database).toMatchObject({ kind: 'postgres', appUrl: 'postgres://lyceum_app@db.internal:5432/lyceum' })
  })

  it('allows the embedded database in production only when explicitly enabled', () => {
    const base = { LYCEUM_PROFILE: 'production', PRINCIPAL_SIGNING_SECRET: 'p'.repeat(40), METRICS_TOKEN: 'm'.repeat(30), PUBLIC_URL: 'https://x.example', SMTP_URL: 'smtp://mail.internal:587' }
    expect(problemsOf(base).join()).toMatch(/DATABASE_URL/)
    expect(loadConfig({ ...base, ALLOW_EMBEDDED_DATABASE: 'true' }).database.kind).toBe('pglite')
  })

  it('reads booleans and comma lists', () => {
    const config = loadConfig({ JOBS_ENABLED: 'no', CORS_ORIGINS: 'https://a.example, https://b.example' })
    expect(config.jobsEnabled).toBe(false)
    expect(config.http.corsOrigins).toEqual(['https://a.example', 'https://b.example'])
  })
})
