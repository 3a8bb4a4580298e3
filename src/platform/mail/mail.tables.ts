import { boolean, index, integer, jsonb, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { createdAtColumn, optionalTenantIdColumn, platformSchema } from '../db/platform.tables.ts'
import { tenantPolicies } from '../db/tenant-table.ts'

/**
 * Every message the platform sends. With SMTP configured it records delivery; without, it is the
 * captured outbox operators read in development and test. Live tokens never sit here in clear
 * when SMTP delivers: the bodies hold `{{name}}` fields and the values are sealed in
 * secrets_sealed until the delivery job renders the message, then dropped (mail-secrets.ts).
 * Delivered and failed messages are deleted after MAIL_RETENTION_DAYS (mail.purge_delivered).
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
      /** Extra headers from MailInput's allowlist (List-Unsubscribe, List-Unsubscribe-Post), passed to SMTP. */
      headers: jsonb('headers').$type<Record<string, string>>(),
      /** Sent even to a suppressed address: account recovery, verification, security notices (MailInput.essential). */
      essential: boolean('essential').notNull().default(false),
      /** The message's secret variables sealed under KEY_ENCRYPTION_KEY (bound to the id); null once dropped or when there are none. */
      secretsSealed: text('secrets_sealed'),
      /** When the sealed secrets were dropped (delivered or finally failed): the fields can no longer be filled. */
      secretsDroppedAt: timestamp('secrets_dropped_at', { withTimezone: true }),
      status: text('status', { enum: ['queued', 'sent', 'captured', 'failed', 'suppressed'] })
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
