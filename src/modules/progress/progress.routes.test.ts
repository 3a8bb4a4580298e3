import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope, type QueryCounter } from '../../platform/db/database.ts'
import { publishCourse } from '../catalogue/index.ts'
import { buildPublishedCourse, type CourseInput } from '../catalogue/testing.ts'
import { createMember, enrolmentClient, type TestMember } from '../enrolment/testing.ts'
import { PROGRESS_COURSE_COMPLETED } from './progress.events.ts'
import { dispatchPendingEvents, progressClient } from './testing.ts'

/** Query counters of finished requests by URL, read from request.ctx by this file's own hook. */
const counters = new Map<string, QueryCounter>()
let t: TestApp
let client: ReturnType<typeof progressClient>
let enrolments: ReturnType<typeof enrolmentClient>
beforeAll(async () => {
  t = await buildTestApp({
    instrument: (app) =>
      app.addHook('onResponse', async (request) => {
        if (request.ctx) counters.set(request.url, { ...request.ctx.counter })
      }),
  })
  client = progressClient(t)
  enrolments = enrolmentClient(t)
})
afterAll(async () => t?.close())

const DAY = 86_400_000

async function setup(input: CourseInput = { modules: [{ lessons: [{}, {}, {}] }] }) {
  const tenant = await t.createTenant()
  const owner = await createMember(t, tenant.id, ['instructor'])
  const course = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, input)
  return { tenant, owner, course, courseId: course.courseId, lessons: course.lessonIds.flat() }
}

async function enrolled(tenantId: string, courseId: string): Promise<TestMember> {
  const learner = await createMember(t, tenantId)
  const response = await enrolments.selfEnrol(courseId, learner.token)
  expect(response.statusCode).toBe(201)
  await dispatchPendingEvents(t, tenantId)
  return learner
}

const completionEvents = (tenantId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ payload: Record<string, unknown> }>(
      tx,
      sql`SELECT payload FROM platform.domain_events WHERE tenant_id = ${tenantId} AND type = ${PROGRESS_COURSE_COMPLETED}`,
    ),
  )

describe('lesson start and completion', () => {
  it('starts a lesson once: a second start keeps the first time and changes nothing', async () => {
    const { tenant, courseId, lessons } = await setup()
    const learner = await enrolled(tenant.id, courseId)
    const first = await client.start(courseId, lessons[0]!, learner.token)
    expect(first.statusCode).toBe(200)
    expect(first.json()).toMatchObject({
      courseId,
      lessonId: lessons[0],
      status: 'in_progress',
      completedAt: null,
      timeSpentSeconds: 0,
      position: null,
      course: { completedLessons: 0, totalLessons: 3, percent: 0, completedAt: null },
    })
    const second = await client.start(courseId, lessons[0]!, learner.token)
    expect(second.json()).toEqual(first.json())
  })

  it('completes lessons idempotently, keeps the percentage, and completes the course once with one event', async () => {
    const { tenant, courseId, lessons, course } = await setup()
    const learner = await enrolled(tenant.id, courseId)
    const first = await client.complete(courseId, lessons[0]!, learner.token)
    expect(first.statusCode).toBe(200)
    expect(first.json()).toMatchObject({
      status: 'completed',
      course: { completedLessons: 1, totalLessons: 3, percent: 33, completedAt: null },
    })
    const again = await client.complete(courseId, lessons[0]!, learner.token)
    expect(again.json()).toEqual(first.json())

    expect((await client.complete(courseId, lessons[1]!, learner.token)).json().course).toMatchObject({
      completedLessons: 2,
      percent: 66,
    })
    expect(await completionEvents(tenant.id)).toEqual([])
    const last = await client.complete(courseId, lessons[2]!, learner.token)
    expect(last.json().course).toMatchObject({ completedLessons: 3, totalLessons: 3, percent: 100 })
    expect(last.json().course.completedAt).not.toBeNull()
    expect((await client.complete(courseId, lessons[2]!, learner.token)).json()).toEqual(last.json())

    const events = await completionEvents(tenant.id)
    expect(events).toHaveLength(1)
    expect(events[0]!.payload).toMatchObject({
      enrolmentId: first.json().enrolmentId,
      userId: learner.userId,
      courseId,
      versionId: course.published.versionId,
    })
  })

  it('refuses to complete quiz and assignment lessons by the completion call (409)', async () => {
    const { tenant, courseId, lessons } = await setup({
      modules: [{ lessons: [{ kind: 'quiz' }, { kind: 'assignment' }] }],
    })
    const learner = await enrolled(tenant.id, courseId)
    for (const lessonId of lessons) {
      const response = await client.complete(courseId, lessonId, learner.token)
      expect(response.statusCode).toBe(409)
      expect(response.json()).toMatchObject({ code: 'LESSON_COMPLETED_BY_ASSESSMENT' })
    }
    // They can still be started (the learner is taking them).
    expect((await client.start(courseId, lessons[0]!, learner.token)).statusCode).toBe(200)
  })
})

