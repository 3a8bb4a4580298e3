/**
 * The sandbox provider's own state: what a real provider keeps on its side (payments, refunds,
 * idempotency keys, the events it sends). Platform-only tables: the sandbox is a provider, not a
 * tenant's data, and only the platform role reads or writes them (our metadata inside names the
 * tenant, as it does at Stripe).
 */
import { sql } from 'drizzle-orm'
import { bigint, check, index, integer, jsonb, pgPolicy, text, timestamp } from 'drizzle-orm/pg-core'
import { platformRole } from '../../../../platform/db/tenant-table.ts'
import { commerceSchema } from '../../commerce.tables.ts'

const at = (name: string) => timestamp(name, { withTimezone: true })

/** Rows only the platform role reads and writes: no tenant's policy admits them. */
const platformOnly = () => [
  pgPolicy('platform_access', { for: 'all', to: platformRole, using: sql`true`, withCheck: sql`true` }),
]

export const sandboxPayments = commerceSchema
  .table(
    'sandbox_payments',
    {
      id: text('id').primaryKey(),
      clientSecret: text('client_secret').notNull(),
      amount: bigint('amount', { mode: 'number' }).notNull(),
      currency: text('currency').notNull(),
      captureMethod: text('capture_method').notNull(),
      status: text('status').notNull(),
      paymentMethod: text('payment_method'),
      amountCapturable: bigint('amount_capturable', { mode: 'number' }).notNull().default(0),
      amountReceived: bigint('amount_received', { mode: 'number' }).notNull().default(0),
      amountRefunded: bigint('amount_refunded', { mode: 'number' }).notNull().default(0),
      failureCode: text('failure_code'),
      failureMessage: text('failure_message'),
      /** The simulated processing fee (sandbox-fees.ts), set at capture. */
      fee: bigint('fee', { mode: 'number' }),
      /** The test card's issuing country (ISO 3166-1 alpha-2), set when it is authorised. */
      cardCountry: text('card_country'),
      metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
      description: text('description'),
      createdAt: at('created_at').notNull().defaultNow(),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      check(
        'sandbox_payments_amounts',
        sql`${t.amountRefunded} <= ${t.amountReceived} AND ${t.amountReceived} <= ${t.amount}`,
      ),
      ...platformOnly(),
    ],
  )
  .enableRLS()

export const sandboxRefunds = commerceSchema
  .table(
    'sandbox_refunds',
    {
      id: text('id').primaryKey(),
      paymentId: text('payment_id')
        .notNull()
        .references(() => sandboxPayments.id),
      amount: bigint('amount', { mode: 'number' }).notNull(),
      status: text('status').notNull(),
      reason: text('reason').notNull(),
      metadata: jsonb('metadata').$type<Record<string, string>>().notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [index('sandbox_refunds_payment_idx').on(t.paymentId), ...platformOnly()],
  )
  .enableRLS()

/** Keys as Stripe keeps them: the first answer to a key is the answer to every repeat with the same request. */
export const sandboxIdempotencyKeys = commerceSchema
  .table(
    'sandbox_idempotency_keys',
    {
      /** `operation:key`. */
      key: text('key').primaryKey(),
      requestHash: text('request_hash').notNull(),
      response: jsonb('response').$type<Record<string, unknown>>().notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    () => [...platformOnly()],
  )
  .enableRLS()

/** Events the sandbox sends, signed at each delivery attempt like a provider's. */
export const sandboxEvents = commerceSchema
  .table(
    'sandbox_events',
    {
      id: text('id').primaryKey(),
      type: text('type').notNull(),
      /** The body delivered, as JSON. */
      body: jsonb('body').$type<Record<string, unknown>>().notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
      deliveredAt: at('delivered_at'),
      attempts: integer('attempts').notNull().default(0),
    },
    () => [...platformOnly()],
  )
  .enableRLS()

/**
 * The sandbox's balance movements, as a provider records them for its reports: one per capture,
 * refund, dispute withdrawal and won dispute, with the fee taken (reconciliation reads them).
 */
export const sandboxBalanceTransactions = commerceSchema
  .table(
    'sandbox_balance_transactions',
    {
      id: text('id').primaryKey(),
      /** charge, refund, dispute or dispute_reversal. */
      kind: text('kind').notNull(),
      /** The payment, refund or dispute it comes from. */
      sourceId: text('source_id').notNull(),
      paymentId: text('payment_id')
        .notNull()
        .references(() => sandboxPayments.id),
      currency: text('currency').notNull(),
      /** Signed minor units before fees: a charge positive, a refund or dispute negative. */
      amount: bigint('amount', { mode: 'number' }).notNull(),
      fee: bigint('fee', { mode: 'number' }).notNull(),
      createdAt: at('created_at').notNull(),
    },
    (t) => [
      index('sandbox_balance_transactions_created_idx').on(t.createdAt, t.id),
      check('sandbox_balance_transactions_kind', sql`${t.kind} IN ('charge', 'refund', 'dispute', 'dispute_reversal')`),
      ...platformOnly(),
    ],
  )
  .enableRLS()
