/**
 * The notification center's tables (docs/notifications.md, ADR 0035). One delivery row per
 * (event, recipient, channel), unique, written in the caller's transaction: a redelivered event
 * finds its row and sends nothing again. Inbox items are what GET /v1/me/notifications lists;
 * preferences and tenant defaults say which channels a type uses; quiet hours are per member.
 */
import { sql } from 'drizzle-orm'
import { boolean, check, index, jsonb, pgSchema, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../platform/db/tenant-table.ts'
import { tenants } from '../tenancy/index.ts'
import {
  CHANNELS,
  DELIVERY_STATUSES,
  SKIP_REASONS,
  type Channel,
  type DeliveryStatus,
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
      createdAt: at('created_at').notNull().defaultNow(),
      settledAt: at('settled_at'),
    },
    (t) => [
      unique('deliveries_once').on(t.tenantId, t.eventId, t.recipientKey, t.channel),
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

/** A member's choice for one type and channel; no row: the tenant default, then the type's. */
export const preferences = notificationsSchema
  .table(
    'preferences',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      userId: uuid('user_id').notNull(),
      type: text('type').notNull(),
      channel: text('channel').$type<Channel>().notNull(),
      enabled: boolean('enabled').notNull(),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ name: 'preferences_pkey', columns: [t.tenantId, t.userId, t.type, t.channel] }),
      check('preferences_channel_known', sql`${t.channel} IN (${oneOf(CHANNELS)})`),
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
      enabled: boolean('enabled').notNull(),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      primaryKey({ name: 'tenant_defaults_pkey', columns: [t.tenantId, t.type, t.channel] }),
      check('tenant_defaults_channel_known', sql`${t.channel} IN (${oneOf(CHANNELS)})`),
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
