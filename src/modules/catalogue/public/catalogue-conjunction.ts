/**
 * A page of a search the postings answer as a conjunction (catalogue.search_path 'all': several
 * words, phrases, a word with a negation), exactly as `search @@ query` ordered by ts_rank_cd,
 * published_at, course_id (ADR 0020, "Conjunctions"). The work is catalogue.search_conjunction
 * (migration 0059), one call in the search's statement; its reading plan comes from
 * catalogue.conjunction_plan:
 *
 * 1. The query's lexemes with the tenant's rank levels (catalogue_search_levels: how many courses
 *    hold a lexeme with each single-lexeme rank), and a set of lexemes every match holds one of,
 *    the frequent ones left out first (catalogue.necessary_lexemes): the driving lexemes.
 * 2. A first threshold (queries without negation): the courses of the best postings of each
 *    lexeme, completed by primary key and ranked; the limit-th best past the cursor.
 * 3. Plan A reads the driving lexemes whole (only a course with one can match) and every other
 *    lexeme from the top down to a whole rank level; plan B, given a first threshold, reads every
 *    lexeme down to one same level x, the highest for which the levels left unread add up to less
 *    than the threshold (so a course none of whose postings is read ranks below it), when that is
 *    fewer postings ("machine learning": the top level of each lexeme, 16,668 postings of the
 *    4,167 "Machine Learning" titles instead of 29,167). `cut`, the rank of the first level left
 *    unread, bounds every unread posting of a lexeme.
 * 4. A course's `bound` adds its ranks read and the cut of each other lexeme. For a query without
 *    negation it bounds the course's rank: ts_rank_cd adds, over the query's covers, the harmonic
 *    mean of their positions' weights divided by 1 + noise; covers have strictly increasing first
 *    and last positions, so a position in r covers is in covers of at least r positions, the sum
 *    is at most that of the weights of the query's positions, which is the sum of the
 *    single-lexeme ranks.
 * 5. The courses of the highest bounds (2 × limit, likely past the cursor) are ranked exactly;
 *    the limit-th best of them past the cursor, or the first threshold if higher, is the
 *    threshold. A course whose (bound, published_at, course_id) is below it ranks after `limit`
 *    matches: it is left out. Without a threshold, or with a negation, every course read is kept.
 * 6. The rest are completed by primary key (only those lacking a partly read lexeme), and each
 *    distinct small vector is matched and ranked once, with the query reduced to the alternatives
 *    its lexemes can satisfy: courses with the same vector have the same rank, and ts_rank_cd
 *    allocates 32 kB per item of its query, most of its cost.
 *
 * The levels only choose which exact work is done; nothing depends on them being right.
 */
import { sql, type SQL } from 'drizzle-orm'
import type { CatalogueFilter } from './catalogue-search.ts'

/** A search cursor as decoded: rank, published_at (instant text), course_id. */
export type SearchPosition = readonly [number, string, string]

/** The visitor's tags as a text[] parameter (NULL: no tag filter); a course must carry them all. */
export function tagArray(tags: string[] | undefined): SQL {
  if (tags === undefined || tags.length === 0) return sql`null::text[]`
  return sql`array[${sql.join(
    [...new Set(tags)].map((tag) => sql`${tag}`),
    sql`, `,
  )}]::text[]`
}

/** The instructor filter as the jsonb an entry's instructor_ids must contain (NULL: none). */
export function instructorJson(instructor: string | undefined): string | null {
  return instructor === undefined ? null : JSON.stringify([instructor])
}

/** The conjunction branch of a search page: `course_id`, `rank`, `published_at`, best first. */
export function conjunctionPage(
  tenantId: string,
  query: SQL,
  filter: CatalogueFilter,
  position: SearchPosition | undefined,
  limit: number,
): SQL {
  const text = (value: string | undefined) => sql`${value ?? null}::text`
  return sql`(select f.course_id, f.rank, f.published_at from catalogue.search_conjunction(
      ${tenantId}::uuid, ${query}, ${text(filter.category)}, ${text(filter.level)}, ${text(filter.language)},
      ${filter.free ?? null}::boolean, ${tagArray(filter.tag)}, ${instructorJson(filter.instructor)}::jsonb,
      ${position?.[0] ?? null}::float8, ${position?.[1] ?? null}::timestamptz, ${position?.[2] ?? null}::uuid, ${limit}::int) f
    order by 2 desc, 3 desc, 1 desc)`
}
