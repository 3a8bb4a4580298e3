import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import type { TenantRole } from '../../../platform/http/permissions.ts'
import { accountsClient } from '../accounts/accounts.testing.ts'
import type { Tokens } from '../sessions/sessions.testing.ts'
import { awayFromStepEdge, codeAt, mfaClient } from './mfa.testing.ts'

let t: TestApp
let api: ReturnType<typeof mfaClient>
beforeAll(async () => {
  t = await buildTestApp({ worker: true, env: { RATE_LIMITS: 'auth=1000/10000' } })
  api = mfaClient(t)
})
afterAll(async () => t?.close())

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE'
const call = (slug: string, method: Method, url: string, token: string, payload?: object) =>
  t.app.inject({
    method,
    url,
    headers: { host: `${slug}.localhost`, ...t.auth(token) },
    ...(payload ? { payload } : {}),
  })

/** A learner of a new tenant (signed in before any policy) and a tenant administrator of it. */
async function learnerAndAdmin() {
  const user = await api.user()
  const adminId = randomUUID()
  const admin = await t.tokenFor(user.id, ['tenant_admin'], adminId)
  const require = async (roles: TenantRole[]) => {
    const response = await call(user.slug, 'PUT', '/v1/security/mfa-requirements', admin, { roles })
    expect(response.statusCode).toBe(200)
    return response.json() as {
      roles: TenantRole[]
      requirements: Array<{ role: TenantRole; requiredBy: string; createdAt: string }>
    }
  }
  return { user, admin, adminId, require }
}

async function enrolled(user: { slug: string; accessToken: string }) {
  const { secret } = (await api.enrol(user.slug, user.accessToken)).json() as { secret: string }
  await awayFromStepEdge()
  const confirmed = await api.confirm(user.slug, user.accessToken, await codeAt(secret, -1))
  expect(confirmed.statusCode).toBe(200)
  return secret
}

const auditOf = (tenantId: string, action: string) =>
  api.query<{ actor_id: string; target_id: string; details: Record<string, unknown> }>(
    sql`SELECT actor_id, target_id, details FROM platform.audit_log WHERE tenant_id = ${tenantId} AND action = ${action} ORDER BY occurred_at, id`,
  )

describe('MFA requirements per role', () => {
  it('lets tenant administrators read and replace the required roles, audited; learners get 403', async () => {
    const { user, admin, adminId, require } = await learnerAndAdmin()
    expect((await call(user.slug, 'GET', '/v1/security/mfa-requirements', admin)).json()).toEqual({
      roles: [],
      requirements: [],
    })
    expect((await call(user.slug, 'GET', '/v1/security/mfa-requirements', user.accessToken)).json()).toMatchObject({
      status: 403,
      code: 'PERMISSION_DENIED',
    })
    expect(
      (await call(user.slug, 'PUT', '/v1/security/mfa-requirements', user.accessToken, { roles: [] })).json(),
    ).toMatchObject({ status: 403, code: 'PERMISSION_DENIED' })

    const first = await require(['learner', 'instructor'])
    expect(first.roles).toEqual(['instructor', 'learner'])
    expect(first.requirements).toEqual([
      { role: 'instructor', requiredBy: `user:${adminId}`, createdAt: expect.any(String) },
      { role: 'learner', requiredBy: `user:${adminId}`, createdAt: expect.any(String) },
    ])
    const second = await require(['learner', 'finance'])
    expect(second.roles).toEqual(['finance', 'learner'])
    // A role that stays keeps its row.
    expect(second.requirements.find((r) => r.role === 'learner')?.createdAt).toBe(first.requirements[1]!.createdAt)
    expect((await call(user.slug, 'GET', '/v1/security/mfa-requirements', admin)).json()).toEqual(second)

    const unknown = await call(user.slug, 'PUT', '/v1/security/mfa-requirements', admin, { roles: ['operator'] })
    expect(unknown.statusCode).toBe(400)
    const repeated = await call(user.slug, 'PUT', '/v1/security/mfa-requirements', admin, {
      roles: ['learner', 'learner'],
    })
    expect(repeated.statusCode).toBe(400)

    const audit = await auditOf(user.id, 'security.mfa_requirements_changed')
    expect(audit).toHaveLength(2)
    expect(audit[1]).toMatchObject({
      actor_id: adminId,
      target_id: user.id,
      details: { roles: ['finance', 'learner'], added: ['finance'], removed: ['instructor'] },
    })
  })
})

