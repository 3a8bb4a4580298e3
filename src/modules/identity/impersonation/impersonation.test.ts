import { sql } from 'drizzle-orm'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { sessionsClient } from '../sessions/sessions.testing.ts'

let t: TestApp
let client: ReturnType<typeof sessionsClient>

beforeAll(async () => {
  t = await buildTestApp()
  client = sessionsClient(t)
})
afterAll(async () => t?.close())

interface SignedIn {
  userId: string
  accessToken: string
}

interface Started {
  impersonation: {
    id: string
    userId: string
    actor: string
    reason: string
    expiresAt: string
    endedAt: string | null
    active: boolean
  }
  accessToken: string
  tokenType: 'Bearer'
  expiresIn: number
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'
const REASON = 'Ticket 4711: learner cannot see their course'

const operator = (method: Method, url: string, payload?: object) =>
  t.app.inject({ method, url, headers: t.auth(t.operatorToken), ...(payload ? { payload } : {}) })

/** A tenant with two administrators (appointed by an operator) and two learners, all signed in for real. */
async function tenantWithMembers() {
  const tenant = await t.createTenant()
  const signedIn = async (): Promise<SignedIn> => {
    const email = await client.signUp(tenant.slug)
    const [row] = await client.query<{ id: string }>(
      sql`SELECT id FROM identity.users WHERE tenant_id = ${tenant.id} AND email = ${email}`,
    )
    if (!row) throw new Error('the signed-up user is missing')
    return { userId: row.id, accessToken: (await client.signIn(tenant.slug, email)).accessToken }
  }
  const [admin, otherAdmin, learner, otherLearner] = [
    await signedIn(),
    await signedIn(),
    await signedIn(),
    await signedIn(),
  ]
  for (const { userId } of [admin, otherAdmin])
    expect((await operator('PUT', `/v1/tenants/${tenant.id}/members/${userId}/roles/tenant_admin`)).statusCode).toBe(
      200,
    )
  const request = (method: Method, url: string, token: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { host: `${tenant.slug}.localhost`, ...t.auth(token) },
      ...(payload ? { payload } : {}),
    })
  const start = (as: SignedIn, body: Record<string, unknown>) =>
    request('POST', '/v1/impersonations', as.accessToken, body)
  return { tenant, admin, otherAdmin, learner, otherLearner, request, start }
}

async function started(response: { statusCode: number; body: string; json(): unknown }): Promise<Started> {
  expect(response.statusCode, response.body).toBe(201)
  return response.json() as Started
}

const auditRows = (impersonationId: string, action: string) =>
  client.query<{
    actor_type: string
    actor_id: string
    impersonator_id: string | null
    target_id: string
    outcome: string
    details: Record<string, unknown>
  }>(
    sql`SELECT actor_type, actor_id, impersonator_id, target_id, outcome, details FROM platform.audit_log
        WHERE action = ${action} AND details->>'impersonationId' = ${impersonationId} ORDER BY chain_seq`,
  )

