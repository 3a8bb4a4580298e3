import { sql } from 'drizzle-orm'
import { randomUUID } from 'node:crypto'
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
  email: string
  accessToken: string
}

type Method = 'GET' | 'PUT' | 'DELETE'

/** A tenant with one administrator, appointed by an operator, and one learner, both signed in for real. */
async function tenantWithAdmin() {
  const tenant = await t.createTenant()
  const signedIn = async (): Promise<SignedIn> => {
    const email = await client.signUp(tenant.slug)
    const [row] = await client.query<{ id: string }>(
      sql`SELECT id FROM identity.users WHERE tenant_id = ${tenant.id} AND email = ${email}`,
    )
    if (!row) throw new Error('the signed-up user is missing')
    const tokens = await client.signIn(tenant.slug, email)
    return { userId: row.id, email, accessToken: tokens.accessToken }
  }
  const admin = await signedIn()
  const learner = await signedIn()
  const appointed = await operator('PUT', `/v1/tenants/${tenant.id}/members/${admin.userId}/roles/tenant_admin`)
  expect(appointed.statusCode).toBe(200)
  const request = (method: Method, url: string, as: SignedIn, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { host: `${tenant.slug}.localhost`, ...t.auth(as.accessToken) },
      ...(payload ? { payload } : {}),
    })
  return { tenant, admin, learner, request }
}

const operator = (method: Method, url: string, payload?: object) =>
  t.app.inject({ method, url, headers: t.auth(t.operatorToken), ...(payload ? { payload } : {}) })

