import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { tenantScope, type QueryCounter } from '../../../platform/db/database.ts'
import { courses } from '../catalogue.tables.ts'
import { removeCatalogueEntry } from '../publication.ts'
import { buildCourse, buildPublishedCourse, type CourseInput } from '../testing.ts'

/** Query counters of finished /v1/catalogue requests, read from request.ctx by the test's own hook. */
const counters: Array<QueryCounter & { url: string }> = []

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({
    instrument: (app) =>
      app.addHook('onResponse', async (request) => {
        if (request.url.startsWith('/v1/catalogue') && request.ctx)
          counters.push({ ...request.ctx.counter, url: request.url })
      }),
  })
})
afterAll(async () => t?.close())

interface Site {
  id: string
  host: string
  owner: string
  publish(input: CourseInput): Promise<string>
  get(url: string): Promise<Awaited<ReturnType<TestApp['app']['inject']>>>
}

async function site(): Promise<Site> {
  const tenant = await t.createTenant()
  const owner = randomUUID()
  const host = `${tenant.slug}.${t.config.http.baseDomain}`
  return {
    id: tenant.id,
    host,
    owner,
    publish: async (input) => (await buildPublishedCourse(t.platform.database, tenant.id, owner, input)).courseId,
    get: async (url) => t.app.inject({ method: 'GET', url, headers: { host } }),
  }
}

const slugs = (body: { data: Array<{ slug: string }> }) => body.data.map((c) => c.slug)

describe('GET /v1/catalogue/courses', () => {
  let s: Site
  let otherInstructor: string
  beforeAll(async () => {
    s = await site()
    otherInstructor = randomUUID()
    await s.publish({
      slug: 'py-basics',
      title: 'Python basics',
      category: 'programming',
      level: 'beginner',
      language: 'en',
      tags: ['python', 'intro'],
    })
    await s.publish({
      slug: 'py-advanced',
      title: 'Advanced Python',
      category: 'programming',
      level: 'advanced',
      language: 'en',
      tags: ['python'],
      coInstructorIds: [otherInstructor],
    })
    await s.publish({
      slug: 'watercolour',
      title: 'Watercolour painting',
      category: 'art',
      level: 'beginner',
      language: 'en',
      tags: ['painting'],
    })
    await s.publish({
      slug: 'kochen',
      title: 'Kochen für Anfänger',
      category: 'cooking',
      level: 'beginner',
      language: 'de',
      tags: ['intro'],
    })
  })

  it('lists published courses newest first with their catalogue facts', async () => {
    const response = await s.get('/v1/catalogue/courses')
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(slugs(body)).toEqual(['kochen', 'watercolour', 'py-advanced', 'py-basics'])
    expect(body.nextCursor).toBeNull()
    expect(body.data[3]).toMatchObject({
      title: 'Python basics',
      level: 'beginner',
      language: 'en',
      category: 'programming',
      tags: ['python', 'intro'],
      instructorIds: [s.owner],
      free: true,
      lessonCount: 1,
      delivery: 'self_paced',
    })
  })

  it('filters by category, level, language, tags (all of them), free and instructor', async () => {
    expect(slugs((await s.get('/v1/catalogue/courses?category=programming')).json())).toEqual([
      'py-advanced',
      'py-basics',
    ])
    expect(slugs((await s.get('/v1/catalogue/courses?level=beginner')).json())).toEqual([
      'kochen',
      'watercolour',
      'py-basics',
    ])
    expect(slugs((await s.get('/v1/catalogue/courses?language=de')).json())).toEqual(['kochen'])
    expect(slugs((await s.get('/v1/catalogue/courses?tag=intro')).json())).toEqual(['kochen', 'py-basics'])
    expect(slugs((await s.get('/v1/catalogue/courses?tag=intro&tag=python')).json())).toEqual(['py-basics'])
    expect(slugs((await s.get('/v1/catalogue/courses?free=true')).json())).toHaveLength(4)
    expect(slugs((await s.get('/v1/catalogue/courses?free=false')).json())).toEqual([])
    expect(slugs((await s.get(`/v1/catalogue/courses?instructor=${otherInstructor}`)).json())).toEqual(['py-advanced'])
    expect(slugs((await s.get('/v1/catalogue/courses?category=programming&level=advanced')).json())).toEqual([
      'py-advanced',
    ])
  })

  it('rejects malformed filters and cursors with a problem document', async () => {
    expect((await s.get('/v1/catalogue/courses?level=expert')).statusCode).toBe(400)
    expect((await s.get('/v1/catalogue/courses?instructor=nope')).statusCode).toBe(400)
    const cursor = await s.get('/v1/catalogue/courses?cursor=bm9wZQ')
    expect(cursor.statusCode).toBe(400)
    expect(cursor.json().code).toBe('INVALID_CURSOR')
  })

  it('needs a tenant host', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/v1/catalogue/courses',
      headers: { host: t.config.http.baseDomain },
    })
    expect(response.statusCode).toBe(400)
  })
})