describe('impersonation by a tenant administrator', () => {
  it('acts as the learner with an act claim that /v1/me shows, and audits every request with both identities', async () => {
    const { admin, learner, request, start } = await tenantWithMembers()
    const body = await started(await start(admin, { userId: learner.userId, reason: REASON }))
    expect(body.impersonation).toMatchObject({
      userId: learner.userId,
      actor: `user:${admin.userId}`,
      reason: REASON,
      endedAt: null,
      active: true,
    })
    const claims = decodeJwt(body.accessToken)
    expect(claims).toMatchObject({
      sub: learner.userId,
      roles: ['learner'],
      act: { sub: `user:${admin.userId}` },
      imp: body.impersonation.id,
    })
    expect(claims.sid).toBeUndefined()
    expect(claims.exp! - claims.iat!).toBe(900)
    expect(body.expiresIn).toBeGreaterThan(890)
    // Default lifetime: 30 minutes.
    expect(Date.parse(body.impersonation.expiresAt) - Date.now()).toBeGreaterThan(29 * 60_000)

    const me = await request('GET', '/v1/me?secret=do-not-log', body.accessToken)
    expect(me.statusCode).toBe(200)
    expect(me.json()).toMatchObject({
      id: learner.userId,
      roles: ['learner'],
      sessionId: null,
      actor: {
        sub: `user:${admin.userId}`,
        impersonationId: body.impersonation.id,
        expiresAt: body.impersonation.expiresAt,
      },
    })
    // The administrator's own /v1/me has no actor.
    expect((await request('GET', '/v1/me', admin.accessToken)).json().actor).toBeUndefined()

    const [startedEntry] = await auditRows(body.impersonation.id, 'impersonation.started')
    expect(startedEntry).toMatchObject({
      actor_type: 'user',
      actor_id: admin.userId,
      impersonator_id: null,
      target_id: learner.userId,
      details: { reason: REASON, minutes: 30 },
    })
    const requests = await auditRows(body.impersonation.id, 'impersonation.request')
    expect(requests).toEqual([
      {
        actor_type: 'user',
        actor_id: learner.userId,
        impersonator_id: `user:${admin.userId}`,
        target_id: 'GET /v1/me',
        outcome: 'success',
        details: { method: 'GET', path: '/v1/me', status: 200, impersonationId: body.impersonation.id },
      },
    ])
  })

  it('refuses privileged actions while impersonating, and audits the refusal', async () => {
    const { tenant, admin, learner, otherLearner, request } = await tenantWithMembers()
    // An operator impersonating an administrator holds the administrator's permissions, but not the privileged ones.
    const asAdmin = await started(
      await operator('POST', `/v1/tenants/${tenant.id}/impersonations`, { userId: admin.userId, reason: REASON }),
    )
    expect((await request('GET', '/v1/members', asAdmin.accessToken)).statusCode).toBe(200)
    const refused = [
      await request('PUT', `/v1/members/${learner.userId}/roles/instructor`, asAdmin.accessToken),
      await request('DELETE', `/v1/members/${learner.userId}/roles/learner`, asAdmin.accessToken),
      await request('PUT', `/v1/members/${learner.userId}/status`, asAdmin.accessToken, { status: 'disabled' }),
      await request('POST', '/v1/impersonations', asAdmin.accessToken, { userId: otherLearner.userId, reason: REASON }),
      await request('POST', '/v1/me/mfa/totp', asAdmin.accessToken),
      await request('POST', '/v1/auth/logout-all', asAdmin.accessToken),
    ]
    for (const response of refused)
      expect(response.json()).toMatchObject({ status: 403, code: 'IMPERSONATION_FORBIDDEN' })
    expect((await request('GET', `/v1/members?role=instructor`, admin.accessToken)).json().data).toEqual([])
    const denied = (await auditRows(asAdmin.impersonation.id, 'impersonation.request')).filter(
      (row) => row.outcome === 'denied',
    )
    expect(denied.map((row) => row.target_id)).toContain('PUT /v1/members/:userId/roles/:role')
    expect(denied.every((row) => row.actor_id === admin.userId && row.impersonator_id?.startsWith('operator:'))).toBe(
      true,
    )
  })

  it('refuses yourself, another administrator, a disabled member, a learner as impersonator and a user of another tenant', async () => {
    const { admin, otherAdmin, learner, otherLearner, request, start } = await tenantWithMembers()
    expect((await start(admin, { userId: admin.userId, reason: REASON })).json()).toMatchObject({
      status: 403,
      code: 'SELF_IMPERSONATION',
    })
    expect((await start(admin, { userId: otherAdmin.userId, reason: REASON })).json()).toMatchObject({
      status: 403,
      code: 'ROLE_LEVEL_TOO_LOW',
    })
    expect((await start(learner, { userId: otherLearner.userId, reason: REASON })).json()).toMatchObject({
      status: 403,
      code: 'PERMISSION_DENIED',
    })
    expect(
      (await request('PUT', `/v1/members/${otherLearner.userId}/status`, admin.accessToken, { status: 'disabled' }))
        .statusCode,
    ).toBe(200)
    expect((await start(admin, { userId: otherLearner.userId, reason: REASON })).json()).toMatchObject({
      status: 409,
      code: 'USER_DISABLED',
    })
    const elsewhere = await tenantWithMembers()
    expect((await start(admin, { userId: elsewhere.learner.userId, reason: REASON })).json()).toMatchObject({
      status: 404,
      code: 'USER_NOT_FOUND',
    })
    expect(await client.query(sql`SELECT id FROM identity.impersonations WHERE actor_id = ${admin.userId}`)).toEqual([])
  })

  it('requires a reason of 10 to 500 characters and at most 60 minutes', async () => {
    const { admin, learner, start } = await tenantWithMembers()
    const invalid = [
      {},
      { userId: learner.userId },
      { userId: learner.userId, reason: 'too short' },
      { userId: learner.userId, reason: `${' '.repeat(8)}short${' '.repeat(8)}` },
      { userId: learner.userId, reason: 'x'.repeat(501) },
      { userId: learner.userId, reason: REASON, minutes: 61 },
      { userId: learner.userId, reason: REASON, minutes: 0 },
      { userId: learner.userId, reason: REASON, roles: ['tenant_admin'] },
    ]
    for (const body of invalid)
      expect((await start(admin, body)).json(), JSON.stringify(body)).toMatchObject({ status: 400 })
    const hour = await started(await start(admin, { userId: learner.userId, reason: REASON, minutes: 60 }))
    expect(Date.parse(hour.impersonation.expiresAt) - Date.now()).toBeLessThanOrEqual(60 * 60_000)
  })

  it('ends: its token fails on the next request, cannot be renewed or ended twice', async () => {
    const { admin, otherAdmin, learner, request, start } = await tenantWithMembers()
    const body = await started(await start(admin, { userId: learner.userId, reason: REASON }))
    const id = body.impersonation.id
    expect((await request('GET', '/v1/me', body.accessToken)).statusCode).toBe(200)
    // Only its impersonator renews it; another administrator may end it.
    expect((await request('POST', `/v1/impersonations/${id}/token`, otherAdmin.accessToken)).json()).toMatchObject({
      status: 403,
      code: 'NOT_IMPERSONATION_ACTOR',
    })
    const ended = await request('DELETE', `/v1/impersonations/${id}`, otherAdmin.accessToken)
    expect(ended.statusCode).toBe(204)
    expect(ended.body).toBe('')
    const listed = (await request('GET', '/v1/impersonations', admin.accessToken)).json() as {
      data: Array<{ id: string }>
    }
    expect(listed.data.find((row) => row.id === id)).toMatchObject({ active: false, endedAt: expect.any(String) })
    expect((await request('GET', '/v1/me', body.accessToken)).json()).toMatchObject({
      status: 401,
      code: 'IMPERSONATION_ENDED',
    })
    expect((await request('POST', `/v1/impersonations/${id}/token`, admin.accessToken)).json()).toMatchObject({
      status: 409,
      code: 'IMPERSONATION_NOT_ACTIVE',
    })
    expect((await request('DELETE', `/v1/impersonations/${id}`, admin.accessToken)).json()).toMatchObject({
      status: 409,
      code: 'IMPERSONATION_NOT_ACTIVE',
    })
    const [endEntry] = await auditRows(id, 'impersonation.ended')
    expect(endEntry).toMatchObject({
      actor_id: otherAdmin.userId,
      details: { impersonator: `user:${admin.userId}`, reason: REASON },
    })
  })

  it('expires: its token fails once expires_at passed', async () => {
    const { admin, learner, request, start } = await tenantWithMembers()
    const body = await started(await start(admin, { userId: learner.userId, reason: REASON }))
    await client.query(
      sql`UPDATE identity.impersonations SET expires_at = now() - interval '1 second' WHERE id = ${body.impersonation.id}`,
    )
    expect((await request('GET', '/v1/me', body.accessToken)).json()).toMatchObject({
      status: 401,
      code: 'IMPERSONATION_ENDED',
    })
    expect(
      (await request('POST', `/v1/impersonations/${body.impersonation.id}/token`, admin.accessToken)).json(),
    ).toMatchObject({ status: 409, code: 'IMPERSONATION_NOT_ACTIVE' })
  })

  it('stops at once when the member is disabled or the administrator loses the right', async () => {
    const { admin, otherAdmin, learner, otherLearner, request, start } = await tenantWithMembers()
    const ofLearner = await started(await start(admin, { userId: learner.userId, reason: REASON }))
    const ofOther = await started(await start(admin, { userId: otherLearner.userId, reason: REASON }))
    expect(
      (await request('PUT', `/v1/members/${learner.userId}/status`, otherAdmin.accessToken, { status: 'disabled' }))
        .statusCode,
    ).toBe(200)
    expect((await request('GET', '/v1/me', ofLearner.accessToken)).json()).toMatchObject({
      status: 401,
      code: 'IMPERSONATION_ENDED',
    })
    expect((await request('GET', '/v1/me', ofOther.accessToken)).statusCode).toBe(200)
    expect(
      (await request('DELETE', `/v1/members/${admin.userId}/roles/tenant_admin`, otherAdmin.accessToken)).statusCode,
    ).toBe(204)
    expect((await request('GET', '/v1/me', ofOther.accessToken)).json()).toMatchObject({
      status: 401,
      code: 'IMPERSONATION_ENDED',
    })
  })

  it('never issues a token that outlives the impersonation; renewal keeps that cap', async () => {
    const { admin, learner, request, start } = await tenantWithMembers()
    const body = await started(await start(admin, { userId: learner.userId, reason: REASON, minutes: 1 }))
    const ends = Math.floor(Date.parse(body.impersonation.expiresAt) / 1000)
    expect(decodeJwt(body.accessToken).exp).toBeLessThanOrEqual(ends)
    expect(body.expiresIn).toBeLessThanOrEqual(60)
    const renewed = await request('POST', `/v1/impersonations/${body.impersonation.id}/token`, admin.accessToken)
    expect(renewed.statusCode).toBe(200)
    const next = renewed.json() as Started
    expect(decodeJwt(next.accessToken)).toMatchObject({ sub: learner.userId, imp: body.impersonation.id })
    expect(decodeJwt(next.accessToken).exp).toBeLessThanOrEqual(ends)
    expect((await request('GET', '/v1/me', next.accessToken)).statusCode).toBe(200)
    expect((await auditRows(body.impersonation.id, 'impersonation.token_issued')).length).toBe(1)
  })

  it('lists the tenant’s impersonations with cursor pagination and filters', async () => {
    const { admin, learner, otherLearner, request, start } = await tenantWithMembers()
    const first = await started(await start(admin, { userId: learner.userId, reason: REASON }))
    const second = await started(await start(admin, { userId: otherLearner.userId, reason: REASON }))
    expect(
      (await request('DELETE', `/v1/impersonations/${first.impersonation.id}`, admin.accessToken)).statusCode,
    ).toBe(204)
    const page1 = await request('GET', '/v1/impersonations?limit=1', admin.accessToken)
    expect(page1.statusCode).toBe(200)
    const { data, nextCursor } = page1.json() as { data: Array<{ id: string }>; nextCursor: string }
    expect(data.map((i) => i.id)).toEqual([second.impersonation.id])
    const page2 = (await request('GET', `/v1/impersonations?limit=1&cursor=${nextCursor}`, admin.accessToken)).json()
    expect(page2).toMatchObject({ data: [{ id: first.impersonation.id, active: false }], nextCursor: null })
    expect(
      (await request('GET', '/v1/impersonations?active=true', admin.accessToken))
        .json()
        .data.map((i: { id: string }) => i.id),
    ).toEqual([second.impersonation.id])
    expect(
      (await request('GET', `/v1/impersonations?userId=${learner.userId}`, admin.accessToken))
        .json()
        .data.map((i: { id: string }) => i.id),
    ).toEqual([first.impersonation.id])
    expect((await request('GET', '/v1/impersonations', learner.accessToken)).json()).toMatchObject({ status: 403 })
  })
})

