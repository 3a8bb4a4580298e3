/**
 * Searches of several words (catalogue-conjunction.ts, migrations 0048 and 0059) page exactly as
 * the original expression, `search @@ query` ordered by ts_rank_cd, published_at, course_id: on a
 * catalogue built so that the driving lexemes, both reading plans, the partly read lexemes
 * (completed by primary key), the rank threshold, its ties and shared small vectors all come into
 * play, for every query, filter and page size; facets count what `@@` over the entries counts,
 * with the other lexemes read whole or probed for the courses a tag filter keeps. And the facts the path stands on hold on
 * adversarial vectors: the bound is never below the rank, every match holds a driving lexeme, the
 * alternatives and the weaker query are what the functions say.
 */
import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { rowsOf, tenantScope, type Tx } from '../../../platform/db/database.ts'
import { catalogueEntries } from '../catalogue.tables.ts'
import { buildPublishedCourse } from '../testing.ts'
import { filteredFacetRows, perFacetRows, type FacetRow } from './catalogue-facets.ts'
import { listCatalogue } from './catalogue-public.queries.ts'
import type { CatalogueQuery } from './catalogue-public.schemas.ts'
import { queryConfigs, type CatalogueFilter } from './catalogue-search.ts'

/** A text[] parameter (a JS array would be spread into a row). */
const textArray = (values: string[]) =>
  sql`array[${sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  )}]::text[]`

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

const TITLES = [
  'Machine Learning for Beginners',
  'Learning Machines',
  'Quantum Machine Learning',
  'Data Science Basics',
  'The Science of Data',
  'Deep Learning',
  'Machine Shop Safety',
  'Learn Data Engineering',
  'Maschinelles Lernen',
  'Apprentissage automatique des données',
  'Ciencia de datos',
  'Machine learning, machine learning, machine learning',
]
const SUMMARIES = [
  'Learn machine learning with data',
  'Learn data science step by step',
  'A machine for learning',
  'Science first, then data',
  'Learning learning learning',
  'Nothing about it',
  'Daten lernen mit Maschinen',
]
const DESCRIPTIONS = [
  'We cover data and then, much later in the course after many other topics and exercises, science.',
  'Machine after machine: learning comes at the very end of a long description about machine learning.',
  'Quantum computing meets learning; quantum machines learn data science.',
  'Data data data science science learning machine learning machine.',
  'Deep learning is machine learning with deep networks, and deep data.',
  'Eine Maschine lernt aus Daten: maschinelles Lernen und Datenwissenschaft.',
  'La science des données et l’apprentissage automatique des machines.',
]
const LANGUAGES = ['en', 'en', 'de', 'fr', 'es', 'en', 'pt']
const LEVELS = ['beginner', 'intermediate', 'advanced', 'all'] as const
const TAGS = [['ai'], ['data'], ['ai', 'data'], []]

/** Every query takes the conjunction path (asserted): words, phrases, negations, alternatives, repeats. */
const QUERIES = [
  'machine learning',
  'learning machine',
  '"machine learning"',
  'data science',
  'science data',
  'learn data science',
  'quantum machine learning',
  'machine -quantum',
  'deep learning or data science',
  '"learn data"',
  'maschinelles lernen',
  'learning learning',
  'data -science -engineering',
]

