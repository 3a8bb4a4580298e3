/**
 * Issue 9: reviewing courses without administering the tenant (the reviewer role), and no
 * self-approval: nobody approves (or sends back) a course they teach, not even a tenant
 * administrator; administrators publish their own courses directly only while the learning
 * policy allows self-publication. Refusals are audited.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { authoringClient } from './authoring.testing.ts'

let t: TestApp
let api: ReturnType<typeof authoringClient>
beforeAll(async () => {
  t = await buildTestApp()
  api = authoringClient(t)
})
afterAll(async () => t?.close())

type Tenant = { id: string; slug: string }

/** A registered member granted the reviewer role by a tenant administrator over the member role endpoint. */
async function grantedReviewer(tenant: Tenant, admin: string): Promise<{ userId: string; token: string }> {
  const member = await api.realInstructor(tenant)
  const granted = await t.app.inject({
    method: 'PUT',
    url: `/v1/members/${member.userId}/roles/reviewer`,
    headers: t.auth(admin),
  })
  expect(granted.statusCode, granted.body).toBe(200)
  expect(granted.json().roles).toContain('reviewer')
  // Revoking the instructor role leaves a pure reviewer.
  const revoked = await t.app.inject({
    method: 'DELETE',
    url: `/v1/members/${member.userId}/roles/instructor`,
    headers: t.auth(admin),
  })
  expect(revoked.statusCode, revoked.body).toBe(204)
  // Granting a held role again changes nothing and answers the member's roles.
  const roles = await t.app.inject({
    method: 'PUT',
    url: `/v1/members/${member.userId}/roles/reviewer`,
    headers: t.auth(admin),
  })
  expect([...roles.json().roles].sort()).toEqual(['learner', 'reviewer'])
  return { userId: member.userId, token: await t.tokenFor(tenant.id, ['reviewer'], member.userId) }
}

/** A tenant with an administrator, an instructor's course submitted for review, and a reviewer. */
async function setUp() {
  const tenant = await t.createTenant()
  const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
  const instructor = await api.realInstructor(tenant)
  const course = await api.createCourse(instructor.token, { title: 'Botany' })
  await api.addModuleWithLesson(instructor.token, course.id, course.etag)
  const submitted = await api.call('POST', `/v1/courses/${course.id}/submit`, instructor.token, { payload: {} })
  expect(submitted.json(), submitted.body).toMatchObject({ status: 'in_review' })
  const reviewer = await grantedReviewer(tenant, admin)
  return { tenant, admin, instructor, courseId: course.id, reviewer }
}

const refusalsOf = (courseId: string) =>
  api.query<{ actor_id: string; outcome: string; details: Record<string, unknown> }>(
    sql`SELECT actor_id, outcome, details FROM platform.audit_log WHERE target_id = ${courseId} AND action LIKE 'course.self_%_refused' ORDER BY occurred_at, id`,
  )

