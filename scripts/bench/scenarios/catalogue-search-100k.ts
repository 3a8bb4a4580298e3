/**
 * GET /v1/catalogue/courses?q=python&limit=20 with 100,000 published courses in the tenant
 * (issue 10, point 7): full-text search ranked title > summary > description, uncached (the app
 * runs without its response cache, `uncached`), over the varied catalogue of
 * catalogue-scale-seed.ts (about 1 course in 8 matches "python").
 *
 * It grows the target tenant: run it on its own (BENCH_SCENARIOS=catalogue-search-100k) when the
 * other catalogue scenarios' figures are wanted at their 200 courses. It is listed after them,
 * so their seed still runs first when all scenarios run together.
 */
import { Type } from 'typebox'
import { CourseCard } from '../../../src/modules/catalogue/public/catalogue-public.schemas.ts'
import { finiteNumber, instant, keysetCursor, uuid } from '../../../src/platform/http/pagination.ts'
import type { BenchScenario } from '../scenario.ts'
import { CARD_FIELDS } from './catalogue-list.ts'
import { TARGET_HOST } from './catalogue-seed.ts'
import { seedScaleCatalogue } from './catalogue-scale-seed.ts'

const LIMIT = 20
const COURSES = 100_000
const Q = 'python'

/** The configurations in the order listCatalogue parses a query with (catalogue-search.ts, queryConfigs). */
const CONFIGS = [
  'simple',
  'danish',
  'german',
  'english',
  'spanish',
  'finnish',
  'french',
  'hungarian',
  'italian',
  'dutch',
  'norwegian',
  'portuguese',
  'romanian',
  'russian',
  'swedish',
  'turkish',
]

/** The visitor's query as the app writes it (catalogue.visitor_tsquery, migration 0025), its text as parameter `n`. */
const visitorQuery = (n: number) =>
  `catalogue.visitor_tsquery($${n}, array[${CONFIGS.map((c) => `'${c}'`).join(', ')}])`

// The card columns listCatalogue selects (catalogue-public.queries.ts, cardColumns), aliased by name.
const CARD_COLUMNS = `"catalogue"."catalogue_entries"."course_id" as "id", "catalogue"."catalogue_entries"."slug" as "slug", "catalogue"."catalogue_entries"."title" as "title", "catalogue"."catalogue_entries"."summary" as "summary", "catalogue"."catalogue_entries"."level" as "level", "catalogue"."catalogue_entries"."language" as "language", "catalogue"."catalogue_entries"."category" as "category", "catalogue"."catalogue_entries"."tags" as "tags", "catalogue"."catalogue_entries"."instructor_ids" as "instructorIds", "catalogue"."catalogue_entries"."cover_image_ref" as "coverImageRef", "catalogue"."catalogue_entries"."delivery" as "delivery", "catalogue"."catalogue_entries"."free" as "free", "catalogue"."catalogue_entries"."lesson_count" as "lessonCount", "catalogue"."catalogue_entries"."duration_minutes" as "durationMinutes", to_char("catalogue"."catalogue_entries"."published_at" at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "publishedAt"`