describe('conjunction search', () => {
  const site = { id: '', owner: randomUUID(), instructor: randomUUID() }

  beforeAll(async () => {
    const tenant = await t.createTenant()
    site.id = tenant.id
    const neighbour = await t.createTenant()
    for (let i = 0; i < 40; i++) {
      const fields = {
        slug: `c${i}`,
        title: TITLES[i % TITLES.length]!,
        summary: SUMMARIES[(i * 3 + 1) % SUMMARIES.length]!,
        description: DESCRIPTIONS[(i * 5 + 2) % DESCRIPTIONS.length]!,
        language: LANGUAGES[i % LANGUAGES.length]!,
        level: LEVELS[i % LEVELS.length]!,
        tags: TAGS[i % TAGS.length]!,
        ...(i % 3 === 0 ? { coInstructorIds: [site.instructor] } : {}),
      }
      const built = await buildPublishedCourse(t.platform.database, site.id, site.owner, fields)
      if (i % 4 === 1)
        await t.platform.database.transaction(tenantScope(site.id), (tx) =>
          tx.update(catalogueEntries).set({ free: false }).where(eq(catalogueEntries.courseId, built.courseId)),
        )
      // A neighbour with the same courses, which must never show.
      if (i % 5 === 0) await buildPublishedCourse(t.platform.database, neighbour.id, randomUUID(), fields)
    }
  })

  const inSite = <T>(work: (tx: Tx) => Promise<T>) => t.platform.database.transaction(tenantScope(site.id), work)

  /** Every page of a query, through the route's own function. */
  async function walk(tx: Tx, filter: CatalogueFilter, limit: number): Promise<string[]> {
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await listCatalogue(tx, site.id, { ...filter, limit, cursor } as CatalogueQuery)
      seen.push(...page.data.map((card) => card.slug))
      cursor = page.nextCursor ?? undefined
    } while (cursor)
    return seen
  }

  /** The original expression: every configuration OR-ed, unreduced, over the entries. */
  async function original(tx: Tx, filter: CatalogueFilter): Promise<string[]> {
    const query = sql.join(
      queryConfigs(filter.language).map((config) => sql`websearch_to_tsquery(${sql.raw(`'${config}'`)}, ${filter.q})`),
      sql` || `,
    )
    const e = catalogueEntries
    const conditions = [sql`${e.tenantId} = ${site.id}`, sql`${e.search} @@ (${query})`]
    if (filter.language) conditions.push(sql`${e.language} = ${filter.language}`)
    if (filter.level) conditions.push(sql`${e.level} = ${filter.level}`)
    if (filter.free !== undefined) conditions.push(sql`${e.free} = ${filter.free}`)
    if (filter.tag) conditions.push(sql`${e.tags} @> ${JSON.stringify(filter.tag)}::jsonb`)
    if (filter.instructor) conditions.push(sql`${e.instructorIds} @> ${JSON.stringify([filter.instructor])}::jsonb`)
    const rows = await rowsOf<{ slug: string }>(
      tx,
      sql`select slug from ${e} where ${sql.join(conditions, sql` and `)}
          order by ts_rank_cd(${e.search}, (${query}))::float8 desc, ${e.publishedAt} desc, ${e.courseId} desc`,
    )
    return rows.map((row) => row.slug)
  }

  it('pages exactly as the original expression, for every query, filter and page size', async () => {
    const filters: CatalogueFilter[] = [
      {},
      { language: 'de' },
      { level: 'beginner' },
      { tag: ['ai'] },
      { free: false },
      { instructor: site.instructor },
    ]
    await inSite(async (tx) => {
      const paths = await rowsOf<{ path: string }>(
        tx,
        sql`select catalogue.search_path(catalogue.visitor_tsquery(q, ${sql.raw(
          `array[${queryConfigs(undefined)
            .map((config) => `'${config}'`)
            .join(', ')}]`,
        )})) as path from unnest(${textArray(QUERIES)}) as q`,
      )
      expect(paths.map((row) => row.path)).toEqual(QUERIES.map(() => 'all'))
      let matched = 0
      for (const q of QUERIES)
        for (const filter of filters) {
          const expected = await original(tx, { ...filter, q })
          matched += expected.length
          for (const limit of [1, 3])
            expect(await walk(tx, { ...filter, q }, limit), `${q} ${JSON.stringify(filter)} limit ${limit}`).toEqual(
              expected,
            )
        }
      // The catalogue gives the path work to do: many matches, not a few.
      expect(matched).toBeGreaterThan(300)
    })
    // Hundreds of one-row pages on the embedded database: over 30 s on a loaded machine.
  }, 180_000)

  it('counts facets exactly as @@ over the entries, with the other lexemes read whole or probed', async () => {
    const sorted = (rows: FacetRow[]) => rows.map((r) => `${r.facet}:${r.value ?? ''}:${Number(r.count)}`).sort()
    const filters: CatalogueFilter[] = [
      {},
      { tag: ['ai'] },
      { tag: ['ai', 'data'] },
      { language: 'de', tag: ['data'] },
      { level: 'beginner', free: true },
      { instructor: site.instructor, tag: ['data'] },
    ]
    await inSite(async (tx) => {
      for (const q of QUERIES)
        for (const filter of filters)
          expect(
            sorted(await filteredFacetRows(tx, site.id, { ...filter, q })),
            `${q} ${JSON.stringify(filter)}`,
          ).toEqual(sorted(await perFacetRows(tx, site.id, { ...filter, q })))
      // catalogue.conjunction_matches (migration 0062) reads another lexeme whole when it has at
      // most four times as many postings as the driving ones under the tag filter, else probes it
      // per course: both happen here (without a phrase operator, the bit-mask branch).
      const configs = sql.raw(
        `array[${queryConfigs(undefined)
          .map((config) => `'${config}'`)
          .join(', ')}]`,
      )
      const ways = await rowsOf<{ probed: boolean }>(
        tx,
        sql`with v as (select x.q, t.tags, catalogue.visitor_tsquery(x.q, ${configs}) as query
              from unnest(${textArray(QUERIES.filter((q) => !q.includes('"')))}) as x(q)
              cross join (values (null::text[]), ('{ai}'), ('{ai,data}')) as t(tags)),
            l as (select v.q, v.tags, v.query, u.term, coalesce((select sum(s.course_count) from catalogue.catalogue_search_levels s
              where s.tenant_id = ${site.id} and s.term = u.term), 0) as df
              from v cross join unnest(catalogue.tsquery_lexemes(v.query)) as u(term)),
            d as (select l.q, l.tags, catalogue.necessary_lexemes(min(l.query::text)::tsquery, array_agg(l.term order by l.df desc, l.term)) as terms
              from l group by l.q, l.tags)
          select l.df > 4 * (select count(*) from catalogue.catalogue_search_postings p where p.tenant_id = ${site.id}
              and p.term = any (d.terms) and (l.tags is null or p.tags @> l.tags)) as probed
          from l join d on d.q = l.q and d.tags is not distinct from l.tags where l.term <> all (d.terms)`,
      )
      expect(ways.some((way) => way.probed)).toBe(true)
      expect(ways.some((way) => !way.probed)).toBe(true)
    })
  }, 180_000)

  it('takes both plans, and plan B only where what it leaves unread ranks below the first threshold', async () => {
    const configs = sql.raw(
      `array[${queryConfigs(undefined)
        .map((config) => `'${config}'`)
        .join(', ')}]`,
    )
    const plans = await inSite((tx) =>
      rowsOf<{
        q: string
        limit: number
        floor: number | null
        first: number | null
        unread: number
        driving: boolean
      }>(
        tx,
        sql`select x.q, x2.n as "limit", min(p.floor) as floor, min(p.first_rank) as first,
              coalesce(sum(p.cut), 0) as unread, bool_or(p.driving) as driving
            from unnest(${textArray(QUERIES)}) as x(q) cross join (values (2), (4), (21)) as x2(n)
            cross join lateral (select catalogue.visitor_tsquery(x.q, ${configs}) as query) v
            cross join lateral catalogue.conjunction_plan(${site.id}::uuid, v.query, catalogue.tsquery_monotone(v.query),
              null, null, null, null, null, null, null, null, null, x2.n) p
            group by x.q, x2.n`,
      ),
    )
    const planB = plans.filter((plan) => plan.floor !== null)
    const planA = plans.filter((plan) => plan.floor === null)
    // Both plans occur for the page sizes the walk above uses (limit + 1 rows are read).
    for (const limit of [2, 4]) {
      expect(planB.filter((plan) => plan.limit === limit).length).toBeGreaterThan(3)
      expect(planA.filter((plan) => plan.limit === limit).length).toBeGreaterThan(3)
    }
    for (const plan of planB) {
      // Nothing is read as driving, and the levels left unread add up to less than the threshold.
      expect(plan.driving, plan.q).toBe(false)
      expect(Number(plan.unread) * 1.00000095367431640625, plan.q).toBeLessThan(Number(plan.first))
    }
    // A query with a negation has no first threshold: plan A.
    expect(
      plans.filter((plan) => plan.q.includes('-')).every((plan) => plan.floor === null && plan.first === null),
    ).toBe(true)
  })
})

