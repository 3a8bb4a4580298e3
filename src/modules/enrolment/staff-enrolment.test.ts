/**
 * Issue 9, defect 4 (enrolment side): the staff of a course (owner, co-instructors) are not
 * enrolled in it by themselves or by each other, through any path, unless the tenant's learning
 * policy allows it; a tenant administrator other than the learner may enrol them. Refusals are
 * audited.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../platform/db/database.ts'
import { buildPublishedCourse } from '../catalogue/testing.ts'
import { createMember, enrolmentClient, type TestMember } from './testing.ts'

let t: TestApp
let client: ReturnType<typeof enrolmentClient>
beforeAll(async () => {
  t = await buildTestApp()
  client = enrolmentClient(t)
})
afterAll(async () => t?.close())

interface Room {
  tenant: { id: string; slug: string }
  owner: TestMember
  co: TestMember
  admin: TestMember
  learner: TestMember
  courseId: string
}

async function setup(): Promise<Room> {
  const tenant = await t.createTenant()
  const owner = await createMember(t, tenant.id, ['instructor'])
  const co = await createMember(t, tenant.id, ['instructor'])
  const admin = await createMember(t, tenant.id, ['tenant_admin'])
  const learner = await createMember(t, tenant.id, ['learner'])
  const { courseId } = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, {
    coInstructorIds: [co.userId],
  })
  return { tenant, owner, co, admin, learner, courseId }
}

const enrolledUserIds = async (courseId: string) =>
  (
    await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ user_id: string }>(tx, sql`SELECT user_id FROM enrolment.enrolments WHERE course_id = ${courseId}`),
    )
  ).map((r) => r.user_id)

const refusalsOf = (courseId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ actor_id: string; outcome: string; details: Record<string, unknown> }>(
      tx,
      sql`SELECT actor_id, outcome, details FROM platform.audit_log WHERE target_id = ${courseId} AND action = 'enrolment.staff_enrolment_refused' ORDER BY occurred_at, id`,
    ),
  )

const allowStaffSelfEnrolment = async (room: Room, allow: boolean) => {
  const headers = t.auth(room.admin.token)
  const current = await t.app.inject({ method: 'GET', url: '/v1/learning-policy', headers })
  const changed = await t.app.inject({
    method: 'PUT',
    url: '/v1/learning-policy',
    headers: { ...headers, 'if-match': current.headers.etag as string },
    payload: { allowStaffSelfEnrolment: allow, allowSelfPublication: true },
  })
  expect(changed.statusCode, changed.body).toBe(200)
}

const upload = (courseId: string, token: string, csv: string) =>
  t.app.inject({
    method: 'POST',
    url: `/v1/courses/${courseId}/enrolment-imports`,
    headers: { ...t.auth(token), 'content-type': 'text/csv' },
    payload: csv,
  })

function expectRefused(response: { statusCode: number; body: string; json(): unknown }, reason: string) {
  expect(response.statusCode, response.body).toBe(403)
  expect(response.json()).toMatchObject({ code: 'COURSE_STAFF_ENROLMENT_FORBIDDEN', reason })
}

describe('course staff enrolling in their own course', () => {
  it('refuses an instructor enrolling himself with his own userId (the reported path), and audits it', async () => {
    const room = await setup()
    const refused = await client.enrol(room.courseId, room.owner.token, { userId: room.owner.userId })
    expectRefused(refused, 'self')
    expect(await enrolledUserIds(room.courseId)).toEqual([])
    expect(await refusalsOf(room.courseId)).toEqual([
      {
        actor_id: room.owner.userId,
        outcome: 'denied',
        details: { userId: room.owner.userId, reason: 'self', path: 'staff' },
      },
    ])
  })

  it('refuses self-enrolment to the owner and the co-instructors, but not to anyone else', async () => {
    const room = await setup()
    expectRefused(await client.selfEnrol(room.courseId, room.owner.token), 'self')
    expectRefused(await client.selfEnrol(room.courseId, room.co.token), 'self')
    expect((await client.selfEnrol(room.courseId, room.learner.token)).statusCode).toBe(201)
    // An instructor of another course is a learner here.
    const other = await createMember(t, room.tenant.id, ['instructor'])
    expect((await client.selfEnrol(room.courseId, other.token)).statusCode).toBe(201)
    expect((await refusalsOf(room.courseId)).map((r) => [r.actor_id, r.details.path])).toEqual([
      [room.owner.userId, 'self'],
      [room.co.userId, 'self'],
    ])
  })

  it('refuses staff enrolling each other (so they cannot grade each other’s work), while an administrator may', async () => {
    const room = await setup()
    expectRefused(await client.enrol(room.courseId, room.owner.token, { userId: room.co.userId }), 'colleague')
    expectRefused(await client.enrol(room.courseId, room.co.token, { userId: room.owner.userId }), 'colleague')
    const byAdmin = await client.enrol(room.courseId, room.admin.token, { userId: room.co.userId })
    expect(byAdmin.statusCode, byAdmin.body).toBe(201)
    // Once enrolled by the administrator, the co-instructor cannot move their own end of access.
    expectRefused(
      await client.enrol(room.courseId, room.co.token, {
        userId: room.co.userId,
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      }),
      'self',
    )
    // Instructors still enrol learners.
    expect((await client.enrol(room.courseId, room.owner.token, { userId: room.learner.userId })).statusCode).toBe(201)
    expect((await enrolledUserIds(room.courseId)).sort()).toEqual([room.co.userId, room.learner.userId].sort())
  })

  it('refuses an administrator who teaches the course enrolling himself', async () => {
    const tenant = await t.createTenant()
    const admin = await createMember(t, tenant.id, ['tenant_admin'])
    const { courseId } = await buildPublishedCourse(t.platform.database, tenant.id, admin.userId)
    expectRefused(await client.enrol(courseId, admin.token, { userId: admin.userId }), 'self')
    expectRefused(await client.selfEnrol(courseId, admin.token), 'self')
  })

  it('reports staff rows of a CSV import as row errors and enrols only the others', async () => {
    const room = await setup()
    const csv = `email\n${room.owner.email}\n${room.co.email}\n${room.learner.email}\n`
    const dryRun = await upload(room.courseId, room.owner.token, csv)
    expect(dryRun.statusCode, dryRun.body).toBe(201)
    expect(dryRun.json()).toMatchObject({
      rows: 3,
      valid: 1,
      errors: [
        { row: 2, field: 'email', message: expect.stringContaining('you teach this course') },
        { row: 3, field: 'email', message: expect.stringContaining('teaches this course') },
      ],
    })
    const applied = await client.call('POST', `/v1/enrolment-imports/${dryRun.json().importId}/apply`, room.owner.token)
    expect(applied.json()).toMatchObject({ appliedCount: 1 })
    expect(await enrolledUserIds(room.courseId)).toEqual([room.learner.userId])
    // An administrator's import of the same staff is theirs to make (not their own rows).
    const byAdmin = await upload(room.courseId, room.admin.token, `email\n${room.owner.email}\n${room.co.email}\n`)
    expect(byAdmin.json()).toMatchObject({ valid: 2, errors: [] })
  })

  it('re-checks at apply: rows whose learner became staff since the dry run are left out', async () => {
    const room = await setup()
    const later = await createMember(t, room.tenant.id, ['instructor'])
    const dryRun = await upload(room.courseId, room.owner.token, `email\n${later.email}\n${room.learner.email}\n`)
    expect(dryRun.json()).toMatchObject({ valid: 2, errors: [] })
    const added = await t.app.inject({
      method: 'PUT',
      url: `/v1/courses/${room.courseId}/instructors/${later.userId}`,
      headers: t.auth(room.owner.token),
    })
    expect(added.statusCode, added.body).toBe(200)
    const applied = await client.call('POST', `/v1/enrolment-imports/${dryRun.json().importId}/apply`, room.owner.token)
    expect(applied.json()).toMatchObject({ appliedCount: 1 })
    expect(await enrolledUserIds(room.courseId)).toEqual([room.learner.userId])
  })

  it('allows every path when the tenant’s learning policy allows staff self-enrolment', async () => {
    const room = await setup()
    await allowStaffSelfEnrolment(room, true)
    expect((await client.selfEnrol(room.courseId, room.owner.token)).statusCode).toBe(201)
    expect((await client.enrol(room.courseId, room.owner.token, { userId: room.co.userId })).statusCode).toBe(201)
    await allowStaffSelfEnrolment(room, false)
    const third = await createMember(t, room.tenant.id, ['instructor'])
    await t.app.inject({
      method: 'PUT',
      url: `/v1/courses/${room.courseId}/instructors/${third.userId}`,
      headers: t.auth(room.owner.token),
    })
    expectRefused(await client.selfEnrol(room.courseId, third.token), 'self')
  })
})
