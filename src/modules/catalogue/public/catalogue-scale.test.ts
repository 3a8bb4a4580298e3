/**
 * The catalogue reads made flat for large tenants (catalogue-facets.ts, migration 0025) give the
 * same answers as counting and ranking everything: maintained facet counts against a model of the
 * live catalogue through publish, republish, price change and archive, under every filter
 * combination; search order against the original ranking expression; neighbours never counted.
 */
import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { rowsOf, tenantScope } from '../../../platform/db/database.ts'
import { courses } from '../catalogue.tables.ts'
import { setCourseFree } from '../course-facts.ts'
import { publishCourse, removeCatalogueEntry } from '../publication.ts'
import { buildPublishedCourse, type CourseInput } from '../testing.ts'
import { filteredFacetRows, perFacetRows, precomputedFacetRows, type FacetRow } from './catalogue-facets.ts'
import { catalogueFacets } from './catalogue-public.queries.ts'
import type { CatalogueFilter } from './catalogue-search.ts'
import { queryConfigs } from './catalogue-search.ts'
import type { CatalogueFacets } from './catalogue-public.schemas.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

interface Live {
  id: string
  title: string
  category: string | null
  level: NonNullable<CourseInput['level']>
  language: string
  tags: string[]
  free: boolean
}

/** What the facets must say for `live` under `filter`, computed without the database. */
function expected(live: Live[], filter: CatalogueFilter): CatalogueFacets {
  const word = filter.q?.toLowerCase()
  const keeps = (c: Live, except?: 'category' | 'level' | 'language' | 'free') =>
    (word === undefined || c.title.toLowerCase().split(' ').includes(word)) &&
    (filter.tag ?? []).every((tag) => c.tags.includes(tag)) &&
    (except === 'category' || filter.category === undefined || c.category === filter.category) &&
    (except === 'level' || filter.level === undefined || c.level === filter.level) &&
    (except === 'language' || filter.language === undefined || c.language === filter.language) &&
    (except === 'free' || filter.free === undefined || c.free === filter.free)
  const tally = (values: string[]) => {
    const counts = new Map<string, number>()
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
    return [...counts]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
  }
  const all = live.filter((c) => keeps(c))
  return {
    total: all.length,
    category: tally(live.filter((c) => keeps(c, 'category') && c.category !== null).map((c) => c.category as string)),
    level: tally(live.filter((c) => keeps(c, 'level')).map((c) => c.level)),
    language: tally(live.filter((c) => keeps(c, 'language')).map((c) => c.language)),
    free: tally(live.filter((c) => keeps(c, 'free')).map((c) => String(c.free)))
      .map(({ value, count }) => ({ value: value === 'true', count }))
      .sort((a, b) => Number(b.value) - Number(a.value)),
    tag: tally(all.flatMap((c) => c.tags)),
  }
}

/** Every combination of one value per filter (or none): 64 filters. */
function combinations(): CatalogueFilter[] {
  const options: Array<Array<Partial<CatalogueFilter>>> = [
    [{}, { category: 'code' }],
    [{}, { level: 'beginner' }],
    [{}, { language: 'en' }],
    [{}, { free: true }],
    [{}, { tag: ['web'] }],
    [{}, { q: 'python' }],
  ]
  return options.reduce<CatalogueFilter[]>(
    (filters, choices) => filters.flatMap((f) => choices.map((c) => ({ ...f, ...c }))),
    [{}],
  )
}

const sorted = (rows: FacetRow[]) =>
  rows
    .map((r) => `${r.facet}:${r.value ?? ''}:${Number(r.count)}`)
    .sort()
    .filter((r) => !r.startsWith('total:') || !r.endsWith(':0'))

/**
 * Queries for each way the postings answer (catalogue.search_path; the search-order test below
 * asserts which path each kind takes): one lexeme ("python"), a disjunction of lexemes (most
 * single words: every configuration's stem; OR), conjunctions, a phrase, a negation, and the
 * entries' path for queries that match a vector without their lexemes.
 */
