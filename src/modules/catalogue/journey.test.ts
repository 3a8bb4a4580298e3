/**
 * Journey 2 (an instructor publishes a course) walked over HTTP against the real app: a learner
 * registers (verification link from the captured outbox, read through the operator mail API),
 * signs in, applies to teach → a tenant administrator approves with If-Match → the applicant's
 * next request carries the instructor role → they create a course with modules and lessons (one
 * module held back by a drip offset) → submit it for review → the administrator approves → the
 * course is in the anonymous catalogue listing, in full-text search and on its detail page.
 *
 * Out of scope here, as in issue 4: attaching media (upload → scan → process) and setting prices
 * per currency come with the media and commerce issues; the course stays free and media-less.
 * The steps share state and run in order.
 */
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/build-test-app.ts'

const PASSWORD = 'amber-lighthouse-52-orchid'
const VERIFY_SUBJECT = 'Confirm your email address'
const MAIL_WAIT_MS = 30_000
/** A word of the summary only (not of the title or description), for the full-text search step. */
const SEARCH_WORD = 'chlorophyll'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

const journey = {
  tenant: { id: '', slug: '' },
  email: `teacher.${Math.random().toString(36).slice(2, 10)}@example.org`,
  userId: '',
  token: '',
  admin: '',
  applicationId: '',
  slug: `plants-${Math.random().toString(36).slice(2, 8)}`,
  courseId: '',
  etag: '',
  moduleIds: [] as string[],
  lessonIds: [] as string[],
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT'

/** A call on the journey tenant's host; error responses must be problem documents. */
async function call(
  method: Method,
  url: string,
  options: { token?: string; payload?: object; ifMatch?: string } = {},
): Promise<LightMyRequestResponse> {
  const response = await t.app.inject({
    method,
    url,
    headers: {
      host: `${journey.tenant.slug}.${t.config.http.baseDomain}`,
      ...(options.token ? t.auth(options.token) : {}),
      ...(options.ifMatch ? { 'if-match': options.ifMatch } : {}),
    },
    ...(options.payload ? { payload: options.payload } : {}),
  })
  if (response.statusCode >= 400) expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
  return response
}

const asTeacher = (method: Method, url: string, options: { payload?: object; ifMatch?: string } = {}) =>
  call(method, url, { ...options, token: journey.token })

/** Polls the operator mail API until an email with `subject` to the journey's address is in the tenant's outbox. */
async function mailTo(subject: string): Promise<{ text: string }> {
  const deadline = Date.now() + MAIL_WAIT_MS
  for (;;) {
    const response = await t.app.inject({
      method: 'GET',
      url: `/v1/ops/mail?limit=100&tenantId=${journey.tenant.id}&to=${encodeURIComponent(journey.email)}`,
      headers: t.auth(t.operatorToken),
    })
    expect(response.statusCode).toBe(200)
    const found = (response.json() as { data: Array<{ subject: string; text: string }> }).data.find(
      (m) => m.subject === subject,
    )
    if (found) return found
    if (Date.now() > deadline) throw new Error(`no "${subject}" email to ${journey.email} within ${MAIL_WAIT_MS} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const listing = async (query = '') => {
  const response = await call('GET', `/v1/catalogue/courses${query}`)
  expect(response.statusCode).toBe(200)
  return (
    response.json() as {
      data: Array<{
        id: string
        slug: string
        title: string
        summary: string
        instructorIds: string[]
        lessonCount: number
        free: boolean
      }>
    }
  ).data
}

describe('journey 2: an instructor publishes a course, over HTTP', { timeout: 120_000 }, () => {
  it('registers a learner, verifies the address from the emailed link and signs in', async () => {
    journey.tenant = await t.createTenant()
    journey.admin = await t.tokenFor(journey.tenant.id, ['tenant_admin'])
    const registered = await call('POST', '/v1/auth/register', {
      payload: { email: journey.email, password: PASSWORD, displayName: 'Rosalind Plant' },
    })
    expect(registered.statusCode).toBe(202)
    const link = /\/verify-email\?token=([A-Za-z0-9_-]+)/.exec((await mailTo(VERIFY_SUBJECT)).text)
    expect(link?.[1]).toBeDefined()
    const verified = await call('POST', '/v1/auth/verify-email', { payload: { token: link![1] } })
    expect(verified.statusCode).toBe(200)
    const login = await call('POST', '/v1/auth/login', { payload: { email: journey.email, password: PASSWORD } })
    expect(login.statusCode).toBe(200)
    journey.token = (login.json() as { accessToken: string }).accessToken
    const me = (await asTeacher('GET', '/v1/me')).json() as { id: string; roles: string[] }
    expect(me.roles).toEqual(['learner'])
    journey.userId = me.id
    // A learner does not author courses.
    expect(
      (await asTeacher('POST', '/v1/courses', { payload: { slug: journey.slug, title: 'Too early' } })).statusCode,
    ).toBe(403)
  })

  it('applies to teach; the administrator approves with If-Match and the next request carries the instructor role', async () => {
    const applied = await asTeacher('POST', '/v1/instructor-applications', {
      payload: { statement: 'I have taught botany at evening school for ten years and would like to publish here.' },
    })
    expect(applied.statusCode).toBe(201)
    journey.applicationId = (applied.json() as { id: string }).id
    const url = `/v1/instructor-applications/${journey.applicationId}`

    const read = await call('GET', url, { token: journey.admin })
    expect(read.statusCode).toBe(200)
    expect(read.json()).toMatchObject({ status: 'pending', userId: journey.userId })
    expect((await call('POST', `${url}/approve`, { token: journey.admin, payload: {} })).statusCode).toBe(428)
    const approved = await call('POST', `${url}/approve`, {
      token: journey.admin,
      ifMatch: String(read.headers.etag),
      payload: { note: 'Welcome.' },
    })
    expect(approved.statusCode).toBe(200)
    expect(approved.json()).toMatchObject({ status: 'approved' })

    // The same access token: roles are read on every request.
    expect(((await asTeacher('GET', '/v1/me')).json() as { roles: string[] }).roles).toEqual(['instructor', 'learner'])
  })

  it('creates the course with modules and lessons, one module released a week after enrolment', async () => {
    const created = await asTeacher('POST', '/v1/courses', {
      payload: {
        slug: journey.slug,
        title: 'Botany for gardeners',
        summary: `How plants turn light into sugar with ${SEARCH_WORD}, and what that means for your garden`,
        description: 'Eight short lessons with exercises.',
        level: 'beginner',
        language: 'en',
        category: 'science',
        tags: ['plants', 'garden'],
      },
    })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({ status: 'draft', instructors: [{ userId: journey.userId, role: 'owner' }] })
    journey.courseId = (created.json() as { id: string }).id
    journey.etag = String(created.headers.etag)

    // Edits need the ETag of the last read.
    const noEtag = await asTeacher('POST', `/v1/courses/${journey.courseId}/modules`, { payload: { title: 'Light' } })
    expect(noEtag.statusCode).toBe(428)

    for (const module of [
      {
        title: 'Light',
        lessons: [
          { kind: 'text', title: 'What light is', body: '# Light\nPhotons.', preview: true },
          { kind: 'link', title: 'Further reading', url: 'https://example.org/light' },
        ],
      },
      {
        title: 'Sugar',
        releaseOffsetDays: 7,
        lessons: [{ kind: 'text', title: 'Making sugar', body: 'The Calvin cycle.' }],
      },
    ]) {
      const { lessons, ...fields } = module
      const added = await asTeacher('POST', `/v1/courses/${journey.courseId}/modules`, {
        ifMatch: journey.etag,
        payload: fields,
      })
      expect(added.statusCode).toBe(201)
      const moduleId = (added.json() as { id: string }).id
      journey.moduleIds.push(moduleId)
      journey.etag = String(added.headers.etag)
      for (const lesson of lessons) {
        const lessonAdded = await asTeacher('POST', `/v1/courses/${journey.courseId}/modules/${moduleId}/lessons`, {
          ifMatch: journey.etag,
          payload: lesson,
        })
        expect(lessonAdded.statusCode).toBe(201)
        journey.lessonIds.push((lessonAdded.json() as { id: string }).id)
        journey.etag = String(lessonAdded.headers.etag)
      }
    }
    // A stale ETag is refused.
    expect(
      (await asTeacher('PATCH', `/v1/courses/${journey.courseId}`, { ifMatch: '"v1"', payload: { title: 'Stale' } }))
        .statusCode,
    ).toBe(412)

    const draft = await asTeacher('GET', `/v1/courses/${journey.courseId}`)
    expect(draft.json()).toMatchObject({
      status: 'draft',
      publishedVersion: null,
      modules: [
        {
          title: 'Light',
          releaseOffsetDays: null,
          lessons: [{ title: 'What light is' }, { title: 'Further reading' }],
        },
        { title: 'Sugar', releaseOffsetDays: 7, lessons: [{ title: 'Making sugar' }] },
      ],
    })
    // Not in the catalogue while a draft.
    expect(await listing()).toEqual([])
    expect((await call('GET', `/v1/catalogue/courses/${journey.slug}`)).statusCode).toBe(404)
  })

  it('submits for review; the administrator approves and the course is published as version 1', async () => {
    const submitted = await asTeacher('POST', `/v1/courses/${journey.courseId}/submit`, {
      ifMatch: journey.etag,
      payload: { comment: 'Ready for review' },
    })
    expect(submitted.statusCode).toBe(200)
    expect(submitted.json()).toMatchObject({ status: 'in_review' })
    // The author cannot approve their own course.
    expect((await asTeacher('POST', `/v1/courses/${journey.courseId}/approve`, { payload: {} })).statusCode).toBe(403)
    expect(await listing()).toEqual([])

    const reviewed = await call('GET', `/v1/courses/${journey.courseId}`, { token: journey.admin })
    expect(reviewed.statusCode).toBe(200)
    const approved = await call('POST', `/v1/courses/${journey.courseId}/approve`, {
      token: journey.admin,
      ifMatch: String(reviewed.headers.etag),
      payload: { comment: 'Lovely' },
    })
    expect(approved.statusCode).toBe(200)
    expect(approved.json()).toMatchObject({
      status: 'published',
      publishedVersion: { number: 1 },
      hasUnpublishedChanges: false,
    })

    const history = (await asTeacher('GET', `/v1/courses/${journey.courseId}/reviews`)).json() as {
      data: Array<{ action: string; comment: string | null }>
    }
    expect(history.data.map((r) => [r.action, r.comment])).toEqual([
      ['submitted', 'Ready for review'],
      ['approved', 'Lovely'],
    ])
  })

  it('lists the course in the anonymous catalogue, finds it by a word of its summary and shows its detail page', async () => {
    const listed = await listing()
    expect(listed).toEqual([
      expect.objectContaining({
        id: journey.courseId,
        slug: journey.slug,
        title: 'Botany for gardeners',
        instructorIds: [journey.userId],
        lessonCount: 3,
        free: true,
      }),
    ])
    expect((await listing('?category=science&level=beginner&tag=plants')).map((c) => c.slug)).toEqual([journey.slug])

    const found = await listing(`?q=${SEARCH_WORD}`)
    expect(found.map((c) => c.slug)).toEqual([journey.slug])
    expect(await listing('?q=astronomy')).toEqual([])

    const detail = await call('GET', `/v1/catalogue/courses/${journey.slug}`)
    expect(detail.statusCode).toBe(200)
    // A strong ETag of the body, whose versionNumber names the published version.
    expect(detail.headers.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/)
    const course = detail.json() as {
      modules: Array<{ title: string; releaseOffsetDays: number | null; lessons: Array<Record<string, unknown>> }>
    }
    expect(course).toMatchObject({
      id: journey.courseId,
      slug: journey.slug,
      title: 'Botany for gardeners',
      versionNumber: 1,
    })
    expect(course.modules.map((m) => [m.title, m.releaseOffsetDays, m.lessons.map((l) => l.id)])).toEqual([
      ['Light', null, journey.lessonIds.slice(0, 2)],
      ['Sugar', 7, journey.lessonIds.slice(2)],
    ])
    // Only the free-preview lesson shows its content to anonymous visitors.
    expect(course.modules[0]?.lessons[0]).toMatchObject({ preview: true, body: '# Light\nPhotons.' })
    expect(course.modules[1]?.lessons[0]).not.toHaveProperty('body')

    // Another tenant's catalogue does not show it.
    const other = await t.createTenant()
    const elsewhere = await t.app.inject({
      method: 'GET',
      url: '/v1/catalogue/courses',
      headers: { host: `${other.slug}.${t.config.http.baseDomain}` },
    })
    expect(elsewhere.json()).toMatchObject({ data: [] })
  })
})
