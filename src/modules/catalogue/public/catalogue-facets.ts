/**
 * Facet counts of the public catalogue, exact in both ways of reading them:
 *
 * - Unfiltered (the catalogue page a visitor lands on): the per-tenant counts that statement
 *   triggers on catalogue_entries keep in the publishing transaction (migration 0025), a few
 *   dozen rows whatever the catalogue's size.
 * - Filtered: one pass over the entries every facet shares (tenant, tags, instructor, search),
 *   materialised once with a flag per facet filter, then one GROUP BY per facet over the flags it
 *   keeps. Before, each facet scanned and re-searched the catalogue on its own (six passes).
 */
import { sql, type SQL } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { rowsOf } from '../../../platform/db/database.ts'
import { catalogueEntries, catalogueFacetCounts } from '../catalogue.tables.ts'
import { filterPredicates, type CatalogueFilter } from './catalogue-search.ts'

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
  const e = catalogueEntries
  const p = filterPredicates(tenantId, filter)
  const flag = (predicate: SQL | undefined) => predicate ?? sql`true`
  const keeping = (...flags: Flag[]) => sql.raw(flags.join(' and '))
  const all = keeping('category_ok', 'level_ok', 'language_ok', 'free_ok')
  return rowsOf<FacetRow>(
    tx,
    sql`with matching as materialized (
      select ${e.category} as category, ${e.level} as level, ${e.language} as language, ${e.free} as free, ${e.tags} as tags,
        ${flag(p.category)} as category_ok, ${flag(p.level)} as level_ok, ${flag(p.language)} as language_ok, ${flag(p.free)} as free_ok
      from ${e} where ${p.shared})
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
    select 'tag', tag, count(*)::int from matching cross join lateral jsonb_array_elements_text(tags) as tag where ${all} group by tag`,
  )
}
