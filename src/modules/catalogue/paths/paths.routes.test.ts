import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { tenantScope, type QueryCounter } from '../../../platform/db/database.ts'
import { forgedCursor } from '../../../platform/http/pagination.testing.ts'
import { courses } from '../catalogue.tables.ts'
import { removeCatalogueEntry } from '../publication.ts'
import { buildCourse, buildPublishedCourse } from '../testing.ts'
import { findCycle } from './paths.rules.ts'

const counters: QueryCounter[] = []

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({
    instrument: (app) =>
      app.addHook('onResponse', async (request) => {
        if (request.url.startsWith('/v1/catalogue/paths') && request.ctx) counters.push({ ...request.ctx.counter })
      }),
  })
})
afterAll(async () => t?.close())

async function tenantWithAdmin() {
  const tenant = await t.createTenant()
  const admin = t.auth(await t.tokenFor(tenant.id, ['tenant_admin']))
  const host = `${tenant.slug}.${t.config.http.baseDomain}`
  const publish = async (slug: string, title = `Course ${slug}`) =>
    (await buildPublishedCourse(t.platform.database, tenant.id, randomUUID(), { slug, title })).courseId
  return { ...tenant, admin, host, publish }
}

type Headers = Record<string, string>
const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, headers: Headers, payload?: unknown) =>
  t.app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  })

