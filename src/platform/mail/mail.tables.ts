import { index, integer, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { createdAtColumn, optionalTenantIdColumn, platformSchema } from '../db/platform.tables.ts'
import { tenantPolicies } from '../db/tenant-table.ts'

/**
 * Every message the platform sends. With SMTP configured it records delivery; without, it is the
 * captured outbox operators read in development and test.
 */
export const mailMessages = platformSchema
  .table(
    'mail_messages',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: optionalTenantIdColumn(),
      /** Caller-chosen key; the same key is sent at most once. */
      messageKey: text('message_key').notNull(),
      toAddress: text('to_address').notNull(),
      fromAddress: text('from_address').notNull(),
      subject: text('subject').notNull(),
      textBody: text('text_body').notNull(),
      htmlBody: text('html_body'),
      status: text('status', { enum: ['queued', 'sent', 'captured', 'failed'] })
        .notNull()
        .default('queued'),
      transport: text('transport', { enum: ['smtp', 'outbox'] }),
      attempts: integer('attempts').notNull().default(0),
      lastError: text('last_error'),
      providerMessageId: text('provider_message_id'),
      createdAt: createdAtColumn(),
      sentAt: timestamp('sent_at', { withTimezone: true }),
    },
    (t) => [
      uniqueIndex('mail_messages_key').on(t.messageKey),
      index('mail_messages_created_idx').on(t.createdAt),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()
