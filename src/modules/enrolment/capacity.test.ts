/**
 * Cohort capacity under concurrency: 50 different learners enrol at once into the last seat and
 * exactly one gets it (embedded PGlite and, with TEST_DATABASE_URL, PostgreSQL's real concurrency).
 */
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { rowsOf, tenantScope } from '../../platform/db/database.ts'
import { buildPublishedCourse } from '../catalogue/testing.ts'
import { createMember, enrolmentClient } from './testing.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

const DAY = 86_400_000

describe('cohort capacity', () => {
  it('gives the last seat to exactly one of 50 simultaneous enrolments', async () => {
    const client = enrolmentClient(t)
    const tenant = await t.createTenant()
    const owner = await createMember(t, tenant.id, ['instructor'])
    const { courseId } = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, {
      delivery: 'cohort',
      capacity: 3,
      cohortStartsAt: new Date(Date.now() + DAY),
      cohortEndsAt: new Date(Date.now() + 30 * DAY),
    })
    // Two seats taken first, so the race is for the last one.
    for (const early of [await createMember(t, tenant.id), await createMember(t, tenant.id)])
      expect((await client.selfEnrol(courseId, early.token)).statusCode).toBe(201)
    const racers = await Promise.all(Array.from({ length: 50 }, () => createMember(t, tenant.id)))

    const responses = await Promise.all(racers.map((racer) => client.selfEnrol(courseId, racer.token)))

    const statuses = responses.map((r) => r.statusCode)
    expect(statuses.filter((s) => s === 201)).toHaveLength(1)
    expect(statuses.filter((s) => s === 409)).toHaveLength(49)
    expect(new Set(responses.filter((r) => r.statusCode === 409).map((r) => r.json().code))).toEqual(
      new Set(['COURSE_FULL']),
    )
    const [counts] = await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      rowsOf<{ enrolled: number; taken: number; capacity: number }>(
        tx,
        sql`SELECT (SELECT count(*)::int FROM enrolment.enrolments WHERE course_id = ${courseId}) AS enrolled, taken, capacity FROM enrolment.seat_counters WHERE course_id = ${courseId}`,
      ),
    )
    expect(counts).toEqual({ enrolled: 3, taken: 3, capacity: 3 })
  })

  it('lets the same learner enrolling twice at once hold one enrolment and one seat', async () => {
    const client = enrolmentClient(t)
    const tenant = await t.createTenant()
    const owner = await createMember(t, tenant.id, ['instructor'])
    const { courseId } = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, {
      delivery: 'cohort',
      capacity: 5,
      cohortStartsAt: new Date(Date.now() + DAY),
      cohortEndsAt: new Date(Date.now() + 2 * DAY),
    })
    const learner = await createMember(t, tenant.id)
    const responses = await Promise.all(Array.from({ length: 5 }, () => client.selfEnrol(courseId, learner.token)))
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 201])
    expect(new Set(responses.map((r) => r.json().id)).size).toBe(1)
    const [counter] = await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      rowsOf<{ taken: number }>(tx, sql`SELECT taken FROM enrolment.seat_counters WHERE course_id = ${courseId}`),
    )
    expect(counter?.taken).toBe(1)
  })
})
