import { and, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope } from '../../platform/db/database.ts'
import { createLogger } from '../../platform/observability/logger.ts'
import { buildPublishedCourse, type CourseInput } from '../catalogue/testing.ts'
import { ENROLMENT_CREATED } from '../enrolment/index.ts'
import { createMember, enrolmentClient } from '../enrolment/testing.ts'
import { releaseDueUnlocks } from './index.ts'
import { courseProgress, lessonUnlocks } from './progress.tables.ts'
import { dispatchPendingEvents, progressClient } from './testing.ts'

let t: TestApp
let enrolments: ReturnType<typeof enrolmentClient>
beforeAll(async () => {
  t = await buildTestApp()
  enrolments = enrolmentClient(t)
})
afterAll(async () => t?.close())

const DAY = 86_400_000
const run = () =>
  releaseDueUnlocks({
    database: t.platform.database,
    notify: t.modules.notifications.notify,
    logger: createLogger('silent'),
  })

async function enrolledInDripCourse(input: CourseInput) {
  const tenant = await t.createTenant()
  const owner = await createMember(t, tenant.id, ['instructor'])
  const course = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, input)
  const learner = await createMember(t, tenant.id)
  const enrolment = await enrolments.selfEnrol(course.courseId, learner.token)
  expect(enrolment.statusCode).toBe(201)
  return { tenant, course, learner, enrolmentId: enrolment.json().id as string }
}

const unlocksOf = (tenantId: string, enrolmentId: string) =>
  t.platform.database.transaction(tenantScope(tenantId), (tx) =>
    tx.select().from(lessonUnlocks).where(eq(lessonUnlocks.enrolmentId, enrolmentId)).orderBy(lessonUnlocks.unlockAt),
  )

/** Moves the enrolment's schedule into the past, as time passing would. */
const makeDue = (tenantId: string, enrolmentId: string) =>
  t.platform.database.transaction(tenantScope(tenantId), (tx) =>
    tx
      .update(lessonUnlocks)
      .set({ unlockAt: new Date(Date.now() - 60_000) })
      .where(eq(lessonUnlocks.enrolmentId, enrolmentId)),
  )

/** The "lesson unlocked" mails the notification center sent in the tenant, with their occurrence ids. */
const unlockMails = (tenantId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ event_id: string; to_address: string; subject: string; text_body: string }>(
      tx,
      sql`SELECT d.event_id, m.to_address, m.subject, m.text_body FROM notifications.deliveries d
          JOIN platform.mail_messages m ON m.id = d.mail_message_id
          WHERE d.tenant_id = ${tenantId} AND d.type = 'progress.lesson_unlocked' ORDER BY d.event_id`,
    ),
  )

describe('tracking a new enrolment', () => {
  it('creates the progress row and one unlock per drip-locked lesson (the later rule wins), and redelivery adds nothing', async () => {
    const absolute = new Date(Date.now() + 10 * DAY)
    const { tenant, course, enrolmentId, learner } = await enrolledInDripCourse({
      modules: [
        { lessons: [{}, { releaseOffsetDays: 2 }, { releaseAt: new Date(Date.now() - DAY) }] },
        { releaseOffsetDays: 5, lessons: [{}, { releaseAt: absolute }, { preview: true }] },
      ],
    })
    expect(await dispatchPendingEvents(t, tenant.id)).toContain(ENROLMENT_CREATED)
    const [progress] = await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      tx.select().from(courseProgress).where(eq(courseProgress.enrolmentId, enrolmentId)),
    )
    expect(progress).toMatchObject({
      userId: learner.userId,
      courseId: course.courseId,
      totalLessons: 6,
      completedLessons: 0,
      percent: 0,
      completedAt: null,
    })

    const unlocks = await unlocksOf(tenant.id, enrolmentId)
    const [m1, m2] = course.lessonIds as [string[], string[]]
    expect(unlocks.map((u) => [u.lessonId, u.rule])).toEqual([
      [m1[1], 'lesson'],
      [m2[0], 'module'],
      [m2[1], 'lesson'],
    ])
    expect(unlocks[2]!.unlockAt.toISOString()).toBe(absolute.toISOString())
    expect(unlocks.every((u) => u.notifiedAt === null)).toBe(true)

    // The same event handled again (its delivery record removed, as a crash before it committed would leave it).
    await t.platform.database.transaction(platformScope, (tx) =>
      tx.execute(
        sql`DELETE FROM platform.event_deliveries WHERE subscriber = 'progress.track_enrolment' AND tenant_id = ${tenant.id}`,
      ),
    )
    const [event] = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ id: string }>(
        tx,
        sql`SELECT id FROM platform.domain_events WHERE tenant_id = ${tenant.id} AND type = ${ENROLMENT_CREATED}`,
      ),
    )
    await t.platform.events.dispatch({ eventId: event!.id, tenantId: tenant.id })
    expect(await unlocksOf(tenant.id, enrolmentId)).toEqual(unlocks)
  })
})