const FACET_QUERIES = [
  'python',
  'basics',
  'web',
  'python web',
  'python services',
  'deploy python services',
  '"python web"',
  'python -basics',
  'poetry or html',
  'web or -python',
  '-python',
]

/** The postings and rank levels of the scope's tenant equal a recomputation from its entries (migrations 0036, 0059). */
async function expectPostingsOfEntries(tenantId: string): Promise<void> {
  await t.platform.database.transaction(tenantScope(tenantId), async (tx) => {
    const kept = await rowsOf<Record<string, unknown>>(
      tx,
      sql`select tenant_id, term, course_id, rank, weight, positions, published_at, category, level, language, free, tags
          from catalogue.catalogue_search_postings order by course_id, term`,
    )
    const recomputed = await rowsOf<Record<string, unknown>>(
      tx,
      sql`select e.tenant_id, s.term, e.course_id, s.rank, s.weight, s.positions, e.published_at, e.category, e.level,
            e.language, e.free, catalogue.tag_array(e.tags) as tags
          from catalogue.catalogue_entries e cross join lateral catalogue.search_postings(e.search) s
          order by e.course_id, s.term collate "C"`,
    )
    expect(kept.length).toBeGreaterThan(0)
    expect(kept).toEqual(recomputed)
    // The rank levels the conjunction path plans with (migration 0059): per lexeme and rank, the
    // courses holding the lexeme with that rank.
    const counted = await rowsOf<Record<string, unknown>>(
      tx,
      sql`select term, rank, course_count from catalogue.catalogue_search_levels order by term, rank`,
    )
    const recounted = await rowsOf<Record<string, unknown>>(
      tx,
      sql`select s.term, s.rank, count(*)::int as course_count from catalogue.catalogue_entries e
          cross join lateral catalogue.search_postings(e.search) s group by s.term, s.rank order by s.term collate "C", s.rank`,
    )
    expect(counted).toEqual(recounted)
  })
}

