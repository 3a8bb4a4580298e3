import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope } from '../../platform/db/database.ts'
import { forgedCursor } from '../../platform/http/pagination.testing.ts'
import { publishCourse, setCourseFree } from '../catalogue/index.ts'
import { buildCourse, buildPublishedCourse, catalogueEntries, courses } from '../catalogue/testing.ts'
import { createMember, enrolmentClient } from './testing.ts'

let t: TestApp
let client: ReturnType<typeof enrolmentClient>
beforeAll(async () => {
  t = await buildTestApp()
  client = enrolmentClient(t)
})
afterAll(async () => t?.close())

async function setup(input: Parameters<typeof buildPublishedCourse>[3] = {}) {
  const tenant = await t.createTenant()
  const owner = await createMember(t, tenant.id, ['instructor'])
  const course = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, input)
  const admin = await createMember(t, tenant.id, ['tenant_admin'])
  return { tenant, owner, admin, course, courseId: course.courseId }
}

/** What the catalogue's archive step does to the rows enrolment reads: status archived, out of the catalogue. */
const archiveCourse = (tenantId: string, courseId: string) =>
  t.platform.database.transaction(tenantScope(tenantId), async (tx) => {
    await tx.update(courses).set({ status: 'archived' }).where(eq(courses.id, courseId))
    await tx.delete(catalogueEntries).where(eq(catalogueEntries.courseId, courseId))
  })

const DAY = 86_400_000

/** What an author's date change does: the draft's cohort dates edited, and the course published again. */
const republishCohort = (
  tenantId: string,
  courseId: string,
  ownerId: string,
  dates: { cohortStartsAt: Date; cohortEndsAt: Date },
) =>
  t.platform.database.transaction(tenantScope(tenantId), async (tx) => {
    await tx.update(courses).set(dates).where(eq(courses.id, courseId))
    await publishCourse(tx, courseId, ownerId)
  })

const auditActions = (tenantId: string, targetId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ action: string }>(
      tx,
      sql`SELECT action FROM platform.audit_log WHERE tenant_id = ${tenantId} AND target_id = ${targetId} ORDER BY occurred_at`,
    ),
  )

describe('self-enrolment', () => {
  it('enrols a member in a free course (201), returns the same enrolment when repeated (200) and lists it under /v1/me/enrolments', async () => {
    const { tenant, courseId } = await setup({ accessDays: 30 })
    const learner = await createMember(t, tenant.id)
    const first = await client.selfEnrol(courseId, learner.token)
    expect(first.statusCode).toBe(201)
    const enrolment = first.json()
    expect(enrolment).toMatchObject({
      userId: learner.userId,
      courseId,
      status: 'active',
      source: 'self',
      enrolledBy: `user:${learner.userId}`,
      endedAt: null,
    })
    const days = (Date.parse(enrolment.expiresAt) - Date.parse(enrolment.enrolledAt)) / 86_400_000
    expect(days).toBe(30)

    const again = await client.selfEnrol(courseId, learner.token)
    expect(again.statusCode).toBe(200)
    expect(again.json().id).toBe(enrolment.id)

    const mine = await client.call('GET', '/v1/me/enrolments', learner.token)
    expect(mine.statusCode).toBe(200)
    expect(mine.json()).toEqual({ data: [enrolment], nextCursor: null })
  })

  it('replays the first response for the same Idempotency-Key', async () => {
    const { tenant, courseId } = await setup()
    const learner = await createMember(t, tenant.id)
    const key = { 'idempotency-key': randomUUID() }
    const first = await client.selfEnrol(courseId, learner.token, key)
    const replay = await client.selfEnrol(courseId, learner.token, key)
    expect(first.statusCode).toBe(201)
    expect(replay.statusCode).toBe(201)
    expect(replay.headers['idempotent-replayed']).toBe('true')
    expect(replay.json()).toEqual(first.json())
  })

  it("refuses a paid course, an archived one, an unpublished one and another tenant's", async () => {
    const { tenant, admin, courseId, owner } = await setup()
    const learner = await createMember(t, tenant.id)
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) => setCourseFree(tx, courseId, false))
    const paid = await client.selfEnrol(courseId, learner.token)
    expect(paid.statusCode).toBe(409)
    expect(paid.json().code).toBe('COURSE_NOT_FREE')

    await archiveCourse(tenant.id, courseId)
    const archived = await client.selfEnrol(courseId, learner.token)
    expect(archived.statusCode).toBe(409)
    expect(archived.json().code).toBe('COURSE_ARCHIVED')
    const staff = await client.enrol(courseId, admin.token, { userId: learner.userId })
    expect(staff.json().code).toBe('COURSE_ARCHIVED')

    const { buildCourse } = await import('../catalogue/testing.ts')
    const draft = await buildCourse(t.platform.database, tenant.id, owner.userId)
    const unpublished = await client.selfEnrol(draft.courseId, learner.token)
    expect(unpublished.statusCode).toBe(404)
    expect(unpublished.json().code).toBe('COURSE_NOT_FOUND')

    const other = await setup()
    const foreign = await client.selfEnrol(other.courseId, learner.token)
    expect(foreign.statusCode).toBe(404)
  })

  it('is for signed-in people, not anonymous callers', async () => {
    const { courseId } = await setup()
    const anonymous = await t.app.inject({ method: 'POST', url: `/v1/courses/${courseId}/enrolments/self` })
    expect(anonymous.statusCode).toBe(401)
  })
})

