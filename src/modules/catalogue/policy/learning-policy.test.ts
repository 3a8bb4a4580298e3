import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../../platform/db/database.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

const URL = '/v1/learning-policy'
const read = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: URL, headers })
const replace = (headers: Record<string, string>, payload: unknown) =>
  t.app.inject({ method: 'PUT', url: URL, headers, payload: payload as object })
const auditOf = (tenantId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ action: string; actor_id: string; details: Record<string, unknown> }>(
      tx,
      sql`SELECT action, actor_id, details FROM platform.audit_log WHERE tenant_id = ${tenantId} AND action = 'catalogue.learning_policy_changed' ORDER BY occurred_at, id`,
    ),
  )

describe('the learning policy', () => {
  it('starts on the defaults, is replaced by an administrator with If-Match, and every change is audited', async () => {
    const tenant = await t.createTenant()
    const adminId = crypto.randomUUID()
    const admin = t.auth(await t.tokenFor(tenant.id, ['tenant_admin'], adminId))
    const initial = await read(admin)
    expect(initial.statusCode).toBe(200)
    expect(initial.headers.etag).toBe('"v0"')
    expect(initial.json()).toEqual({
      allowStaffSelfEnrolment: false,
      allowSelfPublication: true,
      version: 0,
      updatedAt: null,
      updatedBy: null,
    })

    const changed = await replace(
      { ...admin, 'if-match': '"v0"' },
      { allowStaffSelfEnrolment: true, allowSelfPublication: false },
    )
    expect(changed.statusCode, changed.body).toBe(200)
    expect(changed.headers.etag).toBe('"v1"')
    expect(changed.json()).toMatchObject({
      allowStaffSelfEnrolment: true,
      allowSelfPublication: false,
      version: 1,
      updatedBy: `user:${adminId}`,
    })
    // tenant:read reads it (compliance too); a learner does not.
    const compliance = t.auth(await t.tokenFor(tenant.id, ['compliance']))
    expect((await read(compliance)).json()).toMatchObject({ allowStaffSelfEnrolment: true, version: 1 })
    const learner = t.auth(await t.tokenFor(tenant.id, ['learner']))
    expect((await read(learner)).json()).toMatchObject({ status: 403, permission: 'tenant:read' })

    // The same values again change nothing and audit nothing.
    const same = await replace(
      { ...admin, 'if-match': '"v1"' },
      { allowStaffSelfEnrolment: true, allowSelfPublication: false },
    )
    expect(same.json()).toMatchObject({ version: 1 })
    const back = await replace(
      { ...admin, 'if-match': '"v1"' },
      { allowStaffSelfEnrolment: false, allowSelfPublication: false },
    )
    expect(back.json()).toMatchObject({ allowStaffSelfEnrolment: false, version: 2 })
    expect(await auditOf(tenant.id)).toEqual([
      {
        action: 'catalogue.learning_policy_changed',
        actor_id: adminId,
        details: {
          from: { allowStaffSelfEnrolment: false, allowSelfPublication: true },
          to: { allowStaffSelfEnrolment: true, allowSelfPublication: false },
        },
      },
      {
        action: 'catalogue.learning_policy_changed',
        actor_id: adminId,
        details: {
          from: { allowStaffSelfEnrolment: true, allowSelfPublication: false },
          to: { allowStaffSelfEnrolment: false, allowSelfPublication: false },
        },
      },
    ])
  })

  it('needs If-Match (428) and the current version (412 with the current ETag)', async () => {
    const tenant = await t.createTenant()
    const admin = t.auth(await t.tokenFor(tenant.id, ['tenant_admin']))
    const body = { allowStaffSelfEnrolment: true, allowSelfPublication: true }
    expect((await replace(admin, body)).json()).toMatchObject({ status: 428, code: 'IF_MATCH_REQUIRED' })
    expect((await replace({ ...admin, 'if-match': '"v0"' }, body)).statusCode).toBe(200)
    const stale = await replace({ ...admin, 'if-match': '"v0"' }, { ...body, allowSelfPublication: false })
    expect(stale.statusCode).toBe(412)
    expect(stale.headers.etag).toBe('"v1"')
  })

  it('validates the body: both flags, booleans, nothing else', async () => {
    const tenant = await t.createTenant()
    const admin = { ...t.auth(await t.tokenFor(tenant.id, ['tenant_admin'])), 'if-match': '"v0"' }
    for (const payload of [
      { allowStaffSelfEnrolment: true },
      { allowStaffSelfEnrolment: 'yes', allowSelfPublication: true },
      { allowStaffSelfEnrolment: true, allowSelfPublication: true, reviewers: [] },
      [],
    ]) {
      const response = await replace(admin, payload)
      expect(response.statusCode, JSON.stringify(payload)).toBe(400)
      expect(response.json().code).toBe('VALIDATION_FAILED')
    }
    expect((await read(admin)).json()).toMatchObject({ version: 0 })
  })

  it('is for members (401 anonymous), read with tenant:read and changed only with tenant:manage (403 otherwise)', async () => {
    const tenant = await t.createTenant()
    const body = { allowStaffSelfEnrolment: true, allowSelfPublication: true }
    expect((await read({ host: `${tenant.slug}.localhost` })).statusCode).toBe(401)
    expect((await replace({ host: `${tenant.slug}.localhost`, 'if-match': '"v0"' }, body)).statusCode).toBe(401)
    for (const role of ['instructor', 'learner', 'reviewer'] as const) {
      const token = t.auth(await t.tokenFor(tenant.id, [role]))
      const refused = await replace({ ...token, 'if-match': '"v0"' }, body)
      expect(refused.statusCode, role).toBe(403)
      expect(refused.json()).toMatchObject({ code: 'PERMISSION_DENIED', permission: 'tenant:manage' })
    }
  })

  it('belongs to one tenant: another tenant keeps its own, and a token cannot reach another tenant’s host', async () => {
    const a = await t.createTenant()
    const b = await t.createTenant()
    const adminA = t.auth(await t.tokenFor(a.id, ['tenant_admin']))
    const adminB = t.auth(await t.tokenFor(b.id, ['tenant_admin']))
    await replace({ ...adminA, 'if-match': '"v0"' }, { allowStaffSelfEnrolment: true, allowSelfPublication: false })
    expect((await read(adminB)).json()).toMatchObject({
      allowStaffSelfEnrolment: false,
      allowSelfPublication: true,
      version: 0,
    })
    const crossing = await replace(
      { ...adminA, host: `${b.slug}.localhost`, 'if-match': '"v0"' },
      { allowStaffSelfEnrolment: true, allowSelfPublication: true },
    )
    expect(crossing.json()).toMatchObject({ status: 403, code: 'TENANT_MISMATCH' })
    expect((await read(adminB)).json()).toMatchObject({ version: 0 })
  })
})