describe('impersonation by a platform operator', () => {
  it('impersonates any member of the named tenant, renews and ends it', async () => {
    const { tenant, admin, request } = await tenantWithMembers()
    const body = await started(
      await operator('POST', `/v1/tenants/${tenant.id}/impersonations`, {
        userId: admin.userId,
        reason: REASON,
        minutes: 10,
      }),
    )
    expect(body.impersonation.actor).toMatch(/^operator:/)
    expect(decodeJwt(body.accessToken)).toMatchObject({
      sub: admin.userId,
      tid: tenant.id,
      act: { sub: body.impersonation.actor },
    })
    expect((await request('GET', '/v1/me', body.accessToken)).json()).toMatchObject({
      id: admin.userId,
      actor: { sub: body.impersonation.actor },
    })
    const listed = (await operator('GET', `/v1/tenants/${tenant.id}/impersonations`)).json()
    expect(listed.data.map((i: { id: string }) => i.id)).toEqual([body.impersonation.id])
    const renewed = await operator('POST', `/v1/tenants/${tenant.id}/impersonations/${body.impersonation.id}/token`)
    expect(renewed.statusCode).toBe(200)
    // A tenant administrator may not renew an operator's impersonation.
    expect(
      (await request('POST', `/v1/impersonations/${body.impersonation.id}/token`, admin.accessToken)).json(),
    ).toMatchObject({ status: 403, code: 'NOT_IMPERSONATION_ACTOR' })
    expect(
      (await operator('DELETE', `/v1/tenants/${tenant.id}/impersonations/${body.impersonation.id}`)).statusCode,
    ).toBe(204)
    expect((await request('GET', '/v1/me', (renewed.json() as Started).accessToken)).json()).toMatchObject({
      status: 401,
      code: 'IMPERSONATION_ENDED',
    })
    const [entry] = await auditRows(body.impersonation.id, 'impersonation.started')
    expect(entry).toMatchObject({
      actor_type: 'operator',
      target_id: admin.userId,
      details: { reason: REASON, minutes: 10 },
    })
  })

  it('cannot reach a user through another tenant’s path', async () => {
    const { tenant } = await tenantWithMembers()
    const elsewhere = await tenantWithMembers()
    expect(
      (
        await operator('POST', `/v1/tenants/${tenant.id}/impersonations`, {
          userId: elsewhere.learner.userId,
          reason: REASON,
        })
      ).json(),
    ).toMatchObject({ status: 404, code: 'USER_NOT_FOUND' })
  })
})