describe('member and role management', () => {
  it('a granted role applies to the member’s existing token on the very next request, and so does its revocation', async () => {
    const { admin, learner, request } = await tenantWithAdmin()
    const granted = await request('PUT', `/v1/members/${learner.userId}/roles/instructor`, admin)
    expect(granted.statusCode).toBe(200)
    expect(granted.json()).toMatchObject({
      userId: learner.userId,
      email: learner.email,
      status: 'active',
      roles: ['instructor', 'learner'],
      emailVerified: true,
    })
    expect((await request('GET', '/v1/me', learner)).json().roles).toEqual(['instructor', 'learner'])

    const revoked = await request('DELETE', `/v1/members/${learner.userId}/roles/instructor`, admin)
    expect(revoked.statusCode).toBe(204)
    expect(revoked.body).toBe('')
    expect((await request('GET', '/v1/me', learner)).json().roles).toEqual(['learner'])
  })

  it('lists members with their roles, filters by role and pages with a cursor', async () => {
    const { admin, learner, request } = await tenantWithAdmin()
    const all = await request('GET', '/v1/members?limit=1', admin)
    expect(all.statusCode).toBe(200)
    const first = all.json() as { data: Array<{ userId: string }>; nextCursor: string | null }
    expect(first.data.map((m) => m.userId)).toEqual([admin.userId])
    const second = (await request('GET', `/v1/members?limit=1&cursor=${first.nextCursor}`, admin)).json()
    expect(second).toMatchObject({ data: [{ userId: learner.userId, roles: ['learner'] }], nextCursor: null })
    const admins = (await request('GET', '/v1/members?role=tenant_admin', admin)).json()
    expect(admins.data).toEqual([expect.objectContaining({ userId: admin.userId, roles: ['learner', 'tenant_admin'] })])
    expect((await request('GET', '/v1/members?role=wizard', admin)).json()).toMatchObject({
      status: 400,
      code: 'UNKNOWN_ROLE',
    })
  })

  it('nobody changes their own roles or status', async () => {
    const { admin, request } = await tenantWithAdmin()
    expect((await request('PUT', `/v1/members/${admin.userId}/roles/finance`, admin)).json()).toMatchObject({
      status: 403,
      code: 'SELF_ROLE_CHANGE',
    })
    expect((await request('DELETE', `/v1/members/${admin.userId}/roles/tenant_admin`, admin)).json()).toMatchObject({
      status: 403,
      code: 'SELF_ROLE_CHANGE',
    })
    expect(
      (await request('PUT', `/v1/members/${admin.userId}/status`, admin, { status: 'disabled' })).json(),
    ).toMatchObject({ status: 403, code: 'SELF_ROLE_CHANGE' })
  })

  it('the last active tenant administrator cannot be removed or disabled; with a second one it can', async () => {
    const { tenant, admin, learner, request } = await tenantWithAdmin()
    const base = `/v1/tenants/${tenant.id}/members/${admin.userId}`
    expect((await operator('DELETE', `${base}/roles/tenant_admin`)).json()).toMatchObject({
      status: 409,
      code: 'LAST_TENANT_ADMIN',
    })
    expect((await operator('PUT', `${base}/status`, { status: 'disabled' })).json()).toMatchObject({
      status: 409,
      code: 'LAST_TENANT_ADMIN',
    })

    expect((await request('PUT', `/v1/members/${learner.userId}/roles/tenant_admin`, admin)).statusCode).toBe(200)
    const demoted = await request('DELETE', `/v1/members/${admin.userId}/roles/tenant_admin`, learner)
    expect(demoted.statusCode).toBe(204)
    const members = (await request('GET', '/v1/members', learner)).json() as { data: Array<{ userId: string }> }
    expect(members.data.find((member) => member.userId === admin.userId)).toMatchObject({ roles: ['learner'] })
    // The former administrator's token lost the permission with the role.
    expect((await request('GET', '/v1/members', admin)).json()).toMatchObject({
      status: 403,
      code: 'PERMISSION_DENIED',
    })
    expect(
      (await operator('DELETE', `/v1/tenants/${tenant.id}/members/${learner.userId}/roles/tenant_admin`)).json(),
    ).toMatchObject({ status: 409, code: 'LAST_TENANT_ADMIN' })
  })

  it('a learner cannot call any member route', async () => {
    const { admin, learner, request } = await tenantWithAdmin()
    const calls = [
      request('GET', '/v1/members', learner),
      request('PUT', `/v1/members/${admin.userId}/roles/learner`, learner),
      request('DELETE', `/v1/members/${admin.userId}/roles/tenant_admin`, learner),
      request('PUT', `/v1/members/${admin.userId}/status`, learner, { status: 'disabled' }),
      request('PUT', `/v1/members/${learner.userId}/roles/tenant_admin`, learner),
    ]
    for (const response of await Promise.all(calls))
      expect(response.json()).toMatchObject({ status: 403, code: 'PERMISSION_DENIED' })
  })

  it("another tenant's member, an unknown member and an unknown role are refused precisely", async () => {
    const ours = await tenantWithAdmin()
    const theirs = await tenantWithAdmin()
    const { admin, request } = ours
    expect((await request('PUT', `/v1/members/${theirs.learner.userId}/roles/instructor`, admin)).json()).toMatchObject(
      { status: 404, code: 'MEMBER_NOT_FOUND' },
    )
    expect(
      (await request('PUT', `/v1/members/${theirs.learner.userId}/status`, admin, { status: 'disabled' })).json(),
    ).toMatchObject({ status: 404, code: 'MEMBER_NOT_FOUND' })
    expect((await request('DELETE', `/v1/members/${randomUUID()}/roles/instructor`, admin)).json()).toMatchObject({
      status: 404,
      code: 'MEMBER_NOT_FOUND',
    })
    expect((await request('PUT', `/v1/members/${ours.learner.userId}/roles/operator`, admin)).json()).toMatchObject({
      status: 400,
      code: 'UNKNOWN_ROLE',
    })
    // Nothing changed in the other tenant.
    expect((await theirs.request('GET', '/v1/me', theirs.learner)).json()).toMatchObject({ roles: ['learner'] })
  })

  it('disabling a member ends their access on the next request and revokes their sessions; enabling does not revive them', async () => {
    const { admin, learner, request } = await tenantWithAdmin()
    expect((await request('GET', '/v1/me', learner)).statusCode).toBe(200)
    const disabled = await request('PUT', `/v1/members/${learner.userId}/status`, admin, { status: 'disabled' })
    expect(disabled.statusCode).toBe(200)
    expect(disabled.json().status).toBe('disabled')
    expect((await request('GET', '/v1/me', learner)).statusCode).toBe(401)
    expect(
      (await request('PUT', `/v1/members/${learner.userId}/status`, admin, { status: 'active' })).json().status,
    ).toBe('active')
    const stale = await request('GET', '/v1/me', learner)
    expect(stale.statusCode).toBe(401)
    expect(stale.json().code).toBe('SESSION_REVOKED')
  })

  it('every change is in the audit trail with its role, and repeating a change records nothing new', async () => {
    const { admin, learner, request } = await tenantWithAdmin()
    // The operator's appointment of the administrator is audited too, with the operator as actor.
    const appointment = await request(
      'GET',
      `/v1/audit-events?action=member.role_granted&targetId=${admin.userId}`,
      admin,
    )
    expect(appointment.json().data).toEqual([
      expect.objectContaining({ actorType: 'operator', details: { role: 'tenant_admin' } }),
    ])
    await request('PUT', `/v1/members/${learner.userId}/roles/moderator`, admin)
    await request('PUT', `/v1/members/${learner.userId}/roles/moderator`, admin)
    await request('DELETE', `/v1/members/${learner.userId}/roles/moderator`, admin)
    await request('PUT', `/v1/members/${learner.userId}/status`, admin, { status: 'disabled' })
    const trail = await request(
      'GET',
      `/v1/audit-events?targetType=user&targetId=${learner.userId}&actorId=${admin.userId}`,
      admin,
    )
    expect(trail.statusCode).toBe(200)
    const events = (
      trail.json() as { data: Array<{ action: string; actorId: string; details: Record<string, unknown> }> }
    ).data
    expect(events.map((e) => e.action)).toEqual(['member.disabled', 'member.role_revoked', 'member.role_granted'])
    expect(events[1]?.details).toMatchObject({ role: 'moderator' })
    expect(events[2]?.details).toMatchObject({ role: 'moderator' })
  })
})
