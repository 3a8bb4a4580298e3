import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { eq, sql } from 'drizzle-orm'
import { platformScope } from '../../../platform/db/database.ts'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { signingKeys } from '../identity.tables.ts'

let t: TestApp
let base: string
let tenantId: string

beforeAll(async () => {
  t = await buildTestApp()
  base = await t.app.listen({ host: '127.0.0.1', port: 0 })
  tenantId = (await t.createTenant()).id
})

afterAll(async () => {
  await t.close()
})

const jwksUrl = () => new URL('/.well-known/jwks.json', base)
const issue = () => t.modules.identity.accessTokens.issue({ userId: randomUUID(), tenantId, roles: ['tenant_admin'] })
const kidOf = (token: string) => decodeProtectedHeader(token).kid as string

/** What a resource server using jose does with our tokens. */
async function clientVerifies(jwks: ReturnType<typeof createRemoteJWKSet>, token: string): Promise<boolean> {
  try {
    await jwtVerify(token, jwks, {
      issuer: t.config.http.publicUrl,
      audience: 'lyceum-api',
      typ: 'at+jwt',
      algorithms: ['EdDSA'],
    })
    return true
  } catch {
    return false
  }
}

async function servedKids(): Promise<string[]> {
  const response = await fetch(jwksUrl())
  const body = (await response.json()) as { keys: Array<{ kid: string }> }
  return body.keys.map((key) => key.kid)
}

async function apiStatus(token: string): Promise<number> {
  const response = await fetch(new URL('/v1/tenant', base), { headers: { authorization: `Bearer ${token}` } })
  return response.status
}

describe('GET /.well-known/jwks.json', () => {
  it('serves only the public members of every unretired key, cacheable', async () => {
    const response = await fetch(jwksUrl())
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('public, max-age=300')
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] }
    expect(keys.length).toBeGreaterThan(0)
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x'])
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' })
    }
  })

  it('lets jose createRemoteJWKSet verify tokens across a rotation until the old key retires', async () => {
    // A key of this test's own, so retiring it cannot affect tokens other test files sign.
    await t.modules.identity.keys.rotate('test: fresh key')
    const client = createRemoteJWKSet(jwksUrl(), { cooldownDuration: 0 })
    const oldToken = await issue()
    const oldKid = kidOf(oldToken)
    expect(await clientVerifies(client, oldToken)).toBe(true)
    expect(await apiStatus(oldToken)).toBe(200)

    const rotation = await t.modules.identity.keys.rotate('test: rotation')
    expect(rotation.previousKid).toBe(oldKid)
    const newToken = await issue()
    expect(kidOf(newToken)).not.toBe(oldKid)
    expect(await clientVerifies(client, newToken)).toBe(true)
    // The overlap: tokens signed before the rotation keep working.
    expect(await clientVerifies(client, oldToken)).toBe(true)
    expect(await apiStatus(oldToken)).toBe(200)
    expect(await servedKids()).toEqual(expect.arrayContaining([oldKid, kidOf(newToken)]))

    await t.platform.database.transaction(platformScope, (tx) =>
      tx
        .update(signingKeys)
        .set({ retireAt: sql`now() - interval '1 second'` })
        .where(eq(signingKeys.kid, oldKid)),
    )
    // What the cache TTL does within a minute on every node.
    await t.modules.identity.keys.refresh()
    expect(await servedKids()).not.toContain(oldKid)
    expect(await apiStatus(oldToken)).toBe(401)
    expect(await clientVerifies(createRemoteJWKSet(jwksUrl()), oldToken)).toBe(false)
    expect(await clientVerifies(client, newToken)).toBe(true)
    expect(await apiStatus(newToken)).toBe(200)
  })
})
