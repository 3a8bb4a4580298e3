/**
 * Issue 9: learning-path prerequisites are enforced at enrolment. A prerequisite declared by any
 * published path containing the course binds (while that prerequisite is in the catalogue);
 * administrators may override it explicitly, audited.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope } from '../../platform/db/database.ts'
import { buildPublishedCourse } from '../catalogue/testing.ts'
import { createMember, enrolmentClient, type TestMember } from './testing.ts'

let t: TestApp
let client: ReturnType<typeof enrolmentClient>
beforeAll(async () => {
  t = await buildTestApp()
  client = enrolmentClient(t)
})
afterAll(async () => t?.close())

interface School {
  tenant: { id: string; slug: string }
  owner: TestMember
  admin: TestMember
  course(slug: string): Promise<string>
  /** A published path of these courses, each with its prerequisites. */
  path(slug: string, courses: Array<{ courseId: string; prerequisites?: string[] }>, publish?: boolean): Promise<string>
  /** What enrolment.record_completion does when progress reports the course complete. */
  complete(userId: string, courseId: string): Promise<void>
}

async function school(): Promise<School> {
  const tenant = await t.createTenant()
  const owner = await createMember(t, tenant.id, ['instructor'])
  const admin = await createMember(t, tenant.id, ['tenant_admin'])
  const headers = t.auth(admin.token)
  return {
    tenant,
    owner,
    admin,
    async course(slug) {
      return (
        await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, { slug, title: `Course ${slug}` })
      ).courseId
    },
    async path(slug, courses, publish = true) {
      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/learning-paths',
        headers,
        payload: { slug, title: `Path ${slug}` },
      })
      const id = created.json().id as string
      const set = await t.app.inject({
        method: 'PUT',
        url: `/v1/learning-paths/${id}/courses`,
        headers: { ...headers, 'if-match': created.headers.etag as string },
        payload: { courses },
      })
      expect(set.statusCode, set.body).toBe(200)
      if (publish)
        expect(
          (await t.app.inject({ method: 'POST', url: `/v1/learning-paths/${id}/publish`, headers })).statusCode,
        ).toBe(200)
      return id
    },
    async complete(userId, courseId) {
      const enrolled = await client.enrol(courseId, admin.token, { userId })
      expect([200, 201], enrolled.body).toContain(enrolled.statusCode)
      await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
        rowsOf(
          tx,
          sql`UPDATE enrolment.enrolments SET completed_at = now() WHERE user_id = ${userId} AND course_id = ${courseId} RETURNING id`,
        ),
      )
    },
  }
}

function expectMissing(
  response: { statusCode: number; body: string; json(): { missingCourses?: unknown } },
  missing: Array<{ courseId: string; slug: string; paths: string[] }>,
) {
  expect(response.statusCode, response.body).toBe(409)
  expect(response.json()).toMatchObject({ code: 'PREREQUISITES_NOT_MET' })
  const listed = response.json().missingCourses as Array<{
    courseId: string
    slug: string
    title: string
    paths: Array<{ id: string; slug: string }>
  }>
  expect(listed.map((c) => ({ courseId: c.courseId, slug: c.slug, paths: c.paths.map((p) => p.slug).sort() }))).toEqual(
    missing,
  )
  for (const course of listed) expect(course.title).toBe(`Course ${course.slug}`)
}

const auditOf = (courseId: string, action: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ actor_id: string; details: Record<string, unknown> }>(
      tx,
      sql`SELECT actor_id, details FROM platform.audit_log WHERE action = ${action} AND details->>'courseId' = ${courseId} ORDER BY occurred_at, id`,
    ),
  )

