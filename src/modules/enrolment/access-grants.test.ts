/**
 * Access grants from outside events (ADR 0008, issue 11 §7): a purchase grants, a refund revokes,
 * and the enrolment is the summary of its grants, so access ends only when none remains. Runs on
 * embedded PGlite and, with TEST_DATABASE_URL, on PostgreSQL (where the concurrent grants race
 * for real).
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../platform/db/database.ts'
import { buildPublishedCourse, type CourseInput } from '../catalogue/testing.ts'
import { ENROLMENT_CANCELLED, ENROLMENT_CREATED } from './index.ts'
import { accessGrantsClient, createMember, enrolmentClient, type TestMember } from './testing.ts'

let t: TestApp
let client: ReturnType<typeof enrolmentClient>
beforeAll(async () => {
  t = await buildTestApp()
  client = enrolmentClient(t)
})
afterAll(async () => t?.close())

const DAY = 86_400_000
const order = () => `order_${randomUUID()}`
const buyer = (member: TestMember) => `user:${member.userId}`
const inDays = (days: number, from = Date.now()) => new Date(from + days * DAY)

async function school(input: CourseInput = {}) {
  const tenant = await t.createTenant()
  const owner = await createMember(t, tenant.id, ['instructor'])
  const admin = await createMember(t, tenant.id, ['tenant_admin'])
  const course = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, input)
  const learner = await createMember(t, tenant.id)
  const access = accessGrantsClient(t, tenant.id)
  const purchase = (sourceRef: string, extra: { endsAt?: Date | null; userId?: string } = {}) =>
    access.grant({
      userId: extra.userId ?? learner.userId,
      courseId: course.courseId,
      source: 'purchase',
      sourceRef,
      grantedBy: buyer(learner),
      ...(extra.endsAt === undefined ? {} : { endsAt: extra.endsAt }),
    })
  const refund = (sourceRef: string) => access.revoke({ source: 'purchase', sourceRef, reason: 'refund' })
  const read = () => client.readLesson(course.courseId, course.lessonIds[0]![0]!, learner.token)
  return { tenant, owner, admin, learner, course, courseId: course.courseId, access, purchase, refund, read }
}

const eventsOf = (tenantId: string, type: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ payload: Record<string, unknown> }>(
      tx,
      sql`SELECT payload FROM platform.domain_events WHERE tenant_id = ${tenantId} AND type = ${type} ORDER BY occurred_at, id`,
    ),
  )

describe('a purchase grant', () => {
  it('opens a new enrolment with its first grant, publishes enrolment.enrolled, and the learner reads the course', async () => {
    const s = await school({ accessDays: 30 })
    const ref = order()
    expect((await s.read()).json()).toMatchObject({ code: 'LESSON_LOCKED', reason: 'not_enrolled' })

    const result = await s.purchase(ref)

    expect(result).toMatchObject({ created: true, granted: true, revokedAt: null })
    const enrolment = await s.access.enrolment(result.enrolmentId)
    expect(enrolment).toMatchObject({
      userId: s.learner.userId,
      courseId: s.courseId,
      status: 'active',
      source: 'purchase',
      sourceRef: ref,
      enrolledBy: buyer(s.learner),
    })
    // No end given: the course's access period.
    expect(enrolment!.expiresAt!.getTime() - enrolment!.enrolledAt.getTime()).toBe(30 * DAY)
    expect(await s.access.grantsOf(result.enrolmentId)).toMatchObject([
      { id: result.grantId, source: 'purchase', sourceRef: ref, endsAt: enrolment!.expiresAt, revokedAt: null },
    ])
    expect(await eventsOf(s.tenant.id, ENROLMENT_CREATED)).toEqual([
      { payload: expect.objectContaining({ enrolmentId: result.enrolmentId, source: 'purchase' }) },
    ])
    expect((await s.read()).statusCode).toBe(200)
  })

  it('behind an active enrolment adds a second grant without a new enrolment, and the latest end wins', async () => {
    const s = await school()
    const first = await s.purchase(order(), { endsAt: inDays(10) })
    const later = inDays(40)

    const second = await s.purchase(order(), { endsAt: later })
    const shorter = await s.purchase(order(), { endsAt: inDays(5) })

    expect(second).toMatchObject({ enrolmentId: first.enrolmentId, created: false, granted: true, expiresAt: later })
    expect(shorter).toMatchObject({ enrolmentId: first.enrolmentId, created: false, granted: true, expiresAt: later })
    expect(second.grantId).not.toBe(first.grantId)
    expect(await s.access.grantsOf(first.enrolmentId)).toHaveLength(3)
    expect((await s.access.enrolment(first.enrolmentId))?.expiresAt).toEqual(later)
    // Only the grant that opened access announced an enrolment.
    expect(await eventsOf(s.tenant.id, ENROLMENT_CREATED)).toHaveLength(1)
    // An open-ended grant makes access open-ended.
    expect(await s.purchase(order(), { endsAt: null })).toMatchObject({ expiresAt: null })
  })

  it('behind a self-enrolment keeps the enrolment as it started', async () => {
    const s = await school()
    const enrolled = (await client.selfEnrol(s.courseId, s.learner.token)).json()
    const bought = await s.purchase(order(), { endsAt: inDays(3) })
    expect(bought).toMatchObject({ enrolmentId: enrolled.id, created: false, granted: true, expiresAt: null })
    expect(await s.access.enrolment(enrolled.id)).toMatchObject({ source: 'self', expiresAt: null })
  })
})

describe('idempotency per order', () => {
  it('answers the same grant for the same order, and nothing changes', async () => {
    const s = await school()
    const ref = order()
    const first = await s.purchase(ref, { endsAt: inDays(10) })
    const again = await s.purchase(ref, { endsAt: inDays(90) })
    expect(again).toEqual({ ...first, created: false, granted: false })
    expect(await s.access.grantsOf(first.enrolmentId)).toHaveLength(1)
    expect((await s.access.enrolment(first.enrolmentId))?.expiresAt).toEqual(first.expiresAt)
  })

  it('grants once when the same order is delivered 10 times at once, for a new learner and behind access', async () => {
    const s = await school()
    const ref = order()
    const results = await Promise.all(Array.from({ length: 10 }, () => s.purchase(ref)))
    expect(new Set(results.map((r) => r.enrolmentId)).size).toBe(1)
    expect(new Set(results.map((r) => r.grantId)).size).toBe(1)
    expect(results.filter((r) => r.created)).toHaveLength(1)
    expect(results.filter((r) => r.granted)).toHaveLength(1)
    expect(await eventsOf(s.tenant.id, ENROLMENT_CREATED)).toHaveLength(1)

    const second = order()
    const behind = await Promise.all(Array.from({ length: 10 }, () => s.purchase(second)))
    expect(behind.filter((r) => r.granted)).toHaveLength(1)
    expect(new Set(behind.map((r) => r.grantId)).size).toBe(1)
    expect(await s.access.grantsOf(results[0]!.enrolmentId)).toHaveLength(2)
  })

  it('grants different orders delivered at once for a new learner to one enrolment', async () => {
    const s = await school()
    const refs = Array.from({ length: 6 }, order)
    const results = await Promise.all(refs.map((ref) => s.purchase(ref)))
    expect(new Set(results.map((r) => r.enrolmentId)).size).toBe(1)
    expect(results.filter((r) => r.created)).toHaveLength(1)
    expect(results.every((r) => r.granted)).toBe(true)
    expect((await s.access.grantsOf(results[0]!.enrolmentId)).map((g) => g.sourceRef).sort()).toEqual(refs.sort())
  })
})

describe('revoking a purchase', () => {
  it('keeps access while an admin grant remains, with the admin end', async () => {
    const s = await school()
    const adminEnd = inDays(5)
    const enrolled = await client.enrol(s.courseId, s.admin.token, {
      userId: s.learner.userId,
      expiresAt: adminEnd.toISOString(),
    })
    const ref = order()
    expect(await s.purchase(ref, { endsAt: null })).toMatchObject({ enrolmentId: enrolled.json().id, expiresAt: null })

    const revoked = await s.refund(ref)

    expect(revoked.enrolments).toMatchObject([
      { enrolmentId: enrolled.json().id, status: 'active', expiresAt: adminEnd, accessEnded: false },
    ])
    expect((await s.read()).statusCode).toBe(200)
    expect((await s.access.grantsOf(enrolled.json().id)).map((g) => [g.source, g.revokedReason])).toEqual([
      ['admin', null],
      ['purchase', 'refund'],
    ])
  })

  it('keeps access while a second purchase remains', async () => {
    const s = await school()
    const [kept, refunded] = [order(), order()]
    await s.purchase(kept, { endsAt: inDays(20) })
    await s.purchase(refunded, { endsAt: inDays(60) })
    const revoked = await s.refund(refunded)
    expect(revoked.enrolments).toMatchObject([{ status: 'active', accessEnded: false }])
    expect(revoked.enrolments[0]?.expiresAt?.getTime()).toBeLessThan(inDays(21).getTime())
    expect((await s.read()).statusCode).toBe(200)
  })

  it('ends access when it was the only grant: cancelled, the seat given back, enrolment.cancelled, the lesson refused', async () => {
    const s = await school({
      delivery: 'cohort',
      capacity: 1,
      cohortStartsAt: inDays(-1),
      cohortEndsAt: inDays(30),
    })
    const ref = order()
    const { enrolmentId } = await s.purchase(ref)
    const next = await createMember(t, s.tenant.id)
    expect((await client.selfEnrol(s.courseId, next.token)).json().code).toBe('COURSE_FULL')

    const revoked = await s.refund(ref)

    expect(revoked.enrolments).toMatchObject([{ enrolmentId, status: 'cancelled', accessEnded: true }])
    expect(await s.access.enrolment(enrolmentId)).toMatchObject({ status: 'cancelled', cancelledByStaff: false })
    expect((await s.read()).json()).toMatchObject({ code: 'LESSON_LOCKED', reason: 'not_enrolled' })
    expect(await eventsOf(s.tenant.id, ENROLMENT_CANCELLED)).toEqual([
      {
        payload: {
          enrolmentId,
          userId: s.learner.userId,
          courseId: s.courseId,
          reason: 'revoked',
          endedAt: expect.any(String),
        },
      },
    ])
    expect((await client.selfEnrol(s.courseId, next.token)).statusCode).toBe(201)

    // Replays: the refund again revokes nothing, the order again grants nothing back.
    expect(await s.refund(ref)).toEqual({ enrolments: [] })
    expect(await s.purchase(ref)).toMatchObject({ enrolmentId, granted: false, revokedAt: expect.any(Date) })
    expect((await s.read()).statusCode).toBe(403)
  })

  it('lets a refunded learner buy again with a new order (a refund is not a school cancellation)', async () => {
    const s = await school()
    const ref = order()
    const { enrolmentId } = await s.purchase(ref)
    await s.refund(ref)
    const again = await s.purchase(order())
    expect(again).toMatchObject({ enrolmentId, created: true, granted: true })
    expect((await s.read()).statusCode).toBe(200)
    expect(await eventsOf(s.tenant.id, ENROLMENT_CREATED)).toHaveLength(2)
  })

  it('revokes every enrolment an order granted (a bundle), and only that order', async () => {
    const s = await school()
    const other = await buildPublishedCourse(t.platform.database, s.tenant.id, s.owner.userId)
    const ref = order()
    const first = await s.purchase(ref)
    const second = await s.access.grant({
      userId: s.learner.userId,
      courseId: other.courseId,
      source: 'purchase',
      sourceRef: ref,
      grantedBy: buyer(s.learner),
    })
    const unrelated = await s.purchase(order(), { userId: (await createMember(t, s.tenant.id)).userId })
    const revoked = await s.refund(ref)
    expect(revoked.enrolments.map((e) => e.enrolmentId).sort()).toEqual([first.enrolmentId, second.enrolmentId].sort())
    expect((await s.access.enrolment(unrelated.enrolmentId))?.status).toBe('active')
  })
})

describe('a school cancellation', () => {
  it('revokes every grant, purchases included; the learner cannot buy back in, staff can enrol them again', async () => {
    const s = await school()
    const ref = order()
    const { enrolmentId } = await s.purchase(ref)
    await client.enrol(s.courseId, s.admin.token, { userId: s.learner.userId, expiresAt: inDays(3).toISOString() })

    expect((await client.call('DELETE', `/v1/enrolments/${enrolmentId}`, s.admin.token)).statusCode).toBe(204)

    expect(await s.access.enrolment(enrolmentId)).toMatchObject({ status: 'cancelled', cancelledByStaff: true })
    expect((await s.access.grantsOf(enrolmentId)).map((g) => g.revokedReason)).toEqual([
      'enrolment_cancelled',
      'enrolment_cancelled',
    ])
    expect(await eventsOf(s.tenant.id, ENROLMENT_CANCELLED)).toMatchObject([{ payload: { reason: 'staff' } }])
    // The refund that may follow finds nothing left to revoke.
    expect(await s.refund(ref)).toEqual({ enrolments: [] })
    await expect(s.purchase(order())).rejects.toMatchObject({ code: 'ENROLMENT_CANCELLED' })
    await expect(
      s.access.check({ userId: s.learner.userId, courseId: s.courseId, source: 'purchase' }),
    ).rejects.toMatchObject({ code: 'ENROLMENT_CANCELLED' })

    const restored = await client.enrol(s.courseId, s.admin.token, { userId: s.learner.userId })
    expect(restored.statusCode).toBe(201)
    expect(await s.purchase(order())).toMatchObject({ enrolmentId, created: false, granted: true })
  })
})

describe('staff moving the end of access', () => {
  it("moves the school's grants only: a purchase keeps its end, and access lasts until the later one", async () => {
    const s = await school()
    const bought = inDays(30)
    const { enrolmentId } = await s.purchase(order(), { endsAt: bought })
    const move = (days: number) =>
      client.enrol(s.courseId, s.admin.token, { userId: s.learner.userId, expiresAt: inDays(days).toISOString() })

    const shorter = await move(10)
    expect(shorter.statusCode).toBe(200)
    expect(Date.parse(shorter.json().expiresAt)).toBe(bought.getTime())
    expect((await s.access.grantsOf(enrolmentId)).map((g) => g.source)).toEqual(['purchase', 'admin'])

    const longer = await move(60)
    expect(Date.parse(longer.json().expiresAt)).toBeGreaterThan(inDays(59).getTime())
    expect((await s.access.grantsOf(enrolmentId)).map((g) => g.source)).toEqual(['purchase', 'admin'])
  })
})
