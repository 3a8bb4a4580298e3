import { bigint, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'
import { platformSchema } from '../db/platform.tables.ts'
import { tenantIdColumn, tenantPolicies } from '../db/tenant-table.ts'

/**
 * The generation of each tenant's cached public responses per tag (response-cache.ts). A change
 * to what a tag's routes show bumps it in the changing transaction; cache keys carry it, so an
 * entry stored under an older generation is never read again. No row = generation 0.
 */
export const cacheGenerations = platformSchema
  .table(
    'cache_generations',
    {
      tenantId: tenantIdColumn(),
      tag: text('tag').notNull(),
      generation: bigint('generation', { mode: 'number' }).notNull(),
      updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [primaryKey({ columns: [t.tenantId, t.tag] }), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()
