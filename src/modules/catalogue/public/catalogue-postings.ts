/**
 * Full-text search through the catalogue's inverted index, catalogue_search_postings (ADR 0020,
 * migrations 0035–0036, 0048, 0059). Under forced RLS the request role's `search @@ query` can
 * never use the GIN index on catalogue_entries (`@@` is not LEAKPROOF, so it runs after the
 * policy, on every row of the tenant); `tenant_id = …` and `term = …` are leakproof, so the
 * postings are read as btree ranges of the lexemes the query names.
 *
 * The visitor's query is still `catalogue.visitor_tsquery` (catalogue-search.ts), and which
 * path answers it (catalogue.search_path, migration 0036) is decided in the statement from that
 * constant: every path has a branch, and the branches of the paths not taken read empty index
 * ranges, which the planner prices as nothing.
 *
 * - 'one' lexeme ("python" → 'python'): the postings of that lexeme in the route's order
 *   (rank desc, published_at desc, course_id desc) are an index range; a page is limit + 1 rows.
 *   Each posting's rank is ts_rank_cd of its entry for that lexeme: today's rank, exactly.
 * - 'any' of several lexemes (most single words, "data" → 'da' | 'dat' | 'data'; "x or y"): the
 *   postings of those lexemes grouped per course; every such course matches, and the rank is the
 *   sum of their weights rounded to float4, which is ts_rank_cd's own arithmetic (ADR 0020).
 * - 'all' other queries over lexemes ("machine learning", phrases, "python -advanced"), when the
 *   query cannot match a vector that has none of them: matched and ranked on a small vector of
 *   the postings of the query's lexemes (a query's match and ts_rank_cd depend only on the
 *   positions of its own lexemes, so `@@` and the rank on it equal those on the entry's whole
 *   vector). A search page reads only the courses holding the query's rarest necessary lexemes,
 *   or only the top rank levels of its lexemes, and ranks each distinct small vector of the
 *   courses whose rank bound can reach the page once (catalogue-conjunction.ts); the facets of
 *   such a search read the courses of its driving lexemes (catalogue.conjunction_matches).
 * - 'entries' (a query that matches a vector without its lexemes: "-python", "web or -python"):
 *   the original expression over catalogue_entries, linear in the tenant, unchanged.
 */
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { catalogueEntries } from '../catalogue.tables.ts'
import { conjunctionPage, instructorJson, tagArray, type SearchPosition } from './catalogue-conjunction.ts'
import { catalogueConditions, filterPredicates, visitorQuery, type CatalogueFilter } from './catalogue-search.ts'

/** The keyset condition of a search cursor over (rank, published_at, course_id) expressions. */
export type KeysetAfter = (columns: [SQLWrapper, SQLWrapper, SQLWrapper]) => SQL | undefined

const postings = sql.raw('"catalogue"."catalogue_search_postings"')

type Path = 'one' | 'any' | 'all'

/**
 * The lexemes a branch reads (catalogue.search_terms, migration 0036): the query's when it takes
 * that path, none otherwise. An immutable function of a constant: the planner folds it, and the
 * other paths' branches become empty index ranges it prices as nothing.
 */
const terms = (query: SQL, path: Path) => sql`catalogue.search_terms(${query}, ${sql.raw(`'${path}'`)})`

/**
 * The one lexeme, or '' (no posting has it) when the query takes another path: an equality, so
 * the index keeps its order, and an empty range when unused. (A NULL would make the condition a
 * constant the planner checks above a full scan, which it prices as one, parallel and JIT-compiled.)
 */
const oneTerm = (query: SQL) => sql`coalesce((${terms(query, 'one')})[1], '')`

/** The tenant for the entries' branch: only queries no posting can answer read the entries. */
const entriesTenant = (query: SQL, tenantId: string) =>
  sql`(case when catalogue.search_path(${query}) = 'entries' then array[${tenantId}::uuid] else '{}'::uuid[] end)`

/**
 * The rank of a disjunction of lexemes from its postings: ts_rank_cd adds the float4 weight of
 * every matching position in float8 (exact, so the order of addition does not matter) and
 * rounds to float4. A posting without a weight (a position at the vector's limit, where lexemes
 * may share one) sends that course to the entry's own vector (catalogue.entry_rank, one call
 * for that course: a correlated subquery here would be priced for every course grouped, and the
 * plan's inflated cost would switch on JIT compilation, hundreds of ms).
 */
const disjunctionRank = (query: SQL) =>
  sql`(case when count(p.weight) = count(*) then sum(p.weight)::float4::float8 else catalogue.entry_rank(p.course_id, ${query}) end)`

/**
 * The filters a posting carries itself (its entry's facet values), plus the instructor, which
 * only the entry has (a primary-key lookup, uuid_eq being leakproof). `except` as in
 * catalogueConditions.
 */
export function postingFilters(
  tenantId: string,
  filter: Omit<CatalogueFilter, 'q'>,
  except?: 'category' | 'level' | 'language' | 'free',
): SQL {
  const e = catalogueEntries
  const conditions: SQL[] = [sql`p.tenant_id = ${tenantId}`]
  if (filter.category !== undefined && except !== 'category') conditions.push(sql`p.category = ${filter.category}`)
  if (filter.level !== undefined && except !== 'level') conditions.push(sql`p.level = ${filter.level}`)
  if (filter.language !== undefined && except !== 'language') conditions.push(sql`p.language = ${filter.language}`)
  if (filter.free !== undefined && except !== 'free') conditions.push(sql`p.free = ${filter.free}`)
  if (filter.tag !== undefined && filter.tag.length > 0)
    conditions.push(
      sql`p.tags @> array[${sql.join(
        [...new Set(filter.tag)].map((tag) => sql`${tag}`),
        sql`, `,
      )}]::text[]`,
    )
  if (filter.instructor !== undefined)
    conditions.push(
      sql`exists (select 1 from ${e} where ${e.tenantId} = p.tenant_id and ${e.courseId} = p.course_id and ${e.instructorIds} @> ${JSON.stringify([filter.instructor])}::jsonb)`,
    )
  return sql.join(conditions, sql` and `)
}