describe('learning path authoring', () => {
  it('creates, edits with If-Match, sets ordered courses with prerequisites, publishes and lists', async () => {
    const s = await tenantWithAdmin()
    const [intro, middle, final] = [
      await s.publish('intro', 'Intro'),
      await s.publish('middle', 'Middle'),
      await s.publish('final', 'Final'),
    ]

    const created = await call('POST', '/v1/learning-paths', s.admin, {
      slug: 'data-track',
      title: 'Data track',
      summary: 'From zero to data',
    })
    expect(created.statusCode).toBe(201)
    const path = created.json()
    expect(path).toMatchObject({ slug: 'data-track', status: 'draft', version: 1, courses: [] })
    expect(created.headers.etag).toBe('"v1"')

    expect((await call('PATCH', `/v1/learning-paths/${path.id}`, s.admin, { title: 'No If-Match' })).statusCode).toBe(
      428,
    )
    expect(
      (await call('PATCH', `/v1/learning-paths/${path.id}`, { ...s.admin, 'if-match': '"v9"' }, { title: 'Stale' }))
        .statusCode,
    ).toBe(412)
    const patched = await call(
      'PATCH',
      `/v1/learning-paths/${path.id}`,
      { ...s.admin, 'if-match': '"v1"' },
      { title: 'Data science track' },
    )
    expect(patched.statusCode).toBe(200)
    expect(patched.json()).toMatchObject({ title: 'Data science track', version: 2 })

    const set = await call(
      'PUT',
      `/v1/learning-paths/${path.id}/courses`,
      { ...s.admin, 'if-match': '"v2"' },
      {
        courses: [
          { courseId: intro },
          { courseId: middle, prerequisites: [intro] },
          { courseId: final, prerequisites: [intro, middle] },
        ],
      },
    )
    expect(set.statusCode).toBe(200)
    expect(set.json().courses).toEqual([
      { courseId: intro, position: 0, prerequisites: [], slug: 'intro', title: 'Intro', published: true },
      { courseId: middle, position: 1, prerequisites: [intro], slug: 'middle', title: 'Middle', published: true },
      { courseId: final, position: 2, prerequisites: [intro, middle], slug: 'final', title: 'Final', published: true },
    ])
    expect(set.headers.etag).toBe('"v3"')

    // Drafts never reach the catalogue.
    expect((await call('GET', '/v1/catalogue/paths', { host: s.host })).json().data).toEqual([])

    const published = await call('POST', `/v1/learning-paths/${path.id}/publish`, s.admin)
    expect(published.statusCode).toBe(200)
    expect(published.json()).toMatchObject({ status: 'published', version: 4 })
    expect((await call('POST', `/v1/learning-paths/${path.id}/publish`, s.admin)).json()).toMatchObject({
      status: 409,
      code: 'INVALID_PATH_TRANSITION',
      pathStatus: 'published',
    })

    const list = await call('GET', '/v1/learning-paths?status=published', s.admin)
    expect(list.json().data.map((p: { id: string }) => p.id)).toEqual([path.id])
    const got = await call('GET', `/v1/learning-paths/${path.id}`, s.admin)
    expect(got.headers.etag).toBe('"v4"')
  })

  it('refuses unpublished courses, unknown prerequisites, duplicates and cycles', async () => {
    const s = await tenantWithAdmin()
    const a = await s.publish('a')
    const b = await s.publish('b')
    const draft = (await buildCourse(t.platform.database, s.id, randomUUID(), { slug: 'draft' })).courseId
    const other = await tenantWithAdmin()
    const foreign = await other.publish('foreign')
    const path = (await call('POST', '/v1/learning-paths', s.admin, { slug: 'p', title: 'P' })).json()
    const put = (courses: unknown) =>
      call('PUT', `/v1/learning-paths/${path.id}/courses`, { ...s.admin, 'if-match': '"v1"' }, { courses })

    const unpublished = await put([{ courseId: a }, { courseId: draft }, { courseId: foreign }])
    expect(unpublished.statusCode).toBe(422)
    expect(unpublished.json()).toMatchObject({ code: 'PATH_COURSE_NOT_PUBLISHED', courseIds: [draft, foreign] })
    expect((await put([{ courseId: a }, { courseId: a }])).json().code).toBe('PATH_COURSE_DUPLICATE')
    expect((await put([{ courseId: a, prerequisites: [b] }])).json().code).toBe('PATH_PREREQUISITE_UNKNOWN')
    expect((await put([{ courseId: a, prerequisites: [a] }])).json().code).toBe('PATH_PREREQUISITE_UNKNOWN')
    const cycle = await put([
      { courseId: a, prerequisites: [b] },
      { courseId: b, prerequisites: [a] },
    ])
    expect(cycle.statusCode).toBe(400)
    expect(cycle.json()).toMatchObject({ code: 'PATH_PREREQUISITE_CYCLE', cycle: [a, b, a] })
    expect((await call('POST', `/v1/learning-paths/${path.id}/publish`, s.admin)).json().code).toBe(
      'LEARNING_PATH_EMPTY',
    )
    expect((await call('POST', '/v1/learning-paths', s.admin, { slug: 'p', title: 'Again' })).json().code).toBe(
      'LEARNING_PATH_SLUG_TAKEN',
    )
  })

  it('is for paths:manage only: learners and instructors get 403, anonymous 401', async () => {
    const s = await tenantWithAdmin()
    const path = (await call('POST', '/v1/learning-paths', s.admin, { slug: 'mine', title: 'Mine' })).json()
    for (const role of ['learner', 'instructor'] as const) {
      const headers = t.auth(await t.tokenFor(s.id, [role]))
      expect((await call('POST', '/v1/learning-paths', headers, { slug: 'x', title: 'X' })).statusCode).toBe(403)
      expect((await call('GET', `/v1/learning-paths/${path.id}`, headers)).statusCode).toBe(403)
      expect(
        (
          await call(
            'PUT',
            `/v1/learning-paths/${path.id}/courses`,
            { ...headers, 'if-match': '"v1"' },
            { courses: [] },
          )
        ).statusCode,
      ).toBe(403)
      expect((await call('POST', `/v1/learning-paths/${path.id}/publish`, headers)).statusCode).toBe(403)
    }
    expect((await call('GET', '/v1/learning-paths', {})).statusCode).toBe(401)
    // Another tenant's admin cannot see it.
    const other = await tenantWithAdmin()
    expect((await call('GET', `/v1/learning-paths/${path.id}`, other.admin)).statusCode).toBe(404)
  })

  it.each([
    ['30 February', '2024-02-30T00:00:00.000000Z'],
    ['year zero', '0000-01-01T00:00:00.000000Z'],
  ])(
    'answers 400 INVALID_CURSOR for a cursor forged with %s on both path lists, never a database error',
    async (_what, instant) => {
      const s = await tenantWithAdmin()
      const cursor = forgedCursor([instant, randomUUID()])
      for (const [url, headers] of [
        [`/v1/learning-paths?cursor=${cursor}`, s.admin],
        [`/v1/catalogue/paths?cursor=${cursor}`, { host: s.host }],
      ] as const) {
        const response = await call('GET', url, headers)
        expect(response.statusCode, url).toBe(400)
        expect(response.json()).toMatchObject({ code: 'INVALID_CURSOR', errors: [{ path: 'querystring.cursor' }] })
      }
    },
  )
})

