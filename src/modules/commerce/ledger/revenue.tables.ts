/**
 * How a sale's revenue is split (ADR 0024): the tenant's platform fee, and per course the
 * instructors' configured shares of the rest. Both are set by tenant administrators (audited);
 * a course without configured shares splits equally among its instructors.
 */
import { sql } from 'drizzle-orm'
import { check, integer, primaryKey, timestamp, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../../platform/db/tenant-table.ts'
import { tenants } from '../../tenancy/index.ts'
import { commerceSchema } from '../commerce.tables.ts'

const at = (name: string) => timestamp(name, { withTimezone: true })

/** The tenant's revenue policy; no row means the defaults (revenue.ts). */
export const revenueSettings = commerceSchema
  .table(
    'revenue_settings',
    {
      tenantId: tenantIdColumn()
        .primaryKey()
        .references(() => tenants.id),
      /** The platform's part of each sale's revenue (net of tax), in basis points. */
      platformFeeBps: integer('platform_fee_bps').notNull(),
      /** Optimistic concurrency: the ETag of the policy (If-Match). */
      version: integer('version').notNull().default(1),
      updatedBy: uuid('updated_by'),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      check('revenue_settings_fee_range', sql`${t.platformFeeBps} BETWEEN 0 AND 10000`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * A course's configured split of the instructors' part: basis points per instructor, summing to
 * 10,000 per course (a deferred constraint trigger checks the sum at commit, migration 0046).
 */
export const revenueShares = commerceSchema
  .table(
    'revenue_shares',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      courseId: uuid('course_id').notNull(),
      userId: uuid('user_id').notNull(),
      shareBps: integer('share_bps').notNull(),
      setBy: uuid('set_by'),
      setAt: at('set_at').notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ columns: [t.tenantId, t.courseId, t.userId] }),
      check('revenue_shares_range', sql`${t.shareBps} BETWEEN 1 AND 10000`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()
