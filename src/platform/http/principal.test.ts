import { describe, expect, it } from 'vitest'
import { SignJWT, UnsecuredJWT } from 'jose'
import type { AppError } from '../errors.ts'
import { createPrincipalTokens, type Principal } from './principal.ts'

const member: Principal = { kind: 'user', userId: 'u1', tenantId: 't1', roles: [], permissions: new Set() }
const integration: Principal = { kind: 'api_key', keyId: 'k1', tenantId: 't1', permissions: new Set() }
const seen: string[] = []
const tokens = createPrincipalTokens({
  accessTokens: {
    async verify(token) {
      seen.push(token)
      return member
    },
  },
  apiKeys: { matches: (bearer) => bearer.startsWith('lyk1_'), verify: async () => integration },
})

async function rejected(token: string): Promise<string | undefined> {
  try {
    await tokens.verify(token)
    return undefined
  } catch (error) {
    return (error as AppError).code
  }
}

const hs256 = (typ: string, secret: string, claims: Record<string, unknown> = {}) =>
  new SignJWT({ tid: '00000000-0000-4000-8000-000000000001', roles: ['tenant_admin'], ...claims })
    .setProtectedHeader({ alg: 'HS256', typ })
    .setIssuer('lyceum')
    .setAudience('lyceum-api')
    .setSubject('u1')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret))

describe('principal tokens', () => {
  it('hands at+jwt bearers to the access-token verifier and API keys to theirs', async () => {
    const typed = `${Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k' })).toString('base64url')}.e30.sig`
    expect(await tokens.verify(typed)).toBe(member)
    expect(seen).toContain(typed)
    expect(await tokens.verify('lyk1_abcdef')).toBe(integration)
  })

  it('accepts no shared-secret (HS256) token and no static operator token, whatever the secret', async () => {
    const cases: Record<string, string> = {
      'the former interim token, development secret': await hs256(
        'lyceum-principal+jwt',
        'lyceum-development-principal-secret-do-not-use',
      ),
      'the former interim token, any secret': await hs256('lyceum-principal+jwt', 's'.repeat(40)),
      'an operator claim': await hs256('lyceum-principal+jwt', 's'.repeat(40), { op: true, tid: undefined }),
      'HS256 typed JWT': await hs256('JWT', 'w'.repeat(40)),
      'alg none': new UnsecuredJWT({ tid: 'x', roles: ['tenant_admin'] })
        .setIssuer('lyceum')
        .setAudience('lyceum-api')
        .setSubject('u1')
        .encode(),
      'the former development operator token': 'lyceum-dev-operator-token-0000',
      garbage: 'not a token at all',
    }
    for (const [name, token] of Object.entries(cases))
      expect([name, await rejected(token)]).toEqual([name, 'INVALID_TOKEN'])
    // None of them even reached the access-token verifier.
    expect(seen.filter((token) => Object.values(cases).includes(token))).toEqual([])
  })

  it('without an API-key verifier, key-shaped bearers are just invalid', async () => {
    const bare = createPrincipalTokens({})
    await expect(bare.verify('lyk1_abcdef')).rejects.toMatchObject({ code: 'INVALID_TOKEN' })
  })
})
