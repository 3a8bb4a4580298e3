/**
 * markLessonCompleted as the assessment module calls it (a quiz passed, an assignment graded):
 * nothing is recorded for an enrolment that has ended, a retry repairs a course row left short,
 * and on PostgreSQL the last two lessons completed at once still complete the course, once.
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, testDatabaseUrl, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope } from '../../platform/db/database.ts'
import { systemContext } from '../../platform/http/request-context.ts'
import { buildPublishedCourse, type CourseInput } from '../catalogue/testing.ts'
import { createMember, enrolmentClient, type TestMember } from '../enrolment/testing.ts'
import { markLessonCompleted, type CompletionResult } from './index.ts'
import { PROGRESS_COURSE_COMPLETED } from './progress.events.ts'
import { dispatchPendingEvents, progressClient } from './testing.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

interface Enrolled {
  tenantId: string
  courseId: string
  lessons: string[]
  learner: TestMember
  enrolmentId: string
}

async function enrolledLearners(
  count: number,
  input: CourseInput = { modules: [{ lessons: [{}, {}] }] },
): Promise<Enrolled[]> {
  const tenant = await t.createTenant()
  const owner = await createMember(t, tenant.id, ['instructor'])
  const course = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, input)
  const learners = await Promise.all(Array.from({ length: count }, () => createMember(t, tenant.id)))
  for (const learner of learners)
    expect((await enrolmentClient(t).selfEnrol(course.courseId, learner.token)).statusCode).toBe(201)
  // The progress rows exist, as they do once the worker handled the enrolment events.
  await dispatchPendingEvents(t, tenant.id)
  const ids = await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
    rowsOf<{ id: string; user_id: string }>(
      tx,
      sql`SELECT id, user_id FROM enrolment.enrolments WHERE course_id = ${course.courseId}`,
    ),
  )
  return learners.map((learner) => ({
    tenantId: tenant.id,
    courseId: course.courseId,
    lessons: course.lessonIds.flat(),
    learner,
    enrolmentId: ids.find((row) => row.user_id === learner.userId)?.id as string,
  }))
}

/** What the assessment module does in its own transaction when the learner passes `lessonId`. */
const complete = (e: Enrolled, lessonId: string, at?: Date): Promise<CompletionResult> =>
  t.platform.database.transaction(tenantScope(e.tenantId), (tx) =>
    markLessonCompleted(tx, {
      events: t.platform.events,
      ctx: systemContext(t.platform.database, e.tenantId, 'test:progress'),
      enrolmentId: e.enrolmentId,
      userId: e.learner.userId,
      courseId: e.courseId,
      lessonId,
      ...(at ? { at } : {}),
    }),
  )

interface Recorded {
  completedLessonIds: string[]
  course: { completed_lessons: number; percent: number; completed: boolean } | undefined
  completionEvents: number
}

async function recorded(enrolmentId: string): Promise<Recorded> {
  return t.platform.database.transaction(platformScope, async (tx) => {
    const lessons = await rowsOf<{ lesson_id: string }>(
      tx,
      sql`SELECT lesson_id FROM progress.lesson_progress WHERE enrolment_id = ${enrolmentId} AND completed_at IS NOT NULL ORDER BY lesson_id`,
    )
    const [course] = await rowsOf<{ completed_lessons: number; percent: number; completed: boolean }>(
      tx,
      sql`SELECT completed_lessons, percent, completed_at IS NOT NULL AS completed FROM progress.course_progress WHERE enrolment_id = ${enrolmentId}`,
    )
    const [events] = await rowsOf<{ count: number }>(
      tx,
      sql`SELECT count(*)::int AS count FROM platform.domain_events WHERE type = ${PROGRESS_COURSE_COMPLETED} AND payload->>'enrolmentId' = ${enrolmentId}`,
    )
    return { completedLessonIds: lessons.map((l) => l.lesson_id), course, completionEvents: events?.count ?? 0 }
  })
}

const nothingCompleted = {
  completedLessonIds: [],
  course: { completed_lessons: 0, percent: 0, completed: false },
  completionEvents: 0,
}

