/** Bulk enrolment from CSV over HTTP: the dry-run report, the idempotent apply and who may use it. */
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { rowsOf, tenantScope } from '../../platform/db/database.ts'
import { publishCourse } from '../catalogue/index.ts'
import { buildPublishedCourse, courses } from '../catalogue/testing.ts'
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
  const admin = await createMember(t, tenant.id, ['tenant_admin'])
  const { courseId } = await buildPublishedCourse(t.platform.database, tenant.id, owner.userId, input)
  return { tenant, owner, admin, courseId }
}

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

const upload = (courseId: string, token: string, csv: string, as: 'csv' | 'json' = 'csv') =>
  t.app.inject({
    method: 'POST',
    url: `/v1/courses/${courseId}/enrolment-imports`,
    headers: { ...t.auth(token), 'content-type': as === 'csv' ? 'text/csv' : 'application/json' },
    payload: as === 'csv' ? csv : JSON.stringify({ csv }),
  })

const apply = (importId: string, token: string) =>
  client.call('POST', `/v1/enrolment-imports/${importId}/apply`, token, {})

const enrolmentsOf = (tenantId: string, courseId: string) =>
  t.platform.database.transaction(tenantScope(tenantId), (tx) =>
    rowsOf<{ userId: string; source: string; sourceRef: string | null }>(
      tx,
      sql`SELECT user_id AS "userId", source, source_ref AS "sourceRef" FROM enrolment.enrolments WHERE course_id = ${courseId} ORDER BY user_id`,
    ),
  )

