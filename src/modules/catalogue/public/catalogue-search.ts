/**
 * The filter and full-text parts of catalogue reads, shared by the listing and the facets so a
 * facet count always describes what the listing would return.
 *
 * Full text: each entry's vector holds the course's words stemmed in its own language and its
 * title unstemmed ('simple'). A visitor's query has no language, so it is parsed once per
 * configuration and the results are OR-ed: 'simple' (exact words, any language) plus the stemming
 * configuration of every language we index with — or only the course language's when the visitor
 * filters by language. A course matches when all of the visitor's words match in one of the
 * configurations. Under forced RLS `@@` cannot use the GIN index on `search` for the request
 * role (it is not LEAKPROOF), so searches read the postings instead (catalogue-postings.ts);
 * the conditions here are the definition they are tested against, and the path of the queries
 * the postings cannot answer.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm'
import { catalogueEntries } from '../catalogue.tables.ts'
import { searchConfigFor, STEMMING_CONFIGS } from '../publication.ts'

export interface CatalogueFilter {
  category?: string | undefined
  level?: string | undefined
  language?: string | undefined
  tag?: string[] | undefined
  free?: boolean | undefined
  instructor?: string | undefined
  q?: string | undefined
}

/** The configurations a query is parsed with: 'simple' first, then the stemming ones. */
export function queryConfigs(language: string | undefined): string[] {
  if (language !== undefined) return [...new Set(['simple', searchConfigFor(language)])]
  return ['simple', ...STEMMING_CONFIGS]
}

/**
 * websearch_to_tsquery of the visitor's text in every configuration, OR-ed into one tsquery by
 * catalogue.visitor_tsquery (migration 0025). Most configurations parse a word to the same
 * lexeme, so the function de-duplicates the alternatives: "python" becomes 'python' instead of
 * 'python' | 'python' | … 16 times. Matching is unchanged (OR is idempotent) and so is ts_rank_cd
 * (equal on every match measured, and catalogue-scale.test.ts compares whole result orders with
 * the unreduced expression), but @@ and the rank run over 2–3 operands instead of 16: ranking
 * every match was most of a search's time at 100,000 courses. The function is immutable, so the
 * planner folds it into a constant and estimates the matches from the column statistics.
 */
export function visitorQuery(q: string, language: string | undefined): SQL {
  const configs = queryConfigs(language).map((config) => `'${config}'`)
  return sql`catalogue.visitor_tsquery(${q}, array[${sql.raw(configs.join(', '))}])`
}

type FacetName = 'category' | 'level' | 'language' | 'free'

/**
 * The WHERE conditions of a catalogue read. `except` leaves one filter out: a facet's own counts
 * ignore its own selection, so a visitor who picked level=beginner still sees how many
 * intermediate courses there are (tags combine with AND, so the tag facet keeps every filter).
 * The explicit tenant predicate duplicates RLS so the planner can use the tenant indexes.
 */
export function catalogueConditions(tenantId: string, filter: CatalogueFilter, except?: FacetName): SQL | undefined {
  const q = filter.q?.trim()
  return and(
    eq(catalogueEntries.tenantId, tenantId),
    filter.category === undefined || except === 'category' ? undefined : eq(catalogueEntries.category, filter.category),
    filter.level === undefined || except === 'level' ? undefined : eq(catalogueEntries.level, filter.level),
    filter.language === undefined || except === 'language' ? undefined : eq(catalogueEntries.language, filter.language),
    filter.free === undefined || except === 'free' ? undefined : eq(catalogueEntries.free, filter.free),
    filter.tag === undefined || filter.tag.length === 0
      ? undefined
      : sql`${catalogueEntries.tags} @> ${JSON.stringify([...new Set(filter.tag)])}::jsonb`,
    filter.instructor === undefined
      ? undefined
      : sql`${catalogueEntries.instructorIds} @> ${JSON.stringify([filter.instructor])}::jsonb`,
    q
      ? sql`${catalogueEntries.search} @@ ${visitorQuery(q, except === 'language' ? undefined : filter.language)}`
      : undefined,
  )
}

/**
 * The filters one by one, for reads that count under several combinations at once (the
 * facets): `shared` holds what every facet keeps (tenant, tags, instructor, the search in every
 * configuration); the others are what each facet drops for its own counts. With a language
 * filter, the search narrowed to that language's configurations belongs to the language facet's
 * group: the language facet counts the search in every configuration (as catalogueConditions with
 * except 'language'), which matches a superset of the narrowed search.
 */
export function filterPredicates(
  tenantId: string,
  filter: CatalogueFilter,
): { shared: SQL; category?: SQL; level?: SQL; language?: SQL; free?: SQL } {
  const q = filter.q?.trim()
  const e = catalogueEntries
  const shared = and(
    catalogueConditions(tenantId, { tag: filter.tag, instructor: filter.instructor }),
    q ? sql`${e.search} @@ ${visitorQuery(q, undefined)}` : undefined,
  ) as SQL
  const language =
    filter.language === undefined
      ? undefined
      : and(eq(e.language, filter.language), q ? sql`${e.search} @@ ${visitorQuery(q, filter.language)}` : undefined)
  return {
    shared,
    ...(filter.category === undefined ? {} : { category: eq(e.category, filter.category) }),
    ...(filter.level === undefined ? {} : { level: eq(e.level, filter.level) }),
    ...(language === undefined ? {} : { language }),
    ...(filter.free === undefined ? {} : { free: eq(e.free, filter.free) }),
  }
}

/** Whether no filter narrows the catalogue (so the precomputed counts answer the facets). */
export function isUnfiltered(filter: CatalogueFilter): boolean {
  return (
    filter.category === undefined &&
    filter.level === undefined &&
    filter.language === undefined &&
    filter.free === undefined &&
    (filter.tag === undefined || filter.tag.length === 0) &&
    filter.instructor === undefined &&
    !filter.q?.trim()
  )
}
