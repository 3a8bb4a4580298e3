/**
 * A page of a search the postings answer as a conjunction (catalogue.search_path 'all': several
 * words, phrases, a word with a negation), exactly as `search @@ query` ordered by ts_rank_cd,
 * published_at, course_id (ADR 0020, "Conjunctions"). The work is catalogue.search_conjunction
 * (migration 0048), one call in the search's statement:
 *
 * 1. The query's lexemes with the tenant's document frequencies (catalogue_search_terms), and a
 *    set of them that every match holds one of, the frequent ones left out first
 *    (catalogue.necessary_lexemes): the driving lexemes. Their postings are read whole; only a
 *    course with one of them can match ("machine learning": 'machin' or 'learning', 12,500
 *    courses at scale, instead of 'learn', which every course has).
 * 2. The other lexemes' postings are read from the top of the rank index only, as many as the
 *    driving postings shared among them; the rank of the first one left unread (`cut`) bounds
 *    every unread one. A course's `bound` adds its ranks read and the cut of each other lexeme.
 *    For a query without negation it bounds the course's rank: ts_rank_cd adds, over the query's
 *    covers, the harmonic mean of their positions' weights divided by 1 + noise; covers have
 *    strictly increasing first and last positions, so a position in r covers is in covers of at
 *    least r positions, the sum is at most that of the weights of the query's positions, which is
 *    the sum of the single-lexeme ranks.
 * 3. The courses of the highest bounds (2 × limit, likely past the cursor) are ranked exactly;
 *    the limit-th best of them past the cursor is a threshold. A course whose (bound,
 *    published_at, course_id) is below it ranks after `limit` matches: it is left out. Without
 *    such a threshold, or with a negation, every driving course is ranked.
 * 4. The rest are completed by primary key (the postings of partly read lexemes they may hold,
 *    index-only), then matched and ranked on that small vector with the query reduced to the
 *    alternatives their lexemes can satisfy (catalogue.reduced_query: the same result; ts_rank_cd
 *    allocates 32 kB per item of its query, most of its cost).
 *
 * The frequencies only choose which exact work is done; nothing depends on them being right.
 */
import { sql, type SQL } from 'drizzle-orm'
import type { CatalogueFilter } from './catalogue-search.ts'

/** A search cursor as decoded: rank, published_at (instant text), course_id. */
export type SearchPosition = readonly [number, string, string]

/** The conjunction branch of a search page: `course_id`, `rank`, `published_at`, best first. */
export function conjunctionPage(
  tenantId: string,
  query: SQL,
  filter: CatalogueFilter,
  position: SearchPosition | undefined,
  limit: number,
): SQL {
  const text = (value: string | undefined) => sql`${value ?? null}::text`
  const tags =
    filter.tag === undefined || filter.tag.length === 0
      ? sql`null::text[]`
      : sql`array[${sql.join(
          [...new Set(filter.tag)].map((tag) => sql`${tag}`),
          sql`, `,
        )}]::text[]`
  const instructor = filter.instructor === undefined ? null : JSON.stringify([filter.instructor])
  return sql`(select f.course_id, f.rank, f.published_at from catalogue.search_conjunction(
      ${tenantId}::uuid, ${query}, ${text(filter.category)}, ${text(filter.level)}, ${text(filter.language)},
      ${filter.free ?? null}::boolean, ${tags}, ${instructor}::jsonb,
      ${position?.[0] ?? null}::float8, ${position?.[1] ?? null}::timestamptz, ${position?.[2] ?? null}::uuid, ${limit}::int) f
    order by 2 desc, 3 desc, 1 desc)`
}