// Copied from the statement listCatalogue (catalogue-public.queries.ts, catalogue-postings.ts
// matchPage) issues for a first search page without filters: each path's branch, of which the
// planner keeps the one the query takes ("python" is one lexeme: a range of the postings' rank
// index), joined to the page's entries. The harness fails when the route's statement differs.
const SEARCH_SQL = `select ${CARD_COLUMNS}, m.rank as "rank"
      from ((select p.course_id, p.rank, p.published_at from "catalogue"."catalogue_search_postings" p
      where p.term = coalesce((catalogue.search_terms(${visitorQuery(1)}, 'one'))[1], '') and p.tenant_id = $2
      order by p.rank desc, p.published_at desc, p.course_id desc limit $3)
    union all
    (select g.course_id, g.rank, g.published_at from (
        select p.course_id, p.published_at, (case when count(p.weight) = count(*) then sum(p.weight)::float4::float8 else catalogue.entry_rank(p.course_id, ${visitorQuery(4)}) end) as rank from "catalogue"."catalogue_search_postings" p
        where p.term = any (catalogue.search_terms(${visitorQuery(5)}, 'any')) and p.tenant_id = $6
        group by p.course_id, p.published_at) g
      where true
      order by 2 desc, 3 desc, 1 desc limit $7)
    union all
    (select g.course_id, ts_rank_cd(g.mini, ${visitorQuery(8)})::float8 as rank, g.published_at from (
        select p.course_id, p.published_at, string_agg(p.positions, ' ')::tsvector as mini from "catalogue"."catalogue_search_postings" p
        where p.term = any (catalogue.search_terms(${visitorQuery(9)}, 'all')) and p.tenant_id = $10
        group by p.course_id, p.published_at) g
      where g.mini @@ ${visitorQuery(11)}
      order by 2 desc, 3 desc, 1 desc limit $12)
    union all
    (select "catalogue"."catalogue_entries"."course_id", ts_rank_cd("catalogue"."catalogue_entries"."search", ${visitorQuery(13)})::float8 as rank, "catalogue"."catalogue_entries"."published_at" from "catalogue"."catalogue_entries"
      where "catalogue"."catalogue_entries"."tenant_id" = any ((case when catalogue.search_path(${visitorQuery(14)}) = 'entries' then array[$15::uuid] else '{}'::uuid[] end)) and ("catalogue"."catalogue_entries"."tenant_id" = $16 and "catalogue"."catalogue_entries"."search" @@ ${visitorQuery(17)})
      order by 2 desc, 3 desc, 1 desc limit $18)) m
      join "catalogue"."catalogue_entries" on "catalogue"."catalogue_entries"."tenant_id" = $19 and "catalogue"."catalogue_entries"."course_id" = m.course_id
      order by m.rank desc, m.published_at desc, m.course_id desc limit $20`

/** The card's columns, then the rank the cursor carries. */
const COLUMNS = [...CARD_FIELDS, 'rank'] as const

export const catalogueSearch100kScenario: BenchScenario = {
  name: 'catalogue-search-100k',
  path: `/v1/catalogue/courses?q=${Q}&limit=${LIMIT}`,
  uncached: true,
  async headers() {
    return { host: TARGET_HOST }
  },
  async seed(owner, tenants) {
    const [row] = await owner.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM catalogue.catalogue_entries WHERE tenant_id = $1::uuid AND slug LIKE 'scale-%'`,
      [tenants.target],
    )
    const have = row?.n ?? 0
    await seedScaleCatalogue(owner, tenants.target, have + 1, COURSES)
    await owner.exec('VACUUM ANALYZE catalogue.courses, catalogue.course_versions, catalogue.catalogue_entries')
  },
  bare: {
    sql: SEARCH_SQL,
    // Per branch: the query, the tenant, the limit (see SEARCH_SQL's numbering); then the join's tenant and the limit.
    params: (tenants) => {
      const t = tenants.target
      return [Q, t, LIMIT + 1, Q, Q, t, LIMIT + 1, Q, Q, t, Q, LIMIT + 1, Q, Q, t, t, Q, LIMIT + 1, t, LIMIT + 1]
    },
    body(rows) {
      const objects = rows.map(
        (row) =>
          Object.fromEntries(COLUMNS.map((column, i) => [column, row[i]])) as Record<(typeof COLUMNS)[number], unknown>,
      )
      const page = keysetCursor(finiteNumber, instant, uuid).page(objects, LIMIT, (row) => [
        Number(row.rank),
        String(row.publishedAt),
        String(row.id),
      ])
      return { data: page.data.map(({ rank: _rank, ...card }) => card), nextCursor: page.nextCursor }
    },
    response: {
      200: Type.Object({
        data: Type.Array(Type.Object(CourseCard.properties)),
        nextCursor: Type.Union([Type.String(), Type.Null()]),
      }),
    },
  },
}
