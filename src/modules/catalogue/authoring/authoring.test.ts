import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { forgedCursor } from '../../../platform/http/pagination.testing.ts'
import { authoringClient } from './authoring.testing.ts'

let t: TestApp
let api: ReturnType<typeof authoringClient>
beforeAll(async () => {
  t = await buildTestApp()
  api = authoringClient(t)
})
afterAll(async () => t?.close())

describe('course authoring', () => {
  it('lets an instructor create a course with modules and lessons, drip and prerequisites', async () => {
    const tenant = await t.createTenant()
    const instructor = await t.tokenFor(tenant.id, ['instructor'])
    const created = await api.call('POST', '/v1/courses', instructor, {
      payload: {
        slug: 'intro-to-sql',
        title: 'Intro to SQL',
        summary: 'Queries from scratch',
        description: 'Long **markdown**',
        level: 'beginner',
        language: 'pt-BR',
        category: 'data',
        tags: ['sql', 'databases'],
        coverImageRef: 'covers/sql.png',
        delivery: 'cohort',
        cohortStartsAt: '2027-01-10T09:00:00Z',
        cohortEndsAt: '2027-03-10T09:00:00Z',
        capacity: 30,
        accessDays: 365,
      },
    })
    expect(created.statusCode).toBe(201)
    expect(created.headers.etag).toBe('"v1"')
    const course = created.json()
    expect(course).toMatchObject({
      slug: 'intro-to-sql',
      status: 'draft',
      delivery: 'cohort',
      capacity: 30,
      language: 'pt-BR',
      tags: ['sql', 'databases'],
      modules: [],
      hasUnpublishedChanges: false,
      publishedVersion: null,
    })
    expect(course.instructors).toEqual([{ userId: course.ownerId, role: 'owner' }])

    const first = await api.call('POST', `/v1/courses/${course.id}/modules`, instructor, {
      etag: '"v1"',
      payload: { title: 'Basics' },
    })
    expect(first.statusCode).toBe(201)
    expect(first.headers.etag).toBe('"v2"')
    const second = await api.call('POST', `/v1/courses/${course.id}/modules`, instructor, {
      etag: '"v2"',
      payload: { title: 'Joins', releaseOffsetDays: 7 },
    })
    expect(second.json()).toMatchObject({ position: 1, releaseOffsetDays: 7, releaseAt: null })
    const [m1, m2] = [first.json().id as string, second.json().id as string]

    const text = await api.call('POST', `/v1/courses/${course.id}/modules/${m1}/lessons`, instructor, {
      etag: '"v3"',
      payload: { kind: 'text', title: 'SELECT', body: '# SELECT', durationMinutes: 15, preview: true },
    })
    expect(text.statusCode).toBe(201)
    const video = await api.call('POST', `/v1/courses/${course.id}/modules/${m2}/lessons`, instructor, {
      etag: text.headers.etag as string,
      payload: {
        kind: 'video',
        title: 'JOIN',
        assetRef: 'videos/join.mp4',
        releaseAt: '2027-01-20T09:00:00Z',
        prerequisites: [text.json().id],
      },
    })
    expect(video.statusCode).toBe(201)
    expect(video.json()).toMatchObject({
      kind: 'video',
      releaseAt: '2027-01-20T09:00:00.000Z',
      prerequisites: [text.json().id],
    })

    // A module keeps one drip rule: switching from an offset to a date means clearing the offset.
    const both = await api.call('PATCH', `/v1/courses/${course.id}/modules/${m2}`, instructor, {
      etag: video.headers.etag as string,
      payload: { releaseAt: '2027-02-01T00:00:00Z' },
    })
    expect(both.json().code).toBe('DRIP_RULE_CONFLICT')
    const switched = await api.call('PATCH', `/v1/courses/${course.id}/modules/${m2}`, instructor, {
      etag: video.headers.etag as string,
      payload: { releaseAt: '2027-02-01T00:00:00Z', releaseOffsetDays: null },
    })
    expect(switched.statusCode).toBe(200)
    expect(switched.json()).toMatchObject({
      releaseAt: '2027-02-01T00:00:00.000Z',
      releaseOffsetDays: null,
      lessons: [expect.objectContaining({ title: 'JOIN' })],
    })
    expect(
      (
        await api.call('PATCH', `/v1/courses/${course.id}/modules/${randomUUID()}`, instructor, {
          etag: switched.headers.etag as string,
          payload: { title: 'x' },
        })
      ).json().code,
    ).toBe('MODULE_NOT_FOUND')

    const read = await api.call('GET', `/v1/courses/${course.id}`, instructor)
    expect(read.headers.etag).toBe('"v6"')
    expect(read.json().version).toBe(6)
    expect(
      read
        .json()
        .modules.map((m: { title: string; lessons: Array<{ title: string }> }) => [
          m.title,
          m.lessons.map((l) => l.title),
        ]),
    ).toEqual([
      ['Basics', ['SELECT']],
      ['Joins', ['JOIN']],
    ])
  })

  it('validates lessons: content per kind, one drip rule, prerequisites of the course without cycles', async () => {
    const tenant = await t.createTenant()
    const instructor = await t.tokenFor(tenant.id, ['instructor'])
    const course = await api.createCourse(instructor)
    const { moduleId, lessonId, etag } = await api.addModuleWithLesson(instructor, course.id, course.etag)
    const add = (payload: Record<string, unknown>) =>
      api.call('POST', `/v1/courses/${course.id}/modules/${moduleId}/lessons`, instructor, { etag, payload })

    expect((await add({ kind: 'file', title: 'Slides' })).json().code).toBe('INVALID_COURSE_CONTENT')
    expect((await add({ kind: 'link', title: 'Docs', url: 'http://example.org' })).json().code).toBe(
      'INVALID_COURSE_CONTENT',
    )
    expect(
      (await add({ kind: 'text', title: 'Both', releaseAt: '2027-01-01T00:00:00Z', releaseOffsetDays: 3 })).json().code,
    ).toBe('DRIP_RULE_CONFLICT')
    expect((await add({ kind: 'text', title: 'Bad prereq', prerequisites: [randomUUID()] })).json().code).toBe(
      'PREREQUISITE_UNKNOWN',
    )
    const kinds = await add({ kind: 'sermon', title: 'x' })
    expect(kinds.statusCode).toBe(400)
    // None of the refused changes bumped the version.
    expect(await api.etagOf(instructor, course.id)).toBe(etag)

    const link = await add({ kind: 'link', title: 'Docs', url: 'https://example.org/docs', prerequisites: [lessonId] })
    expect(link.statusCode).toBe(201)
    const self = await api.call('PATCH', `/v1/courses/${course.id}/lessons/${lessonId}`, instructor, {
      etag: link.headers.etag as string,
      payload: { prerequisites: [lessonId] },
    })
    expect(self.json().code).toBe('PREREQUISITE_UNKNOWN')
    const cycle = await api.call('PATCH', `/v1/courses/${course.id}/lessons/${lessonId}`, instructor, {
      etag: link.headers.etag as string,
      payload: { prerequisites: [link.json().id] },
    })
    expect(cycle.statusCode).toBe(400)
    expect(cycle.json().code).toBe('PREREQUISITE_CYCLE')

    // A lesson of another course is not a prerequisite of this one.
    const other = await api.createCourse(instructor)
    const otherLesson = await api.addModuleWithLesson(instructor, other.id, other.etag)
    const lessonDrip = await api.call('PATCH', `/v1/courses/${course.id}/lessons/${link.json().id}`, instructor, {
      etag: link.headers.etag as string,
      payload: { releaseOffsetDays: 2 },
    })
    expect(lessonDrip.statusCode).toBe(200)
    const bothOnLesson = await api.call('PATCH', `/v1/courses/${course.id}/lessons/${link.json().id}`, instructor, {
      etag: lessonDrip.headers.etag as string,
      payload: { releaseAt: '2027-01-01T00:00:00Z' },
    })
    expect(bothOnLesson.json().code).toBe('DRIP_RULE_CONFLICT')
    const kindChange = await api.call('PATCH', `/v1/courses/${course.id}/lessons/${link.json().id}`, instructor, {
      etag: lessonDrip.headers.etag as string,
      payload: { kind: 'video' },
    })
    expect(kindChange.json().code).toBe('INVALID_COURSE_CONTENT')
    const cross = await api.call('POST', `/v1/courses/${course.id}/modules/${moduleId}/lessons`, instructor, {
      etag: lessonDrip.headers.etag as string,
      payload: { kind: 'text', title: 'Cross', prerequisites: [otherLesson.lessonId] },
    })
    expect(cross.json().code).toBe('PREREQUISITE_UNKNOWN')

    // Deleting a lesson removes it from the prerequisites of the others.
    const removed = await api.call('DELETE', `/v1/courses/${course.id}/lessons/${lessonId}`, instructor, {
      etag: lessonDrip.headers.etag as string,
    })
    expect(removed.statusCode).toBe(204)
    const after = (await api.call('GET', `/v1/courses/${course.id}`, instructor)).json()
    expect(after.modules[0].lessons).toEqual([expect.objectContaining({ id: link.json().id, prerequisites: [] })])
  })

  it('requires If-Match on edits (428), refuses a stale one (412) and reports the current ETag', async () => {
    const tenant = await t.createTenant()
    const instructor = await t.tokenFor(tenant.id, ['instructor'])
    const course = await api.createCourse(instructor)
    const missing = await api.call('PATCH', `/v1/courses/${course.id}`, instructor, { payload: { title: 'New' } })
    expect(missing.statusCode).toBe(428)
    expect(missing.json().code).toBe('IF_MATCH_REQUIRED')
    const ok = await api.call('PATCH', `/v1/courses/${course.id}`, instructor, {
      etag: course.etag,
      payload: { title: 'New' },
    })
    expect(ok.statusCode).toBe(200)
    expect(ok.headers.etag).toBe('"v2"')
    const stale = await api.call('PATCH', `/v1/courses/${course.id}`, instructor, {
      etag: course.etag,
      payload: { title: 'Newer' },
    })
    expect(stale.statusCode).toBe(412)
    expect(stale.headers.etag).toBe('"v2"')
    expect(
      (await api.call('POST', `/v1/courses/${course.id}/modules`, instructor, { payload: { title: 'x' } })).statusCode,
    ).toBe(428)
  })

  it('lets exactly one of two concurrent edits with the same ETag succeed', async () => {
    const tenant = await t.createTenant()
    const instructor = await t.tokenFor(tenant.id, ['instructor'])
    const course = await api.createCourse(instructor)
    const results = await Promise.all([
      api.call('PATCH', `/v1/courses/${course.id}`, instructor, { etag: course.etag, payload: { title: 'Mine' } }),
      api.call('POST', `/v1/courses/${course.id}/modules`, instructor, {
        etag: course.etag,
        payload: { title: 'Theirs' },
      }),
      api.call('PATCH', `/v1/courses/${course.id}`, instructor, {
        etag: course.etag,
        payload: { summary: 'Also mine' },
      }),
    ])
    expect(results.filter((r) => r.statusCode < 300)).toHaveLength(1)
    expect(results.filter((r) => r.statusCode === 412)).toHaveLength(2)
    expect(await api.etagOf(instructor, course.id)).toBe('"v2"')
  })

  it('refuses a taken slug with 409 SLUG_TAKEN and validates cohort delivery', async () => {
    const tenant = await t.createTenant()
    const instructor = await t.tokenFor(tenant.id, ['instructor'])
    await api.createCourse(instructor, { slug: 'taken' })
    const again = await api.call('POST', '/v1/courses', instructor, { payload: { slug: 'taken', title: 'Again' } })
    expect(again.statusCode).toBe(409)
    expect(again.json().code).toBe('SLUG_TAKEN')
    const other = await api.createCourse(instructor)
    const rename = await api.call('PATCH', `/v1/courses/${other.id}`, instructor, {
      etag: other.etag,
      payload: { slug: 'taken' },
    })
    expect(rename.json().code).toBe('SLUG_TAKEN')
    // Another tenant may use the same slug.
    const elsewhere = await t.createTenant()
    await api.createCourse(await t.tokenFor(elsewhere.id, ['instructor']), { slug: 'taken' })

    const cohort = await api.call('POST', '/v1/courses', instructor, {
      payload: { slug: 'cohort-x', title: 'Cohort', delivery: 'cohort', cohortStartsAt: '2027-01-01T00:00:00Z' },
    })
    expect(cohort.statusCode).toBe(400)
    expect(cohort.json().errors[0].path).toBe('body.cohortEndsAt')
    const invalid = await api.call('POST', '/v1/courses', instructor, {
      payload: {
        slug: 'Bad Slug',
        title: '',
        language: 'english!',
        tags: Array.from({ length: 21 }, (_, i) => `t${i}`),
      },
    })
    expect(invalid.statusCode).toBe(400)
    expect(invalid.json().errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['body.slug', 'body.title', 'body.language', 'body.tags']),
    )
  })

  it('reorders modules and lessons in one call, moving lessons between modules', async () => {
    const tenant = await t.createTenant()
    const instructor = await t.tokenFor(tenant.id, ['instructor'])
    const course = await api.createCourse(instructor)
    const a = await api.addModuleWithLesson(instructor, course.id, course.etag, { title: 'A1' })
    const b = await api.addModuleWithLesson(instructor, course.id, a.etag, { title: 'B1' })
    const a2 = await api.call('POST', `/v1/courses/${course.id}/modules/${a.moduleId}/lessons`, instructor, {
      etag: b.etag,
      payload: { kind: 'quiz', title: 'A2' },
    })
    const etag = a2.headers.etag as string
    const url = `/v1/courses/${course.id}/structure`

    const partial = await api.call('PUT', url, instructor, {
      etag,
      payload: { modules: [{ id: b.moduleId, lessonIds: [b.lessonId] }] },
    })
    expect(partial.json().code).toBe('STRUCTURE_MISMATCH')
    const duplicated = await api.call('PUT', url, instructor, {
      etag,
      payload: {
        modules: [
          { id: b.moduleId, lessonIds: [b.lessonId, a.lessonId] },
          { id: a.moduleId, lessonIds: [a.lessonId] },
        ],
      },
    })
    expect(duplicated.json().code).toBe('STRUCTURE_MISMATCH')
    expect((await api.call('PUT', url, instructor, { payload: { modules: [] } })).statusCode).toBe(428)

    const moved = await api.call('PUT', url, instructor, {
      etag,
      payload: {
        modules: [
          { id: b.moduleId, lessonIds: [a2.json().id, b.lessonId] },
          { id: a.moduleId, lessonIds: [a.lessonId] },
        ],
      },
    })
    expect(moved.statusCode).toBe(200)
    expect(moved.headers.etag).not.toBe(etag)
    expect(
      moved
        .json()
        .modules.map((m: { id: string; lessons: Array<{ title: string; moduleId: string }> }) => [
          m.id,
          m.lessons.map((l) => l.title),
        ]),
    ).toEqual([
      [b.moduleId, ['A2', 'B1']],
      [a.moduleId, ['A1']],
    ])
    expect(moved.json().modules[0].lessons[0].moduleId).toBe(b.moduleId)

    const deleted = await api.call('DELETE', `/v1/courses/${course.id}/modules/${a.moduleId}`, instructor, {
      etag: moved.headers.etag as string,
    })
    expect(deleted.statusCode).toBe(204)
    const after = (await api.call('GET', `/v1/courses/${course.id}`, instructor)).json()
    expect(after.modules.map((m: { id: string }) => m.id)).toEqual([b.moduleId])
  })

  it('lets co-instructors edit, hides the course from other instructors (404) and refuses learners (403)', async () => {
    const tenant = await t.createTenant()
    const owner = await api.realInstructor(tenant)
    const co = await api.realInstructor(tenant)
    const stranger = await api.realInstructor(tenant)
    const course = await api.createCourse(owner.token)

    const learner = await t.tokenFor(tenant.id, ['learner'])
    expect(
      (await api.call('PUT', `/v1/courses/${course.id}/instructors/${randomUUID()}`, owner.token)).json().code,
    ).toBe('NOT_AN_INSTRUCTOR')
    const notOwner = await api.call('PUT', `/v1/courses/${course.id}/instructors/${stranger.userId}`, stranger.token)
    expect(notOwner.statusCode).toBe(404)

    const added = await api.call('PUT', `/v1/courses/${course.id}/instructors/${co.userId}`, owner.token)
    expect(added.statusCode).toBe(200)
    expect(added.json().instructors).toEqual([
      { userId: owner.userId, role: 'owner' },
      { userId: co.userId, role: 'co_instructor' },
    ])
    const etag = added.headers.etag as string
    const coEdit = await api.call('PATCH', `/v1/courses/${course.id}`, co.token, {
      etag,
      payload: { title: 'Co-written' },
    })
    expect(coEdit.statusCode).toBe(200)
    // A co-instructor is not the owner: they do not manage the staff.
    expect(
      (await api.call('PUT', `/v1/courses/${course.id}/instructors/${stranger.userId}`, co.token)).json().code,
    ).toBe('COURSE_OWNER_REQUIRED')

    expect((await api.call('GET', `/v1/courses/${course.id}`, stranger.token)).statusCode).toBe(404)
    expect(
      (
        await api.call('PATCH', `/v1/courses/${course.id}`, stranger.token, {
          etag: coEdit.headers.etag as string,
          payload: { title: 'Hijack' },
        })
      ).statusCode,
    ).toBe(404)
    const strangerList = (await api.call('GET', '/v1/courses', stranger.token)).json()
    expect(strangerList.data).toEqual([])
    const coList = (await api.call('GET', '/v1/courses', co.token)).json()
    expect(coList.data.map((c: { id: string }) => c.id)).toEqual([course.id])
    expect((await api.call('GET', `/v1/courses/${course.id}`, learner)).statusCode).toBe(403)
    expect((await api.call('GET', '/v1/courses', learner)).statusCode).toBe(403)
    expect((await t.app.inject({ method: 'GET', url: '/v1/courses' })).statusCode).toBe(401)

    // Administrators see every course; another tenant sees none.
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
    expect((await api.call('GET', `/v1/courses/${course.id}`, admin)).statusCode).toBe(200)
    const otherTenant = await t.createTenant()
    expect(
      (await api.call('GET', `/v1/courses/${course.id}`, await t.tokenFor(otherTenant.id, ['tenant_admin'])))
        .statusCode,
    ).toBe(404)

    const removed = await api.call('DELETE', `/v1/courses/${course.id}/instructors/${co.userId}`, owner.token)
    expect(removed.statusCode).toBe(204)
    expect((await api.call('GET', `/v1/courses/${course.id}`, co.token)).statusCode).toBe(404)
    const audit = await api.query<{ action: string }>(
      sql`SELECT action FROM platform.audit_log WHERE target_id = ${course.id} ORDER BY occurred_at, id`,
    )
    expect(audit.map((a) => a.action)).toEqual([
      'course.created',
      'course.instructor_added',
      'course.instructor_removed',
    ])
  })

  it('lists authored courses with cursor pagination and a status filter', async () => {
    const tenant = await t.createTenant()
    const instructor = await t.tokenFor(tenant.id, ['instructor'])
    const ids = []
    for (let i = 0; i < 3; i++) ids.push((await api.createCourse(instructor)).id)
    const first = (await api.call('GET', '/v1/courses?limit=2', instructor)).json()
    expect(first.data.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]])
    const second = (await api.call('GET', `/v1/courses?limit=2&cursor=${first.nextCursor}`, instructor)).json()
    expect(second).toEqual({ data: [expect.objectContaining({ id: ids[0], status: 'draft' })], nextCursor: null })
    expect((await api.call('GET', '/v1/courses?status=published', instructor)).json().data).toEqual([])
    expect((await api.call('GET', '/v1/courses?status=bogus', instructor)).statusCode).toBe(400)
  })

  it('pages review history with the cursors it issues, oldest first', async () => {
    const tenant = await t.createTenant()
    const instructor = await t.tokenFor(tenant.id, ['instructor'])
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
    const course = await api.createCourse(instructor)
    await api.addModuleWithLesson(instructor, course.id, course.etag)
    expect((await api.call('POST', `/v1/courses/${course.id}/submit`, instructor, { payload: {} })).statusCode).toBe(
      200,
    )
    expect(
      (
        await api.call('POST', `/v1/courses/${course.id}/request-changes`, admin, {
          payload: { comment: 'More examples' },
        })
      ).statusCode,
    ).toBe(200)
    const first = await api.call('GET', `/v1/courses/${course.id}/reviews?limit=1`, instructor)
    expect(first.json().data.map((r: { action: string }) => r.action)).toEqual(['submitted'])
    const second = await api.call(
      'GET',
      `/v1/courses/${course.id}/reviews?limit=1&cursor=${first.json().nextCursor}`,
      instructor,
    )
    expect(second.statusCode).toBe(200)
    expect(second.json()).toMatchObject({
      data: [{ action: 'changes_requested', comment: 'More examples' }],
      nextCursor: null,
    })
  })

  const forged = [
    ['an instant that is not one', forgedCursor(['not-a-date', randomUUID()])],
    ['an id that is not a UUID', forgedCursor(['2026-01-01T00:00:00.000000Z', 'not-a-uuid'])],
    ['30 February', forgedCursor(['2024-02-30T00:00:00.000000Z', randomUUID()])],
    ['year zero', forgedCursor(['0000-01-01T00:00:00.000000Z', randomUUID()])],
    ['a number for the instant', forgedCursor([1_700_000_000_000, randomUUID()])],
    ['the wrong number of parts', forgedCursor([randomUUID()])],
  ] as const

  it.each(forged)(
    'answers 400 INVALID_CURSOR for %s on /v1/courses and /v1/courses/{id}/reviews',
    async (_what, cursor) => {
      const tenant = await t.createTenant()
      const instructor = await t.tokenFor(tenant.id, ['instructor'])
      const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
      const course = await api.createCourse(instructor)
      for (const [url, token] of [
        [`/v1/courses?cursor=${cursor}`, instructor],
        [`/v1/courses?cursor=${cursor}`, admin],
        [`/v1/courses/${course.id}/reviews?cursor=${cursor}`, instructor],
      ] as const) {
        const response = await api.call('GET', url, token)
        expect(response.statusCode, url).toBe(400)
        expect(response.headers['content-type']).toContain('application/problem+json')
        expect(response.json()).toMatchObject({ code: 'INVALID_CURSOR', errors: [{ path: 'querystring.cursor' }] })
      }
    },
  )
})