describe('sign-in of a user the policy requires to enrol', () => {
  it('gets a restricted token without refresh token that reaches only /v1/me, logout and enrolment; confirming gives a full session', async () => {
    const { user, require } = await learnerAndAdmin()
    await require(['learner'])

    const login = await api.login(user.slug, user.email)
    expect(login.statusCode).toBe(200)
    const restricted = login.json() as { accessToken: string; mfaEnrolmentRequired: true }
    expect(Object.keys(restricted).sort()).toEqual(['accessToken', 'expiresIn', 'mfaEnrolmentRequired', 'tokenType'])
    expect(decodeJwt(restricted.accessToken).rst).toBe('mfa_enrolment')
    for (const url of ['/v1/me/sessions', '/v1/members', '/v1/security/mfa-requirements'])
      expect((await call(user.slug, 'GET', url, restricted.accessToken)).json()).toMatchObject({
        status: 403,
        code: 'MFA_ENROLMENT_REQUIRED',
      })
    expect((await call(user.slug, 'GET', '/v1/me', restricted.accessToken)).json()).toMatchObject({
      email: user.email,
      mfaEnrolmentRequired: true,
    })

    const { secret } = (await api.enrol(user.slug, restricted.accessToken)).json() as { secret: string }
    await awayFromStepEdge()
    const confirmed = await api.confirm(user.slug, restricted.accessToken, await codeAt(secret, -1))
    expect(confirmed.statusCode).toBe(200)
    const { recoveryCodes, tokens } = confirmed.json() as { recoveryCodes: string[]; tokens: Tokens }
    expect(recoveryCodes).toHaveLength(10)
    expect(tokens).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: expect.any(String),
    })
    expect(decodeJwt(tokens.accessToken).rst).toBeUndefined()

    // The restricted session is over; the new one has full access and refreshes normally.
    expect((await call(user.slug, 'GET', '/v1/me', restricted.accessToken)).statusCode).toBe(401)
    expect((await call(user.slug, 'GET', '/v1/me/sessions', tokens.accessToken)).statusCode).toBe(200)
    expect((await call(user.slug, 'GET', '/v1/me', tokens.accessToken)).json()).toMatchObject({
      mfaEnrolmentRequired: false,
    })
    const refreshed = await api.refresh(user.slug, tokens.refreshToken)
    expect(Object.keys(refreshed.json() as object)).toContain('refreshToken')
    // Required factors cannot be turned off; the next sign-in asks for a code.
    const disabled = await api.disable(user.slug, tokens.accessToken, await codeAt(secret, 0))
    expect(disabled.json()).toMatchObject({ status: 409, code: 'MFA_REQUIRED_BY_POLICY' })
    expect(Object.keys((await api.login(user.slug, user.email)).json() as object).sort()).toEqual([
      'mfaRequired',
      'mfaToken',
    ])
  })

  it('lets a restricted token log out', async () => {
    const { user, require } = await learnerAndAdmin()
    await require(['learner'])
    const { accessToken } = (await api.login(user.slug, user.email)).json() as { accessToken: string }
    expect((await call(user.slug, 'POST', '/v1/auth/logout', accessToken)).statusCode).toBe(204)
    expect((await call(user.slug, 'GET', '/v1/me', accessToken)).statusCode).toBe(401)
  })

  it('restricts an existing session on its next request once the requirement is added, and refresh gives no successor', async () => {
    const { user, require } = await learnerAndAdmin()
    const tokens = await api.signIn(user.slug, user.email)
    expect((await call(user.slug, 'GET', '/v1/me/sessions', tokens.accessToken)).statusCode).toBe(200)

    await require(['learner'])
    expect((await call(user.slug, 'GET', '/v1/me/sessions', tokens.accessToken)).json()).toMatchObject({
      status: 403,
      code: 'MFA_ENROLMENT_REQUIRED',
    })
    expect((await call(user.slug, 'GET', '/v1/me', tokens.accessToken)).json()).toMatchObject({
      mfaEnrolmentRequired: true,
    })
    const refreshed = await api.refresh(user.slug, tokens.refreshToken)
    expect(refreshed.statusCode).toBe(200)
    const restricted = refreshed.json() as { accessToken: string }
    expect(Object.keys(restricted).sort()).toEqual(['accessToken', 'expiresIn', 'mfaEnrolmentRequired', 'tokenType'])
    expect((await call(user.slug, 'GET', '/v1/me/sessions', restricted.accessToken)).json()).toMatchObject({
      code: 'MFA_ENROLMENT_REQUIRED',
    })

    // Lifting the requirement frees the unrestricted token at once; the restricted one stays restricted.
    await require([])
    expect((await call(user.slug, 'GET', '/v1/me/sessions', tokens.accessToken)).statusCode).toBe(200)
    expect((await call(user.slug, 'GET', '/v1/me/sessions', restricted.accessToken)).json()).toMatchObject({
      code: 'MFA_ENROLMENT_REQUIRED',
    })
  })

  it('leaves users with a confirmed factor and users outside the required roles alone', async () => {
    const { user, require } = await learnerAndAdmin()
    const secret = await enrolled(user)
    await require(['learner', 'instructor'])
    expect((await call(user.slug, 'GET', '/v1/me/sessions', user.accessToken)).statusCode).toBe(200)
    await awayFromStepEdge()
    const signedIn = await api.secondStep(user.slug, {
      mfaToken: await api.challenge(user.slug, user.email),
      code: await codeAt(secret, 0),
    })
    expect(decodeJwt((signedIn.json() as Tokens).accessToken).rst).toBeUndefined()

    const other = await learnerAndAdmin()
    await other.require(['finance'])
    expect(Object.keys((await api.login(other.user.slug, other.user.email)).json() as object)).toContain('refreshToken')
  })
})