describe('time and position', () => {
  it('adds time spent, keeps the last position, and refuses oversized positions and deltas', async () => {
    const { tenant, courseId, lessons } = await setup()
    const learner = await enrolled(tenant.id, courseId)
    const first = await client.record(courseId, lessons[0]!, learner.token, {
      position: { seconds: 30 },
      timeSpentSeconds: 30,
    })
    expect(first.statusCode).toBe(200)
    expect(first.json()).toMatchObject({ status: 'in_progress', timeSpentSeconds: 30, position: { seconds: 30 } })
    const second = await client.record(courseId, lessons[0]!, learner.token, { timeSpentSeconds: 45 })
    expect(second.json()).toMatchObject({ timeSpentSeconds: 75, position: { seconds: 30 } })
    const third = await client.record(courseId, lessons[0]!, learner.token, { position: { seconds: 90 } })
    expect(third.json()).toMatchObject({ timeSpentSeconds: 75, position: { seconds: 90 } })

    const negative = await client.record(courseId, lessons[0]!, learner.token, { timeSpentSeconds: -10 })
    expect(negative.statusCode).toBe(400)
    const tooLong = await client.record(courseId, lessons[0]!, learner.token, { timeSpentSeconds: 3601 })
    expect(tooLong.statusCode).toBe(400)
    const tooLarge = await client.record(courseId, lessons[0]!, learner.token, { position: { note: 'x'.repeat(1100) } })
    expect(tooLarge.statusCode).toBe(413)
    expect(tooLarge.json()).toMatchObject({ code: 'POSITION_TOO_LARGE' })
    expect((await client.record(courseId, lessons[0]!, learner.token, {})).json()).toMatchObject({
      timeSpentSeconds: 75,
      position: { seconds: 90 },
    })
  })
})

