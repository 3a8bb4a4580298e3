import { index, jsonb, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { optionalTenantIdColumn, platformSchema } from '../db/platform.tables.ts'
import { tenantPolicies } from '../db/tenant-table.ts'

/** Append-only: the app role may insert and select, never update or delete (see the grants migration). */
export const auditLog = platformSchema
  .table(
    'audit_log',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: optionalTenantIdColumn(),
      occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
      actorType: text('actor_type').notNull(),
      actorId: text('actor_id').notNull(),
      impersonatorId: text('impersonator_id'),
      action: text('action').notNull(),
      targetType: text('target_type').notNull(),
      targetId: text('target_id').notNull(),
      outcome: text('outcome', { enum: ['success', 'failure', 'denied'] }).notNull(),
      requestId: text('request_id'),
      ipHash: text('ip_hash'),
      details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    },
    (t) => [index('audit_log_tenant_time_idx').on(t.tenantId, t.occurredAt), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()
