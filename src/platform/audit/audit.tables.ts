import { bigint, index, jsonb, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
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
      /** Position in its chain (per tenant; the platform's own entries form one more chain). */
      chainSeq: bigint('chain_seq', { mode: 'number' }),
      /** SHA-256 of the previous entry's hash and this entry's canonical form (hex). */
      hash: text('hash'),
    },
    (t) => [
      index('audit_log_tenant_time_idx').on(t.tenantId, t.occurredAt),
      uniqueIndex('audit_log_chain_key').on(t.tenantId, t.chainSeq),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * The newest link of each audit chain. Appending locks the head row, so entries of one tenant are
 * chained in commit order; `chain` is the tenant id, or 'platform' for entries without a tenant.
 */
export const auditChainHeads = platformSchema
  .table(
    'audit_chain_heads',
    {
      chain: text('chain').primaryKey(),
      tenantId: optionalTenantIdColumn(),
      seq: bigint('seq', { mode: 'number' }).notNull(),
      hash: text('hash').notNull(),
    },
    (t) => [...tenantPolicies(t.tenantId)],
  )
  .enableRLS()