describe('full-text search', () => {
  let s: Site
  beforeAll(async () => {
    s = await site()
    await s.publish({
      slug: 'in-description',
      title: 'Data wrangling',
      summary: 'Tables and frames',
      description: 'We use Python throughout.',
    })
    await s.publish({
      slug: 'in-title',
      title: 'Python for everyone',
      summary: 'Programming from zero',
      description: 'Variables and loops.',
    })
    await s.publish({
      slug: 'in-summary',
      title: 'Scripting toolbox',
      summary: 'Automate chores with Python',
      description: 'Files and shells.',
    })
    await s.publish({ slug: 'unrelated', title: 'Pottery', summary: 'Clay', description: 'Wheels and kilns.' })
    await s.publish({
      slug: 'der-kurs',
      title: 'Der Kurs über Gärten',
      summary: 'Gärten planen',
      description: 'Beete und Bäume',
      language: 'de',
    })
  })

  it('ranks title matches above summary matches above description matches', async () => {
    const response = await s.get('/v1/catalogue/courses?q=python')
    expect(response.statusCode).toBe(200)
    expect(slugs(response.json())).toEqual(['in-title', 'in-summary', 'in-description'])
  })

  it('stems English words ("courses" finds "Course") and keeps exact words of other languages', async () => {
    await s.publish({
      slug: 'crash-course',
      title: 'Crash Course in Knitting',
      summary: 'Needles',
      description: 'Yarn.',
    })
    expect(slugs((await s.get('/v1/catalogue/courses?q=courses')).json())).toEqual(['crash-course'])
    expect(slugs((await s.get('/v1/catalogue/courses?q=knitted')).json())).toEqual(['crash-course'])
    expect(slugs((await s.get('/v1/catalogue/courses?q=g%C3%A4rten')).json())).toEqual(['der-kurs'])
    expect(slugs((await s.get('/v1/catalogue/courses?q=kurs&language=de')).json())).toEqual(['der-kurs'])
  })

  it('requires every word, and combines with filters', async () => {
    expect(slugs((await s.get('/v1/catalogue/courses?q=python%20loops')).json())).toEqual(['in-title'])
    expect(slugs((await s.get('/v1/catalogue/courses?q=python&language=de')).json())).toEqual([])
    expect(slugs((await s.get('/v1/catalogue/courses?q=zzzzqqq')).json())).toEqual([])
  })

  it('pages through search results by rank without duplicates', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const response = await s.get(`/v1/catalogue/courses?q=python&limit=1${cursor ? `&cursor=${cursor}` : ''}`)
      expect(response.statusCode).toBe(200)
      seen.push(...slugs(response.json()))
      cursor = response.json().nextCursor
    } while (cursor)
    expect(seen).toEqual(['in-title', 'in-summary', 'in-description'])
  })
})