describe('locked lessons', () => {
  it('refuses writes to a drip-locked lesson with when it opens, and to one whose prerequisite is missing', async () => {
    const { tenant, courseId, lessons } = await setup({ modules: [{ lessons: [{}, { releaseOffsetDays: 3 }] }] })
    const learner = await enrolled(tenant.id, courseId)
    for (const write of [client.start, client.complete]) {
      const response = await write(courseId, lessons[1]!, learner.token)
      expect(response.statusCode).toBe(403)
      expect(response.json()).toMatchObject({ code: 'LESSON_LOCKED', reason: 'drip_locked' })
      expect(Date.parse(response.json().until) - Date.now()).toBeGreaterThan(2.9 * DAY)
    }
    const blocked = await setup({ modules: [{ lessons: [{}, {}] }] })
    const [firstId, secondId] = blocked.lessons as [string, string]
    await t.platform.database.transaction(platformScope, (tx) =>
      tx.execute(
        sql`UPDATE catalogue.lessons SET prerequisites = ${JSON.stringify([firstId])}::jsonb WHERE id = ${secondId}`,
      ),
    )
    const republished = await t.platform.database.transaction(tenantScope(blocked.tenant.id), (tx) =>
      publishCourse(tx, blocked.courseId, blocked.owner.userId),
    )
    expect(republished?.modules[0]?.lessons[1]?.prerequisites).toEqual([firstId])
    const other = await enrolled(blocked.tenant.id, blocked.courseId)
    const refused = await client.record(blocked.courseId, secondId, other.token, { timeSpentSeconds: 5 })
    expect(refused.statusCode).toBe(403)
    expect(refused.json()).toMatchObject({
      code: 'LESSON_LOCKED',
      reason: 'prerequisite_missing',
      missingLessonIds: [firstId],
    })
    await client.complete(blocked.courseId, firstId, other.token)
    expect((await client.record(blocked.courseId, secondId, other.token, { timeSpentSeconds: 5 })).statusCode).toBe(200)
  })

  it('refuses writes without an enrolment (403 not_enrolled) and for unknown lessons (404)', async () => {
    const { tenant, courseId, lessons } = await setup()
    const stranger = await createMember(t, tenant.id)
    const response = await client.start(courseId, lessons[0]!, stranger.token)
    expect(response.statusCode).toBe(403)
    expect(response.json()).toMatchObject({ code: 'LESSON_LOCKED', reason: 'not_enrolled' })
    const learner = await enrolled(tenant.id, courseId)
    expect((await client.start(courseId, randomUUID(), learner.token)).statusCode).toBe(404)
    expect((await client.start(randomUUID(), lessons[0]!, learner.token)).statusCode).toBe(404)
  })
})

describe('course progress of a learner', () => {
  it('lists each lesson as completed, in progress, available or locked (with until)', async () => {
    const { tenant, courseId, lessons } = await setup({
      modules: [{ lessons: [{}, {}, {}, { releaseOffsetDays: 2 }] }],
    })
    const learner = await enrolled(tenant.id, courseId)
    await client.complete(courseId, lessons[0]!, learner.token)
    await client.record(courseId, lessons[1]!, learner.token, { position: { seconds: 12 }, timeSpentSeconds: 12 })
    const response = await client.courseProgress(courseId, learner.token)
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body).toMatchObject({
      courseId,
      enrolmentStatus: 'active',
      completedLessons: 1,
      totalLessons: 4,
      percent: 25,
      lastLessonId: lessons[1],
    })
    expect(body.lessons.map((l: { status: string }) => l.status)).toEqual([
      'completed',
      'in_progress',
      'available',
      'locked',
    ])
    expect(body.lessons[1]).toMatchObject({ position: { seconds: 12 }, timeSpentSeconds: 12 })
    expect(body.lessons[3]).toMatchObject({ reason: 'drip_locked' })
    expect(Date.parse(body.lessons[3].until)).toBeGreaterThan(Date.now() + DAY)
  })

  it("is only the learner's own: another learner of the tenant gets 404, another tenant's learner too", async () => {
    const { tenant, courseId, lessons } = await setup()
    const learner = await enrolled(tenant.id, courseId)
    await client.complete(courseId, lessons[0]!, learner.token)
    const neighbour = await createMember(t, tenant.id)
    const own = await client.courseProgress(courseId, neighbour.token)
    expect(own.statusCode).toBe(404)
    expect(own.json()).toMatchObject({ code: 'ENROLMENT_NOT_FOUND' })
    const foreign = await t.createTenant()
    const outsider = await t.tokenFor(foreign.id, ['learner'])
    expect((await client.courseProgress(courseId, outsider)).statusCode).toBe(404)
    // Nor does the neighbour's dashboard show anything of the learner's.
    expect((await client.call('GET', '/v1/me/courses', neighbour.token)).json()).toEqual({ data: [], nextCursor: null })
    expect((await client.call('GET', `/v1/courses/${courseId}/progress`, neighbour.token)).statusCode).toBe(403)
  })
})

