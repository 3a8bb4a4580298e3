/**
 * Identity's events reach the outbox through every path that makes the change, driven over HTTP:
 * self-registration, invitation acceptance (by sign-up and by the signed-in invitee), role grants
 * and revocations by an administrator and by an operator, disabling and enabling, and an approved
 * instructor application. Each row of platform.domain_events is checked against the public
 * catalogue: its public payload satisfies the schema and carries no email address.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { Value } from 'typebox/value'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { accountsClient, STRONG_PASSWORD, uniqueEmail } from './accounts/accounts.testing.ts'
import {
  IDENTITY_ROLE_CHANGED,
  IDENTITY_USER_CREATED,
  IDENTITY_USER_DISABLED,
  IDENTITY_USER_ENABLED,
} from './identity.events.ts'
import { INVITATION_SUBJECT_PREFIX } from './accounts/accounts.testing.ts'
import { identityPublicEvents } from './identity.public-events.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

interface EventRow {
  type: string
  tenant_id: string
  payload: Record<string, unknown>
}

const client = () => accountsClient(t)

/** The tenant's identity events about `userId`, oldest first. */
async function eventsOf(tenantId: string, userId: string): Promise<EventRow[]> {
  return client().query<EventRow>(
    sql`SELECT type, tenant_id, payload FROM platform.domain_events
        WHERE tenant_id = ${tenantId} AND type LIKE 'identity.%' AND payload->>'userId' = ${userId}
        ORDER BY occurred_at, id`,
  )
}

async function userIdOf(tenantId: string, email: string): Promise<string> {
  const [row] = await client().query<{ id: string }>(
    sql`SELECT id FROM identity.users WHERE tenant_id = ${tenantId} AND email = ${email}`,
  )
  if (!row) throw new Error(`no user ${email}`)
  return row.id
}

/** Every row's public payload satisfies its definition's schema and names nobody's address. */
function expectPublishable(rows: EventRow[]): void {
  for (const row of rows) {
    const definition = identityPublicEvents.find((candidate) => candidate.type === row.type)
    expect(definition, row.type).toBeDefined()
    const published = definition!.toPublic(row.payload)
    expect([...Value.Errors(definition!.schema, published)], row.type).toEqual([])
    expect(JSON.stringify(published)).not.toContain('@')
    expect(definition!.resourceOf(row.payload)).toBe(`user:${String(row.payload.userId)}`)
  }
}

async function administered() {
  const tenant = await t.createTenant()
  const adminId = randomUUID()
  const admin = await t.tokenFor(tenant.id, ['tenant_admin'], adminId)
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, bearer?: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { host: `${tenant.slug}.localhost`, ...(bearer ? t.auth(bearer) : {}) },
      ...(payload ? { payload } : {}),
    })
  return { tenant, admin, adminId, call }
}

async function invitationToken(email: string): Promise<string> {
  const [mail] = (await client().outbox(email)).filter((m) => m.subject.startsWith(INVITATION_SUBJECT_PREFIX))
  const match = mail ? /\/invitation\?token=([A-Za-z0-9_-]{43})/.exec(mail.text) : null
  if (!match?.[1]) throw new Error(`no invitation link to ${email}`)
  return match[1]
}