describe('completing a lesson of an enrolment that has ended', () => {
  it('records nothing once the enrolment is cancelled, and says so (not_enrolled)', async () => {
    const [e] = (await enrolledLearners(1, { modules: [{ lessons: [{}] }] })) as [Enrolled]
    const admin = await createMember(t, e.tenantId, ['tenant_admin'])
    expect((await enrolmentClient(t).call('DELETE', `/v1/enrolments/${e.enrolmentId}`, admin.token)).statusCode).toBe(
      204,
    )

    expect(await complete(e, e.lessons[0]!)).toEqual({ recorded: false, reason: 'not_enrolled' })
    expect(await recorded(e.enrolmentId)).toEqual(nothingCompleted)
  })

  for (const [how, change] of [
    [
      'marked expired by the expiry job',
      sql`status = 'expired', ended_at = now(), expires_at = now() - interval '1 minute'`,
    ],
    ['past its access end, before the expiry job ran', sql`expires_at = now() - interval '1 second'`],
  ] as const)
    it(`records nothing for an enrolment ${how}, and says so (expired)`, async () => {
      const [e] = (await enrolledLearners(1, { modules: [{ lessons: [{}] }] })) as [Enrolled]
      await t.platform.database.transaction(tenantScope(e.tenantId), (tx) =>
        tx.execute(sql`UPDATE enrolment.enrolments SET ${change} WHERE id = ${e.enrolmentId}`),
      )

      expect(await complete(e, e.lessons[0]!)).toEqual({ recorded: false, reason: 'expired' })
      expect(await recorded(e.enrolmentId)).toEqual(nothingCompleted)
    })

  it('judges the access end at the time of the completion', async () => {
    const [e] = (await enrolledLearners(1, { modules: [{ lessons: [{}, {}] }] })) as [Enrolled]
    const end = new Date(Date.now() + 60_000)
    await t.platform.database.transaction(tenantScope(e.tenantId), (tx) =>
      tx.execute(
        sql`UPDATE enrolment.enrolments SET expires_at = ${end.toISOString()}::timestamptz WHERE id = ${e.enrolmentId}`,
      ),
    )
    expect(await complete(e, e.lessons[0]!, new Date(end.getTime() + 1))).toEqual({
      recorded: false,
      reason: 'expired',
    })
    expect((await complete(e, e.lessons[0]!, new Date(end.getTime() - 1))).recorded).toBe(true)
  })

  it("records nothing under another learner's or another course's enrolment", async () => {
    const [mine, theirs] = (await enrolledLearners(2)) as [Enrolled, Enrolled]
    const [elsewhere] = (await enrolledLearners(1)) as [Enrolled]
    // The enrolment id of someone else in the same course, and this learner's id in a course of another tenant.
    expect(await complete({ ...mine, enrolmentId: theirs.enrolmentId }, mine.lessons[0]!)).toEqual({
      recorded: false,
      reason: 'not_enrolled',
    })
    expect(await complete({ ...elsewhere, learner: mine.learner }, elsewhere.lessons[0]!)).toEqual({
      recorded: false,
      reason: 'not_enrolled',
    })
    for (const e of [mine, theirs, elsewhere]) expect(await recorded(e.enrolmentId)).toEqual(nothingCompleted)
  })

  it('still completes lessons and the course of an active enrolment, once', async () => {
    const [e] = (await enrolledLearners(1, { modules: [{ lessons: [{}] }] })) as [Enrolled]
    const first = await complete(e, e.lessons[0]!)
    expect(first).toMatchObject({
      recorded: true,
      newlyCompleted: true,
      course: { completedLessons: 1, totalLessons: 1, percent: 100 },
    })
    const again = await complete(e, e.lessons[0]!)
    expect(again).toMatchObject({
      recorded: true,
      newlyCompleted: false,
      course: { completedLessons: 1, percent: 100 },
    })
    expect(again.recorded && again.course.completedAt).toEqual(first.recorded && first.course.completedAt)
    expect(await recorded(e.enrolmentId)).toEqual({
      completedLessonIds: e.lessons,
      course: { completed_lessons: 1, percent: 100, completed: true },
      completionEvents: 1,
    })
  })
})