describe('dashboards', () => {
  it('lists my courses with progress and titles in two queries, however many courses', async () => {
    const { tenant, owner } = await setup()
    const learner = await createMember(t, tenant.id)
    const courseIds: string[] = []
    for (const title of ['Algebra', 'Botany', 'Chemistry']) {
      const course = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, {
        title,
        modules: [{ lessons: [{}, {}] }],
      })
      expect((await enrolments.selfEnrol(course.courseId, learner.token)).statusCode).toBe(201)
      courseIds.push(course.courseId)
    }
    await dispatchPendingEvents(t, tenant.id)
    const botany = (await client.courseProgress(courseIds[1]!, learner.token)).json()
    await client.complete(courseIds[1]!, botany.lessons[0].lessonId, learner.token)

    const response = await client.call('GET', '/v1/me/courses', learner.token)
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.data).toHaveLength(3)
    expect(body.data[0]).toMatchObject({
      courseId: courseIds[1],
      title: 'Botany',
      percent: 50,
      completed: false,
      completedLessons: 1,
      totalLessons: 2,
    })
    expect(
      body.data
        .slice(1)
        .map((c: { title: string }) => c.title)
        .sort(),
    ).toEqual(['Algebra', 'Chemistry'])
    expect(counters.get('/v1/me/courses')?.queries).toBe(2)

    const firstPage = (await client.call('GET', '/v1/me/courses?limit=2', learner.token)).json()
    expect(firstPage.data).toHaveLength(2)
    const secondPage = (
      await client.call('GET', `/v1/me/courses?limit=2&cursor=${firstPage.nextCursor}`, learner.token)
    ).json()
    expect(secondPage).toMatchObject({ nextCursor: null })
    expect([...firstPage.data, ...secondPage.data].map((c: { courseId: string }) => c.courseId).sort()).toEqual(
      [...courseIds].sort(),
    )
    for (const position of [
      ['x', 'y'],
      ['2024-02-30T00:00:00.000Z', courseIds[0]],
      ['1', courseIds[0]],
    ]) {
      const forged = await client.call(
        'GET',
        `/v1/me/courses?cursor=${Buffer.from(JSON.stringify(position)).toString('base64url')}`,
        learner.token,
      )
      expect(forged.json(), JSON.stringify(position)).toMatchObject({ status: 400, code: 'INVALID_CURSOR' })
    }
  })

  it('answers the dashboards in the same number of statements for 1 and for 20 enrolments', async () => {
    const { tenant, owner } = await setup()
    const one = await createMember(t, tenant.id)
    const twenty = await createMember(t, tenant.id)
    for (let i = 0; i < 20; i++) {
      const course = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, {
        title: `Course ${i}`,
        modules: [{ lessons: [{}] }],
      })
      for (const learner of i === 0 ? [one, twenty] : [twenty])
        expect((await enrolments.selfEnrol(course.courseId, learner.token)).statusCode).toBe(201)
    }
    await dispatchPendingEvents(t, tenant.id)
    const statements = async (url: string, learner: TestMember) => {
      const response = await client.call('GET', url, learner.token)
      expect(response.statusCode).toBe(200)
      return { body: response.json(), queries: counters.get(url)?.queries ?? -1 }
    }
    for (const url of ['/v1/me/courses', '/v1/me/enrolments', '/v1/me/continue']) {
      const few = await statements(url, one)
      const many = await statements(url, twenty)
      if (url !== '/v1/me/continue') {
        expect(few.body.data).toHaveLength(1)
        expect(many.body.data).toHaveLength(20)
      }
      expect(many.queries, url).toBe(few.queries)
    }
    expect(counters.get('/v1/me/courses')?.queries).toBe(2)
    expect(counters.get('/v1/me/enrolments')?.queries).toBe(1)
  })

  it('continues with the last lesson worked on, or the first open one not complete', async () => {
    const { tenant, courseId, lessons } = await setup()
    const learner = await enrolled(tenant.id, courseId)
    const fresh = (await client.call('GET', '/v1/me/continue', learner.token)).json()
    expect(fresh.course).toMatchObject({ courseId, percent: 0 })
    expect(fresh.lesson).toMatchObject({ lessonId: lessons[0], position: null })

    await client.record(courseId, lessons[1]!, learner.token, { position: { anchor: 'step-2' } })
    const resumed = await client.call('GET', '/v1/me/continue', learner.token)
    expect(resumed.json().lesson).toMatchObject({ lessonId: lessons[1], position: { anchor: 'step-2' } })
    expect(counters.get('/v1/me/continue')?.queries).toBeLessThanOrEqual(4)

    await client.complete(courseId, lessons[1]!, learner.token)
    expect((await client.call('GET', '/v1/me/continue', learner.token)).json().lesson).toMatchObject({
      lessonId: lessons[0],
    })

    const nobody = await createMember(t, tenant.id)
    expect((await client.call('GET', '/v1/me/continue', nobody.token)).json()).toEqual({ course: null, lesson: null })
  })
})

