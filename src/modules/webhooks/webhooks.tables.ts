/**
 * Outgoing webhooks' tables (docs/webhooks.md, ADR 0034). Messages are the tenant's public events
 * as envelopes, kept for the retention period whatever endpoints exist, so a replay covers events
 * of any time an endpoint was disabled. A delivery is one message to one endpoint (a redelivery or
 * a replay is a new delivery of the same message: same webhook-id); an attempt is one HTTP request
 * of a delivery, as the delivery log shows it. An endpoint's health row carries its circuit
 * breaker, read and written under its row lock by every worker.
 */
import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../platform/db/tenant-table.ts'
import { tenants } from '../tenancy/index.ts'
import {
  BREAKER_STATES,
  DELIVERY_STATUSES,
  DELIVERY_TRIGGERS,
  DISABLED_REASONS,
  REPLAY_STATUSES,
  type BreakerState,
  type DeliveryStatus,
  type DeliveryTrigger,
  type DisabledReason,
  type ReplayStatus,
} from './webhooks.vocabulary.ts'

export const webhooksSchema = pgSchema('webhooks')
const at = (name: string) => timestamp(name, { withTimezone: true })
const oneOf = (values: readonly string[]) => sql.raw(values.map((value) => `'${value}'`).join(', '))

export const endpoints = webhooksSchema
  .table(
    'endpoints',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      url: text('url').notNull(),
      description: text('description').notNull().default(''),
      /** Public event types delivered here; empty = every type. */
      eventTypes: text('event_types')
        .array()
        .notNull()
        .default(sql`'{}'::text[]`),
      enabled: boolean('enabled').notNull().default(true),
      disabledReason: text('disabled_reason').$type<DisabledReason>(),
      disabledDetail: text('disabled_detail'),
      disabledAt: at('disabled_at'),
      version: integer('version').notNull().default(1),
      createdBy: text('created_by').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      index('endpoints_list_idx').on(t.tenantId, t.createdAt, t.id),
      check('endpoints_disabled_reason_known', sql`${t.disabledReason} IN (${oneOf(DISABLED_REASONS)})`),
      check('endpoints_disabled_has_reason', sql`${t.enabled} OR ${t.disabledReason} IS NOT NULL`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** Signing secrets: the current one (expires_at null) and, during a rotation's overlap, the previous one. */
export const endpointSecrets = webhooksSchema
  .table(
    'endpoint_secrets',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      endpointId: uuid('endpoint_id')
        .notNull()
        .references(() => endpoints.id, { onDelete: 'cascade' }),
      /** `whsec_...` sealed under KEY_ENCRYPTION_KEY, bound to `webhooks:endpoint-secret:<id>`. */
      secretSealed: text('secret_sealed').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
      /** Null: the current secret. Set: signs alongside the current one until then. */
      expiresAt: at('expires_at'),
    },
    (t) => [index('endpoint_secrets_endpoint_idx').on(t.tenantId, t.endpointId), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

/** The breaker and the counters health reads, one row per endpoint, locked by each attempt's admission. */
export const endpointHealth = webhooksSchema
  .table(
    'endpoint_health',
    {
      endpointId: uuid('endpoint_id')
        .primaryKey()
        .references(() => endpoints.id, { onDelete: 'cascade' }),
      tenantId: tenantIdColumn().references(() => tenants.id),
      breakerState: text('breaker_state').$type<BreakerState>().notNull().default('closed'),
      consecutiveFailures: integer('consecutive_failures').notNull().default(0),
      /** While open: when a probe may go. */
      openUntil: at('open_until'),
      /** While half open: the probe in flight holds the endpoint until then (a crashed probe lapses). */
      probeUntil: at('probe_until'),
      lastSuccessAt: at('last_success_at'),
      lastFailureAt: at('last_failure_at'),
      lastError: text('last_error'),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      check('endpoint_health_breaker_known', sql`${t.breakerState} IN (${oneOf(BREAKER_STATES)})`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** Per-resource sequence counters: incremented in the fan-out transaction of each event. */
export const resourceSequences = webhooksSchema
  .table(
    'resource_sequences',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      resource: text('resource').notNull(),
      lastSequence: bigint('last_sequence', { mode: 'number' }).notNull(),
    },
    (t) => [primaryKey({ columns: [t.tenantId, t.resource] }), ...tenantPolicies(t.tenantId)],
  )
  .enableRLS()

export const messages = webhooksSchema
  .table(
    'messages',
    {
      /** The webhook-id and the envelope's id; a domain event's message has the event's id. */
      id: uuid('id').primaryKey(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      type: text('type').notNull(),
      version: integer('version').notNull(),
      resource: text('resource').notNull(),
      sequence: bigint('sequence', { mode: 'number' }).notNull(),
      /** The domain event it came from; null for a test event. */
      eventId: uuid('event_id'),
      /** A test event goes to this endpoint only; null: every matching endpoint (and replays). */
      endpointId: uuid('endpoint_id').references(() => endpoints.id, { onDelete: 'cascade' }),
      /** The exact JSON envelope signed and sent on every attempt. */
      body: text('body').notNull(),
      occurredAt: at('occurred_at').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      index('messages_window_idx').on(t.tenantId, t.occurredAt, t.id),
      index('messages_retention_idx').on(t.occurredAt),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const deliveries = webhooksSchema
  .table(
    'deliveries',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      endpointId: uuid('endpoint_id')
        .notNull()
        .references(() => endpoints.id, { onDelete: 'cascade' }),
      messageId: uuid('message_id')
        .notNull()
        .references(() => messages.id, { onDelete: 'cascade' }),
      trigger: text('trigger').$type<DeliveryTrigger>().notNull(),
      status: text('status').$type<DeliveryStatus>().notNull().default('pending'),
      /** Attempts made so far. */
      attempts: integer('attempts').notNull().default(0),
      /** The job that may act on the delivery next: any other job of it is stale and does nothing. */
      jobToken: uuid('job_token').notNull().defaultRandom(),
      /** When its job is due; null while it waits for a slot of its endpoint's window (window.ts). */
      nextAttemptAt: at('next_attempt_at'),
      lastAttemptAt: at('last_attempt_at'),
      lastResponseStatus: integer('last_response_status'),
      lastError: text('last_error'),
      replayId: uuid('replay_id'),
      createdAt: at('created_at').notNull().defaultNow(),
      settledAt: at('settled_at'),
      /** An attempt is in flight until then (set when admitted, cleared when recorded; a lease if its worker died). */
      sendingUntil: at('sending_until'),
    },
    (t) => [
      index('deliveries_endpoint_idx').on(t.tenantId, t.endpointId, t.createdAt, t.id),
      index('deliveries_message_idx').on(t.tenantId, t.endpointId, t.messageId),
      // The live ones only (a small set in a table kept 90 days): the backlog, and the deliveries a
      // successful probe releases.
      index('deliveries_live_idx')
        .on(t.endpointId, t.nextAttemptAt)
        .where(sql`${t.status} IN ('pending', 'retrying')`),
      // Those waiting for a slot of their endpoint's window (no job, window.ts), oldest first.
      index('deliveries_waiting_idx')
        .on(t.endpointId, t.createdAt, t.id)
        .where(sql`${t.status} IN ('pending', 'retrying') AND ${t.nextAttemptAt} IS NULL`),
      check('deliveries_status_known', sql`${t.status} IN (${oneOf(DELIVERY_STATUSES)})`),
      check('deliveries_trigger_known', sql`${t.trigger} IN (${oneOf(DELIVERY_TRIGGERS)})`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const attempts = webhooksSchema
  .table(
    'attempts',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      deliveryId: uuid('delivery_id')
        .notNull()
        .references(() => deliveries.id, { onDelete: 'cascade' }),
      endpointId: uuid('endpoint_id').notNull(),
      messageId: uuid('message_id').notNull(),
      /** 1 for the first attempt of the delivery. */
      attempt: integer('attempt').notNull(),
      startedAt: at('started_at').notNull(),
      durationMs: integer('duration_ms').notNull(),
      url: text('url').notNull(),
      requestHeaders: jsonb('request_headers').$type<Record<string, string>>().notNull(),
      requestBody: text('request_body').notNull(),
      succeeded: boolean('succeeded').notNull(),
      responseStatus: integer('response_status'),
      responseBody: text('response_body'),
      responseTruncated: boolean('response_truncated').notNull().default(false),
      /** Why it failed: `http_status`, `timeout`, `refused: ...`; null when it succeeded. */
      error: text('error'),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      index('attempts_endpoint_idx').on(t.tenantId, t.endpointId, t.startedAt, t.id),
      index('attempts_delivery_idx').on(t.tenantId, t.deliveryId, t.attempt),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** A bulk replay: the window, the types, and how far its batches got. */
export const replays = webhooksSchema
  .table(
    'replays',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      endpointId: uuid('endpoint_id')
        .notNull()
        .references(() => endpoints.id, { onDelete: 'cascade' }),
      since: at('since').notNull(),
      until: at('until').notNull(),
      eventTypes: text('event_types')
        .array()
        .notNull()
        .default(sql`'{}'::text[]`),
      status: text('status').$type<ReplayStatus>().notNull().default('running'),
      /** The last message enqueued (occurred_at, id as instant text and uuid): the next batch starts after it. */
      positionAt: text('position_at'),
      positionId: uuid('position_id'),
      enqueued: integer('enqueued').notNull().default(0),
      /** Messages of the window already on their way to the endpoint (pending or retrying), left alone. */
      skipped: integer('skipped').notNull().default(0),
      createdBy: text('created_by').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
      completedAt: at('completed_at'),
    },
    (t) => [
      index('replays_endpoint_idx').on(t.tenantId, t.endpointId, t.createdAt, t.id),
      check('replays_status_known', sql`${t.status} IN (${oneOf(REPLAY_STATUSES)})`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export type EndpointRow = typeof endpoints.$inferSelect
export type DeliveryRow = typeof deliveries.$inferSelect
export type AttemptRow = typeof attempts.$inferSelect
export type MessageRow = typeof messages.$inferSelect
export type ReplayRow = typeof replays.$inferSelect
export type HealthRow = typeof endpointHealth.$inferSelect
