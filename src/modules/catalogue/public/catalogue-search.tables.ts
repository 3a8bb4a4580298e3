/**
 * How many of a tenant's published courses hold each search lexeme (ADR 0020): the document
 * frequencies that let a search of several words start from the rarest lexemes every match must
 * contain (catalogue-conjunction.ts). Kept exact by the statement triggers that write the search
 * postings, in the publishing transaction (migration 0048).
 */
import { integer, primaryKey, text } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../../platform/db/tenant-table.ts'
import { tenants } from '../../tenancy/index.ts'
import { catalogueSchema } from '../catalogue.tables.ts'

/** One row per tenant and lexeme of its published courses' search vectors; deleted at zero. */
export const catalogueSearchTerms = catalogueSchema
  .table(
    'catalogue_search_terms',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      /** COLLATE "C" in the migration, as the postings' term, so both order and compare alike. */
      term: text('term').notNull(),
      courseCount: integer('course_count').notNull(),
    },
    (t) => [primaryKey({ columns: [t.tenantId, t.term] }), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()