describe('the drip unlock job', () => {
  it('sends exactly one "lesson unlocked" e-mail per due unlock, even when run twice, and stamps it', async () => {
    const { tenant, course, learner, enrolmentId } = await enrolledInDripCourse({
      modules: [{ lessons: [{}, { releaseOffsetDays: 1, title: 'Photosynthesis' }] }],
    })
    await dispatchPendingEvents(t, tenant.id)
    // Not due yet: nothing is sent.
    await run()
    expect(await unlockMails(tenant.id)).toEqual([])

    await makeDue(tenant.id, enrolmentId)
    expect(await run()).toBeGreaterThanOrEqual(1)
    await run()
    const mails = await unlockMails(tenant.id)
    expect(mails).toHaveLength(1)
    expect(mails[0]).toMatchObject({
      event_id: `progress.lesson_unlocked:${enrolmentId}:${course.lessonIds[0]![1]}`,
      to_address: learner.email,
      subject: 'New lesson unlocked: Photosynthesis',
    })
    expect(mails[0]!.text_body).toContain('a new lesson is open: “Photosynthesis”')
    const [unlock] = await unlocksOf(tenant.id, enrolmentId)
    expect(unlock!.notifiedAt).not.toBeNull()
  })

  it('handles several tenants in one run, and stamps without mailing when access has ended', async () => {
    const first = await enrolledInDripCourse({ modules: [{ lessons: [{}, { releaseOffsetDays: 1 }] }] })
    const second = await enrolledInDripCourse({ modules: [{ releaseOffsetDays: 2, lessons: [{}, {}] }] })
    for (const { tenant, enrolmentId } of [first, second]) {
      await dispatchPendingEvents(t, tenant.id)
      await makeDue(tenant.id, enrolmentId)
    }
    // The second learner's access ended before the lesson opened.
    const admin = await createMember(t, second.tenant.id, ['tenant_admin'])
    expect((await enrolments.call('DELETE', `/v1/enrolments/${second.enrolmentId}`, admin.token)).statusCode).toBe(204)

    await run()
    expect(await unlockMails(first.tenant.id)).toHaveLength(1)
    expect(await unlockMails(second.tenant.id)).toEqual([])
    const stamped = await t.platform.database.transaction(tenantScope(second.tenant.id), (tx) =>
      tx
        .select()
        .from(lessonUnlocks)
        .where(and(eq(lessonUnlocks.enrolmentId, second.enrolmentId))),
    )
    expect(stamped).toHaveLength(2)
    expect(stamped.every((u) => u.notifiedAt !== null)).toBe(true)
  })

  it('opens the lesson for writes once its time has come', async () => {
    const { tenant, course, learner } = await enrolledInDripCourse({
      modules: [{ lessons: [{}, { releaseAt: new Date(Date.now() + 1500) }] }],
    })
    await dispatchPendingEvents(t, tenant.id)
    const client = progressClient(t)
    const lessonId = course.lessonIds[0]![1]!
    expect((await client.start(course.courseId, lessonId, learner.token)).statusCode).toBe(403)
    await new Promise((resolve) => setTimeout(resolve, 1600))
    expect((await client.start(course.courseId, lessonId, learner.token)).statusCode).toBe(200)
  })
})
