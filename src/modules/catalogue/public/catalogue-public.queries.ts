/**
 * Reads of the public catalogue. Every read is one statement over catalogue_entries (the
 * projection publishing writes) and, for a search, its postings (catalogue-postings.ts, ADR
 * 0019), scoped to the Host's tenant by RLS and by an explicit predicate.
 *
 * Pages are keyset pages. Without a search the order is (published_at, course_id) newest first.
 * With a search it is (rank, published_at, course_id): the rank is a pure function of the stored
 * vector and the query text, so the same position exists on the next request and the cursor can
 * carry it (as float8, which JSON round-trips exactly); an offset would skip or repeat courses
 * published between two pages.
 */
import { and, desc, eq, sql, type SQL } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../../platform/db/database.ts'
import { hotQuery } from '../../../platform/db/hot-query.ts'
import { AppError } from '../../../platform/errors.ts'
import {
  finiteNumber,
  instant,
  instantText,
  keysetCursor,
  uuid,
  type PageResult,
} from '../../../platform/http/pagination.ts'
import { catalogueEntries } from '../catalogue.tables.ts'
import { filteredFacetRows, precomputedFacetRows } from './catalogue-facets.ts'
import { matchPage, type KeysetAfter } from './catalogue-postings.ts'
import { catalogueConditions, isUnfiltered, visitorQuery, type CatalogueFilter } from './catalogue-search.ts'
import type { CatalogueFacets, CatalogueQuery, CourseCard } from './catalogue-public.schemas.ts'

/** published_at in UTC with all six fractional digits, the database's own precision. */
const publishedAtText = instantText(catalogueEntries.publishedAt)

/** Newest first by (publishedAt, id); with a search, best first by (rank, publishedAt, id). */
const browseCursor = keysetCursor(instant, uuid)
const searchCursor = keysetCursor(finiteNumber, instant, uuid)

const invalidCursor = () =>
  new AppError(
    'invalid',
    'INVALID_CURSOR',
    'The cursor is malformed or belongs to another ordering; use nextCursor from a previous page of the same query',
    {
      errors: [
        { path: 'querystring.cursor', message: 'is not a cursor this API issued for this query', code: 'cursor' },
      ],
    },
  )

const cardColumns = {
  id: catalogueEntries.courseId,
  slug: catalogueEntries.slug,
  title: catalogueEntries.title,
  summary: catalogueEntries.summary,
  level: catalogueEntries.level,
  language: catalogueEntries.language,
  category: catalogueEntries.category,
  tags: catalogueEntries.tags,
  instructorIds: catalogueEntries.instructorIds,
  coverImageRef: catalogueEntries.coverImageRef,
  delivery: catalogueEntries.delivery,
  free: catalogueEntries.free,
  lessonCount: catalogueEntries.lessonCount,
  durationMinutes: catalogueEntries.durationMinutes,
  publishedAt: publishedAtText,
}

/**
 * The cursor, answered with this list's own wording: its cursors also depend on the query (a
 * search cursor carries the rank), which the generic problem does not say.
 */
function ofThisQuery<T>(read: () => T): T {
  try {
    return read()
  } catch {
    throw invalidCursor()
  }
}

/** The cursor's keyset condition; validated before any round trip. */
function after(cursor: string | undefined): SQL | undefined {
  const position = ofThisQuery(() => browseCursor.decode(cursor))
  return browseCursor.after(position, [catalogueEntries.publishedAt, catalogueEntries.courseId], 'desc')
}

/**
 * The first page without search or filters, what most visitors and every landing page ask for:
 * built once (hot-query.ts), with the same SQL text the general path builds for it.
 */
const firstPage = hotQuery('catalogue_first_page', (tx) =>
  tx
    .select(cardColumns)
    .from(catalogueEntries)
    .where(eq(catalogueEntries.tenantId, sql.placeholder('tenantId')))
    .orderBy(desc(catalogueEntries.publishedAt), desc(catalogueEntries.courseId))
    .limit(sql.placeholder('limit')),
)

