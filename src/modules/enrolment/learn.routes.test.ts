/** The learner's lesson read over HTTP: every denial of the entitlement service, and the content on a grant. */
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { tenantScope, type QueryCounter } from '../../platform/db/database.ts'
import { publishCourse } from '../catalogue/index.ts'
import { buildCourse, catalogueEntries, courses, lessons, type CourseInput } from '../catalogue/testing.ts'
import { createMember, enrolmentClient } from './testing.ts'

/** Query counters of finished requests by URL, read from request.ctx by this file's own hook. */
const counters = new Map<string, QueryCounter>()
let t: TestApp
let client: ReturnType<typeof enrolmentClient>
beforeAll(async () => {
  t = await buildTestApp({
    instrument: (app) =>
      app.addHook('onResponse', async (request) => {
        if (request.ctx) counters.set(request.url, { ...request.ctx.counter })
      }),
  })
  client = enrolmentClient(t)
})
afterAll(async () => t?.close())

const DAY = 86_400_000

/** A course with a preview lesson, a plain one, a quiz, a drip-fed module and a lesson with a prerequisite. */
async function setup(fields: Omit<CourseInput, 'modules'> = {}) {
  const tenant = await t.createTenant()
  const owner = await createMember(t, tenant.id, ['instructor'])
  const built = await buildCourse(t.platform.database, tenant.id, owner.userId, {
    ...fields,
    modules: [
      {
        lessons: [
          { title: 'Welcome', body: 'Open to all', preview: true },
          { title: 'Video', kind: 'video', body: 'Watch this', assetRef: 'asset-1', durationMinutes: 12 },
          { title: 'Quiz', kind: 'quiz', body: 'Ten questions' },
          { title: 'Capstone', body: 'After the video' },
        ],
      },
      { title: 'Week 2', releaseOffsetDays: 7, lessons: [{ title: 'Later' }] },
    ],
  })
  const [welcome, video, quiz, capstone] = built.lessonIds[0]!
  const [later] = built.lessonIds[1]!
  await t.platform.database.transaction(tenantScope(tenant.id), async (tx) => {
    await tx
      .update(lessons)
      .set({ prerequisites: [video!] })
      .where(eq(lessons.id, capstone!))
    await publishCourse(tx, built.courseId, owner.userId)
  })
  const learner = await createMember(t, tenant.id)
  return {
    tenant,
    owner,
    courseId: built.courseId,
    learner,
    lessons: { welcome: welcome!, video: video!, quiz: quiz!, capstone: capstone!, later: later! },
  }
}

const locked = (response: Awaited<ReturnType<typeof client.readLesson>>) => {
  expect(response.statusCode).toBe(403)
  expect(response.headers['content-type']).toContain('application/problem+json')
  expect(response.json().code).toBe('LESSON_LOCKED')
  return response.json() as { reason: string; until?: string; missingLessonIds?: string[] }
}

