/**
 * Facet counts of the public catalogue, exact in both ways of reading them:
 *
 * - Unfiltered (the catalogue page a visitor lands on): the per-tenant counts that statement
 *   triggers on catalogue_entries keep in the publishing transaction (migration 0025), a few
 *   dozen rows whatever the catalogue's size.
 * - Filtered, without an instructor: the bit strings of the facet values and of the search's
 *   lexemes (migration 0067, ADR 0020 "Bit strings"), combined with AND/OR/NOT in one function
 *   call: a few hundred operations on strings of a bit per course, whatever the number of matches.
 *   It answers no rows when the search has a phrase, a prefix or a lexeme rarer than 32 courses
 *   (then the matches are few, and the ways below count them).
 * - Filtered with a search: the courses every facet shares (tenant, tags, instructor, search),
 *   read from the search postings (catalogue-postings.ts: narrow rows of an index range, not the
 *   tenant's entries), materialised once with a flag per facet filter, then one GROUP BY per
 *   facet over the flags it keeps.
 * - Filtered without a search: one GROUP BY per facet under its own conditions. Materialising
 *   the shared rows (the whole tenant when only, say, a level is chosen) measured twice as slow
 *   as six scans that PostgreSQL runs with parallel workers (docs/benchmarks.md).
 */
import { and, sql, type SQL } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { rowsOf } from '../../../platform/db/database.ts'
import { catalogueEntries, catalogueFacetCounts } from '../catalogue.tables.ts'
import { facetMatches } from './catalogue-postings.ts'
import { tagArray } from './catalogue-conjunction.ts'
import { catalogueConditions, visitorQuery, type CatalogueFilter } from './catalogue-search.ts'

export interface FacetRow {
  facet: 'total' | 'category' | 'level' | 'language' | 'free' | 'tag'
  value: string | null
  count: number
}

/** The maintained counts; zero rows stay behind when the last course with a value leaves. */
export function precomputedFacetRows(tx: Tx, tenantId: string): Promise<FacetRow[]> {
  const c = catalogueFacetCounts
  return tx
    .select({ facet: c.facet, value: c.value, count: c.count })
    .from(c)
    .where(sql`${c.tenantId} = ${tenantId} and ${c.count} > 0`)
}

type Flag = 'category_ok' | 'level_ok' | 'language_ok' | 'free_ok'

/** Each facet counts under every filter but its own; the total and the tags under all of them. */
export function filteredFacetRows(tx: Tx, tenantId: string, filter: CatalogueFilter): Promise<FacetRow[]> {
  const q = filter.q?.trim()
  const counted = q ? searchedFacetSql(tenantId, filter, q) : perFacetSql(tenantId, filter)
  if (filter.instructor !== undefined) return rowsOf<FacetRow>(tx, counted)
  // One statement: the counting branch runs only when the bit strings gave no rows (a one-time
  // filter on the materialised answer), so a declined search costs no second round trip.
  return rowsOf<FacetRow>(
    tx,
    sql`with bits as materialized (${bitmapFacetSql(tenantId, filter, q)})
    select facet, value, count from bits
    union all
    select facet, value, count from (${counted}) as counted where not exists (select from bits)`,
  )
}

/** The facets from the bit strings (catalogue.bitmap_facets); no rows when they cannot answer. */
export function bitmapFacetRows(
  tx: Tx,
  tenantId: string,
  filter: CatalogueFilter,
  q: string | undefined,
): Promise<FacetRow[]> {
  return rowsOf<FacetRow>(tx, bitmapFacetSql(tenantId, filter, q))
}

function bitmapFacetSql(tenantId: string, filter: CatalogueFilter, q: string | undefined): SQL {
  const anyLanguage = q ? visitorQuery(q, undefined) : sql`null::tsquery`
  const chosenLanguage = q ? visitorQuery(q, filter.language) : sql`null::tsquery`
  return sql`select facet, value, count from catalogue.bitmap_facets(${tenantId}::uuid, ${anyLanguage}, ${chosenLanguage},
      ${filter.category ?? null}::text, ${filter.level ?? null}::text, ${filter.language ?? null}::text,
      ${filter.free ?? null}::boolean, ${tagArray(filter.tag)})`
}

