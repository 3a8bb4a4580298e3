/**
 * Facet counts of the public catalogue, exact in both ways of reading them:
 *
 * - Unfiltered (the catalogue page a visitor lands on): the per-tenant counts that statement
 *   triggers on catalogue_entries keep in the publishing transaction (migration 0025), a few
 *   dozen rows whatever the catalogue's size.
 * - Filtered with a search: the courses every facet shares (tenant, tags, instructor, search),
 *   read from the search postings (catalogue-postings.ts: narrow rows of an index range, not the
 *   tenant's entries), materialised once with a flag per facet filter, then one GROUP BY per
 *   facet over the flags it keeps.
 * - Filtered without a search: one GROUP BY per facet under its own conditions. Materialising
 *   the shared rows (the whole tenant when only, say, a level is chosen) measured twice as slow
 *   as six scans that PostgreSQL runs with parallel workers (docs/benchmarks.md).
 */
import { and, sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { rowsOf } from '../../../platform/db/database.ts'
import { catalogueEntries, catalogueFacetCounts } from '../catalogue.tables.ts'
import { facetMatches } from './catalogue-postings.ts'
import { catalogueConditions, type CatalogueFilter } from './catalogue-search.ts'

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
export async function filteredFacetRows(tx: Tx, tenantId: string, filter: CatalogueFilter): Promise<FacetRow[]> {
  const q = filter.q?.trim()
  return q ? searchedFacetRows(tx, tenantId, filter, q) : perFacetRows(tx, tenantId, filter)
}

/** One GROUP BY per facet over the entries, with the search as `@@` on their vectors (also the tests' reference). */
export function perFacetRows(tx: Tx, tenantId: string, filter: CatalogueFilter): Promise<FacetRow[]> {
  const e = catalogueEntries
  const all = catalogueConditions(tenantId, filter)
  return rowsOf<FacetRow>(
    tx,
    sql`select 'total' as facet, null as value, count(*)::int as count from ${e} where ${all}
    union all
    select 'category', ${e.category}, count(*)::int from ${e} where ${and(catalogueConditions(tenantId, filter, 'category'), sql`${e.category} is not null`)} group by ${e.category}
    union all
    select 'level', ${e.level}, count(*)::int from ${e} where ${catalogueConditions(tenantId, filter, 'level')} group by ${e.level}
    union all
    select 'language', ${e.language}, count(*)::int from ${e} where ${catalogueConditions(tenantId, filter, 'language')} group by ${e.language}
    union all
    select 'free', ${e.free}::text, count(*)::int from ${e} where ${catalogueConditions(tenantId, filter, 'free')} group by ${e.free}
    union all
    select 'tag', tag, count(*)::int from ${e} cross join lateral jsonb_array_elements_text(${e.tags}) as tag where ${all} group by tag`,
  )
}

function searchedFacetRows(tx: Tx, tenantId: string, filter: CatalogueFilter, q: string): Promise<FacetRow[]> {
  const keeping = (...flags: Flag[]) => sql.raw(flags.join(' and '))
  const all = keeping('category_ok', 'level_ok', 'language_ok', 'free_ok')
  return rowsOf<FacetRow>(
    tx,
    sql`with matching as materialized (${facetMatches(tenantId, filter, q)})
    select 'total' as facet, null as value, count(*)::int as count from matching where ${all}
    union all
    select 'category', category, count(*)::int from matching where ${keeping('level_ok', 'language_ok', 'free_ok')} and category is not null group by category
    union all
    select 'level', level, count(*)::int from matching where ${keeping('category_ok', 'language_ok', 'free_ok')} group by level
    union all
    select 'language', language, count(*)::int from matching where ${keeping('category_ok', 'level_ok', 'free_ok')} group by language
    union all
    select 'free', free::text, count(*)::int from matching where ${keeping('category_ok', 'level_ok', 'language_ok')} group by free
    union all
    select 'tag', tag, count(*)::int from matching cross join lateral unnest(tags) as tag where ${all} group by tag`,
  )
}