describe('pagination and query budget', () => {
  it('walks every page once, at one data query per page', async () => {
    const s = await site()
    for (let i = 0; i < 7; i++) await s.publish({ slug: `course-${i}` })
    counters.length = 0
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const response = await s.get(`/v1/catalogue/courses?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      expect(response.statusCode).toBe(200)
      seen.push(...slugs(response.json()))
      cursor = response.json().nextCursor
    } while (cursor)
    expect(seen).toEqual(['course-6', 'course-5', 'course-4', 'course-3', 'course-2', 'course-1', 'course-0'])
    expect(counters.map((c) => c.queries)).toEqual([1, 1, 1])
    counters.length = 0
    await s.get('/v1/catalogue/courses?q=course&limit=2&tag=x&level=all&category=c&free=true')
    await s.get('/v1/catalogue/facets?q=course')
    expect(counters.map((c) => c.queries)).toEqual([1, 1])
  })
})

describe('what the catalogue never shows', () => {
  it('keeps drafts, archived courses and other tenants out', async () => {
    const a = await site()
    const b = await site()
    await a.publish({ slug: 'live', title: 'Live course' })
    const archived = await a.publish({ slug: 'gone', title: 'Gone course' })
    await t.platform.database.transaction(tenantScope(a.id), async (tx) => {
      await tx.update(courses).set({ status: 'archived' }).where(eq(courses.id, archived))
      await removeCatalogueEntry(tx, archived)
    })
    await buildCourse(t.platform.database, a.id, a.owner, { slug: 'draft', title: 'Draft course' })
    await b.publish({ slug: 'theirs', title: 'Their course' })

    expect(slugs((await a.get('/v1/catalogue/courses')).json())).toEqual(['live'])
    expect(slugs((await a.get('/v1/catalogue/courses?q=course')).json())).toEqual(['live'])
    expect(slugs((await b.get('/v1/catalogue/courses')).json())).toEqual(['theirs'])
    expect((await b.get('/v1/catalogue/courses/live')).statusCode).toBe(404)
    expect((await a.get('/v1/catalogue/courses/gone')).statusCode).toBe(404)
    expect((await a.get('/v1/catalogue/courses/draft')).statusCode).toBe(404)
    expect((await b.get('/v1/catalogue/facets')).json().total).toBe(1)
    expect((await b.get('/v1/catalogue/suggestions?q=live')).json().data).toEqual([])
  })
})

describe('GET /v1/catalogue/facets', () => {
  it('counts each facet under the other filters, in one query', async () => {
    const s = await site()
    await s.publish({
      slug: 'a',
      title: 'Algebra',
      category: 'maths',
      level: 'beginner',
      language: 'en',
      tags: ['numbers', 'school'],
    })
    await s.publish({
      slug: 'b',
      title: 'Calculus',
      category: 'maths',
      level: 'advanced',
      language: 'en',
      tags: ['numbers'],
    })
    await s.publish({
      slug: 'c',
      title: 'Poetry',
      category: 'writing',
      level: 'beginner',
      language: 'fr',
      tags: ['school'],
    })
    await s.publish({ slug: 'd', title: 'Essays', level: 'beginner', language: 'en' })

    const all = (await s.get('/v1/catalogue/facets')).json()
    expect(all).toEqual({
      total: 4,
      category: [
        { value: 'maths', count: 2 },
        { value: 'writing', count: 1 },
      ],
      level: [
        { value: 'beginner', count: 3 },
        { value: 'advanced', count: 1 },
      ],
      language: [
        { value: 'en', count: 3 },
        { value: 'fr', count: 1 },
      ],
      free: [{ value: true, count: 4 }],
      tag: [
        { value: 'numbers', count: 2 },
        { value: 'school', count: 2 },
      ],
    })

    const beginners = (await s.get('/v1/catalogue/facets?level=beginner')).json()
    expect(beginners.total).toBe(3)
    expect(beginners.level).toEqual([
      { value: 'beginner', count: 3 },
      { value: 'advanced', count: 1 },
    ])
    expect(beginners.category).toEqual([
      { value: 'maths', count: 1 },
      { value: 'writing', count: 1 },
    ])
    expect(beginners.tag).toEqual([
      { value: 'school', count: 2 },
      { value: 'numbers', count: 1 },
    ])

    const searched = (await s.get('/v1/catalogue/facets?q=calculus')).json()
    expect(searched).toMatchObject({
      total: 1,
      category: [{ value: 'maths', count: 1 }],
      level: [{ value: 'advanced', count: 1 }],
    })
  })
})

describe('GET /v1/catalogue/suggestions', () => {
  it('suggests titles despite typos, best match first', async () => {
    const s = await site()
    const python = await s.publish({ slug: 'python-data', title: 'Python for data science' })
    await s.publish({ slug: 'pytorch', title: 'Deep learning with PyTorch' })
    await s.publish({ slug: 'baking', title: 'Sourdough baking' })
    const typo = await s.get('/v1/catalogue/suggestions?q=pyhton')
    expect(typo.statusCode).toBe(200)
    expect(typo.json().data[0]).toMatchObject({ id: python, slug: 'python-data', title: 'Python for data science' })
    expect(typo.json().data.map((d: { slug: string }) => d.slug)).not.toContain('baking')
    const prefix = (await s.get('/v1/catalogue/suggestions?q=sourdou')).json()
    expect(prefix.data.map((d: { slug: string }) => d.slug)).toEqual(['baking'])
    expect((await s.get('/v1/catalogue/suggestions?q=x')).statusCode).toBe(400)
  })
})

describe('GET /v1/catalogue/courses/{slug}', () => {
  it('shows the outline of the published version; only preview lessons carry content', async () => {
    const s = await site()
    const built = await buildPublishedCourse(t.platform.database, s.id, s.owner, {
      slug: 'outline',
      title: 'Outline',
      description: 'Long description',
      modules: [
        {
          title: 'Start',
          lessons: [
            { title: 'Welcome', body: 'PREVIEW BODY', preview: true, durationMinutes: 5 },
            { title: 'Secret', kind: 'video', body: 'SECRET BODY', assetRef: 'media/secret.mp4', durationMinutes: 20 },
          ],
        },
        {
          title: 'Later',
          releaseOffsetDays: 7,
          lessons: [{ title: 'Link', kind: 'link', url: 'https://example.com/secret', body: 'SECRET LINK' }],
        },
      ],
    })
    // A later draft edit is not visible until republished.
    await t.platform.database.transaction(tenantScope(s.id), (tx) =>
      tx.update(courses).set({ title: 'Draft title', status: 'in_review' }).where(eq(courses.id, built.courseId)),
    )

    counters.length = 0
    const response = await s.get('/v1/catalogue/courses/outline')
    expect(response.statusCode).toBe(200)
    expect(counters[0]?.queries).toBeLessThanOrEqual(2)
    // A strong ETag of the body (public-cache.hooks.ts): it also changes when catalogue facts do.
    expect(response.headers.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/)
    const course = response.json()
    expect(course).toMatchObject({
      id: built.courseId,
      title: 'Outline',
      description: 'Long description',
      instructorIds: [s.owner],
      lessonCount: 3,
      durationMinutes: 25,
      versionNumber: 1,
    })
    expect(course.modules.map((m: { title: string }) => m.title)).toEqual(['Start', 'Later'])
    expect(course.modules[1].releaseOffsetDays).toBe(7)
    expect(course.modules[0].lessons[0]).toMatchObject({
      title: 'Welcome',
      preview: true,
      body: 'PREVIEW BODY',
      durationMinutes: 5,
    })
    expect(course.modules[0].lessons[1]).toEqual({
      id: built.lessonIds[0]?.[1],
      position: 1,
      kind: 'video',
      title: 'Secret',
      durationMinutes: 20,
      preview: false,
      releaseAt: null,
      releaseOffsetDays: null,
    })
    expect(response.body).not.toContain('SECRET')
  })

  it('is 404 for an unknown slug', async () => {
    const s = await site()
    const response = await s.get('/v1/catalogue/courses/nothing-here')
    expect(response.statusCode).toBe(404)
    expect(response.json().code).toBe('COURSE_NOT_IN_CATALOGUE')
  })
})
