import { index, integer, jsonb, text, timestamp } from 'drizzle-orm/pg-core'
import { createdAtColumn, optionalTenantIdColumn, platformSchema } from '../db/platform.tables.ts'
import { tenantPolicies } from '../db/tenant-table.ts'

/** Stored first responses for `Idempotency-Key` (kept 24 h). */
export const idempotencyKeys = platformSchema
  .table(
    'idempotency_keys',
    {
      /** `${tenant|platform}:${principal}:${key}`: a key is private to the caller that sent it. */
      scopedKey: text('scoped_key').primaryKey(),
      tenantId: optionalTenantIdColumn(),
      method: text('method').notNull(),
      path: text('path').notNull(),
      requestHash: text('request_hash').notNull(),
      status: text('status', { enum: ['in_flight', 'completed'] }).notNull(),
      responseStatus: integer('response_status'),
      responseHeaders: jsonb('response_headers').$type<Record<string, string>>(),
      responseBody: text('response_body'),
      createdAt: createdAtColumn(),
      expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    },
    (t) => [index('idempotency_keys_expires_idx').on(t.expiresAt), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()