describe('a retry repairs a course row left short', () => {
  it('recounts when the lesson was already complete, completes the course and publishes the event once', async () => {
    const [e] = (await enrolledLearners(1)) as [Enrolled]
    const [first, second] = e.lessons as [string, string]
    expect(await complete(e, first)).toMatchObject({
      recorded: true,
      course: { completedLessons: 1, percent: 50, completedAt: null },
    })
    // What a lost race left behind: the second lesson complete, the course row still counting one.
    await t.platform.database.transaction(tenantScope(e.tenantId), (tx) =>
      tx.execute(sql`INSERT INTO progress.lesson_progress (tenant_id, enrolment_id, user_id, course_id, lesson_id, started_at, completed_at, updated_at)
                     VALUES (${e.tenantId}, ${e.enrolmentId}, ${e.learner.userId}, ${e.courseId}, ${second}, now(), now(), now())`),
    )
    expect(await recorded(e.enrolmentId)).toMatchObject({
      course: { completed_lessons: 1, completed: false },
      completionEvents: 0,
    })

    const retried = await complete(e, second)
    expect(retried).toMatchObject({
      recorded: true,
      newlyCompleted: false,
      course: { completedLessons: 2, totalLessons: 2, percent: 100 },
    })
    expect(retried.recorded && retried.course.completedAt).toBeInstanceOf(Date)
    expect(await recorded(e.enrolmentId)).toMatchObject({
      course: { completed_lessons: 2, percent: 100, completed: true },
      completionEvents: 1,
    })

    // The learner's own "complete" call again on a done course changes nothing and publishes nothing more.
    expect((await progressClient(t).complete(e.courseId, first, e.learner.token)).json().course).toMatchObject({
      completedLessons: 2,
      percent: 100,
    })
    expect(await complete(e, second)).toMatchObject({ recorded: true, newlyCompleted: false })
    expect((await recorded(e.enrolmentId)).completionEvents).toBe(1)
  })
})

/** Polls until a transaction waits for `xid`'s lock (what the interleaving below needs before it lets `xid` commit). */
async function untilSomeoneWaitsFor(xid: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const waiting = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ pid: number }>(
        tx,
        sql`SELECT pid FROM pg_locks WHERE locktype = 'transactionid' AND transactionid = ${xid}::xid AND NOT granted`,
      ),
    )
    if (waiting.length > 0) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`no transaction waited for ${xid}`)
}

// Embedded PGlite is one session, so transactions never overlap there; the race needs a server.
describe.runIf(testDatabaseUrl())('the last two lessons completed at once (PostgreSQL)', () => {
  it('completes the course when the second completion waits for the first one to commit', async () => {
    const [e] = (await enrolledLearners(1)) as [Enrolled]
    const [quiz, assignment] = e.lessons as [string, string]
    let commitFirst!: () => void
    const firstMayCommit = new Promise<void>((resolve) => (commitFirst = resolve))
    let firstXid!: (xid: string) => void
    const firstRecorded = new Promise<string>((resolve) => (firstXid = resolve))
    const first = t.platform.database.transaction(tenantScope(e.tenantId), async (tx) => {
      const result = await markLessonCompleted(tx, {
        events: t.platform.events,
        ctx: systemContext(t.platform.database, e.tenantId),
        enrolmentId: e.enrolmentId,
        userId: e.learner.userId,
        courseId: e.courseId,
        lessonId: quiz,
      })
      const [row] = await rowsOf<{ xid: string }>(tx, sql`SELECT pg_current_xact_id()::xid::text AS xid`)
      firstXid(row!.xid)
      await firstMayCommit
      return result
    })
    const xid = await firstRecorded
    const second = complete(e, assignment)
    // The second has completed its lesson and now waits for the first's lock on the course row.
    await untilSomeoneWaitsFor(xid)
    commitFirst()
    const [a, b] = await Promise.all([first, second])

    expect(await recorded(e.enrolmentId)).toMatchObject({
      course: { completed_lessons: 2, percent: 100, completed: true },
      completionEvents: 1,
    })
    expect(a).toMatchObject({ recorded: true, course: { completedLessons: 1, completedAt: null } })
    expect(b).toMatchObject({ recorded: true, newlyCompleted: true, course: { completedLessons: 2, percent: 100 } })
  })

  it('completes every course exactly once when many learners complete their last two lessons at the same moment', async () => {
    const learners = await enrolledLearners(24, { modules: [{ lessons: [{}, {}, {}] }] })
    const client = progressClient(t)
    const [opening, ...lastTwo] = learners[0]!.lessons as [string, string, string]
    for (const e of learners) expect((await client.complete(e.courseId, opening, e.learner.token)).statusCode).toBe(200)

    const responses = await Promise.all(
      learners.flatMap((e) => lastTwo.map((lessonId) => client.complete(e.courseId, lessonId, e.learner.token))),
    )
    expect(responses.map((r) => r.statusCode)).toEqual(responses.map(() => 200))

    for (const e of learners)
      expect(await recorded(e.enrolmentId), e.enrolmentId).toEqual({
        completedLessonIds: [...e.lessons].sort(),
        course: { completed_lessons: 3, percent: 100, completed: true },
        completionEvents: 1,
      })
  })
})