describe('enrolment by staff', () => {
  it('lets an administrator enrol a member with an end of access, audited, and move that end later', async () => {
    const { tenant, admin, courseId } = await setup()
    const learner = await createMember(t, tenant.id)
    const expiresAt = new Date(Date.now() + 10 * 86_400_000).toISOString()
    const created = await client.enrol(courseId, admin.token, { userId: learner.userId, expiresAt })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({
      userId: learner.userId,
      source: 'admin',
      expiresAt,
      enrolledBy: `user:${admin.userId}`,
    })
    const id = created.json().id as string
    expect(await auditActions(tenant.id, id)).toEqual([{ action: 'enrolment.created' }])

    const later = new Date(Date.now() + 20 * 86_400_000).toISOString()
    const moved = await client.enrol(courseId, admin.token, { userId: learner.userId, expiresAt: later })
    expect(moved.statusCode).toBe(200)
    expect(moved.json()).toMatchObject({ id, expiresAt: later })
    expect(await auditActions(tenant.id, id)).toEqual([
      { action: 'enrolment.created' },
      { action: 'enrolment.expiry_changed' },
    ])

    const past = await client.enrol(courseId, admin.token, {
      userId: learner.userId,
      expiresAt: '2020-01-01T00:00:00Z',
    })
    expect(past.statusCode).toBe(400)
    expect(past.json().code).toBe('INVALID_EXPIRY')
  })

  it('lets an API key holding only enrolments:manage enrol and list (the route declares it), and refuses a key holding only courses:author', async () => {
    const { tenant, admin, courseId } = await setup()
    const learner = await createMember(t, tenant.id)
    const keyWith = async (scope: string) => {
      const created = await client.call('POST', '/v1/api-keys', admin.token, { name: `sis ${scope}`, scopes: [scope] })
      expect(created.statusCode, created.body).toBe(201)
      return (created.json() as { secret: string }).secret
    }
    const sis = await keyWith('enrolments:manage')
    const enrolled = await client.enrol(courseId, sis, { userId: learner.userId })
    expect(enrolled.statusCode, enrolled.body).toBe(201)
    expect(enrolled.json()).toMatchObject({ userId: learner.userId, source: 'admin' })
    const list = await client.call('GET', `/v1/courses/${courseId}/enrolments`, sis)
    expect(list.statusCode).toBe(200)
    expect(list.json().data).toHaveLength(1)
    // A key teaches no course: courses:author admits it to the route, the course's staff rule refuses it.
    const author = await keyWith('courses:author')
    const refused = await client.call('GET', `/v1/courses/${courseId}/enrolments`, author)
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'ENROLMENT_FORBIDDEN'])
    const unknown = await client.call('GET', `/v1/courses/${randomUUID()}/enrolments`, author)
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'COURSE_NOT_FOUND'])
  })

  it("lets the course's instructor enrol (source instructor), but not another instructor or a learner", async () => {
    const { tenant, owner, courseId } = await setup()
    const learner = await createMember(t, tenant.id)
    const byOwner = await client.enrol(courseId, owner.token, { userId: learner.userId })
    expect(byOwner.statusCode).toBe(201)
    expect(byOwner.json().source).toBe('instructor')

    const stranger = await createMember(t, tenant.id, ['instructor'])
    const other = await createMember(t, tenant.id)
    const byStranger = await client.enrol(courseId, stranger.token, { userId: other.userId })
    expect(byStranger.statusCode).toBe(403)
    expect(byStranger.json().code).toBe('ENROLMENT_FORBIDDEN')
    const byLearner = await client.enrol(courseId, learner.token, { userId: other.userId })
    expect(byLearner.statusCode).toBe(403)
    expect(byLearner.json().code).toBe('PERMISSION_DENIED')

    const list = await client.call('GET', `/v1/courses/${courseId}/enrolments`, owner.token)
    expect(list.statusCode).toBe(200)
    expect(list.json().data.map((e: { userId: string }) => e.userId)).toEqual([learner.userId])
    expect((await client.call('GET', `/v1/courses/${courseId}/enrolments`, learner.token)).statusCode).toBe(403)
    expect((await client.call('GET', `/v1/courses/${courseId}/enrolments`, stranger.token)).statusCode).toBe(403)
  })

  it('refuses a user who is not an active user of the tenant', async () => {
    const { admin, courseId } = await setup()
    const other = await setup()
    const foreigner = await createMember(t, other.tenant.id)
    for (const userId of [randomUUID(), foreigner.userId]) {
      const response = await client.enrol(courseId, admin.token, { userId })
      expect(response.statusCode).toBe(404)
      expect(response.json().code).toBe('USER_NOT_FOUND')
    }
  })

  it("pages a course's enrolments newest first and filters by status", async () => {
    const { tenant, admin, courseId } = await setup()
    const learners = [
      await createMember(t, tenant.id),
      await createMember(t, tenant.id),
      await createMember(t, tenant.id),
    ]
    for (const learner of learners) expect((await client.selfEnrol(courseId, learner.token)).statusCode).toBe(201)
    const first = await client.call('GET', `/v1/courses/${courseId}/enrolments?limit=2`, admin.token)
    expect(first.json().data.map((e: { userId: string }) => e.userId)).toEqual([
      learners[2]!.userId,
      learners[1]!.userId,
    ])
    const second = await client.call(
      'GET',
      `/v1/courses/${courseId}/enrolments?limit=2&cursor=${first.json().nextCursor}`,
      admin.token,
    )
    expect(second.json()).toMatchObject({ data: [{ userId: learners[0]!.userId }], nextCursor: null })
    const cancelled = await client.call('GET', `/v1/courses/${courseId}/enrolments?status=cancelled`, admin.token)
    expect(cancelled.json().data).toEqual([])
  })

  it("answers 404 COURSE_NOT_FOUND for the enrolments of an unknown course, another tenant's or one never published", async () => {
    const { tenant, admin, owner } = await setup()
    const theirs = await setup()
    const draft = await buildCourse(t.platform.database, tenant.id, owner.userId)
    for (const courseId of [randomUUID(), theirs.courseId, draft.courseId]) {
      const response = await client.call('GET', `/v1/courses/${courseId}/enrolments`, admin.token)
      expect(response.statusCode, courseId).toBe(404)
      expect(response.json().code).toBe('COURSE_NOT_FOUND')
    }
    // Another tenant's course stays invisible even when it has enrolments.
    const learner = await createMember(t, theirs.tenant.id)
    expect((await client.selfEnrol(theirs.courseId, learner.token)).statusCode).toBe(201)
    expect((await client.call('GET', `/v1/courses/${theirs.courseId}/enrolments`, admin.token)).statusCode).toBe(404)
  })
})

