import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { tenantScope } from '../../../platform/db/database.ts'
import { readPublishedCourse } from '../publication.ts'
import { authoringClient } from './authoring.testing.ts'

let t: TestApp
let api: ReturnType<typeof authoringClient>
beforeAll(async () => {
  t = await buildTestApp()
  api = authoringClient(t)
})
afterAll(async () => t?.close())

const published = (tenantId: string, courseId: string) =>
  t.platform.database.transaction(tenantScope(tenantId), (tx) => readPublishedCourse(tx, courseId))
const entries = (courseId: string) =>
  api.query<{ version_id: string; title: string }>(
    sql`SELECT version_id, title FROM catalogue.catalogue_entries WHERE course_id = ${courseId}`,
  )
const eventsOf = (courseId: string) =>
  api.query<{ type: string; payload: Record<string, unknown> }>(
    sql`SELECT type, payload FROM platform.domain_events WHERE payload->>'courseId' = ${courseId} ORDER BY occurred_at, id`,
  )
const auditOf = (courseId: string) =>
  api.query<{ action: string; actor_id: string }>(
    sql`SELECT action, actor_id FROM platform.audit_log WHERE target_id = ${courseId} ORDER BY occurred_at, id`,
  )

/** A tenant with a real instructor, an administrator and a course of the instructor with one lesson. */
async function setUp() {
  const tenant = await t.createTenant()
  const instructor = await api.realInstructor(tenant)
  const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
  const course = await api.createCourse(instructor.token, { title: 'Statistics 101', summary: 'Means and medians' })
  const content = await api.addModuleWithLesson(instructor.token, course.id, course.etag)
  return { tenant, instructor, admin, courseId: course.id, ...content }
}