describe('identity events', () => {
  it('self-registration publishes identity.user_created with the learner role', async () => {
    const tenant = await t.createTenant()
    const email = uniqueEmail('registers')
    const registered = await client().register(tenant.slug, { email, password: STRONG_PASSWORD })
    expect(registered.statusCode, registered.body).toBe(202)
    const userId = await userIdOf(tenant.id, email)
    const rows = await eventsOf(tenant.id, userId)
    expect(rows.map((row) => row.type)).toEqual([IDENTITY_USER_CREATED])
    expect(rows[0]?.payload).toMatchObject({
      userId,
      source: 'registration',
      roles: ['learner'],
      invitationId: null,
      actor: `user:${userId}`,
    })
    expectPublishable(rows)

    // Registering the address again creates nothing, so publishes nothing.
    expect((await client().register(tenant.slug, { email, password: STRONG_PASSWORD })).statusCode).toBe(202)
    expect(await eventsOf(tenant.id, userId)).toHaveLength(1)
  })

  it('accepting an invitation by sign-up publishes identity.user_created with the invited roles', async () => {
    const { tenant, admin, call } = await administered()
    const email = uniqueEmail('invitee')
    const invited = await call('POST', '/v1/invitations', admin, { email, roles: ['instructor'] })
    expect(invited.statusCode, invited.body).toBe(201)
    const accepted = await call('POST', '/v1/invitations/accept', undefined, {
      token: await invitationToken(email),
      password: STRONG_PASSWORD,
    })
    expect(accepted.statusCode, accepted.body).toBe(201)
    const userId = accepted.json().userId as string
    const rows = await eventsOf(tenant.id, userId)
    expect(rows.map((row) => row.type)).toEqual([IDENTITY_USER_CREATED])
    expect(rows[0]?.payload).toMatchObject({
      source: 'invitation',
      roles: ['instructor', 'learner'],
      invitationId: invited.json().id,
      actor: `user:${userId}`,
    })
    expectPublishable(rows)
  })

  it('accepting an invitation while signed in publishes identity.role_changed with the granted roles', async () => {
    const { tenant, admin, call } = await administered()
    const userId = randomUUID()
    const member = await t.tokenFor(tenant.id, ['learner'], userId)
    const email = `member-${userId}@members.lyceum.test`
    expect((await call('POST', '/v1/invitations', admin, { email, roles: ['moderator'] })).statusCode).toBe(201)
    const accepted = await call('POST', '/v1/me/invitations/accept', member, { token: await invitationToken(email) })
    expect(accepted.statusCode, accepted.body).toBe(200)
    const rows = await eventsOf(tenant.id, userId)
    expect(rows.map((row) => row.type)).toEqual([IDENTITY_ROLE_CHANGED])
    expect(rows[0]?.payload).toMatchObject({
      roles: ['learner', 'moderator'],
      granted: ['moderator'],
      revoked: [],
      actor: `user:${userId}`,
    })
    expectPublishable(rows)
  })

  it('an administrator’s grant and revocation publish identity.role_changed; a grant already held publishes nothing', async () => {
    const { tenant, admin, adminId, call } = await administered()
    const userId = randomUUID()
    await t.tokenFor(tenant.id, ['learner'], userId)
    expect((await call('PUT', `/v1/members/${userId}/roles/instructor`, admin)).statusCode).toBe(200)
    expect((await call('PUT', `/v1/members/${userId}/roles/instructor`, admin)).statusCode).toBe(200)
    expect((await call('DELETE', `/v1/members/${userId}/roles/instructor`, admin)).statusCode).toBe(204)
    const rows = await eventsOf(tenant.id, userId)
    expect(rows.map((row) => [row.type, row.payload.granted, row.payload.revoked, row.payload.roles])).toEqual([
      [IDENTITY_ROLE_CHANGED, ['instructor'], [], ['instructor', 'learner']],
      [IDENTITY_ROLE_CHANGED, [], ['instructor'], ['learner']],
    ])
    expect(rows.every((row) => row.payload.actor === `user:${adminId}`)).toBe(true)
    expectPublishable(rows)
  })

  it('an operator’s grant in a tenant publishes identity.role_changed in that tenant', async () => {
    const tenant = await t.createTenant()
    const userId = randomUUID()
    await t.tokenFor(tenant.id, ['learner'], userId)
    const granted = await t.app.inject({
      method: 'PUT',
      url: `/v1/tenants/${tenant.id}/members/${userId}/roles/tenant_admin`,
      headers: t.auth(t.operatorToken),
    })
    expect(granted.statusCode, granted.body).toBe(200)
    const rows = await eventsOf(tenant.id, userId)
    expect(rows.map((row) => [row.type, row.tenant_id, row.payload.granted])).toEqual([
      [IDENTITY_ROLE_CHANGED, tenant.id, ['tenant_admin']],
    ])
    expect(String(rows[0]?.payload.actor)).toMatch(/^operator:/)
    expectPublishable(rows)
  })

  it('disabling and enabling publish identity.user_disabled and identity.user_enabled once each', async () => {
    const { tenant, admin, call } = await administered()
    const userId = randomUUID()
    await t.tokenFor(tenant.id, ['learner'], userId)
    for (const status of ['disabled', 'disabled', 'active'])
      expect((await call('PUT', `/v1/members/${userId}/status`, admin, { status })).statusCode).toBe(200)
    const rows = await eventsOf(tenant.id, userId)
    expect(rows.map((row) => [row.type, row.payload.status])).toEqual([
      [IDENTITY_USER_DISABLED, 'disabled'],
      [IDENTITY_USER_ENABLED, 'active'],
    ])
    expectPublishable(rows)
  })

  it('an approved instructor application publishes identity.role_changed', async () => {
    const { tenant, admin, call } = await administered()
    const userId = randomUUID()
    const learner = await t.tokenFor(tenant.id, ['learner'], userId)
    const applied = await call('POST', '/v1/instructor-applications', learner, {
      statement: 'I have taught evening classes in statistics for six years and would like to publish a course here.',
    })
    expect(applied.statusCode, applied.body).toBe(201)
    const approved = await t.app.inject({
      method: 'POST',
      url: `/v1/instructor-applications/${applied.json().id}/approve`,
      headers: { host: `${tenant.slug}.localhost`, ...t.auth(admin), 'if-match': '"v1"' },
      payload: {},
    })
    expect(approved.statusCode, approved.body).toBe(200)
    const rows = await eventsOf(tenant.id, userId)
    expect(rows.map((row) => [row.type, row.payload.granted, row.payload.roles])).toEqual([
      [IDENTITY_ROLE_CHANGED, ['instructor'], ['instructor', 'learner']],
    ])
    expectPublishable(rows)
  })
})