/**
 * A page of a search's matches, best first: `course_id`, `rank` (float8) and `published_at`,
 * limit rows. `position` is the decoded cursor `after` was made from.
 */
export function matchPage(
  tenantId: string,
  query: SQL,
  filter: CatalogueFilter,
  position: SearchPosition | undefined,
  after: KeysetAfter,
  limit: number,
) {
  const where = postingFilters(tenantId, filter)
  const e = catalogueEntries
  const entryRank = sql<number>`ts_rank_cd(${e.search}, ${query})::float8`
  const column = (name: string) => sql.raw(name)
  return sql`(select p.course_id, p.rank, p.published_at from ${postings} p
      where p.term = ${oneTerm(query)} and ${where}${and(after([column('p.rank'), column('p.published_at'), column('p.course_id')]))}
      order by p.rank desc, p.published_at desc, p.course_id desc limit ${limit})
    union all
    (select g.course_id, g.rank, g.published_at from (
        select p.course_id, p.published_at, ${disjunctionRank(query)} as rank from ${postings} p
        where p.term = any (${terms(query, 'any')}) and ${where}
        group by p.course_id, p.published_at) g
      where true${and(after([column('g.rank'), column('g.published_at'), column('g.course_id')]))}
      order by 2 desc, 3 desc, 1 desc limit ${limit})
    union all
    ${conjunctionPage(tenantId, query, filter, position, limit)}
    union all
    (select ${e.courseId}, ${entryRank} as rank, ${e.publishedAt} from ${e}
      where ${e.tenantId} = any (${entriesTenant(query, tenantId)}) and ${catalogueConditions(tenantId, filter)}${and(after([entryRank, e.publishedAt, e.courseId]))}
      order by 2 desc, 3 desc, 1 desc limit ${limit})`
}

/** ` and condition`, or nothing (so the statement's text has no blank lines to copy). */
const and = (condition: SQL | undefined) => (condition ? sql` and ${condition}` : sql``)

/**
 * The courses a facet read counts (catalogue-facets.ts), one row each: their facet values and,
 * per facet filter, whether the course passes it. Every facet shares the tenant, tags,
 * instructor and the search in every configuration; with a language filter the language's flag
 * also tests the search narrowed to that language's configurations, whose lexemes are among the
 * broad query's (its alternatives are a subset), so it is tested on the same postings. Queries
 * on the 'all' path are matched by catalogue.conjunction_matches (migrations 0059, 0062), which
 * reads only the courses holding a driving lexeme, those the tag filter keeps first.
 */
export function facetMatches(tenantId: string, filter: CatalogueFilter, q: string): SQL {
  const broad = visitorQuery(q, undefined)
  const narrow = filter.language === undefined ? undefined : visitorQuery(q, filter.language)
  const shared = postingFilters(tenantId, { tag: filter.tag, instructor: filter.instructor })
  const is = (name: string, value: unknown) => (value === undefined ? sql`true` : sql`${sql.raw(name)} = ${value}`)
  /** The columns every branch returns; `narrowMatch` says whether the course matches the narrowed search. */
  const columns = (row: 'p' | 'g', narrowMatch: SQL) =>
    sql.raw(`${row}.category, ${row}.level, ${row}.language, ${row}.free, ${row}.tags, `).append(
      sql`${is(`${row}.category`, filter.category)} as category_ok, ${is(`${row}.level`, filter.level)} as level_ok,
      ${narrow === undefined ? sql`true` : sql`(${sql.raw(row)}.language = ${filter.language} and ${narrowMatch})`} as language_ok,
      ${is(`${row}.free`, filter.free)} as free_ok`,
    )
  // A disjunction's course matches the narrowed search when one of its postings is of its lexemes
  // (DISTINCT ON keeps such a posting first); all postings of a course carry its entry's values.
  const narrowPosting = narrow === undefined ? sql`true` : sql`(p.term = any (catalogue.tsquery_lexemes(${narrow})))`
  const e = catalogueEntries
  const f = filterPredicates(tenantId, filter)
  const flag = (predicate: SQL | undefined) => predicate ?? sql`true`
  return sql`(select ${columns('p', narrow === undefined ? sql`true` : sql`p.positions::tsvector @@ ${narrow}`)}
      from ${postings} p where p.term = ${oneTerm(broad)} and ${shared})
    union all
    (select ${columns('g', sql`g.narrow`)} from (
        select distinct on (p.course_id) p.category, p.level, p.language, p.free, p.tags, ${narrowPosting} as narrow
        from ${postings} p where p.term = any (${terms(broad, 'any')}) and ${shared}
        order by p.course_id${narrow === undefined ? sql`` : sql`, ${narrowPosting} desc`}) g)
    union all
    (select ${columns('g', sql`g.narrow`)} from catalogue.conjunction_matches(${tenantId}::uuid, ${broad},
        ${narrow ?? sql`null::tsquery`}, ${tagArray(filter.tag)}, ${instructorJson(filter.instructor)}::jsonb) g)
    union all
    (select ${e.category}, ${e.level}, ${e.language}, ${e.free}, catalogue.tag_array(${e.tags}),
        ${flag(f.category)}, ${flag(f.level)}, ${flag(f.language)}, ${flag(f.free)}
      from ${e} where ${e.tenantId} = any (${entriesTenant(broad, tenantId)}) and ${f.shared})`
}
