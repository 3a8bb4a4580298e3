/**
 * Invitations over the JSON API: an operator appoints a tenant's first administrator, who
 * invites members with roles; invitations are single use, expire, are hashed at rest, one per
 * address at a time, audited, throttled, and accepted by sign-up or by the signed-in invitee.
 */
import { createHash, randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { accountsClient, STRONG_PASSWORD, uniqueEmail } from '../accounts/accounts.testing.ts'
import { sessionsClient } from '../sessions/sessions.testing.ts'
import { INVITATION_SUBJECT_PREFIX } from '../accounts/accounts.testing.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

type Method = 'GET' | 'POST' | 'DELETE'
const onHost = (slug: string, method: Method, url: string, bearer?: string, payload?: object) =>
  t.app.inject({
    method,
    url,
    headers: { host: `${slug}.localhost`, ...(bearer ? t.auth(bearer) : {}) },
    ...(payload ? { payload } : {}),
  })
const asOperator = (method: Method, url: string, payload?: object) =>
  t.app.inject({ method, url, headers: t.auth(t.operatorToken), ...(payload ? { payload } : {}) })
const query = <T>(statement: ReturnType<typeof sql>) => accountsClient(t).query<T>(statement)

/** A tenant with an administrator (harness member) and that administrator's token. */
async function administered() {
  const tenant = await t.createTenant()
  const adminId = randomUUID()
  const admin = await t.tokenFor(tenant.id, ['tenant_admin'], adminId)
  const invite = (body: object, bearer = admin) => onHost(tenant.slug, 'POST', '/v1/invitations', bearer, body)
  return { ...tenant, admin, adminId, adminEmail: `member-${adminId}@members.lyceum.test`, invite }
}

/** The token of an invitation mail to `email` (the link's query parameter), newest first. */
async function invitationToken(email: string, nth = 0): Promise<string> {
  const mails = (await accountsClient(t).outbox(email)).filter((m) => m.subject.startsWith(INVITATION_SUBJECT_PREFIX))
  const mail = mails[nth]
  if (!mail) throw new Error(`no invitation mail ${nth} to ${email}`)
  const match = /\/invitation\?token=([A-Za-z0-9_-]{43})/.exec(mail.text)
  if (!match) throw new Error(`no invitation link in ${mail.text}`)
  return match[1]!
}

const audits = (tenantId: string, action: string) =>
  query<{ target_id: string; details: Record<string, unknown> }>(
    sql`SELECT target_id, details FROM platform.audit_log WHERE tenant_id = ${tenantId} AND action = ${action}`,
  )

describe("an operator appoints a tenant's first administrator", () => {
  it('invites by email; the invitee signs up through the link and administers the tenant', async () => {
    const tenant = await t.createTenant()
    const email = uniqueEmail('first-admin')
    const created = await asOperator('POST', `/v1/tenants/${tenant.id}/invitations`, {
      email: ` ${email.toUpperCase()}`,
    })
    expect(created.statusCode, created.body).toBe(201)
    const invitation = created.json()
    expect(invitation).toMatchObject({
      email,
      roles: ['tenant_admin'],
      status: 'pending',
      invitedBy: { type: 'operator' },
      sendCount: 1,
      acceptedAt: null,
    })
    expect(Date.parse(invitation.expiresAt) - Date.parse(invitation.createdAt)).toBe(7 * 24 * 3600 * 1000)

    const [mail] = (await accountsClient(t).outbox(email)).filter((m) =>
      m.subject.startsWith(INVITATION_SUBJECT_PREFIX),
    )
    expect(mail?.subject).toBe(`${INVITATION_SUBJECT_PREFIX} Tenant ${tenant.slug}`)
    expect(mail?.text).toContain('as administrator')
    expect(mail?.text).toMatch(new RegExp(`http://${tenant.slug}\\.localhost:\\d+/invitation\\?token=`))
    const token = await invitationToken(email)
    // Only the digest is stored.
    const [row] = await query<{ token_hash: string }>(
      sql`SELECT token_hash FROM identity.invitations WHERE id = ${invitation.id}`,
    )
    expect(row?.token_hash).toBe(createHash('sha256').update(token).digest('hex'))
    expect(JSON.stringify(row)).not.toContain(token)

    const accepted = await onHost(tenant.slug, 'POST', '/v1/invitations/accept', undefined, {
      token,
      password: STRONG_PASSWORD,
      displayName: 'First Admin',
    })
    expect(accepted.statusCode, accepted.body).toBe(201)
    expect(accepted.json()).toMatchObject({ status: 'accepted', email, roles: ['learner', 'tenant_admin'] })
    // The link proved the mailbox: sign-in works at once, and the new administrator administers.
    const signedIn = await sessionsClient(t).signIn(tenant.slug, email)
    expect((await onHost(tenant.slug, 'GET', '/v1/members', signedIn.accessToken)).statusCode).toBe(200)

    const again = await onHost(tenant.slug, 'POST', '/v1/invitations/accept', undefined, {
      token,
      password: STRONG_PASSWORD,
    })
    expect(again.statusCode).toBe(400)
    expect(again.json().code).toBe('INVITATION_INVALID')
    const list = (await asOperator('GET', `/v1/tenants/${tenant.id}/invitations`)).json()
    expect(list.data).toEqual([
      expect.objectContaining({ id: invitation.id, status: 'accepted', acceptedBy: accepted.json().userId }),
    ])
    expect(await audits(tenant.id, 'invitation.created')).toHaveLength(1)
    expect(await audits(tenant.id, 'invitation.accepted')).toEqual([
      expect.objectContaining({ target_id: invitation.id, details: expect.objectContaining({ method: 'sign_up' }) }),
    ])
    expect((await audits(tenant.id, 'member.role_granted')).map((a) => a.details.role)).toEqual(['tenant_admin'])
  })

  it('refuses unknown tenants, bad bodies and non-operators', async () => {
    expect(
      (await asOperator('POST', `/v1/tenants/${randomUUID()}/invitations`, { email: uniqueEmail() })).json(),
    ).toMatchObject({
      status: 404,
      code: 'TENANT_NOT_FOUND',
    })
    const tenant = await t.createTenant()
    const bad = await asOperator('POST', `/v1/tenants/${tenant.id}/invitations`, { email: 'nope', roles: [], extra: 1 })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['body.email', 'body.roles', 'body.extra']),
    )
    const unknownRole = await asOperator('POST', `/v1/tenants/${tenant.id}/invitations`, {
      email: uniqueEmail(),
      roles: ['root'],
    })
    expect(unknownRole.json().code).toBe('UNKNOWN_ROLE')
    const member = await t.tokenFor(tenant.id, ['tenant_admin'])
    const notOperator = await t.app.inject({
      method: 'POST',
      url: `/v1/tenants/${tenant.id}/invitations`,
      headers: t.auth(member),
      payload: { email: uniqueEmail() },
    })
    expect(notOperator.statusCode).toBe(403)
    expect((await t.app.inject({ method: 'GET', url: `/v1/tenants/${tenant.id}/invitations` })).statusCode).toBe(401)
    expect((await asOperator('DELETE', `/v1/tenants/${tenant.id}/invitations/${randomUUID()}`)).statusCode).toBe(404)
  })
})