describe('review workflow', () => {
  it('walks journey 2: create → submit → changes requested → resubmit → approve → in the catalogue as version 1', async () => {
    const { tenant, instructor, admin, courseId } = await setUp()
    const url = (step: string) => `/v1/courses/${courseId}/${step}`

    const submitted = await api.call('POST', url('submit'), instructor.token, { payload: {} })
    expect(submitted.statusCode).toBe(200)
    expect(submitted.json().status).toBe('in_review')
    // Content is frozen while in review, so the reviewer approves what they read.
    const frozen = await api.call('PATCH', `/v1/courses/${courseId}`, instructor.token, {
      etag: submitted.headers.etag as string,
      payload: { title: 'Sneaky' },
    })
    expect(frozen.statusCode).toBe(409)
    expect(frozen.json().code).toBe('COURSE_NOT_EDITABLE')
    // Instructors do not review.
    expect((await api.call('POST', url('approve'), instructor.token, { payload: {} })).statusCode).toBe(403)

    const noComment = await api.call('POST', url('request-changes'), admin, { payload: {} })
    expect(noComment.statusCode).toBe(400)
    const sentBack = await api.call('POST', url('request-changes'), admin, {
      payload: { comment: 'Add a summary of the exercises' },
    })
    expect(sentBack.statusCode).toBe(200)
    expect(sentBack.json().status).toBe('draft')
    const edited = await api.call('PATCH', `/v1/courses/${courseId}`, instructor.token, {
      etag: sentBack.headers.etag as string,
      payload: { description: 'Exercises: 12' },
    })
    expect(edited.statusCode).toBe(200)
    expect((await api.call('POST', url('submit'), instructor.token, { payload: { comment: 'Done' } })).statusCode).toBe(
      200,
    )

    // If-Match is optional on workflow steps; a stale one is refused.
    expect((await api.call('POST', url('approve'), admin, { etag: '"v1"', payload: {} })).statusCode).toBe(412)
    const approved = await api.call('POST', url('approve'), admin, { payload: { comment: 'Looks good' } })
    expect(approved.statusCode).toBe(200)
    expect(approved.json()).toMatchObject({
      status: 'published',
      publishedVersion: { number: 1 },
      hasUnpublishedChanges: false,
    })

    const live = await published(tenant.id, courseId)
    expect(live?.status).toBe('published')
    expect(live?.course).toMatchObject({
      versionNumber: 1,
      title: 'Statistics 101',
      description: 'Exercises: 12',
      instructorIds: [instructor.userId],
    })
    expect(await entries(courseId)).toEqual([{ version_id: live?.course.versionId, title: 'Statistics 101' }])
    expect(await eventsOf(courseId)).toEqual([
      {
        type: 'catalogue.course_published',
        payload: { courseId, versionId: live?.course.versionId, versionNumber: 1 },
      },
    ])

    const history = (await api.call('GET', url('reviews'), instructor.token)).json()
    expect(history.data.map((r: { action: string; comment: string | null }) => [r.action, r.comment])).toEqual([
      ['submitted', null],
      ['changes_requested', 'Add a summary of the exercises'],
      ['submitted', 'Done'],
      ['approved', 'Looks good'],
    ])
    const audit = await auditOf(courseId)
    expect(audit.map((a) => a.action)).toEqual([
      'course.created',
      'course.submitted',
      'course.changes_requested',
      'course.submitted',
      'course.approved',
    ])
    expect(audit[1]?.actor_id).toBe(instructor.userId)
  })

  it('keeps learners on the published version while the draft changes, and republishes explicitly as version 2', async () => {
    const { tenant, instructor, admin, courseId, lessonId } = await setUp()
    const first = await api.call('POST', `/v1/courses/${courseId}/publish`, admin, { payload: {} })
    expect(first.statusCode).toBe(200)
    const again = await api.call('POST', `/v1/courses/${courseId}/publish`, admin, { payload: {} })
    expect(again.json().code).toBe('NOTHING_TO_PUBLISH')

    const edit = await api.call('PATCH', `/v1/courses/${courseId}/lessons/${lessonId}`, instructor.token, {
      etag: first.headers.etag as string,
      payload: { title: 'Rewritten lesson' },
    })
    expect(edit.statusCode).toBe(200)
    const draft = (await api.call('GET', `/v1/courses/${courseId}`, instructor.token)).json()
    expect(draft).toMatchObject({ status: 'published', hasUnpublishedChanges: true, publishedVersion: { number: 1 } })
    const live = await published(tenant.id, courseId)
    expect(live?.course.versionNumber).toBe(1)
    expect(live?.course.modules[0]?.lessons[0]).toMatchObject({ id: lessonId, title: 'Lesson' })

    // Resubmitting keeps version 1 live; readPublishedCourse still reports it as published.
    expect(
      (await api.call('POST', `/v1/courses/${courseId}/submit`, instructor.token, { payload: {} })).json().status,
    ).toBe('in_review')
    expect((await published(tenant.id, courseId))?.status).toBe('published')
    // A bare POST without a body works too: the comment is optional.
    const approved = await api.call('POST', `/v1/courses/${courseId}/approve`, admin)
    expect(approved.statusCode, approved.body).toBe(200)
    expect(approved.json()).toMatchObject({ publishedVersion: { number: 2 }, hasUnpublishedChanges: false })
    const now = await published(tenant.id, courseId)
    expect(now?.course.versionNumber).toBe(2)
    expect(now?.course.modules[0]?.lessons[0]).toMatchObject({ id: lessonId, title: 'Rewritten lesson' })
    expect((await eventsOf(courseId)).map((e) => e.payload.versionNumber)).toEqual([1, 2])
    // Changes requested on a live course leave it live.
    const edit2 = await api.call('PATCH', `/v1/courses/${courseId}`, instructor.token, {
      etag: approved.headers.etag as string,
      payload: { title: 'Third' },
    })
    expect(edit2.statusCode).toBe(200)
    await api.call('POST', `/v1/courses/${courseId}/submit`, instructor.token, { payload: {} })
    const back = await api.call('POST', `/v1/courses/${courseId}/request-changes`, admin, {
      payload: { comment: 'Not yet' },
    })
    expect(back.json()).toMatchObject({ status: 'published', hasUnpublishedChanges: true })
  })

  it('refuses steps out of order, empty courses and direct publication by instructors', async () => {
    const tenant = await t.createTenant()
    const instructor = await t.tokenFor(tenant.id, ['instructor'])
    const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
    const course = await api.createCourse(instructor)
    const empty = await api.call('POST', `/v1/courses/${course.id}/submit`, instructor, { payload: {} })
    expect(empty.statusCode).toBe(409)
    expect(empty.json().code).toBe('COURSE_HAS_NO_LESSONS')
    expect((await api.call('POST', `/v1/courses/${course.id}/approve`, admin, { payload: {} })).json()).toMatchObject({
      status: 409,
      code: 'INVALID_COURSE_TRANSITION',
      courseStatus: 'draft',
    })
    expect((await api.call('POST', `/v1/courses/${course.id}/publish`, instructor, { payload: {} })).statusCode).toBe(
      403,
    )
    expect((await api.call('POST', `/v1/courses/${course.id}/publish`, admin, { payload: {} })).json().code).toBe(
      'COURSE_HAS_NO_LESSONS',
    )
    const learner = await t.tokenFor(tenant.id, ['learner'])
    expect((await api.call('POST', `/v1/courses/${course.id}/submit`, learner, { payload: {} })).statusCode).toBe(403)
    const otherInstructor = await t.tokenFor(tenant.id, ['instructor'])
    expect(
      (await api.call('POST', `/v1/courses/${course.id}/submit`, otherInstructor, { payload: {} })).statusCode,
    ).toBe(404)
    expect((await api.call('GET', `/v1/courses/${course.id}/reviews`, otherInstructor)).statusCode).toBe(404)
  })

  it('archives: only the owner or an administrator; the course leaves the catalogue and can no longer change', async () => {
    const { tenant, instructor, admin, courseId } = await setUp()
    const co = await api.realInstructor(tenant)
    expect(
      (await api.call('PUT', `/v1/courses/${courseId}/instructors/${co.userId}`, instructor.token)).statusCode,
    ).toBe(200)
    await api.call('POST', `/v1/courses/${courseId}/publish`, admin, { payload: {} })
    expect(await entries(courseId)).toHaveLength(1)

    const byCo = await api.call('POST', `/v1/courses/${courseId}/archive`, co.token, { payload: {} })
    expect(byCo.statusCode).toBe(403)
    expect(byCo.json().code).toBe('COURSE_OWNER_REQUIRED')
    const archived = await api.call('POST', `/v1/courses/${courseId}/archive`, instructor.token, {
      payload: { comment: 'Replaced by Statistics 102' },
    })
    expect(archived.statusCode).toBe(200)
    expect(archived.json().status).toBe('archived')
    expect(await entries(courseId)).toEqual([])
    expect((await published(tenant.id, courseId))?.status).toBe('archived')
    expect((await eventsOf(courseId)).map((e) => e.type)).toEqual([
      'catalogue.course_published',
      'catalogue.course_archived',
    ])
    expect((await auditOf(courseId)).map((a) => a.action)).toContain('course.archived')

    const edit = await api.call('PATCH', `/v1/courses/${courseId}`, instructor.token, {
      etag: archived.headers.etag as string,
      payload: { title: 'Back' },
    })
    expect(edit.json().code).toBe('COURSE_NOT_EDITABLE')
    expect((await api.call('POST', `/v1/courses/${courseId}/publish`, admin, { payload: {} })).json().code).toBe(
      'INVALID_COURSE_TRANSITION',
    )
    expect((await api.call('POST', `/v1/courses/${courseId}/archive`, admin, { payload: {} })).json().code).toBe(
      'INVALID_COURSE_TRANSITION',
    )
  })
})
