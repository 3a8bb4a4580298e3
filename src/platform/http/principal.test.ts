import { describe, expect, it } from 'vitest'
import { SignJWT, UnsecuredJWT } from 'jose'
import { createPrincipalTokens } from './principal.ts'

const SECRET = 's'.repeat(40)
const OPERATOR = 'o'.repeat(30)
const tokens = createPrincipalTokens(SECRET, OPERATOR)
const key = new TextEncoder().encode(SECRET)

function base(claims: Record<string, unknown> = {}) {
  return new SignJWT({ tid: '00000000-0000-4000-8000-000000000001', roles: ['tenant_admin'], ...claims })
    .setIssuer('lyceum')
    .setAudience('lyceum-api')
    .setSubject('u1')
    .setIssuedAt()
    .setExpirationTime('5m')
}

async function rejected(token: string): Promise<string | undefined> {
  try {
    await tokens.verify(token)
    return undefined
  } catch (error) {
    return (error as { code?: string }).code
  }
}

describe('principal tokens', () => {
  it('round-trips a tenant member with the permissions of its roles', async () => {
    const token = await tokens.sign({ subject: 'u1', tenantId: 'tid-1', roles: ['tenant_admin', 'learner'] })
    const principal = await tokens.verify(token)
    expect(principal.kind).toBe('user')
    if (principal.kind !== 'user') return
    expect(principal.permissions.has('flags:manage')).toBe(true)
    expect(principal.permissions.has('platform:tenants')).toBe(false)
  })

  it('accepts the static operator token only when configured', async () => {
    expect((await tokens.verify(OPERATOR)).kind).toBe('operator')
    expect(await rejected(OPERATOR.replace(/o$/, 'x'))).toBe('INVALID_TOKEN')
    const production = createPrincipalTokens(SECRET, undefined)
    await expect(production.verify(OPERATOR)).rejects.toMatchObject({ code: 'INVALID_TOKEN' })
  })

  it('rejects forged and misused tokens', async () => {
    const typ = { alg: 'HS256', typ: 'lyceum-principal+jwt' }
    const cases: Record<string, string> = {
      'alg none': new UnsecuredJWT({ tid: 'x', roles: ['tenant_admin'] }).setIssuer('lyceum').setAudience('lyceum-api').setSubject('u1').encode(),
      'wrong secret': await base().setProtectedHeader(typ).sign(new TextEncoder().encode('w'.repeat(40))),
      'wrong typ': await base().setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key),
      'wrong audience': await base().setProtectedHeader(typ).setAudience('other').sign(key),
      'wrong issuer': await base().setProtectedHeader(typ).setIssuer('evil').sign(key),
      expired: await base().setProtectedHeader(typ).setIssuedAt(Math.floor(Date.now() / 1000) - 7200).setExpirationTime(Math.floor(Date.now() / 1000) - 3600).sign(key),
      'not yet valid': await base().setProtectedHeader(typ).setNotBefore('1h').sign(key),
      'no tenant': await base({ tid: undefined }).setProtectedHeader(typ).sign(key),
      'HS512': await base().setProtectedHeader({ alg: 'HS512', typ: 'lyceum-principal+jwt' }).sign(new TextEncoder().encode('s'.repeat(64))),
      'lifetime over an hour': await base().setProtectedHeader(typ).setIssuedAt(Math.floor(Date.now() / 1000) - 4000).setExpirationTime('1h').sign(key),
    }
    for (const [name, token] of Object.entries(cases)) expect([name, await rejected(token)]).toEqual([name, 'INVALID_TOKEN'])
  })

  it('drops unknown roles instead of trusting them', async () => {
    const token = await base({ roles: ['superuser', 'learner'] }).setProtectedHeader({ alg: 'HS256', typ: 'lyceum-principal+jwt' }).sign(key)
    const principal = await tokens.verify(token)
    expect(principal.kind === 'user' && principal.roles).toEqual(['learner'])
  })
})