describe('dashboards and the end of access', () => {
  /** A learner with four courses, worked on in this order: active, cancelled, expired by the job, past its access end. */
  async function fourCourses() {
    const { tenant, owner } = await setup()
    const learner = await createMember(t, tenant.id)
    const admin = await createMember(t, tenant.id, ['tenant_admin'])
    const courses: Array<{ courseId: string; lessonId: string; enrolmentId: string }> = []
    for (const title of ['Active', 'Cancelled', 'Expired', 'Lapsed']) {
      const course = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, {
        title,
        modules: [{ lessons: [{}, {}] }],
      })
      const enrolment = await enrolments.selfEnrol(course.courseId, learner.token)
      expect(enrolment.statusCode).toBe(201)
      courses.push({ courseId: course.courseId, lessonId: course.lessonIds[0]![0]!, enrolmentId: enrolment.json().id })
    }
    await dispatchPendingEvents(t, tenant.id)
    for (const { courseId, lessonId } of courses)
      expect((await client.record(courseId, lessonId, learner.token, { position: { seconds: 5 } })).statusCode).toBe(
        200,
      )
    const [active, cancelled, expired, lapsed] = courses as [
      (typeof courses)[0],
      (typeof courses)[0],
      (typeof courses)[0],
      (typeof courses)[0],
    ]
    expect((await enrolments.call('DELETE', `/v1/enrolments/${cancelled.enrolmentId}`, admin.token)).statusCode).toBe(
      204,
    )
    const ended = new Date(Date.now() - DAY)
    await t.platform.database.transaction(tenantScope(tenant.id), async (tx) => {
      // What the expiry job writes, and an access end it has not got to yet.
      await tx.execute(
        sql`UPDATE enrolment.enrolments SET status = 'expired', ended_at = now(), expires_at = ${ended.toISOString()}::timestamptz WHERE id = ${expired.enrolmentId}`,
      )
      await tx.execute(
        sql`UPDATE enrolment.enrolments SET expires_at = ${ended.toISOString()}::timestamptz WHERE id = ${lapsed.enrolmentId}`,
      )
    })
    return { tenant, learner, active, cancelled, expired, lapsed, ended }
  }

  it('lists expired courses marked as expired and leaves cancelled ones out, still in two queries', async () => {
    const { learner, active, expired, lapsed, ended } = await fourCourses()
    const response = await client.call('GET', '/v1/me/courses', learner.token)
    expect(response.statusCode).toBe(200)
    expect(counters.get('/v1/me/courses')?.queries).toBe(2)
    expect(
      response
        .json()
        .data.map((c: { courseId: string; title: string; enrolmentStatus: string; expiresAt: string | null }) => [
          c.title,
          c.courseId,
          c.enrolmentStatus,
          c.expiresAt,
        ]),
    ).toEqual([
      ['Lapsed', lapsed.courseId, 'expired', ended.toISOString()],
      ['Expired', expired.courseId, 'expired', ended.toISOString()],
      ['Active', active.courseId, 'active', null],
    ])
    // Pages never hand out a cancelled one either.
    const first = (await client.call('GET', '/v1/me/courses?limit=2', learner.token)).json()
    const rest = (await client.call('GET', `/v1/me/courses?limit=2&cursor=${first.nextCursor}`, learner.token)).json()
    expect([...first.data, ...rest.data].map((c: { courseId: string }) => c.courseId)).toEqual([
      lapsed.courseId,
      expired.courseId,
      active.courseId,
    ])
    expect(rest.nextCursor).toBeNull()
  })

  it('continues only in a course the learner can still open, however recent the others are', async () => {
    const { tenant, learner, active, lapsed } = await fourCourses()
    const next = await client.call('GET', '/v1/me/continue', learner.token)
    expect(next.statusCode).toBe(200)
    expect(next.json()).toMatchObject({
      course: { courseId: active.courseId, enrolmentId: active.enrolmentId },
      lesson: { lessonId: active.lessonId, position: { seconds: 5 } },
    })
    expect(counters.get('/v1/me/continue')?.queries).toBeLessThanOrEqual(3)
    // The lesson it points to opens; the more recent courses' do not.
    expect((await enrolments.readLesson(active.courseId, active.lessonId, learner.token)).statusCode).toBe(200)
    expect((await enrolments.readLesson(lapsed.courseId, lapsed.lessonId, learner.token)).statusCode).toBe(403)

    await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      tx.execute(
        sql`UPDATE enrolment.enrolments SET status = 'cancelled', ended_at = now() WHERE id = ${active.enrolmentId}`,
      ),
    )
    expect((await client.call('GET', '/v1/me/continue', learner.token)).json()).toEqual({ course: null, lesson: null })
  })
})

