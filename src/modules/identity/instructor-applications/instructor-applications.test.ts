import { sql } from 'drizzle-orm'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { AppError } from '../../../platform/errors.ts'
import { permissionsOf } from '../../../platform/http/permissions.ts'
import { createRequestContext } from '../../../platform/http/request-context.ts'
import { accountsClient } from '../accounts/accounts.testing.ts'
import { sessionsClient } from '../sessions/sessions.testing.ts'
import { createApplicationsService } from './instructor-applications.service.ts'
import { identityEvents } from '../identity-events.ts'

let t: TestApp
let client: ReturnType<typeof sessionsClient>
let accounts: ReturnType<typeof accountsClient>

beforeAll(async () => {
  t = await buildTestApp({ env: { RATE_LIMITS: 'auth=1000/10000' } })
  client = sessionsClient(t)
  accounts = accountsClient(t)
})
afterAll(async () => t?.close())

interface SignedIn {
  userId: string
  email: string
  accessToken: string
}

type Method = 'GET' | 'POST'

const STATEMENT = 'I have taught evening classes in statistics for six years and would like to publish a course here.'
const BASE = '/v1/instructor-applications'

/** A tenant with one administrator (appointed by an operator) and helpers to sign members in and call as them. */
async function tenantWithAdmin() {
  const tenant = await t.createTenant()
  const member = async (): Promise<SignedIn> => {
    const email = await client.signUp(tenant.slug)
    const [row] = await client.query<{ id: string }>(
      sql`SELECT id FROM identity.users WHERE tenant_id = ${tenant.id} AND email = ${email}`,
    )
    if (!row) throw new Error('the signed-up user is missing')
    return { userId: row.id, email, accessToken: (await client.signIn(tenant.slug, email)).accessToken }
  }
  const admin = await member()
  const appointed = await t.app.inject({
    method: 'PUT',
    url: `/v1/tenants/${tenant.id}/members/${admin.userId}/roles/tenant_admin`,
    headers: t.auth(t.operatorToken),
  })
  expect(appointed.statusCode).toBe(200)
  const request = (method: Method, url: string, as: SignedIn, options: { payload?: object; ifMatch?: string } = {}) =>
    t.app.inject({
      method,
      url,
      headers: {
        host: `${tenant.slug}.localhost`,
        ...t.auth(as.accessToken),
        ...(options.ifMatch ? { 'if-match': options.ifMatch } : {}),
      },
      ...(options.payload ? { payload: options.payload } : {}),
    })
  const apply = (as: SignedIn, payload: object = { statement: STATEMENT }) => request('POST', BASE, as, { payload })
  return { tenant, admin, member, request, apply }
}

