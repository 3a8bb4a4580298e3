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

// Copied from the statement listCatalogue (catalogue-public.queries.ts) issues for a first search
// page without filters; the harness fails when the route's statement differs.
const SEARCH_SQL =
  `select "course_id", "slug", "title", "summary", "level", "language", "category", "tags", "instructor_ids", ` +
  `"cover_image_ref", "delivery", "free", "lesson_count", "duration_minutes", to_char("published_at" at time zone ` +
  `'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), ts_rank_cd("search", ${visitorQuery(1)})::float8 from ` +
  `"catalogue"."catalogue_entries" where ("catalogue"."catalogue_entries"."tenant_id" = $2 and ` +
  `"catalogue"."catalogue_entries"."search" @@ ${visitorQuery(3)}) order by ` +
  `ts_rank_cd("catalogue"."catalogue_entries"."search", ${visitorQuery(4)})::float8 desc, ` +
  `"catalogue"."catalogue_entries"."published_at" desc, "catalogue"."catalogue_entries"."course_id" desc limit $5`

const COLUMNS = [
  'id',
  'slug',
  'title',
  'summary',
  'level',
  'language',
  'category',
  'tags',
  'instructorIds',
  'coverImageRef',
  'delivery',
  'free',
  'lessonCount',
  'durationMinutes',
  'publishedAt',
  'rank',
] as const

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
    params: (tenants) => [Q, tenants.target, Q, Q, LIMIT + 1],
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
