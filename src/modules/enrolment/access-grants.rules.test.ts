/**
 * Access grants (ADR 0008): expiry with several grants, the admission rules a purchase passes
 * for new access, tenant isolation of grants, and the migration that made every earlier
 * enrolment's single source its first grant. Embedded PGlite and, with TEST_DATABASE_URL, PostgreSQL.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, testDatabaseUrl, type TestApp } from '../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope } from '../../platform/db/database.ts'
import { MIGRATIONS_FOLDER } from '../../platform/db/migrate.ts'
import { pgliteOwner, postgresOwner } from '../../platform/db/owner-connection.ts'
import { buildPublishedCourse, catalogueEntries, courses, type CourseInput } from '../catalogue/testing.ts'
import { accessGrants, accessGrantsClient, createMember, enrolmentClient, enrolments } from './testing.ts'

let t: TestApp
let client: ReturnType<typeof enrolmentClient>
beforeAll(async () => {
  t = await buildTestApp()
  client = enrolmentClient(t)
})
afterAll(async () => t?.close())

const DAY = 86_400_000
const order = () => `order_${randomUUID()}`
/** A running cohort of one seat, ending in 30 days. */
const COHORT: CourseInput = {
  delivery: 'cohort',
  capacity: 1,
  cohortStartsAt: new Date(Date.now() - DAY),
  cohortEndsAt: new Date(Date.now() + 30 * DAY),
}

async function school(input: CourseInput = {}) {
  const tenant = await t.createTenant()
  const owner = await createMember(t, tenant.id, ['instructor'])
  const admin = await createMember(t, tenant.id, ['tenant_admin'])
  const course = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, input)
  const learner = await createMember(t, tenant.id)
  const access = accessGrantsClient(t, tenant.id)
  const purchase = (extra: { userId?: string; courseId?: string; endsAt?: Date | null; now?: Date } = {}) =>
    access.grant({
      userId: extra.userId ?? learner.userId,
      courseId: extra.courseId ?? course.courseId,
      source: 'purchase',
      sourceRef: order(),
      grantedBy: `user:${extra.userId ?? learner.userId}`,
      ...(extra.endsAt === undefined ? {} : { endsAt: extra.endsAt }),
      ...(extra.now ? { now: extra.now } : {}),
    })
  return { tenant, owner, admin, learner, course, courseId: course.courseId, access, purchase }
}

describe('expiry with several grants', () => {
  it('ends access at the latest end: the expiry job leaves the enrolment until then and expires it after', async () => {
    const s = await school()
    const now = new Date()
    const at = (days: number) => new Date(now.getTime() + days * DAY)
    const { enrolmentId } = await s.purchase({ endsAt: at(1), now })
    await s.purchase({ endsAt: at(3), now })
    expect((await s.access.enrolment(enrolmentId))?.expiresAt).toEqual(at(3))

    await s.access.expire(at(2))
    expect((await s.access.enrolment(enrolmentId))?.status).toBe('active')
    await s.access.expire(at(4))
    expect(await s.access.enrolment(enrolmentId)).toMatchObject({ status: 'expired', expiresAt: at(3) })
  })

  it('never ends access while one grant is open-ended', async () => {
    const s = await school()
    const now = new Date()
    const { enrolmentId } = await s.purchase({ endsAt: new Date(now.getTime() + DAY), now })
    await s.purchase({ endsAt: null, now })
    await s.access.expire(new Date(now.getTime() + 3650 * DAY))
    expect(await s.access.enrolment(enrolmentId)).toMatchObject({ status: 'active', expiresAt: null })
  })

  it('makes an expired enrolment active again with a new purchase, from then on', async () => {
    const s = await school()
    const now = new Date()
    const { enrolmentId } = await s.purchase({ endsAt: new Date(now.getTime() + DAY), now })
    await s.access.expire(new Date(now.getTime() + 2 * DAY))
    const later = new Date(now.getTime() + 5 * DAY)
    const renewed = await s.purchase({ endsAt: new Date(later.getTime() + 10 * DAY), now: later })
    expect(renewed).toMatchObject({ enrolmentId, created: true, granted: true })
    expect(await s.access.enrolment(enrolmentId)).toMatchObject({ status: 'active', enrolledAt: later })
  })
})

