/**
 * The verified-token cache (ADR 0018): a cached token is accepted and refused at exactly the
 * instants a fresh verification accepts and refuses it, a token that failed is never served, and a
 * retired signing key stops its cached tokens (also when retired on another node: the signing_keys
 * trigger makes every node reload).
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { decodeJwt } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { platformScope } from '../../../platform/db/database.ts'
import { createAccessTokens, type AccessTokens } from './access-tokens.ts'

let t: TestApp
let tenantId: string
let uncached: AccessTokens

beforeAll(async () => {
  t = await buildTestApp()
  tenantId = (await t.createTenant()).id
  uncached = createAccessTokens({ keys: t.modules.identity.keys, issuer: t.config.http.publicUrl, cacheEntries: 0 })
})
afterAll(async () => t?.close())
afterEach(() => {
  vi.useRealTimers()
})

const issue = () => t.modules.identity.accessTokens.issue({ userId: randomUUID(), tenantId, roles: ['learner'] })
const outcome = (tokens: AccessTokens, token: string) =>
  tokens.verify(token).then(
    (principal) => principal.kind,
    (error: unknown) => (error as { code?: string }).code,
  )

describe('the verified-token cache', () => {
  it('accepts and refuses a cached token at the same instants as a fresh verification', async () => {
    const token = await issue()
    const cached = t.modules.identity.accessTokens
    expect(await outcome(cached, token)).toBe('user')
    const { iat, exp } = decodeJwt(token) as { iat: number; exp: number }
    vi.useFakeTimers({ toFake: ['Date'] })
    // Around the 5 s clock tolerance at both ends, and the first instant of each whole second.
    for (const at of [iat - 6, iat - 5, iat, exp + 4, exp + 4.999, exp + 5, exp + 6]) {
      vi.setSystemTime(at * 1000)
      const fresh = await outcome(uncached, token)
      expect(await outcome(cached, token), `at ${at - iat} s after iat`).toBe(fresh)
    }
    vi.setSystemTime((exp + 5) * 1000)
    expect(await outcome(cached, token)).toBe('INVALID_TOKEN')
  })

  it('never serves a token that failed, even one differing from a cached token only in its payload', async () => {
    const token = await issue()
    expect(await outcome(t.modules.identity.accessTokens, token)).toBe('user')
    const [header, payload, signature] = token.split('.')
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>
    const forged = [
      header,
      Buffer.from(JSON.stringify({ ...claims, roles: ['tenant_admin'] })).toString('base64url'),
      signature,
    ].join('.')
    expect(await outcome(t.modules.identity.accessTokens, forged)).toBe('INVALID_TOKEN')
    expect(await outcome(t.modules.identity.accessTokens, forged)).toBe('INVALID_TOKEN')
    expect(await outcome(t.modules.identity.accessTokens, token)).toBe('user')
  })

  it("refuses a cached token within a second once its key is retired (the trigger's notice reloads the keys)", async () => {
    const token = await issue()
    expect(await outcome(t.modules.identity.accessTokens, token)).toBe('user')
    const { kid } = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string }
    // A new active key first, so the file's other tokens keep being issued; then the old one retires now.
    await t.modules.identity.keys.rotate('test: retire a key with cached tokens')
    expect(await outcome(t.modules.identity.accessTokens, token)).toBe('user')
    await t.platform.database.transaction(platformScope, (tx) =>
      tx.execute(sql`UPDATE identity.signing_keys SET retire_at = now() WHERE kid = ${kid}`),
    )
    const deadline = Date.now() + 1000
    while ((await outcome(t.modules.identity.accessTokens, token)) !== 'INVALID_TOKEN') {
      if (Date.now() > deadline) throw new Error('the retired key still verified after 1 s')
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect(await outcome(t.modules.identity.accessTokens, await issue())).toBe('user')
  })
})
