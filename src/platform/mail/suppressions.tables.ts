import { sql } from 'drizzle-orm'
import { check, pgPolicy, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { createdAtColumn, platformSchema } from '../db/platform.tables.ts'
import { platformRole } from '../db/tenant-table.ts'

/**
 * Addresses no mail goes to any more: a hard bounce (a permanent SMTP refusal of the recipient,
 * or the provider's bounce event) or a spam complaint. An address bounces for every tenant, so the
 * table is platform-wide and only the platform role (the delivery job, the provider webhook)
 * reads it. The address is stored as a keyed hash (HMAC-SHA-256 under a key derived from
 * KEY_ENCRYPTION_KEY), never in clear.
 */
export const mailSuppressions = platformSchema
  .table(
    'mail_suppressions',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      addressHash: text('address_hash').notNull(),
      reason: text('reason', { enum: ['bounce', 'complaint'] }).notNull(),
      source: text('source', { enum: ['smtp', 'provider'] }).notNull(),
      /** The SMTP reply or the provider's description (no address). */
      detail: text('detail'),
      createdAt: createdAtColumn(),
    },
    (t) => [
      uniqueIndex('mail_suppressions_address_key').on(t.addressHash),
      check('mail_suppressions_reason_known', sql`${t.reason} IN ('bounce', 'complaint')`),
      check('mail_suppressions_source_known', sql`${t.source} IN ('smtp', 'provider')`),
      pgPolicy('platform_access', { for: 'all', to: platformRole, using: sql`true`, withCheck: sql`true` }),
    ],
  )
  .enableRLS()
