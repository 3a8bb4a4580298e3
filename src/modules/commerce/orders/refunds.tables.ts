/**
 * Refunds and disputes of orders (docs/commerce.md, "Refunds and disputes"). A refund row is
 * written when someone asks for the money back (an administrator, or the automatic refund of an
 * order whose capture could not grant access) before the provider is called, or when the
 * provider tells us of a refund made elsewhere (its dashboard). It settles only by the provider's
 * verified event. A dispute row is written by the provider's `dispute.opened` and closed once,
 * won or lost. Amounts are integer minor units of the order's currency. The request roles may
 * update only the state columns (migration `order_refunds_rls`); nothing is deleted.
 */
import { sql } from 'drizzle-orm'
import { bigint, check, foreignKey, index, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../../platform/db/tenant-table.ts'
import { tenants } from '../../tenancy/index.ts'
import { commerceSchema } from '../commerce.tables.ts'
import { orders } from './orders.tables.ts'

const at = (name: string) => timestamp(name, { withTimezone: true })
const minor = (name: string) => bigint(name, { mode: 'number' })
const oneOf = (values: readonly string[]) => sql.raw(values.map((value) => `'${value}'`).join(', '))

/**
 * requested (ours, the provider not asked or not answered yet) → pending (the provider accepted
 * it) → succeeded (its verified `refund.succeeded` applied) or failed (the provider refused it, or
 * its `refund.failed`). A failed request asked again under the same key goes back to requested.
 */
export const REFUND_STATUSES = ['requested', 'pending', 'succeeded', 'failed'] as const
export type RefundStatus = (typeof REFUND_STATUSES)[number]

/** Who started the refund: an administrator, the automatic refund job, or the provider (made outside Lyceum). */
export const REFUND_ORIGINS = ['admin', 'automatic', 'provider'] as const
export type RefundOrigin = (typeof REFUND_ORIGINS)[number]

export const DISPUTE_STATUSES = ['open', 'won', 'lost'] as const
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number]

export const orderRefunds = commerceSchema
  .table(
    'order_refunds',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      orderId: uuid('order_id').notNull(),
      /** Our payment record (commerce.payments.id) the refund goes back through. */
      paymentId: uuid('payment_id').notNull(),
      origin: text('origin').$type<RefundOrigin>().notNull(),
      /**
       * The request's key, `<principal>:<Idempotency-Key>` for administrators, `automatic` for the
       * automatic refund: the same key on the same order is the same refund. Null for refunds the
       * provider told us of.
       */
      requestKey: text('request_key'),
      /** The provider's id, once it answered (or from its event); each applies once. */
      providerRefundId: text('provider_refund_id'),
      amount: minor('amount').notNull(),
      currency: text('currency').notNull(),
      /** Why, as the administrator wrote it (or the automatic refund's, or the provider's). */
      reason: text('reason').notNull(),
      /** principalId of who asked; null for the provider's. */
      requestedBy: text('requested_by'),
      status: text('status').$type<RefundStatus>().notNull().default('requested'),
      /** Why the provider refused or failed it. */
      failure: text('failure'),
      createdAt: at('created_at').notNull().defaultNow(),
      settledAt: at('settled_at'),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      foreignKey({
        name: 'order_refunds_order_fk',
        columns: [t.tenantId, t.orderId],
        foreignColumns: [orders.tenantId, orders.id],
      }),
      uniqueIndex('order_refunds_request_key').on(t.tenantId, t.orderId, t.requestKey),
      uniqueIndex('order_refunds_provider_refund_key').on(t.tenantId, t.providerRefundId),
      index('order_refunds_order_idx').on(t.tenantId, t.orderId, t.createdAt),
      check('order_refunds_status_known', sql`${t.status} IN (${oneOf(REFUND_STATUSES)})`),
      check('order_refunds_origin_known', sql`${t.origin} IN (${oneOf(REFUND_ORIGINS)})`),
      check('order_refunds_amount_positive', sql`${t.amount} > 0`),
      check('order_refunds_currency_format', sql`${t.currency} ~ '^[A-Z]{3}$'`),
      check('order_refunds_reason_length', sql`char_length(${t.reason}) BETWEEN 1 AND 500`),
      check('order_refunds_failure_length', sql`char_length(${t.failure}) <= 1000`),
      check(
        'order_refunds_request_key_origin',
        sql`(${t.requestKey} IS NULL) = (${t.origin} = 'provider') AND char_length(${t.requestKey}) <= 600`,
      ),
      check('order_refunds_settled', sql`(${t.status} = 'succeeded') = (${t.settledAt} IS NOT NULL)`),
      check('order_refunds_succeeded_known', sql`${t.status} <> 'succeeded' OR ${t.providerRefundId} IS NOT NULL`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const orderDisputes = commerceSchema
  .table(
    'order_disputes',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      orderId: uuid('order_id').notNull(),
      paymentId: uuid('payment_id').notNull(),
      providerDisputeId: text('provider_dispute_id').notNull(),
      /** The disputed amount the provider withdrew. */
      amount: minor('amount').notNull(),
      currency: text('currency').notNull(),
      /** The buyer's bank's reason as the provider reports it (fraudulent, product_not_received, ...). */
      reason: text('reason').notNull(),
      status: text('status').$type<DisputeStatus>().notNull().default('open'),
      openedAt: at('opened_at').notNull(),
      closedAt: at('closed_at'),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      foreignKey({
        name: 'order_disputes_order_fk',
        columns: [t.tenantId, t.orderId],
        foreignColumns: [orders.tenantId, orders.id],
      }),
      uniqueIndex('order_disputes_provider_dispute_key').on(t.tenantId, t.providerDisputeId),
      index('order_disputes_order_idx').on(t.tenantId, t.orderId),
      check('order_disputes_status_known', sql`${t.status} IN (${oneOf(DISPUTE_STATUSES)})`),
      check('order_disputes_amount_positive', sql`${t.amount} > 0`),
      check('order_disputes_currency_format', sql`${t.currency} ~ '^[A-Z]{3}$'`),
      check('order_disputes_reason_length', sql`char_length(${t.reason}) BETWEEN 1 AND 200`),
      check('order_disputes_closed', sql`(${t.status} = 'open') = (${t.closedAt} IS NULL)`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()