describe('GET /v1/learn/courses/:courseId/lessons/:lessonId', () => {
  it('serves an enrolled learner the published content, and only title and body of a quiz', async () => {
    const { courseId, learner, lessons: ids } = await setup()
    const enrolment = (await client.selfEnrol(courseId, learner.token)).json()
    const video = await client.readLesson(courseId, ids.video, learner.token)
    expect(video.statusCode).toBe(200)
    expect(video.json()).toMatchObject({
      courseId,
      enrolmentId: enrolment.id,
      lesson: {
        id: ids.video,
        kind: 'video',
        title: 'Video',
        body: 'Watch this',
        assetRef: 'asset-1',
        durationMinutes: 12,
      },
    })
    const quiz = await client.readLesson(courseId, ids.quiz, learner.token)
    expect(quiz.json().lesson).toMatchObject({
      kind: 'quiz',
      title: 'Quiz',
      body: 'Ten questions',
      assetRef: null,
      url: null,
    })
  })

  it('serves the published version, not the draft an author is editing', async () => {
    const { tenant, courseId, learner, lessons: ids } = await setup()
    await client.selfEnrol(courseId, learner.token)
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      tx.update(lessons).set({ body: 'Draft rewrite' }).where(eq(lessons.id, ids.video)),
    )
    expect((await client.readLesson(courseId, ids.video, learner.token)).json().lesson.body).toBe('Watch this')
  })

  it('reads a lesson in at most three statements, from its own body row and the outline, never the snapshot', async () => {
    const { tenant, courseId, learner, lessons: ids } = await setup()
    await client.selfEnrol(courseId, learner.token)
    // Learner reads must not depend on the whole snapshot (every body): empty it, and they still work.
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      tx.execute(sql`UPDATE catalogue.course_versions SET snapshot = '{}'::jsonb WHERE course_id = ${courseId}`),
    )
    const read = async (lessonId: string) => {
      const response = await client.readLesson(courseId, lessonId, learner.token)
      const counted = counters.get(`/v1/learn/courses/${courseId}/lessons/${lessonId}`)
      return { response, queries: counted?.queries ?? -1 }
    }
    const video = await read(ids.video)
    expect(video.response.json().lesson).toMatchObject({ title: 'Video', body: 'Watch this' })
    // The outline with the lesson's body, then the enrolment.
    expect(video.queries).toBe(2)
    // A prerequisite decides: the completed lessons are the third statement.
    const capstone = await read(ids.capstone)
    expect(locked(capstone.response).reason).toBe('prerequisite_missing')
    expect(capstone.queries).toBe(3)
    const preview = await read(ids.welcome)
    expect(preview.response.json().lesson).toMatchObject({ title: 'Welcome', body: 'Open to all' })
    expect(preview.queries).toBeLessThanOrEqual(3)
    const unknown = await read('00000000-0000-4000-8000-000000000000')
    expect(unknown.response.statusCode).toBe(404)
    expect(unknown.queries).toBeLessThanOrEqual(3)
  })

  it('denies a member who is not enrolled (not_enrolled) but serves them a preview lesson', async () => {
    const { courseId, learner, lessons: ids } = await setup()
    expect(locked(await client.readLesson(courseId, ids.video, learner.token)).reason).toBe('not_enrolled')
    const preview = await client.readLesson(courseId, ids.welcome, learner.token)
    expect(preview.statusCode).toBe(200)
    expect(preview.json()).toMatchObject({ enrolmentId: null, lesson: { title: 'Welcome', preview: true } })
  })

  it('denies an expired enrolment (expired)', async () => {
    const { tenant, courseId, learner, lessons: ids } = await setup()
    const enrolment = (await client.selfEnrol(courseId, learner.token)).json()
    // Access ended a moment ago and the expiry job has not run yet: the end date alone decides.
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      tx.execute(
        sql`UPDATE enrolment.enrolments SET expires_at = now() - interval '1 minute' WHERE id = ${enrolment.id}`,
      ),
    )
    expect(locked(await client.readLesson(courseId, ids.video, learner.token)).reason).toBe('expired')
  })

  it('denies a drip-fed lesson until its release (drip_locked with until), then serves it', async () => {
    const { tenant, courseId, learner, lessons: ids } = await setup()
    const enrolment = (await client.selfEnrol(courseId, learner.token)).json()
    const denial = locked(await client.readLesson(courseId, ids.later, learner.token))
    expect(denial).toMatchObject({
      reason: 'drip_locked',
      until: new Date(Date.parse(enrolment.enrolledAt) + 7 * DAY).toISOString(),
    })
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      tx.execute(
        sql`UPDATE enrolment.enrolments SET enrolled_at = enrolled_at - interval '8 days' WHERE id = ${enrolment.id}`,
      ),
    )
    expect((await client.readLesson(courseId, ids.later, learner.token)).statusCode).toBe(200)
  })

  it('denies a lesson whose prerequisites are not completed (prerequisite_missing with missingLessonIds)', async () => {
    const { courseId, learner, lessons: ids } = await setup()
    await client.selfEnrol(courseId, learner.token)
    expect(locked(await client.readLesson(courseId, ids.capstone, learner.token))).toMatchObject({
      reason: 'prerequisite_missing',
      missingLessonIds: [ids.video],
    })
  })

  it('keeps an archived course open to enrolled learners and closed to others (course_unavailable)', async () => {
    const { tenant, courseId, learner, lessons: ids } = await setup()
    await client.selfEnrol(courseId, learner.token)
    const outsider = await createMember(t, tenant.id)
    await t.platform.database.transaction(tenantScope(tenant.id), async (tx) => {
      await tx.update(courses).set({ status: 'archived' }).where(eq(courses.id, courseId))
      await tx.delete(catalogueEntries).where(eq(catalogueEntries.courseId, courseId))
    })
    expect((await client.readLesson(courseId, ids.video, learner.token)).statusCode).toBe(200)
    expect(locked(await client.readLesson(courseId, ids.video, outsider.token)).reason).toBe('course_unavailable')
    expect(locked(await client.readLesson(courseId, ids.welcome, outsider.token)).reason).toBe('course_unavailable')
  })

  it("answers 404 for another tenant's course, on its token or its host, and for an unknown lesson", async () => {
    const { courseId, learner, lessons: ids } = await setup()
    await client.selfEnrol(courseId, learner.token)
    const other = await t.createTenant()
    const foreigner = await createMember(t, other.id)
    const viaToken = await client.readLesson(courseId, ids.video, foreigner.token)
    expect(viaToken.statusCode).toBe(404)
    expect(viaToken.json().code).toBe('COURSE_NOT_FOUND')
    // The enrolled learner's token on the other tenant's host is refused before any lesson is read.
    const viaHost = await t.app.inject({
      method: 'GET',
      url: `/v1/learn/courses/${courseId}/lessons/${ids.video}`,
      headers: { ...t.auth(learner.token), host: `${other.slug}.localhost` },
    })
    expect(viaHost.statusCode).toBe(403)
    expect(viaHost.json().code).toBe('TENANT_MISMATCH')
    const unknown = await client.readLesson(courseId, courseId, learner.token)
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json().code).toBe('LESSON_NOT_FOUND')
  })

  it('is for signed-in members only', async () => {
    const { courseId, lessons: ids } = await setup()
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/learn/courses/${courseId}/lessons/${ids.welcome}` })).statusCode,
    ).toBe(401)
  })
})

describe('cohort courses on GET /v1/learn/courses/:courseId/lessons/:lessonId', () => {
  const cohort = (startsAt: Date) => ({
    delivery: 'cohort' as const,
    capacity: 10,
    cohortStartsAt: startsAt,
    cohortEndsAt: new Date(startsAt.getTime() + 60 * DAY),
  })
  /** What an author moving the cohort does: the draft's dates changed and the course published again. */
  const moveCohort = (tenantId: string, courseId: string, ownerId: string, startsAt: Date) =>
    t.platform.database.transaction(tenantScope(tenantId), async (tx) => {
      await tx
        .update(courses)
        .set({ cohortStartsAt: startsAt, cohortEndsAt: new Date(startsAt.getTime() + 60 * DAY) })
        .where(eq(courses.id, courseId))
      await publishCourse(tx, courseId, ownerId)
    })

  it('opens only preview lessons before the cohort starts (drip_locked until the start), and the rest once it has', async () => {
    const startsAt = new Date(Date.now() + 5 * DAY)
    const { tenant, owner, courseId, learner, lessons: ids } = await setup(cohort(startsAt))
    expect((await client.selfEnrol(courseId, learner.token)).statusCode).toBe(201)
    const early = await client.readLesson(courseId, ids.video, learner.token)
    expect(locked(early)).toMatchObject({ reason: 'drip_locked', until: startsAt.toISOString() })
    expect(early.json().detail).toContain(startsAt.toISOString())
    expect(locked(await client.readLesson(courseId, ids.later, learner.token))).toMatchObject({
      reason: 'drip_locked',
      until: new Date(startsAt.getTime() + 7 * DAY).toISOString(),
    })
    expect((await client.readLesson(courseId, ids.welcome, learner.token)).statusCode).toBe(200)

    await moveCohort(tenant.id, courseId, owner.userId, new Date(Date.now() - 60_000))
    expect((await client.readLesson(courseId, ids.video, learner.token)).statusCode).toBe(200)
  })

  it("counts drip offsets from the cohort's start, the same for early and late joiners", async () => {
    const startsAt = new Date(Date.now() - 3 * DAY)
    const { tenant, owner, courseId, learner, lessons: ids } = await setup(cohort(startsAt))
    const lateJoiner = (await client.selfEnrol(courseId, learner.token)).json()
    const earlyJoiner = await createMember(t, tenant.id)
    const early = (await client.selfEnrol(courseId, earlyJoiner.token)).json()
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      tx.execute(
        sql`UPDATE enrolment.enrolments SET enrolled_at = enrolled_at - interval '30 days' WHERE id = ${early.id}`,
      ),
    )
    const weekAfterStart = new Date(startsAt.getTime() + 7 * DAY).toISOString()
    for (const token of [learner.token, earlyJoiner.token]) {
      expect((await client.readLesson(courseId, ids.video, token)).statusCode).toBe(200)
      expect(locked(await client.readLesson(courseId, ids.later, token))).toMatchObject({
        reason: 'drip_locked',
        until: weekAfterStart,
      })
    }
    // Not the late joiner's own week: a self-paced course would say enrolledAt + 7 days.
    expect(weekAfterStart).not.toBe(new Date(Date.parse(lateJoiner.enrolledAt) + 7 * DAY).toISOString())

    await moveCohort(tenant.id, courseId, owner.userId, new Date(Date.now() - 8 * DAY))
    for (const token of [learner.token, earlyJoiner.token])
      expect((await client.readLesson(courseId, ids.later, token)).statusCode).toBe(200)
  })
})
