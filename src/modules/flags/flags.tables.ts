import { boolean, pgSchema, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../platform/db/tenant-table.ts'
import { tenants } from '../tenancy/index.ts'

export const flagsSchema = pgSchema('flags')

/** A tenant's override of a flag declared in code; absent row = the declared default. */
export const flagOverrides = flagsSchema
  .table(
    'flag_overrides',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      flagKey: text('flag_key').notNull(),
      enabled: boolean('enabled').notNull(),
      updatedBy: text('updated_by').notNull(),
      updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [primaryKey({ columns: [t.tenantId, t.flagKey] }), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()
