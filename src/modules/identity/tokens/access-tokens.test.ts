import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  SignJWT,
  UnsecuredJWT,
  base64url,
  decodeJwt,
  decodeProtectedHeader,
  generateKeyPair,
  type CryptoKey,
  type JWTPayload,
} from 'jose'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { ACCESS_TOKEN_AUDIENCE } from '../index.ts'

let t: TestApp
let tenant: { id: string; slug: string }
let other: { id: string; slug: string }
let activeKid: string
let publicX: string

beforeAll(async () => {
  t = await buildTestApp()
  tenant = await t.createTenant()
  other = await t.createTenant()
  const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as {
    keys: Array<{ kid: string; x: string }>
  }
  const { kid } = await t.modules.identity.keys.signingKey()
  activeKid = kid
  publicX = jwks.keys.find((key) => key.kid === kid)?.x ?? ''
})

afterAll(async () => {
  await t.close()
})

const issue = (tenantId = tenant.id, roles: ('tenant_admin' | 'learner')[] = ['tenant_admin']) =>
  t.modules.identity.accessTokens.issue({ userId: randomUUID(), tenantId, roles })

const getTenant = (token: string, host?: string) =>
  t.app.inject({ method: 'GET', url: '/v1/tenant', headers: { ...t.auth(token), ...(host ? { host } : {}) } })

/** Claims as we issue them; each forged case changes one thing. */
function claims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000)
  return {
    iss: t.config.http.publicUrl,
    aud: ACCESS_TOKEN_AUDIENCE,
    sub: randomUUID(),
    tid: tenant.id,
    roles: ['tenant_admin'],
    iat: now,
    exp: now + 600,
    jti: randomUUID(),
    ...overrides,
  }
}

const sign = (payload: JWTPayload, header: Record<string, unknown>, key: CryptoKey | Uint8Array) =>
  new SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: activeKid, ...header } as { alg: string })
    .sign(key)