describe('the reviewer role', () => {
  it('is granted by tenant administrators only, and does not administer the tenant or author courses', async () => {
    const { tenant, admin, instructor, courseId, reviewer } = await setUp()
    // Instructors cannot hand it out (members:manage), and nobody grants it to themselves.
    const other = await api.realInstructor(tenant)
    const byInstructor = await api.call('PUT', `/v1/members/${other.userId}/roles/reviewer`, instructor.token)
    expect(byInstructor.json()).toMatchObject({ status: 403, permission: 'members:manage' })
    expect((await api.call('GET', '/v1/members', reviewer.token)).statusCode).toBe(403)
    expect((await api.call('PUT', `/v1/members/${other.userId}/roles/reviewer`, reviewer.token)).statusCode).toBe(403)
    expect((await api.call('GET', '/v1/learning-policy', reviewer.token)).statusCode).toBe(403)
    expect(
      (await api.call('POST', '/v1/courses', reviewer.token, { payload: { slug: 'x', title: 'X' } })).statusCode,
    ).toBe(403)
    expect((await api.call('GET', `/v1/courses/${courseId}`, reviewer.token)).statusCode).toBe(403)
    // Reviewing does not make them course staff elsewhere: no grading queue, no question bank.
    expect((await api.call('GET', `/v1/courses/${courseId}/submissions`, reviewer.token)).statusCode).toBe(403)
    expect((await api.call('GET', `/v1/courses/${courseId}/questions`, reviewer.token)).statusCode).toBe(403)
    // ... and no direct publication, which stays with administrators (courses:manage).
    const publish = await api.call('POST', `/v1/courses/${courseId}/publish`, reviewer.token, { payload: {} })
    expect(publish.json()).toMatchObject({ status: 403, code: 'PERMISSION_DENIED', permission: 'courses:manage' })
    const revoked = await api.call('DELETE', `/v1/members/${reviewer.userId}/roles/reviewer`, admin)
    expect(revoked.statusCode, revoked.body).toBe(204)
    // Roles are read on every request: the revoked reviewer's queue is closed at once.
    expect((await api.call('GET', '/v1/review-queue', reviewer.token)).statusCode).toBe(403)
  })

  it('lists the review queue, reads the draft in review, requests changes and approves', async () => {
    const { instructor, courseId, reviewer } = await setUp()
    const draft = await api.createCourse(instructor.token, { title: 'Not submitted' })

    const queue = await api.call('GET', '/v1/review-queue', reviewer.token)
    expect(queue.statusCode, queue.body).toBe(200)
    expect(queue.json()).toMatchObject({
      data: [{ id: courseId, status: 'in_review', title: 'Botany' }],
      nextCursor: null,
    })
    const read = await api.call('GET', `/v1/review-queue/${courseId}`, reviewer.token)
    expect(read.statusCode, read.body).toBe(200)
    expect(read.headers.etag).toBeDefined()
    expect(read.json()).toMatchObject({
      id: courseId,
      status: 'in_review',
      modules: [{ lessons: [{ title: 'Lesson' }] }],
    })
    // Drafts that are not in review stay with their authors.
    expect((await api.call('GET', `/v1/review-queue/${draft.id}`, reviewer.token)).json()).toMatchObject({
      status: 404,
      code: 'COURSE_NOT_IN_REVIEW',
    })
    expect(
      (await api.call('POST', `/v1/courses/${draft.id}/approve`, reviewer.token, { payload: {} })).statusCode,
    ).toBe(404)

    const back = await api.call('POST', `/v1/courses/${courseId}/request-changes`, reviewer.token, {
      etag: read.headers.etag as string,
      payload: { comment: 'Add a glossary' },
    })
    expect(back.statusCode, back.body).toBe(200)
    expect(back.json()).toMatchObject({ status: 'draft' })
    expect((await api.call('GET', '/v1/review-queue', reviewer.token)).json().data).toEqual([])
    expect((await api.call('GET', `/v1/review-queue/${courseId}`, reviewer.token)).statusCode).toBe(404)

    await api.call('POST', `/v1/courses/${courseId}/submit`, instructor.token, {
      payload: { comment: 'Glossary added' },
    })
    const approved = await api.call('POST', `/v1/courses/${courseId}/approve`, reviewer.token, { payload: {} })
    expect(approved.statusCode, approved.body).toBe(200)
    expect(approved.json()).toMatchObject({ status: 'published', publishedVersion: { number: 1 } })
    const audit = await api.query<{ action: string; actor_id: string }>(
      sql`SELECT action, actor_id FROM platform.audit_log WHERE target_id = ${courseId} AND action IN ('course.changes_requested', 'course.approved') ORDER BY occurred_at, id`,
    )
    expect(audit).toEqual([
      { action: 'course.changes_requested', actor_id: reviewer.userId },
      { action: 'course.approved', actor_id: reviewer.userId },
    ])
    const listed = await api.call('GET', `/v1/catalogue/courses?q=botany`, reviewer.token, {})
    expect(listed.json().data.map((c: { id: string }) => c.id)).toContain(courseId)
  })

  it('validates the queue’s query and path, and keeps other tenants’ courses out of it', async () => {
    const { courseId } = await setUp()
    const other = await setUp()
    expect((await api.call('GET', '/v1/review-queue?limit=0', other.reviewer.token)).statusCode).toBe(400)
    expect((await api.call('GET', '/v1/review-queue?cursor=forged', other.reviewer.token)).json()).toMatchObject({
      status: 400,
      code: 'INVALID_CURSOR',
    })
    expect((await api.call('GET', '/v1/review-queue/not-a-uuid', other.reviewer.token)).statusCode).toBe(400)
    expect(
      (await api.call('GET', '/v1/review-queue', other.reviewer.token)).json().data.map((c: { id: string }) => c.id),
    ).toEqual([other.courseId])
    expect((await api.call('GET', `/v1/review-queue/${courseId}`, other.reviewer.token)).statusCode).toBe(404)
    expect(
      (await api.call('POST', `/v1/courses/${courseId}/approve`, other.reviewer.token, { payload: {} })).statusCode,
    ).toBe(404)
    // Anonymous 401; learners and instructors 403.
    expect((await t.app.inject({ method: 'GET', url: '/v1/review-queue' })).statusCode).toBe(401)
    for (const role of ['learner', 'instructor'] as const) {
      const token = await t.tokenFor(other.tenant.id, [role])
      expect((await api.call('GET', '/v1/review-queue', token)).json(), role).toMatchObject({
        status: 403,
        permission: 'courses:review',
      })
    }
  })
})