describe('cancellation', () => {
  it('ends access, is audited, frees the seat, and keeps the learner from enrolling themselves again', async () => {
    const { tenant, admin, courseId } = await setup({
      delivery: 'cohort',
      capacity: 1,
      cohortStartsAt: new Date(Date.now() + 86_400_000),
      cohortEndsAt: new Date(Date.now() + 30 * 86_400_000),
    })
    const learner = await createMember(t, tenant.id)
    const next = await createMember(t, tenant.id)
    const enrolment = (await client.selfEnrol(courseId, learner.token)).json()
    expect((await client.selfEnrol(courseId, next.token)).json().code).toBe('COURSE_FULL')

    expect((await client.call('DELETE', `/v1/enrolments/${enrolment.id}`, learner.token)).statusCode).toBe(403)
    const cancelled = await client.call('DELETE', `/v1/enrolments/${enrolment.id}`, admin.token)
    expect(cancelled.statusCode).toBe(204)
    expect(cancelled.body).toBe('')
    const listed = (await client.call('GET', `/v1/courses/${courseId}/enrolments`, admin.token)).json() as {
      data: Array<{ id: string }>
    }
    expect(listed.data.find((row) => row.id === enrolment.id)).toMatchObject({
      status: 'cancelled',
      endedAt: expect.any(String),
    })
    // Cancelling again changes nothing (and audits nothing).
    expect((await client.call('DELETE', `/v1/enrolments/${enrolment.id}`, admin.token)).statusCode).toBe(204)
    expect(await auditActions(tenant.id, enrolment.id)).toEqual([{ action: 'enrolment.cancelled' }])

    const again = await client.selfEnrol(courseId, learner.token)
    expect(again.statusCode).toBe(409)
    expect(again.json().code).toBe('ENROLMENT_CANCELLED')
    // The seat came back.
    expect((await client.selfEnrol(courseId, next.token)).statusCode).toBe(201)
    // Staff may enrol the cancelled learner again, which needs a seat again.
    const restored = await client.enrol(courseId, admin.token, { userId: learner.userId })
    expect(restored.statusCode).toBe(409)
    expect(restored.json().code).toBe('COURSE_FULL')

    expect((await client.call('DELETE', `/v1/enrolments/${randomUUID()}`, admin.token)).statusCode).toBe(404)
  })
})