describe('impersonation tokens', () => {
  it('are accepted only with a live impersonation row matching their act claim', async () => {
    const { tenant, admin, learner, request } = await tenantWithMembers()
    const tokens = t.modules.identity.accessTokens
    const base = { userId: learner.userId, tenantId: tenant.id, roles: ['learner' as const] }
    // act without an impersonation id: never issued by us, refused by the token verifier itself.
    const noImp = await tokens.issue({ ...base, actor: { sub: `user:${admin.userId}` } })
    expect((await request('GET', '/v1/me', noImp)).json()).toMatchObject({ status: 401, code: 'INVALID_TOKEN' })
    // An unknown impersonation id.
    const unknown = await tokens.issue({
      ...base,
      actor: { sub: `user:${admin.userId}` },
      impersonationId: '00000000-0000-4000-8000-000000000000',
    })
    expect((await request('GET', '/v1/me', unknown)).json()).toMatchObject({ status: 401, code: 'INVALID_TOKEN' })
    // A real impersonation id under someone else's act claim.
    const body = await started(
      await request('POST', '/v1/impersonations', admin.accessToken, { userId: learner.userId, reason: REASON }),
    )
    const forged = await tokens.issue({
      ...base,
      actor: { sub: 'operator:someone' },
      impersonationId: body.impersonation.id,
    })
    expect((await request('GET', '/v1/me', forged)).json()).toMatchObject({ status: 401, code: 'INVALID_TOKEN' })
  })
})
