import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'
import { tenantScope } from '../../platform/db/database.ts'
import { catalogueEntries, courses, courseVersions, lessons } from './catalogue.tables.ts'
import {
  courseStaffRole,
  publishCourse,
  readPublishedCourse,
  readPublishedLesson,
  removeCatalogueEntry,
  snapshotDraft,
} from './publication.ts'
import { buildCourse } from './testing.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

const inTenant = <T>(tenantId: string, work: Parameters<TestApp['platform']['database']['transaction']>[1]) =>
  t.platform.database.transaction(tenantScope(tenantId), work) as Promise<T>

describe('publication core', () => {
  it('snapshots the draft with ordered modules, lessons and the owner first', async () => {
    const tenant = await t.createTenant()
    const owner = randomUUID()
    const coInstructor = randomUUID()
    const built = await buildCourse(t.platform.database, tenant.id, owner, {
      coInstructorIds: [coInstructor],
      modules: [
        { title: 'First', lessons: [{ title: 'a' }, { title: 'b', kind: 'link', url: 'https://example.org' }] },
        { title: 'Second', releaseOffsetDays: 7, lessons: [{ title: 'c' }] },
      ],
    })
    const draft = await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
      snapshotDraft(tx, built.courseId),
    )
    expect(draft?.instructorIds).toEqual([owner, coInstructor])
    expect(draft?.modules.map((m) => m.title)).toEqual(['First', 'Second'])
    expect(draft?.modules[0]?.lessons.map((l) => l.title)).toEqual(['a', 'b'])
    expect(draft?.modules[1]).toMatchObject({ releaseOffsetDays: 7, releaseAt: null })
    expect(draft?.modules[1]?.lessons[0]?.id).toBe(built.lessonIds[1]?.[0])
  })

  it('numbers versions 1, 2, rewrites the catalogue entry and keeps learners on the published snapshot while the draft changes', async () => {
    const tenant = await t.createTenant()
    const owner = randomUUID()
    const built = await buildCourse(t.platform.database, tenant.id, owner, {
      title: 'Rust basics',
      summary: 'Ownership and borrowing',
      modules: [{ lessons: [{ title: 'Intro', durationMinutes: 10 }] }],
    })
    const db = t.platform.database

    const first = await db.transaction(tenantScope(tenant.id), (tx) => publishCourse(tx, built.courseId, owner))
    expect(first?.versionNumber).toBe(1)
    const entryAfterFirst = await inTenant<Array<typeof catalogueEntries.$inferSelect>>(tenant.id, (tx) =>
      tx.select().from(catalogueEntries).where(eq(catalogueEntries.courseId, built.courseId)),
    )
    expect(entryAfterFirst).toHaveLength(1)
    expect(entryAfterFirst[0]).toMatchObject({
      versionId: first?.versionId,
      title: 'Rust basics',
      lessonCount: 1,
      durationMinutes: 10,
    })

    // The author keeps editing the draft: learners still read version 1.
    const lessonId = built.lessonIds[0]![0]!
    await db.transaction(tenantScope(tenant.id), async (tx) => {
      await tx.update(courses).set({ title: 'Rust in depth' }).where(eq(courses.id, built.courseId))
      await tx.update(lessons).set({ title: 'Intro (rewritten)' }).where(eq(lessons.id, lessonId))
    })
    const stillFirst = await db.transaction(tenantScope(tenant.id), (tx) => readPublishedCourse(tx, built.courseId))
    expect(stillFirst?.status).toBe('published')
    expect(stillFirst?.course).toMatchObject({ versionNumber: 1, versionId: first?.versionId, title: 'Rust basics' })
    expect(stillFirst?.course.modules[0]?.lessons[0]).toMatchObject({ id: lessonId, title: 'Intro' })

    const second = await db.transaction(tenantScope(tenant.id), (tx) => publishCourse(tx, built.courseId, owner))
    expect(second?.versionNumber).toBe(2)
    const now = await db.transaction(tenantScope(tenant.id), (tx) => readPublishedCourse(tx, built.courseId))
    expect(now?.course).toMatchObject({ versionNumber: 2, title: 'Rust in depth' })
    expect(now?.course.modules[0]?.lessons[0]).toMatchObject({ id: lessonId, title: 'Intro (rewritten)' })

    const entries = await inTenant<Array<typeof catalogueEntries.$inferSelect>>(tenant.id, (tx) =>
      tx.select().from(catalogueEntries).where(eq(catalogueEntries.courseId, built.courseId)),
    )
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ versionId: second?.versionId, title: 'Rust in depth' })
    const versions = await inTenant<Array<{ number: number }>>(tenant.id, (tx) =>
      tx
        .select({ number: courseVersions.number })
        .from(courseVersions)
        .where(eq(courseVersions.courseId, built.courseId))
        .orderBy(courseVersions.number),
    )
    expect(versions.map((v) => v.number)).toEqual([1, 2])

    await db.transaction(tenantScope(tenant.id), (tx) => removeCatalogueEntry(tx, built.courseId))
    const removed = await inTenant<unknown[]>(tenant.id, (tx) =>
      tx.select().from(catalogueEntries).where(eq(catalogueEntries.courseId, built.courseId)),
    )
    expect(removed).toHaveLength(0)
  })

  it("stores each version's outline without bodies and one body per lesson, read one at a time and per tenant", async () => {
    const tenant = await t.createTenant()
    const other = await t.createTenant()
    const owner = randomUUID()
    const built = await buildCourse(t.platform.database, tenant.id, owner, {
      modules: [
        {
          lessons: [
            { title: 'a', body: 'Alpha' },
            { title: 'b', body: 'Beta' },
          ],
        },
        { lessons: [] },
      ],
    })
    const [a, b] = built.lessonIds[0]!
    const db = t.platform.database
    const first = await db.transaction(tenantScope(tenant.id), (tx) => publishCourse(tx, built.courseId, owner))
    await db.transaction(tenantScope(tenant.id), (tx) =>
      tx.update(lessons).set({ body: 'Alpha, revised' }).where(eq(lessons.id, a!)),
    )
    const read = (tenantId: string, lessonId: string) =>
      db.transaction(tenantScope(tenantId), (tx) => readPublishedLesson(tx, built.courseId, lessonId))

    const outline = (await db.transaction(tenantScope(tenant.id), (tx) => readPublishedCourse(tx, built.courseId)))!
    expect(outline.course.modules.map((m) => m.lessons.map((l) => l.title))).toEqual([['a', 'b'], []])
    expect(outline.course.modules[0]!.lessons.every((l) => !('body' in l))).toBe(true)
    expect(await read(tenant.id, b!)).toEqual({ ...outline, body: 'Beta' })
    expect((await read(tenant.id, a!))?.body).toBe('Alpha')
    // An unknown or malformed lesson id reads the outline without a body.
    expect((await read(tenant.id, randomUUID()))?.body).toBeNull()
    expect((await read(tenant.id, 'not-a-uuid'))?.body).toBeNull()
    expect(await read(other.id, a!)).toBeNull()

    const second = await db.transaction(tenantScope(tenant.id), (tx) => publishCourse(tx, built.courseId, owner))
    expect(second?.versionId).not.toBe(first?.versionId)
    expect(await read(tenant.id, a!)).toMatchObject({ course: { versionNumber: 2 }, body: 'Alpha, revised' })
  })

  it('returns null for a course of another tenant and names staff roles', async () => {
    const tenant = await t.createTenant()
    const other = await t.createTenant()
    const owner = randomUUID()
    const co = randomUUID()
    const built = await buildCourse(t.platform.database, tenant.id, owner, { coInstructorIds: [co] })
    const db = t.platform.database
    expect(await db.transaction(tenantScope(other.id), (tx) => publishCourse(tx, built.courseId, owner))).toBeNull()
    expect(await db.transaction(tenantScope(other.id), (tx) => readPublishedCourse(tx, built.courseId))).toBeNull()
    expect(await db.transaction(tenantScope(tenant.id), (tx) => readPublishedCourse(tx, built.courseId))).toBeNull()
    expect(await db.transaction(tenantScope(tenant.id), (tx) => courseStaffRole(tx, built.courseId, owner))).toBe(
      'owner',
    )
    expect(await db.transaction(tenantScope(tenant.id), (tx) => courseStaffRole(tx, built.courseId, co))).toBe(
      'co_instructor',
    )
    expect(
      await db.transaction(tenantScope(tenant.id), (tx) => courseStaffRole(tx, built.courseId, randomUUID())),
    ).toBeNull()
  })
})
