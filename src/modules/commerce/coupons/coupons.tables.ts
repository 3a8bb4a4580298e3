/**
 * Coupons and their redemptions. A coupon's terms never change once created (the request role
 * may only archive it: migration 0044), so an order's discount can always be explained by the
 * coupon it names; changing terms means archiving and creating another (docs/commerce.md).
 * Amounts are integer minor units per ISO 4217 currency, percentages exact decimals.
 */
import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../../platform/db/tenant-table.ts'
import { tenants } from '../../tenancy/index.ts'
import { commerceSchema } from '../commerce.tables.ts'
import { orders } from '../orders/orders.tables.ts'

const at = (name: string) => timestamp(name, { withTimezone: true })

export const COUPON_KINDS = ['percent', 'fixed'] as const
export type CouponKind = (typeof COUPON_KINDS)[number]

export const coupons = commerceSchema
  .table(
    'coupons',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      /** Upper case (codes compare case-insensitively); unique among the tenant's live coupons. */
      code: text('code').notNull(),
      kind: text('kind', { enum: COUPON_KINDS }).notNull(),
      /** Percent off ("12.5" is 12.5 %), kind percent only. */
      percentOff: numeric('percent_off', { precision: 5, scale: 2 }),
      /** Minor units off per currency, `{ "EUR": 500 }`, kind fixed only. */
      amountsOff: jsonb('amounts_off').$type<Record<string, number>>().notNull().default({}),
      /** The largest discount per currency, kind percent only; a currency not named is uncapped. */
      maxDiscounts: jsonb('max_discounts').$type<Record<string, number>>().notNull().default({}),
      validFrom: at('valid_from'),
      validUntil: at('valid_until'),
      maxRedemptions: integer('max_redemptions'),
      maxRedemptionsPerBuyer: integer('max_redemptions_per_buyer'),
      /** The products (commerce.products ids of this tenant) it applies to; null for every product. */
      productIds: uuid('product_ids').array(),
      stackable: boolean('stackable').notNull().default(false),
      createdBy: text('created_by').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
      archivedBy: text('archived_by'),
      archivedAt: at('archived_at'),
    },
    (t) => [
      uniqueIndex('coupons_live_code_key')
        .on(t.tenantId, t.code)
        .where(sql`${t.archivedAt} is null`),
      index('coupons_list_idx').on(t.tenantId, t.createdAt, t.id),
      check('coupons_code_format', sql`${t.code} ~ '^[A-Z0-9][A-Z0-9_-]{2,31}$'`),
      check('coupons_kind_known', sql`${t.kind} in ('percent', 'fixed')`),
      check(
        'coupons_percent_terms',
        sql`(${t.kind} = 'percent') = (${t.percentOff} is not null and ${t.amountsOff} = '{}'::jsonb)`,
      ),
      check('coupons_fixed_terms', sql`${t.kind} = 'percent' or ${t.maxDiscounts} = '{}'::jsonb`),
      check('coupons_percent_range', sql`${t.percentOff} is null or (${t.percentOff} > 0 and ${t.percentOff} <= 100)`),
      check('coupons_amounts_object', sql`jsonb_typeof(${t.amountsOff}) = 'object'`),
      check('coupons_caps_object', sql`jsonb_typeof(${t.maxDiscounts}) = 'object'`),
      check(
        'coupons_window',
        sql`${t.validFrom} is null or ${t.validUntil} is null or ${t.validUntil} > ${t.validFrom}`,
      ),
      check('coupons_max_redemptions', sql`${t.maxRedemptions} is null or ${t.maxRedemptions} >= 1`),
      check('coupons_max_per_buyer', sql`${t.maxRedemptionsPerBuyer} is null or ${t.maxRedemptionsPerBuyer} >= 1`),
      check('coupons_products', sql`${t.productIds} is null or cardinality(${t.productIds}) between 1 and 100`),
      check('coupons_archived', sql`(${t.archivedAt} is null) = (${t.archivedBy} is null)`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * One row per coupon used by an order: reserved when checkout prices the order (under the
 * coupon's row lock, so limits hold), released when the order fails, is cancelled or expires.
 * Unreleased rows count against the coupon's limits. `order_id` is the order of the same tenant
 * (checkout inserts the order first and reserves in its transaction); `buyer_id` the buyer's user id.
 */
export const couponRedemptions = commerceSchema
  .table(
    'coupon_redemptions',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      couponId: uuid('coupon_id')
        .notNull()
        .references(() => coupons.id),
      orderId: uuid('order_id').notNull(),
      buyerId: uuid('buyer_id').notNull(),
      reservedAt: at('reserved_at').notNull().defaultNow(),
      releasedAt: at('released_at'),
    },
    (t) => [
      foreignKey({
        name: 'coupon_redemptions_order_fk',
        columns: [t.tenantId, t.orderId],
        foreignColumns: [orders.tenantId, orders.id],
      }),
      uniqueIndex('coupon_redemptions_order_key').on(t.couponId, t.orderId),
      index('coupon_redemptions_live_idx')
        .on(t.couponId, t.buyerId)
        .where(sql`${t.releasedAt} is null`),
      index('coupon_redemptions_order_idx').on(t.tenantId, t.orderId),
      check('coupon_redemptions_released_after', sql`${t.releasedAt} is null or ${t.releasedAt} >= ${t.reservedAt}`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()
