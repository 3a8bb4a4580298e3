import { index, jsonb, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { optionalTenantIdColumn, platformSchema } from '../db/platform.tables.ts'
import { tenantPolicies } from '../db/tenant-table.ts'

/** The transactional outbox: written with the business change, dispatched by the worker. */
export const domainEvents = platformSchema
  .table(
    'domain_events',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: optionalTenantIdColumn(),
      type: text('type').notNull(),
      payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
      requestId: text('request_id'),
      occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
      dispatchedAt: timestamp('dispatched_at', { withTimezone: true }),
    },
    (t) => [index('domain_events_type_idx').on(t.type, t.occurredAt), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

/** One row per (event, subscriber) handled: makes redelivery a no-op. */
export const eventDeliveries = platformSchema
  .table(
    'event_deliveries',
    {
      eventId: uuid('event_id')
        .notNull()
        .references(() => domainEvents.id),
      subscriber: text('subscriber').notNull(),
      tenantId: optionalTenantIdColumn(),
      deliveredAt: timestamp('delivered_at', { withTimezone: true }).notNull().defaultNow(),
    },
    (t) => [primaryKey({ columns: [t.eventId, t.subscriber] }), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()