const isFirstUnfilteredPage = (query: CatalogueQuery): boolean =>
  query.cursor === undefined &&
  !query.q?.trim() &&
  query.category === undefined &&
  query.level === undefined &&
  query.language === undefined &&
  (query.tag === undefined || query.tag.length === 0) &&
  query.free === undefined &&
  query.instructor === undefined

/** One page of published courses: one statement, limit + 1 rows to detect the next page. */
export async function listCatalogue(tx: Tx, tenantId: string, query: CatalogueQuery): Promise<PageResult<CourseCard>> {
  if (isFirstUnfilteredPage(query)) {
    const rows = await firstPage.execute(tx, { tenantId, limit: query.limit + 1 })
    return browseCursor.page(rows as CourseCard[], query.limit, (row) => [row.publishedAt, row.id])
  }
  const q = query.q?.trim()
  if (q) return searchCatalogue(tx, tenantId, query, q)
  const where = and(catalogueConditions(tenantId, query), after(query.cursor))
  const rows = await tx
    .select(cardColumns)
    .from(catalogueEntries)
    .where(where)
    .orderBy(desc(catalogueEntries.publishedAt), desc(catalogueEntries.courseId))
    .limit(query.limit + 1)
  return browseCursor.page(rows as CourseCard[], query.limit, (row) => [row.publishedAt, row.id])
}

/**
 * One page of a search, best first: the page's matches (catalogue-postings.ts: from the search
 * postings, or from the entries for queries the postings cannot answer) joined to their entries
 * by primary key for the cards. The cursor carries the rank first.
 */
async function searchCatalogue(tx: Tx, tenantId: string, query: CatalogueQuery, q: string) {
  const position = ofThisQuery(() => searchCursor.decode(query.cursor))
  const keyset: KeysetAfter = (columns) => searchCursor.after(position, columns, 'desc')
  const e = catalogueEntries
  const columns = sql.join(
    Object.entries(cardColumns).map(([name, column]) => sql`${column} as ${sql.identifier(name)}`),
    sql`, `,
  )
  const rows = await rowsOf<CourseCard & { rank: number }>(
    tx,
    sql`select ${columns}, m.rank as "rank"
      from (${matchPage(tenantId, visitorQuery(q, query.language), query, position, keyset, query.limit + 1)}) m
      join ${e} on ${e.tenantId} = ${tenantId} and ${e.courseId} = m.course_id
      order by m.rank desc, m.published_at desc, m.course_id desc limit ${query.limit + 1}`,
  )
  const page = searchCursor.page(rows, query.limit, (row) => [row.rank, row.publishedAt, row.id])
  return { data: page.data.map(({ rank: _rank, ...card }) => card as CourseCard), nextCursor: page.nextCursor }
}

/**
 * Every facet in one statement: each under the filters that apply to it (see
 * catalogueConditions), plus the total under all of them — from the maintained counts when
 * nothing is filtered, else in one pass over the matching entries (catalogue-facets.ts).
 */
export async function catalogueFacets(tx: Tx, tenantId: string, filter: CatalogueFilter): Promise<CatalogueFacets> {
  const rows = isUnfiltered(filter)
    ? await precomputedFacetRows(tx, tenantId)
    : await filteredFacetRows(tx, tenantId, filter)
  const facets: CatalogueFacets = { total: 0, category: [], level: [], language: [], free: [], tag: [] }
  for (const row of rows) {
    const count = Number(row.count)
    if (row.facet === 'total') facets.total = count
    else if (row.facet === 'free') facets.free.push({ value: row.value === 'true', count })
    else if (row.value !== null) facets[row.facet].push({ value: row.value, count })
  }
  // Most frequent first, then alphabetical, so the order is stable.
  for (const key of ['category', 'level', 'language', 'tag'] as const)
    facets[key].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
  facets.free.sort((a, b) => Number(b.value) - Number(a.value))
  return facets
}