describe('tenant administrators invite members', () => {
  it('invites with roles, one pending invitation per address, lists, resends (throttled) and revokes', async () => {
    const tenant = await administered()
    const email = uniqueEmail('teacher')
    const created = await tenant.invite({ email, roles: ['instructor'] })
    expect(created.statusCode, created.body).toBe(201)
    const { id } = created.json()
    expect(created.json()).toMatchObject({ roles: ['instructor'], invitedBy: { type: 'user', id: tenant.adminId } })
    expect((await tenant.invite({ email, roles: ['moderator'] })).json()).toMatchObject({
      status: 409,
      code: 'INVITATION_PENDING',
    })

    const soon = await onHost(tenant.slug, 'POST', `/v1/invitations/${id}/resend`, tenant.admin)
    expect(soon.statusCode).toBe(429)
    expect(soon.json().code).toBe('INVITATION_RESEND_THROTTLED')
    expect(Number(soon.headers['retry-after'])).toBeGreaterThan(0)
    const first = await invitationToken(email)
    await query(sql`UPDATE identity.invitations SET last_sent_at = now() - interval '2 minutes' WHERE id = ${id}`)
    const resent = await onHost(tenant.slug, 'POST', `/v1/invitations/${id}/resend`, tenant.admin)
    expect(resent.statusCode, resent.body).toBe(200)
    expect(resent.json()).toMatchObject({ id, sendCount: 2, status: 'pending' })
    const second = await invitationToken(email)
    expect(await invitationToken(email, 1)).toBe(first)
    expect(second).not.toBe(first)
    // The old link died with the resend.
    const old = await onHost(tenant.slug, 'POST', '/v1/invitations/accept', undefined, {
      token: first,
      password: STRONG_PASSWORD,
    })
    expect(old.json().code).toBe('INVITATION_INVALID')

    const list = await onHost(tenant.slug, 'GET', '/v1/invitations?limit=1', tenant.admin)
    expect(list.statusCode).toBe(200)
    expect(list.json()).toEqual({ data: [expect.objectContaining({ id, status: 'pending' })], nextCursor: null })

    expect((await onHost(tenant.slug, 'DELETE', `/v1/invitations/${id}`, tenant.admin)).statusCode).toBe(204)
    const revoked = await onHost(tenant.slug, 'POST', '/v1/invitations/accept', undefined, {
      token: second,
      password: STRONG_PASSWORD,
    })
    expect(revoked.json().code).toBe('INVITATION_INVALID')
    expect((await onHost(tenant.slug, 'DELETE', `/v1/invitations/${id}`, tenant.admin)).json().code).toBe(
      'INVITATION_NOT_PENDING',
    )
    expect(await audits(tenant.id, 'invitation.revoked')).toEqual([expect.objectContaining({ target_id: id })])
    expect(await audits(tenant.id, 'invitation.resent')).toHaveLength(1)
    // Revoked, the address may be invited again.
    expect((await tenant.invite({ email, roles: ['instructor'] })).statusCode).toBe(201)
  })

  it('pages the list newest first and refuses a forged cursor', async () => {
    const tenant = await administered()
    const ids: string[] = []
    for (let i = 0; i < 3; i++)
      ids.push((await tenant.invite({ email: uniqueEmail(`p${i}`), roles: ['learner'] })).json().id)
    const page1 = (await onHost(tenant.slug, 'GET', '/v1/invitations?limit=2', tenant.admin)).json()
    expect(page1.data.map((i: { id: string }) => i.id)).toEqual([ids[2], ids[1]])
    const page2 = (
      await onHost(tenant.slug, 'GET', `/v1/invitations?limit=2&cursor=${page1.nextCursor}`, tenant.admin)
    ).json()
    expect(page2).toEqual({ data: [expect.objectContaining({ id: ids[0] })], nextCursor: null })
    const forged = Buffer.from(JSON.stringify(['2024-02-30T00:00:00.000Z', 'x'])).toString('base64url')
    const refused = await onHost(tenant.slug, 'GET', `/v1/invitations?cursor=${forged}`, tenant.admin)
    expect(refused.json()).toMatchObject({ status: 400, code: 'INVALID_CURSOR' })
  })

  it('never lets an administrator invite their own address; API keys may list but never invite', async () => {
    const tenant = await administered()
    const self = await tenant.invite({ email: tenant.adminEmail, roles: ['instructor'] })
    expect(self.statusCode).toBe(403)
    expect(self.json().code).toBe('INVITATION_SELF')
    // members:manage is not a scope a key may hold; members:read lists.
    const key = await onHost(tenant.slug, 'POST', '/v1/api-keys', tenant.admin, {
      name: 'directory sync',
      scopes: ['members:read'],
    })
    expect(key.statusCode, key.body).toBe(201)
    const listed = await onHost(tenant.slug, 'GET', '/v1/invitations', key.json().secret)
    expect(listed.statusCode, listed.body).toBe(200)
    expect((await tenant.invite({ email: uniqueEmail(), roles: ['learner'] }, key.json().secret)).statusCode).toBe(403)
  })

  it('answers 401 without a token and 403 to members who do not manage members', async () => {
    const tenant = await administered()
    const learner = await t.tokenFor(tenant.id, ['learner'])
    const id = (await tenant.invite({ email: uniqueEmail(), roles: ['learner'] })).json().id
    const calls: Array<[Method, string, object | undefined]> = [
      ['POST', '/v1/invitations', { email: uniqueEmail(), roles: ['learner'] }],
      ['GET', '/v1/invitations', undefined],
      ['DELETE', `/v1/invitations/${id}`, undefined],
      ['POST', `/v1/invitations/${id}/resend`, undefined],
    ]
    for (const [method, url, body] of calls) {
      expect((await onHost(tenant.slug, method, url, undefined, body)).statusCode, `${method} ${url}`).toBe(401)
      expect((await onHost(tenant.slug, method, url, learner, body)).statusCode, `${method} ${url}`).toBe(403)
    }
    expect((await onHost(tenant.slug, 'POST', '/v1/me/invitations/accept', undefined, { token: 'x' })).statusCode).toBe(
      401,
    )
  })

  it("keeps each tenant's invitations to itself", async () => {
    const a = await administered()
    const b = await administered()
    const email = uniqueEmail('cross')
    const { id } = (await a.invite({ email, roles: ['instructor'] })).json()
    const token = await invitationToken(email)
    expect((await onHost(b.slug, 'DELETE', `/v1/invitations/${id}`, b.admin)).json().code).toBe('INVITATION_NOT_FOUND')
    expect((await onHost(b.slug, 'POST', `/v1/invitations/${id}/resend`, b.admin)).statusCode).toBe(404)
    expect((await onHost(b.slug, 'GET', '/v1/invitations', b.admin)).json().data).toEqual([])
    const onB = await onHost(b.slug, 'POST', '/v1/invitations/accept', undefined, { token, password: STRONG_PASSWORD })
    expect(onB.json().code).toBe('INVITATION_INVALID')
    // A's administrator's token on B's host is refused before anything runs.
    expect((await onHost(b.slug, 'GET', '/v1/invitations', a.admin)).json().code).toBe('TENANT_MISMATCH')
  })

  it('stops at the daily quota of an inviter', async () => {
    const tenant = await administered()
    await query(sql`INSERT INTO identity.invitations (tenant_id, email, roles, token_hash, invited_by_type, invited_by_id, expires_at)
      SELECT ${tenant.id}, 'bulk-' || n || '@example.org', '["learner"]', md5(random()::text || n), 'user', ${tenant.adminId}, now() + interval '1 day'
      FROM generate_series(1, 200) n`)
    const refused = await tenant.invite({ email: uniqueEmail(), roles: ['learner'] })
    expect(refused.statusCode).toBe(429)
    expect(refused.json().code).toBe('INVITATION_QUOTA_REACHED')
  })
})