describe('facet counts at scale', () => {
  const tenant = { id: '', slug: '', owner: randomUUID() }
  const neighbour = { id: '', slug: '', owner: randomUUID() }
  const live: Live[] = []

  async function publish(site: typeof tenant, fields: Omit<Live, 'id' | 'free'> & { slug: string }): Promise<string> {
    const built = await buildPublishedCourse(t.platform.database, site.id, site.owner, fields)
    if (site === tenant) live.push({ ...fields, id: built.courseId, free: true })
    return built.courseId
  }

  /** The route's answer under every filter equals the model; the maintained counts equal a recount. */
  async function checkAll(): Promise<void> {
    await t.platform.database.transaction(tenantScope(tenant.id), async (tx) => {
      for (const filter of combinations())
        expect(await catalogueFacets(tx, tenant.id, filter), JSON.stringify(filter)).toEqual(expected(live, filter))
      expect(sorted(await precomputedFacetRows(tx, tenant.id))).toEqual(
        sorted(await filteredFacetRows(tx, tenant.id, {})),
      )
      // Every path of the postings counts what `@@` over the entries counts, under every filter.
      for (const q of FACET_QUERIES)
        for (const filter of combinations().filter((f) => f.q === undefined)) {
          const searched = { ...filter, q }
          expect(sorted(await filteredFacetRows(tx, tenant.id, searched)), JSON.stringify(searched)).toEqual(
            sorted(await perFacetRows(tx, tenant.id, searched)),
          )
        }
    })
    await expectPostingsOfEntries(tenant.id)
    await expectPostingsOfEntries(neighbour.id)
    const host = `${tenant.slug}.${t.config.http.baseDomain}`
    const response = await t.app.inject({ method: 'GET', url: '/v1/catalogue/facets', headers: { host } })
    expect(response.json()).toEqual(expected(live, {}))
  }

  beforeAll(async () => {
    const a = await t.createTenant()
    const b = await t.createTenant()
    Object.assign(tenant, { id: a.id, slug: a.slug })
    neighbour.id = b.id
  })

  it('stay exact through publish, republish, price change and archive, under every filter', async () => {
    await publish(tenant, {
      slug: 'py',
      title: 'Python basics',
      category: 'code',
      level: 'beginner',
      language: 'en',
      tags: ['web', 'intro'],
    })
    const flask = await publish(tenant, {
      slug: 'flask',
      title: 'Python web apps',
      category: 'code',
      level: 'advanced',
      language: 'en',
      tags: ['web'],
    })
    await publish(tenant, {
      slug: 'poems',
      title: 'Poetry',
      category: 'writing',
      level: 'beginner',
      language: 'fr',
      tags: ['intro'],
    })
    const html = await publish(tenant, {
      slug: 'html',
      title: 'HTML from zero',
      category: null,
      level: 'beginner',
      language: 'de',
      tags: ['web'],
    })
    await publish(tenant, {
      slug: 'snakes',
      title: 'Python für alle',
      category: 'code',
      level: 'all',
      language: 'de',
      tags: [],
    })
    // The neighbour's courses share every value and must never count.
    for (const slug of ['n1', 'n2', 'n3'])
      await publish(neighbour, {
        slug,
        title: 'Python web',
        category: 'code',
        level: 'beginner',
        language: 'en',
        tags: ['web', 'intro'],
      })
    await checkAll()

    // Republish with new facts and a new title: the upsert replaces the entry's values and vector
    // (an UPDATE of catalogue_entries: postings and lexeme counts move with it).
    await t.platform.database.transaction(tenantScope(tenant.id), async (tx) => {
      await tx
        .update(courses)
        .set({ level: 'intermediate', tags: ['api'], category: 'backend', title: 'Python web services' })
        .where(eq(courses.id, flask))
      await publishCourse(tx, flask, tenant.owner)
    })
    Object.assign(
      live.find((c) => c.id === flask)!,
      { level: 'intermediate', tags: ['api'], category: 'backend', title: 'Python web services' },
    )
    // Commerce prices a course: only `free` changes.
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) => setCourseFree(tx, html, false))
    live.find((c) => c.id === html)!.free = false
    await checkAll()

    // Archive takes the entry out; a value whose last course left counts nowhere.
    await t.platform.database.transaction(tenantScope(tenant.id), (tx) => removeCatalogueEntry(tx, flask))
    live.splice(
      live.findIndex((c) => c.id === flask),
      1,
    )
    await checkAll()
    await t.platform.database.transaction(tenantScope(tenant.id), async (tx) => {
      const facets = await catalogueFacets(tx, tenant.id, {})
      expect(facets.category.map((c) => c.value)).not.toContain('backend')
      expect(facets.tag.map((c) => c.value)).not.toContain('api')
    })
    // Every facet under 32 filter combinations after each step, on the embedded database: over 30 s
    // on a loaded machine.
  }, 180_000)

  it("count only the tenant's own courses, also for the neighbour", async () => {
    await t.platform.database.transaction(tenantScope(neighbour.id), async (tx) => {
      const facets = await catalogueFacets(tx, neighbour.id, {})
      expect(facets).toMatchObject({
        total: 3,
        level: [{ value: 'beginner', count: 3 }],
        tag: [
          { value: 'intro', count: 3 },
          { value: 'web', count: 3 },
        ],
      })
      expect(await catalogueFacets(tx, neighbour.id, { q: 'python', category: 'code' })).toMatchObject({ total: 3 })
      // Asking for the other tenant's id inside this tenant's scope finds nothing (RLS).
      expect(await catalogueFacets(tx, tenant.id, {})).toMatchObject({ total: 0, tag: [] })
      expect(await catalogueFacets(tx, tenant.id, { level: 'beginner' })).toMatchObject({ total: 0, level: [] })
    })
  })
})