/** One GROUP BY per facet over the entries, with the search as `@@` on their vectors (also the tests' reference). */
export function perFacetRows(tx: Tx, tenantId: string, filter: CatalogueFilter): Promise<FacetRow[]> {
  return rowsOf<FacetRow>(tx, perFacetSql(tenantId, filter))
}

function perFacetSql(tenantId: string, filter: CatalogueFilter): SQL {
  const e = catalogueEntries
  const all = catalogueConditions(tenantId, filter)
  return sql`select 'total' as facet, null as value, count(*)::int as count from ${e} where ${all}
    union all
    select 'category', ${e.category}, count(*)::int from ${e} where ${and(catalogueConditions(tenantId, filter, 'category'), sql`${e.category} is not null`)} group by ${e.category}
    union all
    select 'level', ${e.level}, count(*)::int from ${e} where ${catalogueConditions(tenantId, filter, 'level')} group by ${e.level}
    union all
    select 'language', ${e.language}, count(*)::int from ${e} where ${catalogueConditions(tenantId, filter, 'language')} group by ${e.language}
    union all
    select 'free', ${e.free}::text, count(*)::int from ${e} where ${catalogueConditions(tenantId, filter, 'free')} group by ${e.free}
    union all
    select 'tag', tag, count(*)::int from ${e} cross join lateral jsonb_array_elements_text(${e.tags}) as tag where ${all} group by tag`
}

/**
 * The facets of a search from one pass over the matching courses: they are counted per distinct
 * combination of facet values, tag set and flags (a few thousand rows at most, whatever the
 * number of matches; materialising the matches themselves spilled to disk), then GROUPING SETS
 * sum the total and the four single-valued facets, each under its own flags (a FILTER per facet;
 * `grouping()` says which set a row belongs to), and the unnested tag sets sum the tags. Values
 * whose courses all fail their flags count 0 and are left out, as a WHERE would.
 */
function searchedFacetSql(tenantId: string, filter: CatalogueFilter, q: string): SQL {
  // Only the flags of the filters given: with none, every count is count(*), which PostgreSQL
  // computes once for the five.
  const given: Record<Flag, boolean> = {
    category_ok: filter.category !== undefined,
    level_ok: filter.level !== undefined,
    language_ok: filter.language !== undefined,
    free_ok: filter.free !== undefined,
  }
  const keeping = (...flags: Flag[]) => {
    const kept = flags.filter((flag) => given[flag])
    return kept.length === 0 ? sql`` : sql.raw(`filter (where ${kept.join(' and ')})`)
  }
  const all = keeping('category_ok', 'level_ok', 'language_ok', 'free_ok')
  const allFlags = Object.values(given).some(Boolean)
    ? sql.raw(`where ${(Object.keys(given) as Flag[]).filter((flag) => given[flag]).join(' and ')}`)
    : sql``
  return sql`with combinations as materialized (
      select category, level, language, free, tags, category_ok, level_ok, language_ok, free_ok, count(*) as n
      from (${facetMatches(tenantId, filter, q)}) as matching group by 1, 2, 3, 4, 5, 6, 7, 8, 9),
    counted as (
      select grouping(category, level, language, free) as set, category, level, language, free::text as free,
        sum(n) ${all} as total,
        sum(n) ${keeping('level_ok', 'language_ok', 'free_ok')} as by_category,
        sum(n) ${keeping('category_ok', 'language_ok', 'free_ok')} as by_level,
        sum(n) ${keeping('category_ok', 'level_ok', 'free_ok')} as by_language,
        sum(n) ${keeping('category_ok', 'level_ok', 'language_ok')} as by_free
      from combinations group by grouping sets ((), (category), (level), (language), (free)))
    select facet, value, count from (
      select case set when 15 then 'total' when 7 then 'category' when 11 then 'level' when 13 then 'language' else 'free' end as facet,
        case set when 7 then category when 11 then level when 13 then language when 14 then free end as value,
        coalesce(case set when 15 then total when 7 then by_category when 11 then by_level when 13 then by_language else by_free end, 0)::int as count
      from counted where set <> 7 or category is not null) as facets
    where count > 0 or facet = 'total'
    union all
    select 'tag', tag, sum(n)::int from (
      select unnest(tags) as tag, n from combinations ${allFlags}) as tags
    group by tag`
}
