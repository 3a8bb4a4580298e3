/**
 * The search's own tables (ADR 0020): the postings (the inverted index) and, per tenant, lexeme
 * and single-lexeme rank, how many of its published courses hold the lexeme with that rank: the
 * rank levels from which a search of several words plans how far to read each lexeme's postings
 * (catalogue-conjunction.ts). Both are kept exact by the statement triggers on the catalogue
 * entries, in the publishing transaction (migrations 0035-0036, 0048 and 0059).
 */
import { boolean, doublePrecision, integer, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../../platform/db/tenant-table.ts'
import { tenants } from '../../tenancy/index.ts'
import { catalogueSchema, varbit } from '../catalogue.tables.ts'

const at = (name: string) => timestamp(name, { withTimezone: true })

/**
 * The catalogue's inverted index (ADR 0020): one row per distinct lexeme of each entry's search
 * vector, kept by statement triggers on catalogue_entries in the publishing transaction (migration
 * 0035–0036). Under forced RLS the request role's `@@` can never use the GIN index on `search` (it is
 * not LEAKPROOF), but `term = …` and `tenant_id = …` are, so a search reads these rows through
 * btree ranges instead of testing every entry of the tenant. `rank` is ts_rank_cd of the entry for
 * the lexeme alone (the exact rank of a one-lexeme query); `weight` sums to the rank of a
 * disjunction of lexemes ("data" → 'da' | 'dat' | 'data'); `positions` is the lexeme's entry in
 * the vector as text (`'data':2A,40A`), from which the rank and match of any query over its
 * lexemes are computed exactly (they depend on nothing else). The facet columns let counts and
 * filters stay on these rows. `term` is COLLATE "C", the covering rank index
 * (tenant_id, term, rank desc, published_at desc, course_id desc) INCLUDE (…) is created in the
 * migration's SQL, and the primary key includes rank and positions (0048, so a course's posting of
 * a lexeme is an index-only probe): Drizzle expresses none of these.
 */
export const catalogueSearchPostings = catalogueSchema
  .table(
    'catalogue_search_postings',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      term: text('term').notNull(),
      courseId: uuid('course_id').notNull(),
      rank: doublePrecision('rank').notNull(),
      /**
       * The exact sum of the lexeme's position weights (float4 weights summed in float8, which
       * is ts_rank_cd's own arithmetic for a disjunction of lexemes), or NULL when a position
       * reached the vector's last one (16383), where lexemes may share a position.
       */
      weight: doublePrecision('weight'),
      positions: text('positions').notNull(),
      publishedAt: at('published_at').notNull(),
      category: text('category'),
      level: text('level').notNull(),
      language: text('language').notNull(),
      free: boolean('free').notNull(),
      /** The entry's tags as text[]: unnest counts them faster than jsonb_array_elements_text. */
      tags: text('tags').array().notNull(),
    },
    (t) => [primaryKey({ columns: [t.tenantId, t.term, t.courseId] }), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

/**
 * The rank levels of each lexeme's postings per tenant: how many of its published courses hold
 * the lexeme with each single-lexeme rank (one row per tenant, lexeme and rank; deleted at zero).
 * A search of several words plans how far down each lexeme's rank index to read from these
 * counts (catalogue-conjunction.ts); a lexeme's document frequency is the sum of its levels.
 * Kept by the postings triggers in the publishing transaction (migration 0059).
 */
export const catalogueSearchLevels = catalogueSchema
  .table(
    'catalogue_search_levels',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      /** COLLATE "C" in the migration, as the postings' term. */
      term: text('term').notNull(),
      /** The postings' rank (ts_rank_cd of the entry for the lexeme alone), compared exactly. */
      rank: doublePrecision('rank').notNull(),
      courseCount: integer('course_count').notNull(),
    },
    (t) => [primaryKey({ columns: [t.tenantId, t.term, t.rank] }), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

/**
 * Each course's place in its tenant's bit strings (ADR 0020, "Bit strings"): assigned once, when
 * the course is first published, one past the tenant's highest, and never reused or changed, so a
 * course keeps its bit through unpublishing and republishing.
 */
export const catalogueSearchOrdinals = catalogueSchema
  .table(
    'catalogue_search_ordinals',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      courseId: uuid('course_id').notNull(),
      ordinal: integer('ordinal').notNull(),
    },
    (t) => [
      primaryKey({ columns: [t.tenantId, t.courseId] }),
      uniqueIndex('catalogue_search_ordinals_tenant_ordinal_idx').on(t.tenantId, t.ordinal),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * Per tenant, the courses holding a lexeme as a bit string over their ordinals, for the lexemes
 * that at least 32 of its published courses have held (fewer: a search reads their postings
 * faster). Kept by the statement triggers on the entries in the publishing transaction
 * (migration 0066); facets of a search combine them with the facet values' bits.
 */
export const catalogueSearchBitmaps = catalogueSchema
  .table(
    'catalogue_search_bitmaps',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      /** COLLATE "C" in the migration, as the postings' term. */
      term: text('term').notNull(),
      bits: varbit('bits').notNull(),
    },
    (t) => [primaryKey({ columns: [t.tenantId, t.term] }), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()