describe('administrator help with a member’s factor', () => {
  it('unlocks a locked factor, clearing the counters, audited', async () => {
    const { user, admin } = await learnerAndAdmin()
    const secret = await enrolled(user)
    await api.query(
      sql`UPDATE identity.totp_factors SET consecutive_failures = 20, window_failures = 5, window_started_at = now(), locked_at = now() WHERE user_id = ${user.userId} RETURNING user_id`,
    )
    const mfaToken = await api.challenge(user.slug, user.email)
    await awayFromStepEdge()
    expect((await api.secondStep(user.slug, { mfaToken, code: await codeAt(secret, 0) })).json()).toMatchObject({
      status: 429,
      code: 'MFA_LOCKED',
    })

    expect((await call(user.slug, 'POST', `/v1/members/${user.userId}/mfa/unlock`, admin)).statusCode).toBe(204)
    expect(await api.factor(user.userId)).toMatchObject({ consecutive_failures: 0, window_failures: 0, locked: false })
    await awayFromStepEdge()
    expect((await api.secondStep(user.slug, { mfaToken, code: await codeAt(secret, 0) })).statusCode).toBe(200)
    expect(await auditOf(user.id, 'mfa.unlocked')).toEqual([
      expect.objectContaining({ target_id: user.userId, details: { wasLocked: true, consecutiveFailures: 20 } }),
    ])
  })

  it('resets a factor: factor and recovery codes gone, sessions ended, password sign-in without a code', async () => {
    const { user, admin } = await learnerAndAdmin()
    await enrolled(user)
    expect((await call(user.slug, 'DELETE', `/v1/members/${user.userId}/mfa`, admin)).statusCode).toBe(204)
    expect(await api.factor(user.userId)).toBeUndefined()
    expect(await api.query(sql`SELECT 1 FROM identity.recovery_codes WHERE user_id = ${user.userId}`)).toHaveLength(0)
    expect((await call(user.slug, 'GET', '/v1/me', user.accessToken)).json()).toMatchObject({
      status: 401,
      code: 'SESSION_REVOKED',
    })
    expect(Object.keys((await api.login(user.slug, user.email)).json() as object)).toContain('refreshToken')
    expect(await auditOf(user.id, 'mfa.reset')).toEqual([
      expect.objectContaining({ target_id: user.userId, details: { revokedSessions: 1 } }),
    ])
    // The member is told: a reset they did not ask for is how an insider would take a factor over.
    const told = (await accountsClient(t).outbox(user.email)).filter(
      (m) => m.subject === 'Two-factor authentication was turned off',
    )
    expect(told).toHaveLength(1)
    expect(told[0]?.text).toContain('An administrator')
    expect((await call(user.slug, 'DELETE', `/v1/members/${user.userId}/mfa`, admin)).json()).toMatchObject({
      status: 409,
      code: 'MFA_NOT_ENABLED',
    })
  })

  it('refuses learners, the administrator’s own factor, unknown members and impersonators', async () => {
    const { user, admin, adminId } = await learnerAndAdmin()
    await enrolled(user)
    expect((await call(user.slug, 'POST', `/v1/members/${user.userId}/mfa/unlock`, user.accessToken)).statusCode).toBe(
      403,
    )
    expect((await call(user.slug, 'DELETE', `/v1/members/${user.userId}/mfa`, user.accessToken)).statusCode).toBe(403)
    expect((await call(user.slug, 'POST', `/v1/members/${adminId}/mfa/unlock`, admin)).json()).toMatchObject({
      status: 403,
      code: 'MFA_SELF_ADMINISTRATION',
    })
    expect((await call(user.slug, 'DELETE', `/v1/members/${adminId}/mfa`, admin)).json()).toMatchObject({
      status: 403,
      code: 'MFA_SELF_ADMINISTRATION',
    })
    expect((await call(user.slug, 'POST', `/v1/members/${randomUUID()}/mfa/unlock`, admin)).json()).toMatchObject({
      status: 404,
      code: 'MEMBER_NOT_FOUND',
    })

    const started = await t.app.inject({
      method: 'POST',
      url: `/v1/tenants/${user.id}/impersonations`,
      headers: t.auth(t.operatorToken),
      payload: { userId: adminId, reason: 'support ticket 4711: checking the admin view', minutes: 10 },
    })
    expect(started.statusCode).toBe(201)
    const impersonating = (started.json() as { accessToken: string }).accessToken
    for (const [method, url] of [
      ['POST', `/v1/members/${user.userId}/mfa/unlock`],
      ['DELETE', `/v1/members/${user.userId}/mfa`],
    ] as const)
      expect((await call(user.slug, method, url, impersonating)).json()).toMatchObject({
        status: 403,
        code: 'IMPERSONATION_FORBIDDEN',
      })
    expect(
      (await call(user.slug, 'PUT', '/v1/security/mfa-requirements', impersonating, { roles: ['learner'] })).json(),
    ).toMatchObject({ code: 'IMPERSONATION_FORBIDDEN' })
    expect(await api.factor(user.userId)).toBeDefined()
  })
})
