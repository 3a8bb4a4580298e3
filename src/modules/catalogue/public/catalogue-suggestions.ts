/**
 * Title suggestions while typing, tolerant of typos (ADR 0019), in one statement over the
 * tenant's title dictionary (catalogue-suggestions.tables.ts) instead of its titles.
 *
 * The order is the one an exhaustive scan of the titles would give: pg_trgm strict word
 * similarity of the whole input to the title (whole-word matches first: "pyhton" is nearer
 * "Python" at 0.27 than "PyTorch" at 0.15), then word similarity, then the title; titles whose
 * word similarity is below 0.25 are left out (the default 0.6 of `<%` would miss a transposition
 * in a short word). Why not that scan: under forced RLS the trigram operators are not leakproof,
 * so they cannot be index conditions for the request role, and a short prefix like "pyth" was
 * tested against thousands of titles (docs/benchmarks.md, "Catalogue at scale").
 *
 * Instead the input is split into words as titles are (catalogue.title_words; at most
 * INPUT_WORDS), and for each the tenant's dictionary words are scored (word similarity ≥ 0.25,
 * ranked by strict word similarity, word similarity, word); the best WORDS_PER_INPUT_WORD are
 * picked. The candidate titles are index ranges of the postings, in title order: the first
 * LEADER_TITLES titles of each input word's best word, the first OTHER_TITLES of each other
 * picked word, and, for input of several words, the first LEADER_TITLES titles containing the
 * best word of every input word. Only the candidates are scored against the whole input.
 *
 * The eight returned are therefore the exact best eight of the candidates. They equal the
 * exhaustive best eight whenever those eight are all candidates, which can fail only when:
 * - a picked word is in more titles than its share and titles beyond the share outrank those
 *   within it: titles that tie on the strict score are ordered by word similarity, which also
 *   reads neighbouring words ("Hands-on Python" is a shade nearer "pyhton" than "Advanced
 *   Python", through the "on"), so among many tied titles these are the first by title within
 *   the share, not the ones with the best word similarity; or a title whose words each match
 *   only weakly scores high on a run of several words;
 * - more than WORDS_PER_INPUT_WORD dictionary words match an input word better than every word
 *   of a title that would be in the eight;
 * - the title matches only through what the dictionary leaves out: 1-character or digit-only
 *   words (input "2024" suggests nothing), or a match across a word boundary with no word of the
 *   title within the threshold on its own.
 * catalogue-suggestions.test.ts checks equality with the exhaustive order on a small catalogue.
 *
 * Cost: the dictionary scan is linear in the tenant's distinct title words (about 1 µs per word
 * and input word), the postings are bounded index ranges, and at most
 * INPUT_WORDS × (LEADER_TITLES + (WORDS_PER_INPUT_WORD − 1) × OTHER_TITLES) + LEADER_TITLES
 * titles are scored, whatever the catalogue's size.
 */
import { sql } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../../platform/db/database.ts'
import { catalogueTitlePostings, catalogueTitleWords } from './catalogue-suggestions.tables.ts'

const INPUT_WORDS = 6
const WORDS_PER_INPUT_WORD = 8
const LEADER_TITLES = 64
const OTHER_TITLES = 8
/** The loosest word similarity that still finds "pyhton" in "Python" (0.29). */
const THRESHOLD = 0.25
const SUGGESTIONS = 8

export interface TitleSuggestion {
  id: string
  slug: string
  title: string
  score: number
}

export async function suggestTitles(tx: Tx, tenantId: string, q: string): Promise<TitleSuggestion[]> {
  const words = catalogueTitleWords
  const postings = catalogueTitlePostings
  const input = sql`${q}::text`
  const tenant = sql`${tenantId}::uuid`
  return rowsOf<TitleSuggestion>(
    tx,
    sql`with input as (
      select qw from catalogue.title_words(${input}) as qw limit ${INPUT_WORDS}::int
    ), picked as (
      select k.* from input i cross join lateral (
        select d.word, d.course_count, row_number() over (
          order by strict_word_similarity(i.qw, d.word) desc, word_similarity(i.qw, d.word) desc, d.word) as pick
        from ${words} d
        where d.tenant_id = ${tenant} and word_similarity(i.qw, d.word) >= ${THRESHOLD}::real
        order by pick
        limit ${WORDS_PER_INPUT_WORD}::int
      ) as k
    ), leaders as (
      select word, course_count from picked where pick = 1
    ), candidates as (
      select c.* from picked w cross join lateral (
        select p.course_id, p.slug, p.title from ${postings} p
        where p.tenant_id = ${tenant} and p.word = w.word
        order by p.title, p.course_id
        limit case when w.pick = 1 then ${LEADER_TITLES}::int else ${OTHER_TITLES}::int end
      ) as c
      union
      (select p.course_id, p.slug, p.title from ${postings} p
       where p.tenant_id = ${tenant} and (select count(*) from leaders) > 1
         and p.word = (select word from leaders order by course_count, word limit 1)
         and not exists (select 1 from leaders l where not exists (
           select 1 from ${postings} o
           where o.tenant_id = ${tenant} and o.word = l.word and o.title = p.title and o.course_id = p.course_id))
       order by p.title, p.course_id
       limit ${LEADER_TITLES}::int)
    ), scored as materialized (
      select course_id, slug, title,
             strict_word_similarity(${input}, title)::float8 as score, word_similarity(${input}, title) as loose
      from candidates
    )
    select course_id as id, slug, title, score from scored
    where loose >= ${THRESHOLD}::real
    order by score desc, loose desc, title
    limit ${SUGGESTIONS}::int`,
  )
}
