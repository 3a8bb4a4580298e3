/**
 * Orders and their lines (ADR 0025). An order locks the quote it was created from: every line
 * keeps the price version it was sold at, the conversion and the tax it was charged, so a later
 * price, rate or coupon change alters nothing in it. Amounts are integer minor units of the
 * order's currency, written once: the request roles may update only the state columns (migration
 * `orders_rls`), and a deferred constraint trigger checks at commit that an order has lines and
 * that its totals are their sums.
 */
import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../../platform/db/tenant-table.ts'
import { tenants } from '../../tenancy/index.ts'
import { commerceSchema } from '../commerce.tables.ts'
import { payments } from '../payments/payments.tables.ts'
import { priceVersions, products } from '../prices/prices.tables.ts'
import type { ProductType } from '../prices/product-type.ts'
import type { TaxTreatment } from '../tax/tax-decision.ts'
import { CAPTURED_STATUSES, ORDER_STATUSES, type OrderStatus } from './order-state.ts'

// The statuses live with the state machine (pure, importable anywhere); re-exported for table readers.
export { CAPTURED_STATUSES, ORDER_STATUSES, type OrderStatus }

const at = (name: string) => timestamp(name, { withTimezone: true })
const minor = (name: string) => bigint(name, { mode: 'number' })
const oneOf = (values: readonly string[]) => sql.raw(values.map((value) => `'${value}'`).join(', '))

const TAX_TREATMENTS: readonly TaxTreatment[] = ['standard', 'reverse-charge', 'not-registered']

/** How a line's price was converted from the base currency (prices/price-for.ts `Conversion`). */
export interface StoredConversion {
  from: { amount: number; currency: string }
  rate: string
  fxRateId: string
  rateEffectiveAt: string
  rounding: string
}

/** One coupon's share of a line's discount. */
export interface StoredLineDiscount {
  couponId: string
  amount: number
}