describe('learning-path prerequisites at enrolment', () => {
  it('refuses a course whose prerequisites are not completed with 409 PREREQUISITES_NOT_MET listing them', async () => {
    const s = await school()
    const [intro, stats, capstone] = [await s.course('intro'), await s.course('stats'), await s.course('capstone')]
    await s.path('data', [
      { courseId: intro },
      { courseId: stats, prerequisites: [intro] },
      { courseId: capstone, prerequisites: [intro, stats] },
    ])
    const learner = await createMember(t, s.tenant.id)
    expectMissing(await client.selfEnrol(capstone, learner.token), [
      { courseId: intro, slug: 'intro', paths: ['data'] },
      { courseId: stats, slug: 'stats', paths: ['data'] },
    ])
    // The first course of the path has none.
    expect((await client.selfEnrol(intro, learner.token)).statusCode).toBe(201)
    await s.complete(learner.userId, intro)
    expectMissing(await client.selfEnrol(capstone, learner.token), [
      { courseId: stats, slug: 'stats', paths: ['data'] },
    ])
    await s.complete(learner.userId, stats)
    expect((await client.selfEnrol(capstone, learner.token)).statusCode).toBe(201)
  })

  it('needs the prerequisites of every published path that holds the course', async () => {
    const s = await school()
    const [a, b, target] = [await s.course('a'), await s.course('b'), await s.course('target')]
    await s.path('first', [{ courseId: a }, { courseId: target, prerequisites: [a] }])
    await s.path('second', [{ courseId: b }, { courseId: target, prerequisites: [b] }])
    await s.path('both', [{ courseId: a }, { courseId: target, prerequisites: [a] }])
    const learner = await createMember(t, s.tenant.id)
    expectMissing(await client.selfEnrol(target, learner.token), [
      { courseId: a, slug: 'a', paths: ['both', 'first'] },
      { courseId: b, slug: 'b', paths: ['second'] },
    ])
    await s.complete(learner.userId, b)
    expectMissing(await client.selfEnrol(target, learner.token), [{ courseId: a, slug: 'a', paths: ['both', 'first'] }])
  })

  it('ignores draft paths and prerequisites that left the catalogue', async () => {
    const s = await school()
    const [a, b, target] = [await s.course('a'), await s.course('b'), await s.course('target')]
    await s.path('draft', [{ courseId: a }, { courseId: target, prerequisites: [a] }], false)
    await s.path('live', [{ courseId: b }, { courseId: target, prerequisites: [b] }])
    const archived = await client.call('POST', `/v1/courses/${b}/archive`, s.owner.token, {})
    expect(archived.json(), archived.body).toMatchObject({ status: 'archived' })
    const learner = await createMember(t, s.tenant.id)
    expect((await client.selfEnrol(target, learner.token)).statusCode).toBe(201)
  })

  it('binds staff enrolments too; administrators override with overridePrerequisites, audited; nobody else does', async () => {
    const s = await school()
    const [intro, advanced] = [await s.course('intro'), await s.course('advanced')]
    await s.path('track', [{ courseId: intro }, { courseId: advanced, prerequisites: [intro] }])
    const learner = await createMember(t, s.tenant.id)
    const missing = [{ courseId: intro, slug: 'intro', paths: ['track'] }]
    expectMissing(await client.enrol(advanced, s.owner.token, { userId: learner.userId }), missing)
    expectMissing(await client.enrol(advanced, s.admin.token, { userId: learner.userId }), missing)
    const byInstructor = await client.call('POST', `/v1/courses/${advanced}/enrolments`, s.owner.token, {
      userId: learner.userId,
      overridePrerequisites: true,
    })
    expect(byInstructor.json()).toMatchObject({ status: 403, code: 'PREREQUISITE_OVERRIDE_FORBIDDEN' })
    // Not for oneself, even as an administrator.
    const forSelf = await client.call('POST', `/v1/courses/${advanced}/enrolments`, s.admin.token, {
      userId: s.admin.userId,
      overridePrerequisites: true,
    })
    expect(forSelf.json()).toMatchObject({ status: 403, code: 'PREREQUISITE_OVERRIDE_FORBIDDEN' })
    expect((await auditOf(advanced, 'enrolment.prerequisites_overridden')).length).toBe(0)

    const overridden = await client.call('POST', `/v1/courses/${advanced}/enrolments`, s.admin.token, {
      userId: learner.userId,
      overridePrerequisites: true,
    })
    expect(overridden.statusCode, overridden.body).toBe(201)
    expect(await auditOf(advanced, 'enrolment.prerequisites_overridden')).toEqual([
      {
        actor_id: s.admin.userId,
        details: { courseId: advanced, userId: learner.userId, missingCourseIds: [intro] },
      },
    ])
    // An unneeded override changes nothing and records no override.
    const other = await createMember(t, s.tenant.id)
    const unneeded = await client.call('POST', `/v1/courses/${intro}/enrolments`, s.admin.token, {
      userId: other.userId,
      overridePrerequisites: true,
    })
    expect(unneeded.statusCode).toBe(201)
    expect((await auditOf(intro, 'enrolment.prerequisites_overridden')).length).toBe(0)
    const invalid = await client.call('POST', `/v1/courses/${advanced}/enrolments`, s.admin.token, {
      userId: other.userId,
      overridePrerequisites: 'yes',
    })
    expect(invalid.statusCode).toBe(400)
  })

  it('reports learners of a CSV import who miss prerequisites as row errors, and re-checks at apply', async () => {
    const s = await school()
    const [intro, advanced] = [await s.course('intro'), await s.course('advanced')]
    const ready = await createMember(t, s.tenant.id)
    const notReady = await createMember(t, s.tenant.id)
    await s.complete(ready.userId, intro)
    const beforePath = await createMember(t, s.tenant.id)
    const upload = (csv: string) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/courses/${advanced}/enrolment-imports`,
        headers: { ...t.auth(s.admin.token), 'content-type': 'text/csv' },
        payload: csv,
      })
    // Uploaded before the path exists: valid then, re-checked when applied.
    const early = await upload(`email\n${beforePath.email}\n`)
    expect(early.json()).toMatchObject({ valid: 1, errors: [] })
    await s.path('track', [{ courseId: intro }, { courseId: advanced, prerequisites: [intro] }])
    const dryRun = await upload(`email\n${ready.email}\n${notReady.email}\n`)
    expect(dryRun.json()).toMatchObject({
      valid: 1,
      errors: [{ row: 3, field: 'email', message: expect.stringContaining('intro') }],
    })
    const applied = await client.call('POST', `/v1/enrolment-imports/${dryRun.json().importId}/apply`, s.admin.token)
    expect(applied.json()).toMatchObject({ appliedCount: 1 })
    const late = await client.call('POST', `/v1/enrolment-imports/${early.json().importId}/apply`, s.admin.token)
    expect(late.json()).toMatchObject({ appliedCount: 0 })
  })
})