describe('cohort dates', () => {
  it('refuses new enrolments once the cohort has ended (409 COHORT_ENDED), self and staff alike, while enrolled learners keep theirs', async () => {
    const { tenant, owner, admin, course, courseId } = await setup({
      delivery: 'cohort',
      capacity: 10,
      cohortStartsAt: new Date(Date.now() + DAY),
      cohortEndsAt: new Date(Date.now() + 30 * DAY),
    })
    const [enrolled, late] = [await createMember(t, tenant.id), await createMember(t, tenant.id)]
    const enrolment = (await client.selfEnrol(courseId, enrolled.token)).json()
    const cohortEndsAt = new Date(Date.now() - 60_000)
    await republishCohort(tenant.id, courseId, owner.userId, {
      cohortStartsAt: new Date(Date.now() - 30 * DAY),
      cohortEndsAt,
    })

    const self = await client.selfEnrol(courseId, late.token)
    expect(self.statusCode).toBe(409)
    expect(self.headers['content-type']).toContain('application/problem+json')
    expect(self.json()).toMatchObject({ code: 'COHORT_ENDED', cohortEndsAt: cohortEndsAt.toISOString() })
    const byStaff = await client.enrol(courseId, admin.token, { userId: late.userId })
    expect(byStaff.statusCode).toBe(409)
    expect(byStaff.json().code).toBe('COHORT_ENDED')
    const byInstructor = await client.enrol(courseId, owner.token, {
      userId: late.userId,
      expiresAt: new Date(Date.now() + DAY).toISOString(),
    })
    expect(byInstructor.json().code).toBe('COHORT_ENDED')
    // A paid cohort that ended says so, rather than sending the learner to buy it.
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) => setCourseFree(tx, courseId, false))
    expect((await client.selfEnrol(courseId, late.token)).json().code).toBe('COHORT_ENDED')
    expect(
      (await client.call('GET', `/v1/courses/${courseId}/enrolments`, admin.token))
        .json()
        .data.map((e: { userId: string }) => e.userId),
    ).toEqual([enrolled.userId])

    // The enrolled learner keeps their enrolment and their access: the end closes enrolment, not the course.
    const again = await client.selfEnrol(courseId, enrolled.token)
    expect(again.statusCode).toBe(200)
    expect(again.json().id).toBe(enrolment.id)
    const extended = await client.enrol(courseId, admin.token, {
      userId: enrolled.userId,
      expiresAt: new Date(Date.now() + 90 * DAY).toISOString(),
    })
    expect(extended.statusCode).toBe(200)
    expect((await client.readLesson(courseId, course.lessonIds[0]![0]!, enrolled.token)).statusCode).toBe(200)
  })

  it('refuses to make an expired or cancelled enrolment active again after the cohort ended', async () => {
    const { tenant, owner, admin, courseId } = await setup({
      delivery: 'cohort',
      capacity: 10,
      cohortStartsAt: new Date(Date.now() + DAY),
      cohortEndsAt: new Date(Date.now() + 30 * DAY),
    })
    const [expired, cancelled] = [await createMember(t, tenant.id), await createMember(t, tenant.id)]
    const first = (await client.enrol(courseId, admin.token, { userId: expired.userId })).json()
    const second = (await client.enrol(courseId, admin.token, { userId: cancelled.userId })).json()
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      tx.execute(sql`UPDATE enrolment.enrolments SET status = 'expired', ended_at = now() WHERE id = ${first.id}`),
    )
    expect((await client.call('DELETE', `/v1/enrolments/${second.id}`, admin.token)).statusCode).toBe(204)
    await republishCohort(tenant.id, courseId, owner.userId, {
      cohortStartsAt: new Date(Date.now() - 30 * DAY),
      cohortEndsAt: new Date(Date.now() - 60_000),
    })
    for (const member of [expired, cancelled]) {
      const response = await client.enrol(courseId, admin.token, { userId: member.userId })
      expect(response.statusCode).toBe(409)
      expect(response.json().code).toBe('COHORT_ENDED')
    }
  })

  it("starts the access period at the cohort's start for an early enrolment, and at enrolment once it runs", async () => {
    const cohortStartsAt = new Date(Date.now() + 10 * DAY)
    const { tenant, owner, courseId } = await setup({
      delivery: 'cohort',
      capacity: 10,
      accessDays: 30,
      cohortStartsAt,
      cohortEndsAt: new Date(Date.now() + 20 * DAY),
    })
    const early = await createMember(t, tenant.id)
    const enrolment = (await client.selfEnrol(courseId, early.token)).json()
    // Access outlasts the cohort's end: accessDays decides, counted from the start.
    expect(enrolment.expiresAt).toBe(new Date(cohortStartsAt.getTime() + 30 * DAY).toISOString())

    await republishCohort(tenant.id, courseId, owner.userId, {
      cohortStartsAt: new Date(Date.now() - DAY),
      cohortEndsAt: new Date(Date.now() + 20 * DAY),
    })
    const late = await createMember(t, tenant.id)
    const joined = (await client.selfEnrol(courseId, late.token)).json()
    expect(Date.parse(joined.expiresAt) - Date.parse(joined.enrolledAt)).toBe(30 * DAY)
  })
})