export const orders = commerceSchema
  .table(
    'orders',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      /** The signed-in user who buys (for themself). */
      buyerId: uuid('buyer_id').notNull(),
      /** The request's Idempotency-Key: the same buyer's same key is the same order. */
      idempotencyKey: text('idempotency_key').notNull(),
      status: text('status').$type<OrderStatus>().notNull().default('awaiting_payment'),
      currency: text('currency').notNull(),
      subtotal: minor('subtotal').notNull(),
      discountTotal: minor('discount_total').notNull(),
      netTotal: minor('net_total').notNull(),
      taxTotal: minor('tax_total').notNull(),
      /** What the buyer pays: net_total + tax_total. */
      total: minor('total').notNull(),
      taxTreatment: text('tax_treatment').$type<TaxTreatment>().notNull(),
      pricesIncludeTax: boolean('prices_include_tax').notNull(),
      /** The billing place the buyer gave: location evidence for tax, with card_country. */
      billingCountry: text('billing_country').notNull(),
      billingRegion: text('billing_region'),
      vatId: text('vat_id'),
      /** The card's issuing country as the provider reported it at capture. */
      cardCountry: text('card_country'),
      /** Our payment record (payments/) and its provider; null until the provider answered, and for a free order. */
      paymentId: uuid('payment_id').references(() => payments.id),
      provider: text('provider'),
      /** The coupon codes the buyer gave, as applied (upper case). */
      couponCodes: text('coupon_codes')
        .array()
        .notNull()
        .default(sql`'{}'::text[]`),
      createdAt: at('created_at').notNull().defaultNow(),
      paidAt: at('paid_at'),
      refundedAmount: minor('refunded_amount').notNull().default(0),
      /** A capture could not grant access (admission refused at that moment): the money goes back. */
      needsRefund: boolean('needs_refund').notNull().default(false),
      admissionRefusal: text('admission_refusal'),
      /** A provider event that did not match the order (amount, currency): kept for a person to look at. */
      reviewReason: text('review_reason'),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      unique('orders_idempotency_key').on(t.tenantId, t.buyerId, t.idempotencyKey),
      // Lines and coupon redemptions reference (tenant, order): they cannot name another tenant's order.
      unique('orders_tenant_id_key').on(t.tenantId, t.id),
      uniqueIndex('orders_payment_key').on(t.paymentId),
      index('orders_buyer_idx').on(t.tenantId, t.buyerId, t.createdAt.desc(), t.id.desc()),
      // The administrators' orders report (newest first, refunds.ts's orders-report): one keyset over the tenant.
      index('orders_created_idx').on(t.tenantId, t.createdAt.desc(), t.id.desc()),
      // Expiry (order-expiry.ts): the unpaid orders, oldest first, across tenants; few at any time.
      index('orders_unpaid_idx')
        .on(t.createdAt, t.id)
        .where(sql`${t.status} IN ('awaiting_payment', 'payment_failed')`),
      check('orders_status_known', sql`${t.status} IN (${oneOf(ORDER_STATUSES)})`),
      check('orders_currency_format', sql`${t.currency} ~ '^[A-Z]{3}$'`),
      check(
        'orders_amounts_not_negative',
        sql`${t.subtotal} >= 0 AND ${t.discountTotal} >= 0 AND ${t.netTotal} >= 0 AND ${t.taxTotal} >= 0 AND ${t.total} >= 0`,
      ),
      check('orders_discount_range', sql`${t.discountTotal} <= ${t.subtotal}`),
      check('orders_total_sum', sql`${t.total} = ${t.netTotal} + ${t.taxTotal}`),
      check('orders_tax_treatment_known', sql`${t.taxTreatment} IN (${oneOf(TAX_TREATMENTS)})`),
      check('orders_billing_country', sql`${t.billingCountry} ~ '^[A-Z]{2}$'`),
      check('orders_card_country', sql`${t.cardCountry} ~ '^[A-Z]{2}$'`),
      check('orders_idempotency_key_length', sql`char_length(${t.idempotencyKey}) BETWEEN 1 AND 255`),
      check('orders_provider_known', sql`${t.provider} IN ('sandbox', 'stripe')`),
      check('orders_payment_provider', sql`(${t.paymentId} IS NULL) = (${t.provider} IS NULL)`),
      check('orders_paid_at', sql`(${t.status} IN (${oneOf(CAPTURED_STATUSES)})) = (${t.paidAt} IS NOT NULL)`),
      check('orders_refunded_range', sql`${t.refundedAmount} >= 0 AND ${t.refundedAmount} <= ${t.total}`),
      check('orders_refusal_needs_refund', sql`${t.admissionRefusal} IS NULL OR ${t.needsRefund}`),
      check(
        'orders_reasons_length',
        sql`char_length(${t.admissionRefusal}) <= 1000 AND char_length(${t.reviewReason}) <= 1000`,
      ),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const orderLines = commerceSchema
  .table(
    'order_lines',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      orderId: uuid('order_id').notNull(),
      /** 0, 1, ...: the basket's order. */
      position: integer('position').notNull(),
      productId: uuid('product_id')
        .notNull()
        .references(() => products.id),
      productType: text('product_type').$type<ProductType>().notNull(),
      /** The course or learning path (the owning module's id). */
      subjectId: uuid('subject_id').notNull(),
      title: text('title').notNull(),
      /** The version the line is sold at: the explicit price, or the base price a conversion started from. */
      priceVersionId: uuid('price_version_id')
        .notNull()
        .references(() => priceVersions.id),
      conversion: jsonb('conversion').$type<StoredConversion>(),
      listPrice: minor('list_price').notNull(),
      discount: minor('discount').notNull(),
      net: minor('net').notNull(),
      tax: minor('tax').notNull(),
      gross: minor('gross').notNull(),
      /** Exact decimal ("0.19"), with the tax's name; both null when no tax applies. */
      taxRate: text('tax_rate'),
      taxName: text('tax_name'),
      discounts: jsonb('discounts').$type<StoredLineDiscount[]>().notNull().default([]),
    },
    (t) => [
      foreignKey({
        name: 'order_lines_order_fk',
        columns: [t.tenantId, t.orderId],
        foreignColumns: [orders.tenantId, orders.id],
      }),
      unique('order_lines_position_key').on(t.orderId, t.position),
      unique('order_lines_product_key').on(t.orderId, t.productId),
      check('order_lines_position', sql`${t.position} >= 0`),
      check('order_lines_product_type', sql`${t.productType} IN ('course', 'learning_path')`),
      check(
        'order_lines_amounts_not_negative',
        sql`${t.listPrice} >= 0 AND ${t.discount} >= 0 AND ${t.net} >= 0 AND ${t.tax} >= 0 AND ${t.gross} >= 0`,
      ),
      check('order_lines_discount_range', sql`${t.discount} <= ${t.listPrice}`),
      check('order_lines_gross_sum', sql`${t.gross} = ${t.net} + ${t.tax}`),
      check('order_lines_tax_named', sql`(${t.taxRate} IS NULL) = (${t.taxName} IS NULL)`),
      check('order_lines_tax_rate_format', sql`${t.taxRate} ~ '^[0-9]+(\\.[0-9]+)?$'`),
      check('order_lines_discounts_array', sql`jsonb_typeof(${t.discounts}) = 'array'`),
      check('order_lines_conversion_object', sql`${t.conversion} IS NULL OR jsonb_typeof(${t.conversion}) = 'object'`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()