/** Vectors over a few lexemes, positions close together, repeated, shared and at the last one (16383). */
function adversarialVectors(count: number): string[] {
  let seed = 20261207
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed % n
  }
  const vectors: string[] = []
  for (let i = 0; i < count; i++) {
    const parts: string[] = []
    for (const lexeme of ['a', 'b', 'c', 'd']) {
      if (next(10) < 3) continue
      const positions = new Set<number>()
      for (let k = 1 + next(4); k > 0; k--) positions.add(next(12) === 0 ? 16383 : 1 + next(14))
      parts.push(`${lexeme}:${[...positions].map((p) => `${p}${'ABCD'[next(4)]}`).join(',')}`)
    }
    vectors.push(parts.join(' '))
  }
  return vectors
}

/** Queries without negation, none matching an empty vector. */
const MONOTONE = [
  'a & b',
  'a & b & c',
  'a <-> b',
  'a <2> b',
  '(a | b) & c',
  'a & b | b & c',
  '(a <-> b) | (c & d)',
  'a & (b | c & d)',
  'a & a',
  '(a <-> b) <-> c',
  'a <-> a',
]
const WITH_NEGATION = ['a & !b', 'a <-> !b', '(a | b) & !c', '!a & b & c', 'a & !(b & c)', '!(!a)']