describe("instructor's view", () => {
  it("shows the course's learners with their progress to its instructor and admins, paged, in two queries", async () => {
    const { tenant, owner, courseId, lessons } = await setup()
    const learners = [
      await enrolled(tenant.id, courseId),
      await enrolled(tenant.id, courseId),
      await enrolled(tenant.id, courseId),
    ]
    await client.complete(courseId, lessons[0]!, learners[0]!.token)

    const url = `/v1/courses/${courseId}/progress`
    const all = await client.call('GET', url, owner.token)
    expect(all.statusCode).toBe(200)
    expect(all.json().data).toHaveLength(3)
    expect(counters.get(url)?.queries).toBe(2)
    const first = all.json().data.find((row: { userId: string }) => row.userId === learners[0]!.userId)
    expect(first).toMatchObject({ email: learners[0]!.email, completedLessons: 1, totalLessons: 3, percent: 33 })

    const page = (await client.call('GET', `${url}?limit=2`, owner.token)).json()
    expect(page.data).toHaveLength(2)
    const rest = (await client.call('GET', `${url}?limit=2&cursor=${page.nextCursor}`, owner.token)).json()
    expect(rest).toMatchObject({ nextCursor: null })
    expect(rest.data).toHaveLength(1)

    const admin = await createMember(t, tenant.id, ['tenant_admin'])
    expect((await client.call('GET', url, admin.token)).json().data).toHaveLength(3)
    const otherInstructor = await createMember(t, tenant.id, ['instructor'])
    expect((await client.call('GET', url, otherInstructor.token)).statusCode).toBe(404)
    expect((await client.call('GET', url, learners[1]!.token)).statusCode).toBe(403)
    expect((await client.call('GET', `/v1/courses/${randomUUID()}/progress`, admin.token)).statusCode).toBe(404)
  })
})
