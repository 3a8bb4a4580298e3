/**
 * The title dictionary behind catalogue suggestions (ADR 0019): the distinct words of each
 * tenant's published titles, and for each word the titles that contain it. Both are kept exact
 * by statement triggers on catalogue_entries in the publishing transaction (migration 0033), so
 * a suggestion scores a few thousand words instead of every title, and reads the titles of the
 * words it picks as an index range.
 */
import { integer, primaryKey, text, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../../platform/db/tenant-table.ts'
import { tenants } from '../../tenancy/index.ts'
import { catalogueSchema } from '../catalogue.tables.ts'

/** C collation: byte order, so a prefix is a plain range and the order is the same everywhere. */
const word = () => text('word').notNull().$type<string>()

/**
 * One row per tenant and word (lower-cased, split where pg_trgm splits words; no 1-character or
 * digits-only words) with the number of published titles containing it; deleted at zero.
 */
export const catalogueTitleWords = catalogueSchema
  .table(
    'catalogue_title_words',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      word: word(),
      courseCount: integer('course_count').notNull(),
    },
    (t) => [primaryKey({ columns: [t.tenantId, t.word] }), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

/**
 * Which published titles contain a word: the primary key orders a word's titles as the
 * suggestions order ties (by title), so "the first titles containing w" is one index range.
 */
export const catalogueTitlePostings = catalogueSchema
  .table(
    'catalogue_title_postings',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      word: word(),
      title: text('title').notNull(),
      courseId: uuid('course_id').notNull(),
      slug: text('slug').notNull(),
    },
    (t) => [primaryKey({ columns: [t.tenantId, t.word, t.title, t.courseId] }), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()