describe('what the conjunction path stands on', () => {
  const check = <T>(query: ReturnType<typeof sql>) =>
    t.platform.database.transaction(tenantScope(randomUUID()), (tx) => rowsOf<T>(tx, query))
  const vectors = sql`unnest(${textArray(adversarialVectors(400))}::tsvector[]) as v`
  const queries = (list: string[]) => sql`unnest(${textArray(list)}::tsquery[]) as q`

  it("never ranks a match above the sum of its lexemes' single-lexeme ranks (the bound)", async () => {
    const rows = await check<{ rank: number; bound: number }>(
      sql`select ts_rank_cd(v, q)::float8 as rank,
            (select sum(ts_rank_cd(v, catalogue.lexeme_literal(l)::tsquery)::float8) from unnest(catalogue.tsquery_lexemes(q)) as l) as bound
          from ${vectors}, ${queries(MONOTONE)} where v @@ q`,
    )
    expect(rows.length).toBeGreaterThan(500)
    expect(rows.filter((row) => row.rank > row.bound * 1.00000095367431640625)).toEqual([])
    // Not a loose bound everywhere: it is reached.
    expect(rows.some((row) => row.rank === row.bound)).toBe(true)
    const flags = await check<{ monotone: boolean }>(
      sql`select catalogue.tsquery_monotone(q) as monotone from ${queries(MONOTONE)}`,
    )
    expect(flags.every((row) => row.monotone)).toBe(true)
    const negated = await check<{ monotone: boolean }>(
      sql`select catalogue.tsquery_monotone(q) as monotone from ${queries([...WITH_NEGATION, `'a!' & 'b'`])}`,
    )
    expect(negated.map((row) => row.monotone)).toEqual([...WITH_NEGATION.map(() => false), true])
  })

  it('finds driving lexemes every match holds, fewer than all of them', async () => {
    const rows = await check<{ q: string; driving: string[]; misses: number }>(
      sql`select q::text as q, n.driving, (select count(*)::int from ${vectors} where v @@ q and not (tsvector_to_array(v) && n.driving)) as misses
          from ${queries([...MONOTONE, ...WITH_NEGATION])}
          cross join lateral (select catalogue.necessary_lexemes(q, array(select l from unnest(catalogue.tsquery_lexemes(q)) as l order by l desc)) as driving) n`,
    )
    expect(rows.filter((row) => row.misses > 0)).toEqual([])
    expect(Object.fromEntries(rows.map((row) => [row.q, row.driving.sort()]))).toMatchObject({
      "'a' & 'b'": ['a'],
      "'a' <-> 'b'": ['a'],
      "'a' & 'b' | 'b' & 'c'": ['b'],
      // c, the first offered (as the most frequent would be), goes first: a or b is needed then.
      "( 'a' | 'b' ) & 'c'": ['a', 'b'],
      "'a' & !'b'": ['a'],
      "!'a' & 'b' & 'c'": ['b'],
    })
  })

  it('splits a query into its alternatives and weakens phrases to conjunctions, quoted lexemes untouched', async () => {
    const rows = await check<{ q: string; parts: number; same: boolean; weaker: boolean }>(
      sql`select q::text as q, cardinality(catalogue.tsquery_disjuncts(q)) as parts,
            not exists (select from ${vectors} where (v @@ q) <> (v @@ (select string_agg('(' || d::text || ')', ' | ') from unnest(catalogue.tsquery_disjuncts(q)) as d)::tsquery)) as same,
            not exists (select from ${vectors} where v @@ q and not (array_to_tsvector(tsvector_to_array(v)) @@ catalogue.tsquery_and(q::text))) as weaker
          from ${queries([...MONOTONE, `'x|y' & 'a' | ('b' | 'c') & 'd'`, `'it''s' <-> 'a\\b' | 'c'`])}`,
    )
    expect(rows.filter((row) => !row.same || !row.weaker)).toEqual([])
    expect(Object.fromEntries(rows.map((row) => [row.q, row.parts]))).toMatchObject({
      "'a' & 'b' | 'b' & 'c'": 2,
      "( 'a' | 'b' ) & 'c'": 1,
      "'x|y' & 'a' | ( 'b' | 'c' ) & 'd'": 2,
    })
    const [weaker] = await check<{ q: string }>(
      sql`select catalogue.tsquery_and($$'x<->y' <-> 'z' <2> 'w'$$)::text as q`,
    )
    expect(weaker?.q).toBe(`'x<->y' & 'z' & 'w'`)
  })
})
