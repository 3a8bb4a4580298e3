import { createHash } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { sessionsClient, type Tokens } from './sessions.testing.ts'

let t: TestApp
let api: ReturnType<typeof sessionsClient>
beforeAll(async () => {
  // A roomy auth quota: this file signs in far more often than one client would.
  t = await buildTestApp({ worker: true, env: { RATE_LIMITS: 'auth=1000/10000' } })
  api = sessionsClient(t)
})
afterAll(async () => t?.close())

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')

async function signedIn(displayName?: string) {
  const tenant = await t.createTenant()
  const email = await api.signUp(tenant.slug, displayName ? { displayName } : {})
  const tokens = await api.signIn(tenant.slug, email)
  return { ...tenant, email, tokens }
}

describe('sign-in, refresh and sessions over HTTP', () => {
  it('walks register → verify → login → /v1/me → refresh → reuse revokes the session', async () => {
    const { id: tenantId, slug, email, tokens } = await signedIn('Grace')
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 })
    expect(tokens.refreshToken).toMatch(new RegExp(`^rt1\\.${tenantId}\\.[A-Za-z0-9_-]{43}$`))
    expect(decodeProtectedHeader(tokens.accessToken)).toMatchObject({ typ: 'at+jwt' })
    const claims = decodeJwt(tokens.accessToken)
    expect(claims).toMatchObject({ tid: tenantId, roles: ['learner'] })

    const me = await api.call(slug, 'GET', '/v1/me', tokens.accessToken)
    expect(me.statusCode).toBe(200)
    expect(me.json()).toEqual({
      id: claims.sub,
      email,
      displayName: 'Grace',
      tenantId,
      roles: ['learner'],
      emailVerified: true,
      sessionId: claims.sid,
      mfaEnrolmentRequired: false,
      timeZone: null,
      locale: null,
    })

    const refreshed = await api.refresh(slug, tokens.refreshToken)
    expect(refreshed.statusCode).toBe(200)
    const next = refreshed.json() as Tokens
    expect(next.refreshToken).not.toBe(tokens.refreshToken)
    expect(decodeJwt(next.accessToken)).toMatchObject({ sub: claims.sub, sid: claims.sid })
    expect((await api.call(slug, 'GET', '/v1/me', next.accessToken)).statusCode).toBe(200)

    const reused = await api.refresh(slug, tokens.refreshToken)
    expect(reused.statusCode).toBe(401)
    expect(reused.json().code).toBe('REFRESH_TOKEN_REUSED')
    // The whole session is gone: the newest access and refresh tokens stop working at once.
    const after = await api.call(slug, 'GET', '/v1/me', next.accessToken)
    expect(after.statusCode).toBe(401)
    expect(after.json().code).toBe('SESSION_REVOKED')
    expect((await api.refresh(slug, next.refreshToken)).json().code).toBe('INVALID_REFRESH_TOKEN')

    const [session] = await api.query<{ revoke_reason: string }>(
      sql`SELECT revoke_reason FROM identity.sessions WHERE id = ${claims.sid as string}`,
    )
    expect(session?.revoke_reason).toBe('refresh_reuse')
    const audit = await api.query<{ action: string; outcome: string }>(
      sql`SELECT action, outcome FROM platform.audit_log WHERE target_id = ${claims.sid as string}`,
    )
    expect(audit).toEqual([{ action: 'auth.refresh_reuse', outcome: 'denied' }])
  })

  it('stores refresh tokens only as SHA-256 hashes, expiring with their session', async () => {
    const { tokens } = await signedIn()
    const sid = decodeJwt(tokens.accessToken).sid as string
    const rows = await api.query<{ token_hash: string; same_expiry: boolean; row: string }>(
      sql`SELECT r.token_hash, r.expires_at = s.expires_at AS same_expiry, row_to_json(r)::text AS row
          FROM identity.refresh_tokens r JOIN identity.sessions s ON s.id = r.session_id WHERE s.id = ${sid}`,
    )
    expect(rows).toEqual([
      {
        token_hash: sha256(tokens.refreshToken),
        same_expiry: true,
        row: expect.not.stringContaining(tokens.refreshToken.split('.')[2]!),
      },
    ])
    const [session] = await api.query<{ days: number; user_agent: string; ip_hash: string }>(
      sql`SELECT round(extract(epoch from expires_at - created_at) / 86400)::int AS days, user_agent, ip_hash FROM identity.sessions WHERE id = ${sid}`,
    )
    expect(session).toMatchObject({ days: 30, user_agent: 'vitest', ip_hash: expect.stringMatching(/^[0-9a-f]{32}$/) })
  })

  it('refuses an access token as refresh token and a refresh token as bearer token', async () => {
    const { slug, tokens } = await signedIn()
    const swappedRefresh = await api.refresh(slug, tokens.accessToken)
    expect(swappedRefresh.statusCode).toBe(401)
    expect(swappedRefresh.json().code).toBe('INVALID_REFRESH_TOKEN')
    const swappedBearer = await api.call(slug, 'GET', '/v1/me', tokens.refreshToken)
    expect(swappedBearer.statusCode).toBe(401)
    expect(swappedBearer.json().code).toBe('INVALID_TOKEN')
    // Neither attempt consumed anything.
    expect((await api.refresh(slug, tokens.refreshToken)).statusCode).toBe(200)
  })

  it('refuses unknown and expired refresh tokens with INVALID_REFRESH_TOKEN', async () => {
    const { id: tenantId, slug, tokens } = await signedIn()
    const unknown = await api.refresh(slug, `rt1.${tenantId}.${'A'.repeat(43)}`)
    expect(unknown.statusCode).toBe(401)
    expect(unknown.json().code).toBe('INVALID_REFRESH_TOKEN')
    await api.query(
      sql`UPDATE identity.refresh_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = ${sha256(tokens.refreshToken)}`,
    )
    const expired = await api.refresh(slug, tokens.refreshToken)
    expect(expired.statusCode).toBe(401)
    expect(expired.json().code).toBe('INVALID_REFRESH_TOKEN')
  })

  it('lets one of two concurrent uses of a refresh token win; the other counts as reuse', async () => {
    const { slug, tokens } = await signedIn()
    const responses = await Promise.all([
      api.refresh(slug, tokens.refreshToken),
      api.refresh(slug, tokens.refreshToken),
    ])
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 401])
    expect(responses.find((r) => r.statusCode === 401)?.json().code).toBe('REFRESH_TOKEN_REUSED')
    expect((await api.call(slug, 'GET', '/v1/me', tokens.accessToken)).json().code).toBe('SESSION_REVOKED')
  })

  it('refreshes on the bare host from the token’s own tenant', async () => {
    const { tokens } = await signedIn()
    expect((await api.refresh(undefined, tokens.refreshToken)).statusCode).toBe(200)
  })

  it('makes tenant A’s tokens useless on tenant B’s host', async () => {
    const a = await signedIn()
    const b = await t.createTenant()
    const me = await api.call(b.slug, 'GET', '/v1/me', a.tokens.accessToken)
    expect(me.statusCode).toBe(403)
    expect(me.json().code).toBe('TENANT_MISMATCH')
    const refreshed = await api.refresh(b.slug, a.tokens.refreshToken)
    expect(refreshed.statusCode).toBe(401)
    expect(refreshed.json().code).toBe('INVALID_REFRESH_TOKEN')
    // A token whose tenant part is rewritten to B finds nothing under B's row-level security.
    const forged = a.tokens.refreshToken.replace(a.id, b.id)
    expect((await api.refresh(b.slug, forged)).json().code).toBe('INVALID_REFRESH_TOKEN')
    expect((await api.refresh(a.slug, a.tokens.refreshToken)).statusCode).toBe(200)
  })

  it('applies a role granted or removed in the database after sign-in, without a new token', async () => {
    const { id: tenantId, slug, tokens } = await signedIn()
    const userId = decodeJwt(tokens.accessToken).sub as string
    const rolesSoon = async (expected: string[]) => {
      // Made in SQL, not through the API: the memberships trigger announces it at commit (at once on
      // PGlite, within milliseconds on PostgreSQL; ADR 0018), so poll with a 1 s bound.
      const deadline = Date.now() + 1000
      for (;;) {
        const roles = (await api.call(slug, 'GET', '/v1/me', tokens.accessToken)).json().roles as string[]
        if (JSON.stringify(roles) === JSON.stringify(expected) || Date.now() > deadline) return roles
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    }
    expect(await rolesSoon(['learner'])).toEqual(['learner'])
    await api.query(
      sql`INSERT INTO identity.memberships (tenant_id, user_id, role, granted_by) VALUES (${tenantId}, ${userId}, 'tenant_admin', 'test')`,
    )
    expect(await rolesSoon(['learner', 'tenant_admin'])).toEqual(['learner', 'tenant_admin'])
    await api.query(sql`DELETE FROM identity.memberships WHERE user_id = ${userId} AND role = 'tenant_admin'`)
    expect(await rolesSoon(['learner'])).toEqual(['learner'])
  })

  it('ends every token of a disabled account on the next request', async () => {
    const { slug, tokens } = await signedIn()
    const userId = decodeJwt(tokens.accessToken).sub as string
    await api.query(sql`UPDATE identity.users SET status = 'disabled' WHERE id = ${userId}`)
    const me = await api.call(slug, 'GET', '/v1/me', tokens.accessToken)
    expect(me.statusCode).toBe(401)
    expect(me.json().code).toBe('INVALID_TOKEN')
    expect((await api.refresh(slug, tokens.refreshToken)).json().code).toBe('INVALID_REFRESH_TOKEN')
  })
})

