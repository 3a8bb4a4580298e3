/**
 * Payments' own tables: our record of each payment made through a provider (which tenant and
 * order it is for: the authority the inbound pipeline checks a webhook's claims against), and
 * every provider webhook event received (the dedupe key, the normalised event, its outcome).
 */
import { sql } from 'drizzle-orm'
import { bigint, check, index, jsonb, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../../platform/db/tenant-table.ts'
import { tenants } from '../../tenancy/index.ts'
import { commerceSchema } from '../commerce.tables.ts'
import type { InboundPaymentEvent } from './payment-events.ts'

const at = (name: string) => timestamp(name, { withTimezone: true })

const PROVIDERS = sql`('sandbox', 'stripe')`

export const payments = commerceSchema
  .table(
    'payments',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      orderId: uuid('order_id').notNull(),
      provider: text('provider').notNull(),
      /** Set once the provider answered the creation. */
      providerPaymentId: text('provider_payment_id'),
      /** The caller's key, unique per tenant: the same key is the same payment. */
      idempotencyKey: text('idempotency_key').notNull(),
      amount: bigint('amount', { mode: 'number' }).notNull(),
      currency: text('currency').notNull(),
      captureMethod: text('capture_method').notNull(),
      /** `creating` until the provider answered; then the provider's status (port.ts PaymentStatus). */
      status: text('status').notNull().default('creating'),
      amountCaptured: bigint('amount_captured', { mode: 'number' }).notNull().default(0),
      failureCode: text('failure_code'),
      createdAt: at('created_at').notNull().defaultNow(),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      uniqueIndex('payments_idempotency_key').on(t.tenantId, t.idempotencyKey),
      uniqueIndex('payments_provider_payment_key').on(t.provider, t.providerPaymentId),
      index('payments_order_idx').on(t.tenantId, t.orderId),
      // The administrators' report: newest first, a keyset page per statement.
      index('payments_listed_idx').on(t.tenantId, t.createdAt.desc(), t.id.desc()),
      check('payments_provider_known', sql`${t.provider} IN ${PROVIDERS}`),
      check('payments_amount_positive', sql`${t.amount} > 0`),
      check('payments_captured_range', sql`${t.amountCaptured} BETWEEN 0 AND ${t.amount}`),
      check('payments_currency_format', sql`${t.currency} ~ '^[A-Z]{3}$'`),
      check('payments_capture_method_known', sql`${t.captureMethod} IN ('automatic', 'manual')`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * Webhook events as received. The tenant is null until the processing job has attributed the
 * event to the tenant that owns the payment (and the signed metadata agreed): a tenant never
 * sees an event that was not shown to be its own.
 */
export const paymentWebhookEvents = commerceSchema
  .table(
    'payment_webhook_events',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: uuid('tenant_id').references(() => tenants.id),
      provider: text('provider').notNull(),
      providerEventId: text('provider_event_id').notNull(),
      /** The provider's own type, e.g. payment_intent.succeeded. */
      eventType: text('event_type').notNull(),
      kind: text('kind').notNull(),
      providerPaymentId: text('provider_payment_id').notNull(),
      occurredAt: at('occurred_at').notNull(),
      receivedAt: at('received_at').notNull().defaultNow(),
      /** As received; a capture's facts are added once the provider gave them (ADR 0023). */
      event: jsonb('event').$type<InboundPaymentEvent>().notNull(),
      /** received → processed, or rejected (attribution failed: see status_detail). */
      status: text('status').notNull().default('received'),
      statusDetail: text('status_detail'),
      processedAt: at('processed_at'),
    },
    (t) => [
      uniqueIndex('payment_webhook_events_provider_event_key').on(t.provider, t.providerEventId),
      index('payment_webhook_events_payment_idx').on(t.provider, t.providerPaymentId),
      check('payment_webhook_events_provider_known', sql`${t.provider} IN ${PROVIDERS}`),
      check('payment_webhook_events_status_known', sql`${t.status} IN ('received', 'processed', 'rejected')`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()