describe('accepting', () => {
  it('adds the roles to an existing account signed in with the invited address; nobody else can use the link', async () => {
    const tenant = await administered()
    const sessions = sessionsClient(t)
    const email = await sessions.signUp(tenant.slug)
    const invitee = await sessions.signIn(tenant.slug, email)
    const other = await sessions.signIn(tenant.slug, await sessions.signUp(tenant.slug))
    await tenant.invite({ email, roles: ['instructor', 'moderator'] })
    const token = await invitationToken(email)

    const signUp = await onHost(tenant.slug, 'POST', '/v1/invitations/accept', undefined, {
      token,
      password: STRONG_PASSWORD,
    })
    expect(signUp.statusCode).toBe(409)
    expect(signUp.json().code).toBe('INVITATION_ACCOUNT_EXISTS')
    const wrongAccount = await onHost(tenant.slug, 'POST', '/v1/me/invitations/accept', other.accessToken, { token })
    expect(wrongAccount.statusCode).toBe(403)
    expect(wrongAccount.json().code).toBe('INVITATION_EMAIL_MISMATCH')

    const accepted = await onHost(tenant.slug, 'POST', '/v1/me/invitations/accept', invitee.accessToken, { token })
    expect(accepted.statusCode, accepted.body).toBe(200)
    expect(accepted.json()).toMatchObject({ email, roles: ['instructor', 'learner', 'moderator'] })
    // Sessions re-read roles on every request.
    const me = await onHost(tenant.slug, 'GET', '/v1/me', invitee.accessToken)
    expect(me.json().roles).toEqual(['instructor', 'learner', 'moderator'])
    const again = await onHost(tenant.slug, 'POST', '/v1/me/invitations/accept', invitee.accessToken, { token })
    expect(again.json().code).toBe('INVITATION_INVALID')
  })

  it('expires after seven days, and an expired invitation no longer blocks a new one', async () => {
    const tenant = await administered()
    const email = uniqueEmail('late')
    const { id } = (await tenant.invite({ email, roles: ['learner'] })).json()
    const token = await invitationToken(email)
    await query(sql`UPDATE identity.invitations SET expires_at = now() - interval '1 second' WHERE id = ${id}`)
    const late = await onHost(tenant.slug, 'POST', '/v1/invitations/accept', undefined, {
      token,
      password: STRONG_PASSWORD,
    })
    expect(late.json().code).toBe('INVITATION_INVALID')
    const listed = (await onHost(tenant.slug, 'GET', '/v1/invitations', tenant.admin)).json().data
    expect(listed).toEqual([expect.objectContaining({ id, status: 'expired' })])
    expect((await tenant.invite({ email, roles: ['learner'] })).statusCode).toBe(201)
  })

  it('refuses a weak password with field errors and leaves the link usable; validates the body', async () => {
    const tenant = await administered()
    const email = uniqueEmail('weak')
    await tenant.invite({ email, roles: ['learner'] })
    const token = await invitationToken(email)
    const weak = await onHost(tenant.slug, 'POST', '/v1/invitations/accept', undefined, {
      token,
      password: 'password1234',
    })
    expect(weak.statusCode).toBe(400)
    expect(weak.json()).toMatchObject({
      code: 'PASSWORD_POLICY_VIOLATION',
      errors: [expect.objectContaining({ path: 'body.password' })],
    })
    const malformed = await onHost(tenant.slug, 'POST', '/v1/invitations/accept', undefined, {
      token: 'bad token',
      role: 'x',
    })
    expect(malformed.statusCode).toBe(400)
    expect(malformed.json().errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['body.token', 'body.password', 'body.role']),
    )
    const noTenant = await t.app.inject({
      method: 'POST',
      url: '/v1/invitations/accept',
      payload: { token, password: STRONG_PASSWORD },
    })
    expect(noTenant.json().code).toBe('TENANT_REQUIRED')
    expect(
      (await onHost(tenant.slug, 'POST', '/v1/invitations/accept', undefined, { token, password: STRONG_PASSWORD }))
        .statusCode,
    ).toBe(201)
  })
})