describe('managing one’s own sessions', () => {
  it('lists own live sessions with the current one flagged, and revokes one of them', async () => {
    const { slug, email, tokens } = await signedIn()
    const second = await api.signIn(slug, email)
    const list = await api.call(slug, 'GET', '/v1/me/sessions', tokens.accessToken)
    expect(list.statusCode).toBe(200)
    const { data, nextCursor } = list.json() as {
      data: Array<{ id: string; current: boolean; userAgent: string }>
      nextCursor: string | null
    }
    expect(nextCursor).toBeNull()
    expect(data.map((s) => s.id).sort()).toEqual(
      [decodeJwt(tokens.accessToken).sid, decodeJwt(second.accessToken).sid].sort(),
    )
    expect(data.find((s) => s.current)?.id).toBe(decodeJwt(tokens.accessToken).sid)
    expect(data.every((s) => s.userAgent === 'vitest')).toBe(true)

    const page = await api.call(slug, 'GET', '/v1/me/sessions?limit=1', tokens.accessToken)
    const firstPage = page.json() as { data: Array<{ id: string }>; nextCursor: string }
    const rest = await api.call(
      slug,
      'GET',
      `/v1/me/sessions?limit=1&cursor=${firstPage.nextCursor}`,
      tokens.accessToken,
    )
    expect(
      [...firstPage.data, ...(rest.json() as { data: Array<{ id: string }> }).data].map((s) => s.id).sort(),
    ).toEqual(data.map((s) => s.id).sort())

    const revoked = await api.call(
      slug,
      'DELETE',
      `/v1/me/sessions/${decodeJwt(second.accessToken).sid as string}`,
      tokens.accessToken,
    )
    expect(revoked.statusCode).toBe(204)
    expect((await api.call(slug, 'GET', '/v1/me', second.accessToken)).json().code).toBe('SESSION_REVOKED')
    expect((await api.call(slug, 'GET', '/v1/me', tokens.accessToken)).statusCode).toBe(200)
  })

  it('cannot revoke another user’s session', async () => {
    const { slug, tokens } = await signedIn()
    const other = await api.signIn(slug, await api.signUp(slug))
    const response = await api.call(
      slug,
      'DELETE',
      `/v1/me/sessions/${decodeJwt(other.accessToken).sid as string}`,
      tokens.accessToken,
    )
    expect(response.statusCode).toBe(404)
    expect(response.json().code).toBe('SESSION_NOT_FOUND')
    expect((await api.call(slug, 'GET', '/v1/me', other.accessToken)).statusCode).toBe(200)
  })

  it('logs out the current session only, and logout-all ends every session', async () => {
    const { slug, email, tokens } = await signedIn()
    const [second, third] = [await api.signIn(slug, email), await api.signIn(slug, email)]
    const out = await api.call(slug, 'POST', '/v1/auth/logout', tokens.accessToken)
    expect(out.statusCode).toBe(204)
    expect(out.body).toBe('')
    expect((await api.call(slug, 'GET', '/v1/me', tokens.accessToken)).statusCode).toBe(401)
    expect((await api.refresh(slug, tokens.refreshToken)).json().code).toBe('INVALID_REFRESH_TOKEN')
    expect((await api.call(slug, 'GET', '/v1/me', second.accessToken)).statusCode).toBe(200)

    const all = await api.call(slug, 'POST', '/v1/auth/logout-all', second.accessToken)
    expect(all.json()).toEqual({ revokedSessions: 2 })
    for (const session of [second, third]) {
      expect((await api.call(slug, 'GET', '/v1/me', session.accessToken)).json().code).toBe('SESSION_REVOKED')
      expect((await api.refresh(slug, session.refreshToken)).json().code).toBe('INVALID_REFRESH_TOKEN')
    }
    const audit = await api.query<{ reason: string; n: number }>(
      sql`SELECT details->>'reason' AS reason, count(*)::int AS n FROM platform.audit_log WHERE action = 'auth.session_revoked' AND actor_id = ${decodeJwt(tokens.accessToken).sub as string} GROUP BY 1 ORDER BY 1`,
    )
    expect(audit).toEqual([
      { reason: 'logout', n: 1 },
      { reason: 'logout_all', n: 2 },
    ])
  })

  it('answers /v1/me for a token without session with sessionId null, and refuses logout with NO_SESSION', async () => {
    const tenant = await t.createTenant()
    const email = await api.signUp(tenant.slug)
    const [user] = await api.query<{ id: string }>(
      sql`SELECT id FROM identity.users WHERE tenant_id = ${tenant.id} AND email = ${email}`,
    )
    const token = await t.modules.identity.accessTokens.issue({
      userId: user!.id,
      tenantId: tenant.id,
      roles: ['learner'],
    })
    expect((await api.call(tenant.slug, 'GET', '/v1/me', token)).json()).toMatchObject({
      id: user!.id,
      sessionId: null,
    })
    const out = await api.call(tenant.slug, 'POST', '/v1/auth/logout', token)
    expect(out.statusCode).toBe(400)
    expect(out.json().code).toBe('NO_SESSION')
  })
})
