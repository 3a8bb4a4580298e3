/**
 * The notification center's tables (docs/notifications.md, ADR 0035). One delivery row per
 * (event, recipient, channel), unique, written in the caller's transaction: a redelivered event
 * finds its row and sends nothing again. Inbox items are what GET /v1/me/notifications lists;
 * preferences and tenant defaults say which channels a type uses; quiet hours are per member.
 */
import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../platform/db/tenant-table.ts'
import { tenants } from '../tenancy/index.ts'
import {
  CHANNELS,
  DELIVERY_STATUSES,
  EMAIL_FREQUENCIES,
  SKIP_REASONS,
  type Channel,
  type DeliveryStatus,
  type DigestFrequency,
  type EmailFrequency,
  type SkipReason,
} from './notifications.vocabulary.ts'

export const notificationsSchema = pgSchema('notifications')

const at = (name: string) => timestamp(name, { withTimezone: true })
const oneOf = (values: readonly string[]) => sql.raw(values.map((value) => `'${value}'`).join(', '))

export const deliveries = notificationsSchema
  .table(
    'deliveries',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      /** The domain event's id, or the caller's own stable id of the occurrence. */
      eventId: text('event_id').notNull(),
      type: text('type').notNull(),
      /** `user:<id>`, or `email:<sha-256 of the address>` for someone without an account here. */
      recipientKey: text('recipient_key').notNull(),
      userId: uuid('user_id'),
      channel: text('channel').$type<Channel>().notNull(),
      status: text('status').$type<DeliveryStatus>().notNull(),
      reason: text('reason').$type<SkipReason>(),
      /** Parameters kept only while deferred (quiet hours), to render the message when it goes. */
      params: jsonb('params').$type<Record<string, string | number | boolean>>(),
      deliverAfter: at('deliver_after'),
      mailMessageId: uuid('mail_message_id'),
      inboxItemId: uuid('inbox_item_id'),
      /** A digest item: the digest it waits for (daily, weekly) and, once assembled, the digest that carried it. */
      digestFrequency: text('digest_frequency').$type<DigestFrequency>(),
      digestId: uuid('digest_id'),
      createdAt: at('created_at').notNull().defaultNow(),
      settledAt: at('settled_at'),
    },
    (t) => [
      unique('deliveries_once').on(t.tenantId, t.eventId, t.recipientKey, t.channel),
      index('deliveries_digest_pending_idx')
        .on(t.tenantId, t.userId, t.digestFrequency)
        .where(sql`${t.status} = 'digest'`),
      check(
        'deliveries_digest_frequency_known',
        sql`${t.digestFrequency} IS NULL OR ${t.digestFrequency} IN ('daily', 'weekly')`,
      ),
      check('deliveries_channel_known', sql`${t.channel} IN (${oneOf(CHANNELS)})`),
      check('deliveries_status_known', sql`${t.status} IN (${oneOf(DELIVERY_STATUSES)})`),
      check('deliveries_reason_known', sql`${t.reason} IS NULL OR ${t.reason} IN (${oneOf(SKIP_REASONS)})`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const inboxItems = notificationsSchema
  .table(
    'inbox_items',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      userId: uuid('user_id').notNull(),
      type: text('type').notNull(),
      /** Rendered in the member's locale when it arrived. */
      title: text('title').notNull(),
      body: text('body').notNull(),
      /** Relative to the tenant's web client; null when the type leads nowhere. */
      path: text('path'),
      eventId: text('event_id').notNull(),
      readAt: at('read_at'),
      archivedAt: at('archived_at'),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      index('inbox_items_list_idx').on(t.tenantId, t.userId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
      index('inbox_items_unread_idx')
        .on(t.tenantId, t.userId)
        .where(sql`${t.readAt} IS NULL AND ${t.archivedAt} IS NULL`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * A member's choice for one type and channel; no row (or a null column): the tenant default, then
 * the type's. `frequency` (email of activity types only): at once, or in the daily/weekly digest.
 */
export const preferences = notificationsSchema
  .table(
    'preferences',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      userId: uuid('user_id').notNull(),
      type: text('type').notNull(),
      channel: text('channel').$type<Channel>().notNull(),
      enabled: boolean('enabled'),
      frequency: text('frequency').$type<EmailFrequency>(),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ name: 'preferences_pkey', columns: [t.tenantId, t.userId, t.type, t.channel] }),
      check('preferences_channel_known', sql`${t.channel} IN (${oneOf(CHANNELS)})`),
      check(
        'preferences_frequency_known',
        sql`${t.frequency} IS NULL OR (${t.channel} = 'email' AND ${t.frequency} IN (${oneOf(EMAIL_FREQUENCIES)}))`,
      ),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** The tenant's default for one type and channel (GET/PUT /v1/notification-settings). */
export const tenantDefaults = notificationsSchema
  .table(
    'tenant_defaults',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      type: text('type').notNull(),
      channel: text('channel').$type<Channel>().notNull(),
      enabled: boolean('enabled'),
      frequency: text('frequency').$type<EmailFrequency>(),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ name: 'tenant_defaults_pkey', columns: [t.tenantId, t.type, t.channel] }),
      check('tenant_defaults_channel_known', sql`${t.channel} IN (${oneOf(CHANNELS)})`),
      check(
        'tenant_defaults_frequency_known',
        sql`${t.frequency} IS NULL OR (${t.channel} = 'email' AND ${t.frequency} IN (${oneOf(EMAIL_FREQUENCIES)}))`,
      ),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** A member's quiet hours, local wall-clock times `HH:MM` in their time zone (end exclusive; may wrap midnight). */
export const quietHours = notificationsSchema
  .table(
    'quiet_hours',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      userId: uuid('user_id').notNull(),
      startsAt: text('starts_at').notNull(),
      endsAt: text('ends_at').notNull(),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ name: 'quiet_hours_pkey', columns: [t.tenantId, t.userId] }),
      check(
        'quiet_hours_times',
        sql`${t.startsAt} ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' AND ${t.endsAt} ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' AND ${t.startsAt} <> ${t.endsAt}`,
      ),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * A member's device for web push: the push service's endpoint (an https capability URL) and the
 * subscription's keys (p256dh, auth), sealed under KEY_ENCRYPTION_KEY as one JSON object bound to
 * the row (`push:<id>`). One row per endpoint in a tenant: subscribing again refreshes it.
 */
export const pushSubscriptions = notificationsSchema
  .table(
    'push_subscriptions',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      userId: uuid('user_id').notNull(),
      endpoint: text('endpoint').notNull(),
      keysSealed: text('keys_sealed').notNull(),
      /** What the member calls the device ("Laptop"), optional. */
      label: text('label'),
      /** The browser's expirationTime, if it gave one: after it the subscription is not used. */
      expiresAt: at('expires_at'),
      createdAt: at('created_at').notNull().defaultNow(),
      lastSuccessAt: at('last_success_at'),
    },
    (t) => [
      unique('push_subscriptions_endpoint_key').on(t.tenantId, t.endpoint),
      index('push_subscriptions_user_idx').on(t.tenantId, t.userId),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * One digest email: claimed once per (member, frequency, period) before it is sent, so a retried
 * or concurrent run of the digest job finds the row and sends nothing again. `period` is the
 * member's local date (daily) or ISO week (weekly, `2026-W50`).
 */
export const digests = notificationsSchema
  .table(
    'digests',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      userId: uuid('user_id').notNull(),
      frequency: text('frequency').$type<DigestFrequency>().notNull(),
      period: text('period').notNull(),
      itemCount: integer('item_count').notNull(),
      mailMessageId: uuid('mail_message_id'),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      unique('digests_once').on(t.tenantId, t.userId, t.frequency, t.period),
      check('digests_frequency_known', sql`${t.frequency} IN ('daily', 'weekly')`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()