describe('forged page cursors', () => {
  const forged = [
    ['an instant that is not one', forgedCursor(['not-a-date', randomUUID()])],
    ['an id that is not a UUID', forgedCursor([new Date().toISOString(), 'not-a-uuid'])],
    ['30 February', forgedCursor(['2024-02-30T00:00:00.000Z', randomUUID()])],
    ['year zero', forgedCursor(['0000-01-01T00:00:00.000Z', randomUUID()])],
    ['a number for the instant', forgedCursor([1_700_000_000_000, randomUUID()])],
    ['the wrong number of parts', forgedCursor([randomUUID()])],
  ] as const

  it.each(forged)(
    'answers 400 INVALID_CURSOR for %s on /v1/me/enrolments and /v1/courses/{id}/enrolments',
    async (_what, cursor) => {
      const { tenant, admin, courseId } = await setup()
      const learner = await createMember(t, tenant.id)
      expect((await client.selfEnrol(courseId, learner.token)).statusCode).toBe(201)
      for (const [url, token] of [
        [`/v1/me/enrolments?cursor=${cursor}`, learner.token],
        [`/v1/courses/${courseId}/enrolments?cursor=${cursor}`, admin.token],
      ] as const) {
        const response = await client.call('GET', url, token)
        expect(response.statusCode).toBe(400)
        expect(response.headers['content-type']).toContain('application/problem+json')
        expect(response.json()).toMatchObject({ code: 'INVALID_CURSOR', errors: [{ path: 'querystring.cursor' }] })
      }
    },
  )

  it('pages /v1/me/enrolments newest first with the cursors it issues', async () => {
    const { tenant, owner, courseId } = await setup()
    const second = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId)
    const member = await createMember(t, tenant.id)
    const older = (await client.selfEnrol(courseId, member.token)).json()
    const newer = (await client.selfEnrol(second.courseId, member.token)).json()
    // Two requests may fall in one millisecond: set the first a minute back so the order is certain.
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      tx.execute(
        sql`UPDATE enrolment.enrolments SET enrolled_at = enrolled_at - interval '1 minute' WHERE id = ${older.id}`,
      ),
    )
    const first = (await client.call('GET', '/v1/me/enrolments?limit=1', member.token)).json()
    expect(first.data.map((e: { id: string }) => e.id)).toEqual([newer.id])
    const rest = await client.call('GET', `/v1/me/enrolments?limit=1&cursor=${first.nextCursor}`, member.token)
    expect(rest.statusCode).toBe(200)
    expect(rest.json()).toMatchObject({ data: [{ id: older.id }], nextCursor: null })
  })
})