describe('CSV enrolment imports', () => {
  it('reports per-row errors and already-enrolled learners in a dry run that enrols nobody', async () => {
    const { tenant, admin, courseId } = await setup()
    const [ann, bob, cy] = [
      await createMember(t, tenant.id),
      await createMember(t, tenant.id),
      await createMember(t, tenant.id),
    ]
    expect((await client.selfEnrol(courseId, cy.token)).statusCode).toBe(201)
    const foreign = await createMember(t, (await t.createTenant()).id)
    const csv = [
      'email,expiresAt',
      `${ann.email.toUpperCase()},2099-01-31`,
      `${bob.email},`,
      'nobody@example.org,',
      `${ann.email},`,
      `${bob.email.replace('@', '+x@')},not-a-date`,
      `${foreign.email},`,
      `${cy.email}`,
      'broken-address,',
    ].join('\n')

    const dryRun = await upload(courseId, admin.token, csv)
    expect(dryRun.statusCode).toBe(201)
    expect(dryRun.json()).toMatchObject({
      courseId,
      rows: 8,
      valid: 2,
      alreadyEnrolled: [{ row: 8, email: cy.email }],
      errors: [
        { row: 4, field: 'email', message: 'no active user of this school has this address' },
        { row: 5, field: 'email', message: 'duplicates row 2' },
        { row: 6, field: 'expiresAt', message: 'is not a date (YYYY-MM-DD) or an RFC 3339 date-time' },
        { row: 7, field: 'email', message: 'no active user of this school has this address' },
        { row: 9, field: 'email', message: 'is not an email address' },
      ],
      appliedAt: null,
      appliedCount: null,
    })
    expect((await enrolmentsOf(tenant.id, courseId)).map((e) => e.userId)).toEqual([cy.userId])
  })

  it('treats the same CSV for the same course as the same import, whether sent as text/csv or JSON', async () => {
    const { tenant, admin, courseId } = await setup()
    const ann = await createMember(t, tenant.id)
    const csv = `email\n${ann.email}\n`
    const first = await upload(courseId, admin.token, csv)
    const second = await upload(courseId, admin.token, csv, 'json')
    expect(first.statusCode).toBe(201)
    expect(second.statusCode).toBe(200)
    expect(second.json()).toEqual(first.json())
    const fetched = await client.call('GET', `/v1/enrolment-imports/${first.json().importId}`, admin.token)
    expect(fetched.json()).toEqual(first.json())
  })

  it('applies the valid rows once: applying again enrols nobody twice and returns the same result', async () => {
    const { tenant, admin, courseId } = await setup()
    const [ann, bob, cy] = [
      await createMember(t, tenant.id),
      await createMember(t, tenant.id),
      await createMember(t, tenant.id),
    ]
    await client.selfEnrol(courseId, cy.token)
    const report = (
      await upload(courseId, admin.token, `${ann.email},2099-06-30\n${bob.email}\n${cy.email}\nghost@example.org`)
    ).json()
    expect(report).toMatchObject({ valid: 2, errors: [{ row: 4 }] })

    const applied = await apply(report.importId, admin.token)
    expect(applied.statusCode).toBe(200)
    expect(applied.json()).toMatchObject({ importId: report.importId, appliedAt: expect.any(String), appliedCount: 2 })
    const again = await apply(report.importId, admin.token)
    expect(again.json()).toEqual(applied.json())

    const rows = await enrolmentsOf(tenant.id, courseId)
    expect(rows).toHaveLength(3)
    expect(
      rows
        .filter((r) => r.source === 'import')
        .map((r) => r.userId)
        .sort(),
    ).toEqual([ann.userId, bob.userId].sort())
    expect(rows.filter((r) => r.source === 'import').every((r) => r.sourceRef === report.importId)).toBe(true)
    const annEnrolment = (await client.call('GET', '/v1/me/enrolments', ann.token)).json().data[0]
    expect(annEnrolment).toMatchObject({ source: 'import', expiresAt: '2099-07-01T00:00:00.000Z' })

    // Uploading the same file after the apply shows the applied import, not a new one.
    const reupload = await upload(
      courseId,
      admin.token,
      `${ann.email},2099-06-30\n${bob.email}\n${cy.email}\nghost@example.org`,
    )
    expect(reupload.statusCode).toBe(200)
    expect(reupload.json().appliedCount).toBe(2)
  })

  it('refuses the whole apply when the cohort has too few seats', async () => {
    const DAY = 86_400_000
    const { tenant, admin, courseId } = await setup({
      delivery: 'cohort',
      capacity: 1,
      cohortStartsAt: new Date(Date.now() + DAY),
      cohortEndsAt: new Date(Date.now() + 9 * DAY),
    })
    const [ann, bob] = [await createMember(t, tenant.id), await createMember(t, tenant.id)]
    const report = (await upload(courseId, admin.token, `${ann.email}\n${bob.email}`)).json()
    const applied = await apply(report.importId, admin.token)
    expect(applied.statusCode).toBe(409)
    expect(applied.json().code).toBe('COURSE_FULL')
    expect(await enrolmentsOf(tenant.id, courseId)).toEqual([])
    expect(
      (await client.call('GET', `/v1/enrolment-imports/${report.importId}`, admin.token)).json().appliedAt,
    ).toBeNull()
  })

  it('refuses an ended cohort: the dry run as a whole file, and the apply of a file uploaded before the end', async () => {
    const DAY = 86_400_000
    const { tenant, owner, admin, courseId } = await setup({
      delivery: 'cohort',
      capacity: 10,
      cohortStartsAt: new Date(Date.now() + DAY),
      cohortEndsAt: new Date(Date.now() + 9 * DAY),
    })
    const [ann, bob] = [await createMember(t, tenant.id), await createMember(t, tenant.id)]
    const before = await upload(courseId, admin.token, `${ann.email}`)
    expect(before.statusCode).toBe(201)
    const cohortEndsAt = new Date(Date.now() - 60_000)
    await republishCohort(tenant.id, courseId, owner.userId, {
      cohortStartsAt: new Date(Date.now() - 9 * DAY),
      cohortEndsAt,
    })

    const dryRun = await upload(courseId, admin.token, `${bob.email}`)
    expect(dryRun.statusCode).toBe(409)
    expect(dryRun.headers['content-type']).toContain('application/problem+json')
    expect(dryRun.json()).toMatchObject({ code: 'COHORT_ENDED', cohortEndsAt: cohortEndsAt.toISOString() })
    const applied = await apply(before.json().importId, admin.token)
    expect(applied.statusCode).toBe(409)
    expect(applied.json().code).toBe('COHORT_ENDED')
    expect(await enrolmentsOf(tenant.id, courseId)).toEqual([])
    expect(
      (await client.call('GET', `/v1/enrolment-imports/${before.json().importId}`, admin.token)).json().appliedAt,
    ).toBeNull()
  })

  it("is for administrators and the course's instructors, and refuses unreadable files", async () => {
    const { tenant, owner, admin, courseId } = await setup()
    const learner = await createMember(t, tenant.id)
    const byLearner = await upload(courseId, learner.token, `${learner.email}`)
    expect(byLearner.statusCode).toBe(403)
    expect(byLearner.json().code).toBe('PERMISSION_DENIED')
    const byOwner = await upload(courseId, owner.token, `${learner.email}`)
    expect(byOwner.statusCode).toBe(201)
    expect((await apply(byOwner.json().importId, learner.token)).statusCode).toBe(403)

    const unclosed = await upload(courseId, admin.token, '"never closed\n')
    expect(unclosed.statusCode).toBe(400)
    expect(unclosed.json().code).toBe('CSV_INVALID')
    const unknownColumn = await upload(courseId, admin.token, 'email,name\na@example.org,Ann')
    expect(unknownColumn.json().code).toBe('CSV_INVALID')
    const tooMany = await upload(
      courseId,
      admin.token,
      Array.from({ length: 5001 }, (_, i) => `u${i}@example.org`).join('\n'),
    )
    expect(tooMany.statusCode).toBe(413)
    expect(tooMany.json().code).toBe('CSV_TOO_LARGE')
    expect((await client.call('POST', `/v1/enrolment-imports/${courseId}/apply`, admin.token, {})).statusCode).toBe(404)
  })
})