describe('access tokens', () => {
  it('are accepted as a member of their tenant with the permissions of their roles', async () => {
    const response = await getTenant(await issue())
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ id: tenant.id })
    // Roles come from the claims: a learner lacks tenant:read.
    const learner = await getTenant(await issue(tenant.id, ['learner']))
    expect([learner.statusCode, learner.json().code]).toEqual([403, 'PERMISSION_DENIED'])
  })

  it('carry the RFC 9068 header and claims with a lifetime of 15 minutes', async () => {
    const token = await t.modules.identity.accessTokens.issue({
      userId: 'u-1',
      tenantId: tenant.id,
      roles: ['learner'],
      sessionId: 's-1',
      actor: { sub: 'operator:o-1' },
      impersonationId: '00000000-0000-4000-8000-000000000001',
    })
    const header = decodeProtectedHeader(token)
    const payload = decodeJwt(token)
    expect(header).toEqual({ alg: 'EdDSA', kid: activeKid, typ: 'at+jwt' })
    expect(payload).toMatchObject({
      iss: t.config.http.publicUrl,
      aud: 'lyceum-api',
      sub: 'u-1',
      tid: tenant.id,
      roles: ['learner'],
      sid: 's-1',
      act: { sub: 'operator:o-1' },
      imp: '00000000-0000-4000-8000-000000000001',
    })
    expect(payload.exp! - payload.iat!).toBe(900)
    expect(payload.jti).toEqual(expect.any(String))
    // The token verifier alone: the principal verifier behind it also requires the session s-1 to exist (sessions tests).
    const principal = await t.modules.identity.accessTokens.verify(token)
    expect(principal).toMatchObject({
      kind: 'user',
      userId: 'u-1',
      tenantId: tenant.id,
      roles: ['learner'],
      sessionId: 's-1',
      actor: { sub: 'operator:o-1', impersonationId: '00000000-0000-4000-8000-000000000001' },
    })
    await expect(t.platform.tokens.verify(token)).rejects.toMatchObject({ code: 'INVALID_TOKEN' })
  })

  it('from tenant A are refused on tenant B’s host', async () => {
    const response = await getTenant(await issue(tenant.id), `${other.slug}.localhost`)
    expect(response.statusCode).toBe(403)
    expect(response.json()).toMatchObject({ code: 'TENANT_MISMATCH' })
    expect((await getTenant(await issue(other.id), `${other.slug}.localhost`)).statusCode).toBe(200)
  })

  it('forged or misused are rejected with 401', async () => {
    const now = Math.floor(Date.now() / 1000)
    const foreign = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
    const { privateKey: ours } = await t.modules.identity.keys.signingKey()
    const publicBytes = base64url.decode(publicX)
    expect(publicBytes.length).toBe(32)
    const cases: Record<string, string> = {
      'alg none': new UnsecuredJWT(claims()).encode(),
      'alg none typed as an access token': `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: activeKid }))}.${base64url.encode(JSON.stringify(claims()))}.`,
      'HS256 with the public key bytes as secret': await sign(claims(), { alg: 'HS256' }, publicBytes),
      'HS256 with the public key text as secret': await sign(
        claims(),
        { alg: 'HS256' },
        new TextEncoder().encode(publicX),
      ),
      expired: await sign(claims({ iat: now - 1000, exp: now - 100 }), {}, ours),
      'not yet valid': await sign(claims({ nbf: now + 600 }), {}, ours),
      'issued in the future': await sign(claims({ iat: now + 600, exp: now + 1200 }), {}, ours),
      'wrong audience': await sign(claims({ aud: 'another-api' }), {}, ours),
      'wrong issuer': await sign(claims({ iss: 'https://evil.example' }), {}, ours),
      'typ JWT': await sign(claims(), { typ: 'JWT' }, ours),
      'no typ': await sign(claims(), { typ: undefined }, ours),
      'unknown kid': await sign(claims(), { kid: 'AAAAAAAAAAAAAAAAAAAAAA' }, ours),
      'path-like kid': await sign(claims(), { kid: '../../etc/passwd' }, ours),
      'SQL-like kid': await sign(claims(), { kid: "x' or '1'='1" }, ours),
      'no kid': await sign(claims(), { kid: undefined }, ours),
      'foreign key with a known kid': await sign(claims(), {}, foreign.privateKey),
      'foreign key offered in a jwk header': await sign(
        claims(),
        { jwk: { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' } },
        foreign.privateKey,
      ),
      'our key with a jku header': await sign(claims(), { jku: 'https://evil.example/jwks.json' }, ours),
      'lifetime over 15 minutes': await sign(claims({ exp: now + 3600 }), {}, ours),
      'no expiry': await sign(claims({ exp: undefined }), {}, ours),
      'no tenant': await sign(claims({ tid: undefined }), {}, ours),
      'tenant not a UUID': await sign(claims({ tid: '../other' }), {}, ours),
      'no subject': await sign(claims({ sub: undefined }), {}, ours),
      'roles not a list': await sign(claims({ roles: 'tenant_admin' }), {}, ours),
      'user token with op: true (and its tid)': await sign(claims({ op: true, sid: randomUUID() }), {}, ours),
      'operator token without sid': await sign(claims({ tid: undefined, roles: undefined, op: true }), {}, ours),
      'operator token with op other than true': await sign(
        claims({ tid: undefined, roles: undefined, op: 'true', sid: randomUUID() }),
        {},
        ours,
      ),
      'operator token with roles': await sign(claims({ tid: undefined, op: true, sid: randomUUID() }), {}, ours),
      'operator token whose subject is not an id': await sign(
        claims({ tid: undefined, roles: undefined, op: true, sid: randomUUID(), sub: '../admin' }),
        {},
        ours,
      ),
      'operator token of a session that does not exist': await sign(
        claims({ tid: undefined, roles: undefined, op: true, sid: randomUUID() }),
        {},
        ours,
      ),
      'the former interim HS256 token (development secret)': await new SignJWT({
        tid: tenant.id,
        roles: ['tenant_admin'],
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'lyceum-principal+jwt' })
        .setIssuer('lyceum')
        .setAudience('lyceum-api')
        .setSubject(randomUUID())
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode('lyceum-development-principal-secret-do-not-use')),
      'the former interim HS256 operator token': await new SignJWT({ op: true })
        .setProtectedHeader({ alg: 'HS256', typ: 'lyceum-principal+jwt' })
        .setIssuer('lyceum')
        .setAudience('lyceum-api')
        .setSubject('operator-1')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode('s'.repeat(40))),
      'the former static development operator token': 'lyceum-dev-operator-token-0000',
      'tampered payload': (await issue()).replace(
        /\.([^.]+)\./,
        (_m, body: string) => `.${body.slice(0, -2)}${body.at(-2) === 'A' ? 'B' : 'A'}${body.slice(-1)}.`,
      ),
    }
    const results = await Promise.all(
      Object.entries(cases).map(async ([name, token]) => {
        const response = await getTenant(token)
        return [name, response.statusCode, (response.json() as { code?: string }).code]
      }),
    )
    for (const [name, status, code] of results)
      expect([name, status, code]).toEqual([name, 401, expect.stringMatching(/^INVALID_(TOKEN|AUTHORIZATION)$/)])
  })

  it('of operators have sub, op and sid and no tenant, work on operator routes and are refused on tenant routes', async () => {
    const payload = decodeJwt(t.operatorToken)
    expect(decodeProtectedHeader(t.operatorToken)).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' })
    expect(payload).toMatchObject({ op: true, sub: expect.any(String), sid: expect.any(String) })
    expect(payload).not.toHaveProperty('tid')
    expect(payload).not.toHaveProperty('roles')
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(900)
    const tenants = await t.app.inject({ method: 'GET', url: '/v1/tenants?limit=1', headers: t.auth(t.operatorToken) })
    expect(tenants.statusCode).toBe(200)
    const asMember = await getTenant(t.operatorToken)
    expect([asMember.statusCode, asMember.json().code]).toEqual([403, 'TENANT_MEMBER_REQUIRED'])
  })

  it('from the test harness belong to a real member with a live session', async () => {
    const token = await t.tokenFor(tenant.id, ['tenant_admin'])
    expect(decodeJwt(token)).toMatchObject({ tid: tenant.id, roles: ['tenant_admin'], sid: expect.any(String) })
    expect((await getTenant(token)).statusCode).toBe(200)
  })
})