describe('instructor applications', () => {
  it('learner applies, an administrator approves with If-Match, and the role applies on the learner’s next request', async () => {
    const { admin, member, request, apply } = await tenantWithAdmin()
    const learner = await member()
    const links = ['https://example.org/portfolio', 'https://video.example.org/lesson-1']
    const submitted = await apply(learner, { statement: `  ${STATEMENT}  `, links })
    expect(submitted.statusCode).toBe(201)
    const application = submitted.json()
    expect(application).toMatchObject({
      userId: learner.userId,
      applicant: { email: learner.email },
      statement: STATEMENT,
      links,
      status: 'pending',
      reviewedBy: null,
      version: 1,
    })
    expect(submitted.headers.etag).toBe('"v1"')
    expect(submitted.headers.location).toBe(`${BASE}/${application.id}`)

    const queue = await request('GET', `${BASE}?status=pending`, admin)
    expect(queue.statusCode).toBe(200)
    expect(queue.json().data.map((a: { id: string }) => a.id)).toEqual([application.id])
    const read = await request('GET', `${BASE}/${application.id}`, admin)
    expect(read.statusCode).toBe(200)
    expect((await request('GET', '/v1/me', learner)).json().roles).toEqual(['learner'])

    const approved = await request('POST', `${BASE}/${application.id}/approve`, admin, {
      ifMatch: String(read.headers.etag),
      payload: { note: 'Welcome aboard.' },
    })
    expect(approved.statusCode).toBe(200)
    expect(approved.json()).toMatchObject({
      status: 'approved',
      reviewedBy: admin.userId,
      reviewNote: 'Welcome aboard.',
      version: 2,
    })
    expect(approved.headers.etag).toBe('"v2"')
    expect(approved.json().reviewedAt).toEqual(expect.any(String))

    // The learner's existing token: the membership is read on every request.
    expect((await request('GET', '/v1/me', learner)).json().roles).toEqual(['instructor', 'learner'])
    const [grant] = await client.query<{ granted_by: string }>(
      sql`SELECT granted_by FROM identity.memberships WHERE user_id = ${learner.userId} AND role = 'instructor'`,
    )
    expect(grant?.granted_by).toBe(`user:${admin.userId}`)

    const mails = (await accounts.outbox(learner.email)).filter(
      (mail) => mail.subject === 'Your instructor application was approved',
    )
    expect(mails).toHaveLength(1)
    expect(mails[0]?.text).toContain('Welcome aboard.')
    const [delivery] = await client.query<{ event_id: string }>(
      sql`SELECT event_id FROM notifications.deliveries WHERE mail_message_id = ${mails[0]!.id}`,
    )
    expect(delivery?.event_id).toBe(`identity.instructor_application_decided:${application.id}`)

    const mine = await request('GET', '/v1/me/instructor-applications', learner)
    expect(mine.json()).toMatchObject({ data: [{ id: application.id, status: 'approved' }], nextCursor: null })
    // An instructor does not apply again.
    expect((await apply(learner)).json()).toMatchObject({ status: 409, code: 'ALREADY_INSTRUCTOR' })

    const trail = await request(
      'GET',
      `/v1/audit-events?targetType=instructor_application&targetId=${application.id}`,
      admin,
    )
    expect(trail.json().data.map((e: { action: string }) => e.action)).toEqual([
      'instructor_application.approved',
      'instructor_application.submitted',
    ])
    const roleGrant = await request(
      'GET',
      `/v1/audit-events?action=member.role_granted&targetId=${learner.userId}`,
      admin,
    )
    expect(roleGrant.json().data).toEqual([
      expect.objectContaining({
        actorId: admin.userId,
        details: { role: 'instructor', applicationId: application.id },
      }),
    ])
  })

  it('refuses a second pending application, and accepts a new one after withdrawal', async () => {
    const { member, request, apply, admin } = await tenantWithAdmin()
    const learner = await member()
    const first = (await apply(learner)).json()
    const second = await apply(learner)
    expect(second.statusCode).toBe(409)
    expect(second.json().code).toBe('APPLICATION_PENDING')

    // Only the applicant withdraws: to a reviewer or another member it is not theirs.
    const other = await member()
    expect((await request('POST', `${BASE}/${first.id}/withdraw`, other)).statusCode).toBe(404)
    expect((await request('POST', `${BASE}/${first.id}/withdraw`, admin)).statusCode).toBe(404)
    expect((await request('POST', `${BASE}/${first.id}/withdraw`, learner, { ifMatch: '"v9"' })).statusCode).toBe(412)
    const withdrawn = await request('POST', `${BASE}/${first.id}/withdraw`, learner, { ifMatch: '"v1"' })
    expect(withdrawn.statusCode).toBe(200)
    expect(withdrawn.json()).toMatchObject({ status: 'withdrawn', version: 2, reviewedBy: null })
    expect((await request('POST', `${BASE}/${first.id}/withdraw`, learner)).json().code).toBe('APPLICATION_NOT_PENDING')
    expect((await request('GET', `${BASE}?status=pending`, admin)).json().data).toEqual([])

    const again = await apply(learner)
    expect(again.statusCode).toBe(201)
    const mine = (await request('GET', '/v1/me/instructor-applications', learner)).json()
    expect(mine.data.map((a: { id: string }) => a.id)).toEqual([again.json().id, first.id])
    const trail = await request(
      'GET',
      `/v1/audit-events?action=instructor_application.withdrawn&targetId=${first.id}`,
      admin,
    )
    expect(trail.json().data).toEqual([
      expect.objectContaining({ actorId: learner.userId, details: { applicantId: learner.userId } }),
    ])
  })

  it('rejection needs a note, is mailed to the applicant, grants nothing and is final', async () => {
    const { admin, member, request, apply } = await tenantWithAdmin()
    const learner = await member()
    const { id } = (await apply(learner)).json()
    const missing = await request('POST', `${BASE}/${id}/reject`, admin, { ifMatch: '"v1"', payload: {} })
    expect(missing.statusCode).toBe(400)
    expect(missing.json().errors).toContainEqual(expect.objectContaining({ path: 'body.note' }))
    expect(
      (await request('POST', `${BASE}/${id}/reject`, admin, { ifMatch: '"v1"', payload: { note: '   ' } })).statusCode,
    ).toBe(400)

    const rejected = await request('POST', `${BASE}/${id}/reject`, admin, {
      ifMatch: '"v1"',
      payload: { note: 'Please add a sample lesson.' },
    })
    expect(rejected.statusCode).toBe(200)
    expect(rejected.json()).toMatchObject({
      status: 'rejected',
      reviewNote: 'Please add a sample lesson.',
      reviewedBy: admin.userId,
      version: 2,
    })
    expect((await request('GET', '/v1/me', learner)).json().roles).toEqual(['learner'])
    const mails = (await accounts.outbox(learner.email)).filter(
      (mail) => mail.subject === 'Your instructor application was not approved',
    )
    expect(mails).toHaveLength(1)
    expect(mails[0]?.text).toContain('Please add a sample lesson.')

    // Decided: the current ETag gets 409, a stale one 412.
    const decided = await request('POST', `${BASE}/${id}/approve`, admin, { ifMatch: '"v2"' })
    expect(decided.statusCode).toBe(409)
    expect(decided.json().code).toBe('APPLICATION_NOT_PENDING')
    expect((await request('POST', `${BASE}/${id}/approve`, admin, { ifMatch: '"v1"' })).statusCode).toBe(412)
    expect((await request('GET', '/v1/me', learner)).json().roles).toEqual(['learner'])
  })

  it('decisions need the current ETag: 428 without If-Match, 412 when stale', async () => {
    const { admin, member, request, apply } = await tenantWithAdmin()
    const { id } = (await apply(await member())).json()
    const without = await request('POST', `${BASE}/${id}/approve`, admin)
    expect(without.statusCode).toBe(428)
    expect(without.json().code).toBe('IF_MATCH_REQUIRED')
    const stale = await request('POST', `${BASE}/${id}/approve`, admin, { ifMatch: '"v7"' })
    expect(stale.statusCode).toBe(412)
    expect(stale.json().code).toBe('ETAG_MISMATCH')
    expect(stale.headers.etag).toBe('"v1"')
    expect((await request('GET', `${BASE}/${id}`, admin)).json()).toMatchObject({ status: 'pending', version: 1 })
  })

  it('learners neither decide nor list, and see only their own applications', async () => {
    const { member, request, apply } = await tenantWithAdmin()
    const learner = await member()
    const other = await member()
    const { id } = (await apply(other)).json()
    const approve = await request('POST', `${BASE}/${id}/approve`, learner, { ifMatch: '"v1"' })
    expect(approve.statusCode).toBe(403)
    expect(approve.json()).toMatchObject({ code: 'PERMISSION_DENIED', permission: 'instructors:review' })
    expect(
      (await request('POST', `${BASE}/${id}/reject`, learner, { ifMatch: '"v1"', payload: { note: 'no' } })).statusCode,
    ).toBe(403)
    expect((await request('GET', BASE, learner)).statusCode).toBe(403)
    expect((await request('GET', `${BASE}?status=pending`, learner)).statusCode).toBe(403)
    const peek = await request('GET', `${BASE}/${id}`, learner)
    expect(peek.statusCode).toBe(404)
    expect(peek.json().code).toBe('APPLICATION_NOT_FOUND')
    expect((await request('GET', `${BASE}/${id}`, other)).statusCode).toBe(200)
    expect((await request('GET', '/v1/me/instructor-applications', learner)).json().data).toEqual([])
  })

  it('nobody reviews their own application', async () => {
    const { admin, request, apply } = await tenantWithAdmin()
    const { id } = (await apply(admin)).json()
    const own = await request('POST', `${BASE}/${id}/approve`, admin, { ifMatch: '"v1"' })
    expect(own.statusCode).toBe(403)
    expect(own.json().code).toBe('SELF_REVIEW')
    expect(
      (await request('POST', `${BASE}/${id}/reject`, admin, { ifMatch: '"v1"', payload: { note: 'no' } })).json().code,
    ).toBe('SELF_REVIEW')
    expect((await request('GET', `${BASE}/${id}`, admin)).json().status).toBe('pending')
  })

  it("another tenant's application does not exist for this tenant's reviewers", async () => {
    const a = await tenantWithAdmin()
    const b = await tenantWithAdmin()
    const { id } = (await a.apply(await a.member())).json()
    expect((await b.request('GET', `${BASE}/${id}`, b.admin)).statusCode).toBe(404)
    expect((await b.request('POST', `${BASE}/${id}/approve`, b.admin, { ifMatch: '"v1"' })).statusCode).toBe(404)
    expect((await b.request('GET', BASE, b.admin)).json().data).toEqual([])
    expect((await a.request('GET', `${BASE}/${id}`, a.admin)).json().status).toBe('pending')
    expect((await b.request('GET', `${BASE}/${randomUUID()}`, b.admin)).statusCode).toBe(404)
  })

  it('pages the review queue oldest first with a cursor', async () => {
    const { admin, member, request, apply } = await tenantWithAdmin()
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await apply(await member())).json().id)
    const first = await request('GET', `${BASE}?status=pending&limit=2`, admin)
    expect(first.json().data.map((a: { id: string }) => a.id)).toEqual(ids.slice(0, 2))
    const cursor = first.json().nextCursor as string
    expect(cursor).toEqual(expect.any(String))
    const second = await request('GET', `${BASE}?status=pending&limit=2&cursor=${cursor}`, admin)
    expect(second.json()).toEqual({ data: [expect.objectContaining({ id: ids[2] })], nextCursor: null })
    expect((await request('GET', `${BASE}?status=approved`, admin)).json().data).toEqual([])
    expect((await request('GET', `${BASE}?status=archived`, admin)).statusCode).toBe(400)
    expect((await request('GET', `${BASE}?cursor=bm90LWEtY3Vyc29y`, admin)).json().code).toBe('INVALID_CURSOR')
  })

  it('validates the application: statement length, https links, at most five, no extra fields', async () => {
    const { member, apply } = await tenantWithAdmin()
    const learner = await member()
    const invalid: Array<[object, string]> = [
      [{ statement: 'Too short.' }, 'body.statement'],
      [{ statement: `${' '.repeat(30)}short but padded${' '.repeat(30)}` }, 'body.statement'],
      [{ statement: 'x'.repeat(5001) }, 'body.statement'],
      [{}, 'body.statement'],
      [{ statement: STATEMENT, links: ['http://example.org/insecure'] }, 'body.links.0'],
      [{ statement: STATEMENT, links: ['javascript:alert(1)'] }, 'body.links.0'],
      [{ statement: STATEMENT, links: ['https://user:secret@example.org/'] }, 'body.links.0'],
      [{ statement: STATEMENT, links: Array.from({ length: 6 }, (_, i) => `https://example.org/${i}`) }, 'body.links'],
      [{ statement: STATEMENT, links: ['https://example.org/a', 'https://example.org/a'] }, 'body.links'],
      [{ statement: STATEMENT, role: 'instructor' }, 'body.role'],
    ]
    for (const [payload, path] of invalid) {
      const response = await apply(learner, payload)
      expect(response.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400)
      expect(response.json().errors.map((e: { path: string }) => e.path)).toContain(path)
    }
    expect(
      (
        await apply(learner, {
          statement: 'x'.repeat(5000),
          links: Array.from({ length: 5 }, (_, i) => `https://example.org/${i}`),
        })
      ).statusCode,
    ).toBe(201)
    const [count] = await client.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM identity.instructor_applications WHERE user_id = ${learner.userId}`,
    )
    expect(count?.n).toBe(1)
  })

  it('refuses decisions while impersonating, before touching anything', async () => {
    const { tenant, admin, member, apply } = await tenantWithAdmin()
    const { id } = (await apply(await member())).json()
    const service = createApplicationsService({
      notify: t.modules.notifications.notify,
      events: identityEvents(t.platform.events),
    })
    const impersonated = createRequestContext({
      requestId: 'impersonation-test',
      principal: {
        kind: 'user',
        userId: admin.userId,
        tenantId: tenant.id,
        roles: ['tenant_admin'],
        permissions: permissionsOf(['tenant_admin']),
        actor: { sub: 'operator:op-1' },
      },
      tenantId: tenant.id,
      ip: '127.0.0.1',
      database: t.platform.database,
    })
    for (const decide of [
      () => service.approve(impersonated, id, 1, undefined),
      () => service.reject(impersonated, id, 1, 'no'),
    ]) {
      const error = await decide().catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(AppError)
      expect(error).toMatchObject({ status: 403, code: 'IMPERSONATION_FORBIDDEN' })
    }
    const [row] = await client.query<{ status: string; version: number }>(
      sql`SELECT status, version FROM identity.instructor_applications WHERE id = ${id}`,
    )
    expect(row).toEqual({ status: 'pending', version: 1 })
  })
})