describe('admission of a purchase for new access', () => {
  it("refuses the course's own staff buying it, unless the learning policy allows", async () => {
    const s = await school()
    await expect(s.purchase({ userId: s.owner.userId })).rejects.toMatchObject({
      code: 'COURSE_STAFF_ENROLMENT_FORBIDDEN',
    })
    await expect(
      s.access.check({ userId: s.owner.userId, courseId: s.courseId, source: 'purchase' }),
    ).rejects.toMatchObject({ code: 'COURSE_STAFF_ENROLMENT_FORBIDDEN' })
  })

  it('refuses a learner missing the learning path prerequisites, but not one behind an active enrolment', async () => {
    const s = await school()
    const first = await buildPublishedCourse(t.platform.database, s.tenant.id, s.owner.userId, { slug: 'basics' })
    const headers = t.auth(s.admin.token)
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/learning-paths',
      headers,
      payload: { slug: 'track', title: 'Track' },
    })
    const pathId = created.json().id as string
    const set = await t.app.inject({
      method: 'PUT',
      url: `/v1/learning-paths/${pathId}/courses`,
      headers: { ...headers, 'if-match': created.headers.etag as string },
      payload: { courses: [{ courseId: first.courseId }, { courseId: s.courseId, prerequisites: [first.courseId] }] },
    })
    expect(set.statusCode, set.body).toBe(200)
    expect(
      (await t.app.inject({ method: 'POST', url: `/v1/learning-paths/${pathId}/publish`, headers })).statusCode,
    ).toBe(200)

    await expect(s.purchase()).rejects.toMatchObject({ code: 'PREREQUISITES_NOT_MET' })
    await expect(
      s.access.check({ userId: s.learner.userId, courseId: s.courseId, source: 'purchase' }),
    ).rejects.toMatchObject({ code: 'PREREQUISITES_NOT_MET' })

    // An administrator's override opens access; a purchase behind it needs no admission.
    const overridden = await client.call('POST', `/v1/courses/${s.courseId}/enrolments`, s.admin.token, {
      userId: s.learner.userId,
      overridePrerequisites: true,
    })
    expect(overridden.statusCode).toBe(201)
    expect(await s.access.check({ userId: s.learner.userId, courseId: s.courseId, source: 'purchase' })).toEqual({
      active: true,
      enrolmentId: overridden.json().id,
      expiresAt: null,
      activeSources: ['admin'],
    })
    expect(await s.purchase()).toMatchObject({ enrolmentId: overridden.json().id, created: false, granted: true })
  })

  it('refuses a full cohort, an ended one, an archived course, an unknown one and a user who is not an active member', async () => {
    const s = await school(COHORT)
    const other = await createMember(t, s.tenant.id)
    expect(await s.purchase({ userId: other.userId })).toMatchObject({ created: true })
    await expect(s.purchase()).rejects.toMatchObject({ code: 'COURSE_FULL' })
    await expect(
      s.access.check({ userId: s.learner.userId, courseId: s.courseId, source: 'purchase' }),
    ).rejects.toMatchObject({ code: 'COURSE_FULL' })
    await expect(s.purchase({ now: new Date(Date.now() + 40 * DAY) })).rejects.toMatchObject({ code: 'COHORT_ENDED' })
    await expect(s.purchase({ userId: randomUUID() })).rejects.toMatchObject({ code: 'USER_NOT_FOUND' })
    await expect(s.purchase({ courseId: randomUUID() })).rejects.toMatchObject({ code: 'COURSE_NOT_FOUND' })

    await s.access.inTenant(async (tx) => {
      await tx.update(courses).set({ status: 'archived' }).where(eq(courses.id, s.courseId))
      await tx.delete(catalogueEntries).where(eq(catalogueEntries.courseId, s.courseId))
    })
    await expect(s.purchase()).rejects.toMatchObject({ code: 'COURSE_ARCHIVED' })
    // Archiving stops new learners, not enrolled ones: a grant behind active access is still added.
    expect(await s.purchase({ userId: other.userId })).toMatchObject({ created: false, granted: true })
  })

  it('writes nothing before a refusal, so the caller can go on with its transaction', async () => {
    const s = await school(COHORT)
    await s.purchase({ userId: (await createMember(t, s.tenant.id)).userId })
    const committed = await s.access.inTenant(async (tx) => {
      const refused = await s.access
        .grant(
          {
            userId: s.learner.userId,
            courseId: s.courseId,
            source: 'purchase',
            sourceRef: order(),
            grantedBy: 'system',
          },
          tx,
        )
        .catch((error: unknown) => error)
      expect(refused).toMatchObject({ code: 'COURSE_FULL' })
      return rowsOf<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM enrolment.enrolments`)
    })
    expect(committed).toEqual([{ n: 1 }])
    const [seats] = await s.access.inTenant((tx) =>
      rowsOf<{ taken: number }>(tx, sql`SELECT taken FROM enrolment.seat_counters WHERE course_id = ${s.courseId}`),
    )
    expect(seats?.taken).toBe(1)
  })

  it('refuses malformed input with a 4xx error, not a crash', async () => {
    const s = await school()
    const base = { userId: s.learner.userId, courseId: s.courseId, source: 'purchase' as const, grantedBy: 'x' }
    for (const sourceRef of ['', 'a'.repeat(201), 'bad\u0000ref'])
      await expect(s.access.grant({ ...base, sourceRef })).rejects.toMatchObject({ status: 400 })
    await expect(s.access.grant({ ...base, sourceRef: order(), endsAt: new Date(0) })).rejects.toMatchObject({
      code: 'INVALID_EXPIRY',
    })
    await expect(s.access.grant({ ...base, source: 'admin' as never, sourceRef: order() })).rejects.toMatchObject({
      code: 'INVALID_ACCESS_GRANT',
    })
    await expect(s.access.revoke({ source: 'purchase', sourceRef: order(), reason: '' })).rejects.toMatchObject({
      status: 400,
    })
  })
})

describe('tenant isolation of grants', () => {
  it("keeps one tenant's grants, courses and orders out of another's reach", async () => {
    const a = await school()
    const b = await school()
    const ref = order()
    const granted = await a.access.grant({
      userId: a.learner.userId,
      courseId: a.courseId,
      source: 'purchase',
      sourceRef: ref,
      grantedBy: 'system',
    })
    const seenBy = (tenantId: string) =>
      t.platform.database.transaction(tenantScope(tenantId), (tx) =>
        tx.select({ id: accessGrants.id }).from(accessGrants).where(eq(accessGrants.enrolmentId, granted.enrolmentId)),
      )
    expect(await seenBy(a.tenant.id)).toHaveLength(1)
    expect(await seenBy(b.tenant.id)).toEqual([])
    // B's transaction cannot revoke A's order, nor grant A's course, nor write a grant for A.
    expect(await b.access.revoke({ source: 'purchase', sourceRef: ref, reason: 'refund' })).toEqual({ enrolments: [] })
    await expect(
      b.access.grant({
        userId: a.learner.userId,
        courseId: a.courseId,
        source: 'purchase',
        sourceRef: order(),
        grantedBy: 'system',
      }),
    ).rejects.toMatchObject({ code: 'COURSE_NOT_FOUND' })
    await expect(
      t.platform.database.transaction(tenantScope(b.tenant.id), (tx) =>
        tx.insert(accessGrants).values({
          tenantId: a.tenant.id,
          enrolmentId: granted.enrolmentId,
          source: 'purchase',
          sourceRef: order(),
          grantedBy: 'system',
        }),
      ),
    ).rejects.toThrow()
    expect((await a.access.enrolment(granted.enrolmentId))?.status).toBe('active')
    expect(await a.access.grantsOf(granted.enrolmentId)).toMatchObject([{ revokedAt: null }])
  })
})

describe('the migration that made grants (0038)', () => {
  it("gives every enrolment without grants its single source as its first grant, once; a cancelled one's revoked", async () => {
    const s = await school()
    const [active, cancelled] = [s.learner, await createMember(t, s.tenant.id)]
    const ends = new Date(Date.now() + 9 * DAY)
    // Enrolments as earlier releases wrote them: no grant rows.
    const legacy = await t.platform.database.transaction(tenantScope(s.tenant.id), (tx) =>
      tx
        .insert(enrolments)
        .values([
          {
            tenantId: s.tenant.id,
            userId: active.userId,
            courseId: s.courseId,
            source: 'import',
            sourceRef: 'imp-1',
            enrolledBy: 'user:x',
            expiresAt: ends,
          },
          {
            tenantId: s.tenant.id,
            userId: cancelled.userId,
            courseId: s.courseId,
            source: 'self',
            enrolledBy: 'user:y',
            status: 'cancelled',
            endedAt: new Date(),
          },
        ])
        .returning(),
    )

    await runMigration('0038_access_grants_backfill.sql')
    await runMigration('0038_access_grants_backfill.sql')

    const [first, second] = legacy
    expect(await s.access.grantsOf(first!.id)).toMatchObject([
      {
        source: 'import',
        sourceRef: 'imp-1',
        grantedBy: 'user:x',
        startsAt: first!.enrolledAt,
        endsAt: ends,
        revokedAt: null,
      },
    ])
    expect(await s.access.grantsOf(second!.id)).toMatchObject([
      { source: 'self', grantedBy: 'user:y', revokedAt: second!.endedAt, revokedReason: 'enrolment_cancelled' },
    ])
    expect(await s.access.enrolment(second!.id)).toMatchObject({ status: 'cancelled', cancelledByStaff: true })
    expect((await s.access.enrolment(first!.id))?.cancelledByStaff).toBe(false)
    // Forced RLS is back on both tables.
    const forced = await t.platform.database.transaction(platformScope, (tx) =>
      rowsOf<{ relname: string; relforcerowsecurity: boolean }>(
        tx,
        sql`SELECT relname, relforcerowsecurity FROM pg_class WHERE relname IN ('enrolments', 'access_grants') AND relnamespace = 'enrolment'::regnamespace ORDER BY relname`,
      ),
    )
    expect(forced).toEqual([
      { relname: 'access_grants', relforcerowsecurity: true },
      { relname: 'enrolments', relforcerowsecurity: true },
    ])
  })
})

/** Runs one committed migration file again, as the owner, on this file's own database. */
async function runMigration(file: string): Promise<void> {
  const statements = readFileSync(path.join(MIGRATIONS_FOLDER, file), 'utf8').split('--> statement-breakpoint')
  const owner = testDatabaseUrl() ? await postgresOwner(testDatabaseUrl()) : pgliteOwner(t.platform.pglite!)
  try {
    for (const statement of statements) await owner.exec(statement)
  } finally {
    await owner.close()
  }
}