describe('no self-approval', () => {
  it('refuses a reviewer who co-teaches the course, keeps it out of their queue, and audits the attempt', async () => {
    const tenant = await t.createTenant()
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
    const instructor = await api.realInstructor(tenant)
    const both = await api.realInstructor(tenant)
    await api.call('PUT', `/v1/members/${both.userId}/roles/reviewer`, admin)
    const token = await t.tokenFor(tenant.id, ['instructor', 'reviewer'], both.userId)
    const course = await api.createCourse(instructor.token)
    const { etag } = await api.addModuleWithLesson(instructor.token, course.id, course.etag)
    const added = await api.call('PUT', `/v1/courses/${course.id}/instructors/${both.userId}`, admin, { etag })
    expect(added.statusCode, added.body).toBe(200)
    const courseId = course.id
    expect(
      (await api.call('POST', `/v1/courses/${courseId}/submit`, instructor.token, { payload: {} })).statusCode,
    ).toBe(200)
    expect((await api.call('GET', '/v1/review-queue', token)).json().data).toEqual([])
    for (const step of ['approve', 'request-changes']) {
      const refused = await api.call('POST', `/v1/courses/${courseId}/${step}`, token, { payload: { comment: 'Mine' } })
      expect(refused.json(), step).toMatchObject({ status: 403, code: 'SELF_REVIEW' })
    }
    expect((await refusalsOf(courseId)).map((r) => [r.actor_id, r.outcome, r.details.step])).toEqual([
      [both.userId, 'denied', 'approve'],
      [both.userId, 'denied', 'request_changes'],
    ])
    expect(instructor.userId).not.toBe(both.userId)
  })

  it('freezes the course’s staff while it is in review, so nobody steps off a course to approve it', async () => {
    const tenant = await t.createTenant()
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
    const owner = await api.realInstructor(tenant)
    const colleague = await api.realInstructor(tenant)
    await api.call('PUT', `/v1/members/${colleague.userId}/roles/reviewer`, admin)
    const colleagueToken = await t.tokenFor(tenant.id, ['instructor', 'reviewer'], colleague.userId)
    const course = await api.createCourse(owner.token)
    const { etag } = await api.addModuleWithLesson(owner.token, course.id, course.etag)
    const added = await api.call('PUT', `/v1/courses/${course.id}/instructors/${colleague.userId}`, owner.token, {
      etag,
    })
    expect(added.statusCode, added.body).toBe(200)
    expect((await api.call('POST', `/v1/courses/${course.id}/submit`, owner.token, { payload: {} })).statusCode).toBe(
      200,
    )

    const removed = await api.call('DELETE', `/v1/courses/${course.id}/instructors/${colleague.userId}`, owner.token)
    expect(removed.json()).toMatchObject({ status: 409, code: 'COURSE_NOT_EDITABLE', courseStatus: 'in_review' })
    const other = await api.realInstructor(tenant)
    const addedInReview = await api.call('PUT', `/v1/courses/${course.id}/instructors/${other.userId}`, owner.token)
    expect(addedInReview.json()).toMatchObject({ status: 409, code: 'COURSE_NOT_EDITABLE' })
    expect(
      (await api.call('POST', `/v1/courses/${course.id}/approve`, colleagueToken, { payload: {} })).json(),
    ).toMatchObject({ status: 403, code: 'SELF_REVIEW' })
  })

  it('refuses a tenant administrator approving a course they teach', async () => {
    const tenant = await t.createTenant()
    const adminId = crypto.randomUUID()
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'], adminId)
    const course = await api.createCourse(admin, { title: 'My own' })
    await api.addModuleWithLesson(admin, course.id, course.etag)
    expect((await api.call('POST', `/v1/courses/${course.id}/submit`, admin, { payload: {} })).statusCode).toBe(200)
    const refused = await api.call('POST', `/v1/courses/${course.id}/approve`, admin, { payload: {} })
    expect(refused.json()).toMatchObject({ status: 403, code: 'SELF_REVIEW' })
    expect((await refusalsOf(course.id)).map((r) => [r.actor_id, r.details.step])).toEqual([[adminId, 'approve']])
    // Another administrator approves it.
    const other = await t.tokenFor(tenant.id, ['tenant_admin'])
    expect((await api.call('POST', `/v1/courses/${course.id}/approve`, other, { payload: {} })).statusCode).toBe(200)
  })

  it('refuses an administrator approving their own course under a reviewer’s name (impersonation: 403 IMPERSONATION_FORBIDDEN)', async () => {
    const { admin, reviewer } = await setUp()
    const own = await api.createCourse(admin, { title: 'Mine, approved by someone else?' })
    await api.addModuleWithLesson(admin, own.id, own.etag)
    expect((await api.call('POST', `/v1/courses/${own.id}/submit`, admin, { payload: {} })).statusCode).toBe(200)
    const started = await t.app.inject({
      method: 'POST',
      url: '/v1/impersonations',
      headers: t.auth(admin),
      payload: { userId: reviewer.userId, reason: 'Reproducing the review queue the reviewer reported' },
    })
    expect(started.statusCode, started.body).toBe(201)
    const asReviewer = started.json().accessToken as string
    for (const step of ['approve', 'request-changes']) {
      const refused = await api.call('POST', `/v1/courses/${own.id}/${step}`, asReviewer, {
        payload: { comment: 'Looks fine' },
      })
      expect(refused.json(), step).toMatchObject({ status: 403, code: 'IMPERSONATION_FORBIDDEN' })
    }
    const publish = await api.call('POST', `/v1/courses/${own.id}/publish`, asReviewer, { payload: {} })
    expect(publish.statusCode).toBe(403)
    // The reviewer in person decides.
    const approved = await api.call('POST', `/v1/courses/${own.id}/approve`, reviewer.token, { payload: {} })
    expect(approved.json(), approved.body).toMatchObject({ status: 'published' })
  })

  it('lets an administrator publish a course they teach only while the learning policy allows self-publication', async () => {
    const tenant = await t.createTenant()
    const adminId = crypto.randomUUID()
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'], adminId)
    const first = await api.createCourse(admin, { title: 'Allowed' })
    await api.addModuleWithLesson(admin, first.id, first.etag)
    expect((await api.call('POST', `/v1/courses/${first.id}/publish`, admin, { payload: {} })).statusCode).toBe(200)

    const policy = await api.call('GET', '/v1/learning-policy', admin)
    const changed = await t.app.inject({
      method: 'PUT',
      url: '/v1/learning-policy',
      headers: { ...t.auth(admin), 'if-match': policy.headers.etag as string },
      payload: { allowStaffSelfEnrolment: false, allowSelfPublication: false },
    })
    expect(changed.statusCode, changed.body).toBe(200)
    const second = await api.createCourse(admin, { title: 'Needs a second pair of eyes' })
    await api.addModuleWithLesson(admin, second.id, second.etag)
    const refused = await api.call('POST', `/v1/courses/${second.id}/publish`, admin, { payload: {} })
    expect(refused.json()).toMatchObject({ status: 403, code: 'SELF_PUBLICATION' })
    expect((await refusalsOf(second.id)).map((r) => [r.actor_id, r.details.step])).toEqual([[adminId, 'publish']])
    // An administrator who does not teach it may.
    const other = await t.tokenFor(tenant.id, ['tenant_admin'])
    expect((await api.call('POST', `/v1/courses/${second.id}/publish`, other, { payload: {} })).statusCode).toBe(200)
  })
})