describe('search order at scale', () => {
  it('equals the original ranking (every configuration OR-ed, unreduced): title, then summary, then description', async () => {
    const site = await t.createTenant()
    const owner = randomUUID()
    const inputs = [
      { slug: 'd1', title: 'Tables', summary: 'Frames', description: 'We use Python throughout.' },
      { slug: 't1', title: 'Python for everyone', summary: 'Zero to one', description: 'Loops.' },
      { slug: 's1', title: 'Scripting', summary: 'Automate chores with Python', description: 'Files.' },
      { slug: 't2', title: 'Python und Daten', summary: 'Python lernen', description: 'Mit Python.', language: 'de' },
      { slug: 's2', title: 'Outils', summary: 'Python pour tous', description: 'Fichiers.', language: 'fr' },
      { slug: 't3', title: 'Advanced Python', summary: 'Generators', description: 'Async.' },
      { slug: 'd2', title: 'Ops', summary: 'Servers', description: 'Deploy Python services.' },
      { slug: 'x1', title: 'Pottery', summary: 'Clay', description: 'Kilns.' },
    ]
    for (const input of inputs) await buildPublishedCourse(t.platform.database, site.id, owner, input)
    const host = `${site.slug}.${t.config.http.baseDomain}`
    const walk = async (query: string) => {
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const url: string = `/v1/catalogue/courses?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`
        const body: { data: Array<{ slug: string }>; nextCursor: string | null } = (
          await t.app.inject({ method: 'GET', url, headers: { host } })
        ).json()
        seen.push(...body.data.map((c) => c.slug))
        cursor = body.nextCursor
      } while (cursor)
      return seen
    }
    const original = async (q: string, language?: string) => {
      const query = sql.join(
        queryConfigs(language).map((config) => sql`websearch_to_tsquery(${sql.raw(`'${config}'`)}, ${q})`),
        sql` || `,
      )
      const rows = await t.platform.database.transaction(tenantScope(site.id), (tx) =>
        rowsOf<{ slug: string }>(
          tx,
          sql`select slug from catalogue.catalogue_entries where tenant_id = ${site.id} and search @@ (${query})
              and (${language ?? null}::text is null or language = ${language ?? null})
              order by ts_rank_cd(search, ${query})::float8 desc, published_at desc, course_id desc`,
        ),
      )
      return rows.map((r) => r.slug)
    }
    const python = await walk('q=python')
    expect(python).toEqual(await original('python'))
    expect(python.slice(0, 3).sort()).toEqual(['t1', 't2', 't3'])
    expect(python.slice(3, 5).sort()).toEqual(['s1', 's2'])
    expect(python.slice(5).sort()).toEqual(['d1', 'd2'])
    // Every path of the postings (catalogue.search_path) pages exactly as the original expression.
    const queries = {
      'python services': 'all',
      '"python for"': 'all',
      'python -advanced': 'all',
      daten: 'any',
      'python or tables': 'any',
      'deploy python services': 'all',
      '-python': 'entries',
      'zero -python': 'all',
    } as const
    const paths = await t.platform.database.transaction(tenantScope(site.id), (tx) =>
      rowsOf<{ q: string; path: string }>(
        tx,
        sql`select q, catalogue.search_path(catalogue.visitor_tsquery(q, ${sql.raw(
          `array[${queryConfigs(undefined)
            .map((c) => `'${c}'`)
            .join(', ')}]`,
        )})) as path from unnest(${sql.raw(
          `array[${Object.keys(queries)
            .map((q) => `'${q.replace(/'/g, "''")}'`)
            .join(', ')}, 'python']`,
        )}) as q`,
      ),
    )
    expect(Object.fromEntries(paths.map((r) => [r.q, r.path]))).toEqual({ ...queries, python: 'one' })
    for (const q of Object.keys(queries)) {
      expect(await walk(`q=${encodeURIComponent(q)}`), q).toEqual(await original(q))
      for (const language of ['de', 'fr'])
        expect(await walk(`q=${encodeURIComponent(q)}&language=${language}`), `${q} in ${language}`).toEqual(
          await original(q, language),
        )
    }
    expect(await walk('q=-python')).toEqual(['x1'])
  })
})