describe('learning paths in the catalogue', () => {
  it('lists published paths with their courses in order, in one query, and hides archived courses and other tenants', async () => {
    const s = await tenantWithAdmin()
    const ids = [await s.publish('one', 'One'), await s.publish('two', 'Two'), await s.publish('three', 'Three')]
    for (const slug of ['first-path', 'second-path']) {
      const path = (await call('POST', '/v1/learning-paths', s.admin, { slug, title: slug })).json()
      await call(
        'PUT',
        `/v1/learning-paths/${path.id}/courses`,
        { ...s.admin, 'if-match': '"v1"' },
        { courses: ids.map((courseId, i) => ({ courseId, prerequisites: ids.slice(0, i) })) },
      )
      await call('POST', `/v1/learning-paths/${path.id}/publish`, s.admin)
    }
    const draft = (await call('POST', '/v1/learning-paths', s.admin, { slug: 'draft-path', title: 'Draft' })).json()
    expect(draft.status).toBe('draft')

    counters.length = 0
    const list = await call('GET', '/v1/catalogue/paths', { host: s.host })
    expect(list.statusCode).toBe(200)
    expect(counters.map((c) => c.queries)).toEqual([1])
    const body = list.json()
    expect(body.data.map((p: { slug: string }) => p.slug)).toEqual(['second-path', 'first-path'])
    expect(body.data[0].courses.map((c: { slug: string; position: number }) => [c.slug, c.position])).toEqual([
      ['one', 0],
      ['two', 1],
      ['three', 2],
    ])
    expect(body.data[0].courses[2]).toMatchObject({
      id: ids[2],
      title: 'Three',
      prerequisites: [ids[0], ids[1]],
      free: true,
      lessonCount: 1,
    })

    // Paging keeps one query per page.
    counters.length = 0
    const first = (await call('GET', '/v1/catalogue/paths?limit=1', { host: s.host })).json()
    const second = (
      await call('GET', `/v1/catalogue/paths?limit=1&cursor=${first.nextCursor}`, { host: s.host })
    ).json()
    expect([...first.data, ...second.data].map((p: { slug: string }) => p.slug)).toEqual(['second-path', 'first-path'])
    expect(second.nextCursor).toBeNull()
    expect(counters.map((c) => c.queries)).toEqual([1, 1])

    // An archived course drops out of the public path, with the prerequisites naming it.
    await t.platform.database.transaction(tenantScope(s.id), async (tx) => {
      await tx
        .update(courses)
        .set({ status: 'archived' })
        .where(eq(courses.id, ids[0] as string))
      await removeCatalogueEntry(tx, ids[0] as string)
    })
    const detail = await call('GET', '/v1/catalogue/paths/first-path', { host: s.host })
    expect(detail.statusCode).toBe(200)
    expect(
      detail.json().courses.map((c: { slug: string; prerequisites: string[] }) => [c.slug, c.prerequisites]),
    ).toEqual([
      ['two', []],
      ['three', [ids[1]]],
    ])
    // ...and the admin sees which course is no longer published.
    const adminView = (await call('GET', '/v1/learning-paths?limit=100', s.admin))
      .json()
      .data.find((p: { slug: string }) => p.slug === 'first-path')
    expect(adminView.courses[0]).toMatchObject({ slug: 'one', published: false })

    expect((await call('GET', '/v1/catalogue/paths/draft-path', { host: s.host })).statusCode).toBe(404)
    const other = await tenantWithAdmin()
    expect((await call('GET', '/v1/catalogue/paths', { host: other.host })).json().data).toEqual([])
    expect((await call('GET', '/v1/catalogue/paths/first-path', { host: other.host })).statusCode).toBe(404)
  })

  it('archives a path out of the catalogue', async () => {
    const s = await tenantWithAdmin()
    const course = await s.publish('c')
    const path = (await call('POST', '/v1/learning-paths', s.admin, { slug: 'gone', title: 'Gone' })).json()
    await call(
      'PUT',
      `/v1/learning-paths/${path.id}/courses`,
      { ...s.admin, 'if-match': '"v1"' },
      { courses: [{ courseId: course }] },
    )
    await call('POST', `/v1/learning-paths/${path.id}/publish`, s.admin)
    expect((await call('GET', '/v1/catalogue/paths/gone', { host: s.host })).statusCode).toBe(200)
    const archived = await call('POST', `/v1/learning-paths/${path.id}/archive`, { ...s.admin, 'if-match': '"v3"' })
    expect(archived.json()).toMatchObject({ status: 'archived' })
    expect((await call('GET', '/v1/catalogue/paths/gone', { host: s.host })).statusCode).toBe(404)
  })
})

describe('findCycle', () => {
  it('finds cycles and accepts DAGs', () => {
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toBeNull()
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual(['a', 'b', 'c', 'a'])
    expect(
      findCycle(
        new Map([
          ['a', []],
          ['b', ['c']],
          ['c', ['b']],
        ]),
      ),
    ).toEqual(['b', 'c', 'b'])
  })
})
