/**
 * What is sold and at what price (ADR 0021): one product per sold thing (a course, a learning
 * path), its price versions per currency, the tenant's commerce settings, and the platform's
 * exchange rates. Amounts are integer minor units (bigint) with an ISO 4217 code; rates are
 * exact decimals (numeric), never floats.
 */
import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgPolicy,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { platformRole, tenantIdColumn, tenantPolicies } from '../../../platform/db/tenant-table.ts'
import { tenants } from '../../tenancy/index.ts'
import { commerceSchema } from '../commerce.tables.ts'
import { PRODUCT_TYPES } from './product-type.ts'

const at = (name: string) => timestamp(name, { withTimezone: true })
const currencyFormat = (column: unknown) => sql`${column} ~ '^[A-Z]{3}$'`

/** What a partial refund does to the buyer's access (the tenant's commerce settings; orders/refund-state.ts applies it). */
export const PARTIAL_REFUND_ACCESS = ['keep', 'revoke'] as const
export type PartialRefundAccess = (typeof PARTIAL_REFUND_ACCESS)[number]

/**
 * A sellable thing: one per (type, subject), created with its first price and never deleted, so
 * every price version and order line keeps pointing at it. The subject is the owning module's id
 * (a course, a learning path); no foreign key crosses modules (ADR 0016).
 */
export const products = commerceSchema
  .table(
    'products',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      /** How a purchase becomes access: the registry (product-types.ts) says what each one grants. */
      type: text('type', { enum: PRODUCT_TYPES }).notNull(),
      subjectId: uuid('subject_id').notNull(),
      /** Bumped by every change of its prices: the ETag of its price list (If-Match on changes). */
      revision: integer('revision').notNull().default(0),
      createdBy: text('created_by').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      uniqueIndex('products_subject_key').on(t.tenantId, t.type, t.subjectId),
      check('products_type_known', sql`${t.type} in ('course', 'learning_path')`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * Price versions: at most one open version (valid_to NULL) per product and currency; a change
 * closes it and opens the next at the same instant, a removal only closes it. Rows are never
 * deleted and, once closed, never change (the request role may update only valid_to and
 * ended_by, and a trigger refuses to touch a closed row: migration 0040), so an order that
 * locked a version id can always read what it was sold at.
 */
export const priceVersions = commerceSchema
  .table(
    'price_versions',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      productId: uuid('product_id')
        .notNull()
        .references(() => products.id),
      currency: text('currency').notNull(),
      /** Integer minor units of `currency` (ADR 0021). */
      amount: bigint('amount', { mode: 'number' }).notNull(),
      /** 1, 2, ... per product and currency: the ETag of the currency's price. */
      version: integer('version').notNull(),
      validFrom: at('valid_from').notNull(),
      validTo: at('valid_to'),
      /** principalId of who set it, and of who replaced or removed it. */
      createdBy: text('created_by').notNull(),
      endedBy: text('ended_by'),
    },
    (t) => [
      uniqueIndex('price_versions_number_key').on(t.productId, t.currency, t.version),
      uniqueIndex('price_versions_open_key')
        .on(t.productId, t.currency)
        .where(sql`${t.validTo} is null`),
      index('price_versions_at_idx').on(t.tenantId, t.productId, t.currency, t.validFrom),
      check('price_versions_currency_format', currencyFormat(t.currency)),
      check('price_versions_amount_positive', sql`${t.amount} > 0`),
      check('price_versions_interval', sql`${t.validTo} is null or ${t.validTo} > ${t.validFrom}`),
      check('price_versions_ended_by', sql`(${t.validTo} is null) = (${t.endedBy} is null)`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** The tenant's commerce rules; no row means the defaults (settings.service.ts). */
export const commerceSettings = commerceSchema
  .table(
    'tenant_settings',
    {
      tenantId: tenantIdColumn()
        .primaryKey()
        .references(() => tenants.id),
      /** ISO 4217 codes prices may be set and quoted in. */
      allowedCurrencies: text('allowed_currencies').array().notNull(),
      /** The currency other allowed currencies are converted from when a product has no price in them. */
      baseCurrency: text('base_currency').notNull(),
      /** Lowest price per currency in minor units, `{ "USD": 50 }`; a currency not named has none beyond 1. */
      minimumPrices: jsonb('minimum_prices').$type<Record<string, number>>().notNull().default({}),
      /** Whether prices include tax (the tax module reads it): gross prices when true, net when false. */
      pricesIncludeTax: boolean('prices_include_tax').notNull().default(false),
      /** What a partial refund does to the buyer's access: `keep` it (default) or `revoke` it, as a full refund does. */
      partialRefundAccess: text('partial_refund_access').$type<PartialRefundAccess>().notNull().default('keep'),
      version: integer('version').notNull().default(1),
      updatedBy: text('updated_by').notNull(),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      check('tenant_settings_base_allowed', sql`${t.baseCurrency} = any(${t.allowedCurrencies})`),
      check('tenant_settings_partial_refund_access', sql`${t.partialRefundAccess} IN ('keep', 'revoke')`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * Exchange rates, platform-wide and operator-managed: `rate` units of `quote_currency` per unit of
 * `base_currency`, effective from `effective_at` until a later rate of the pair. Append-only
 * (corrections are newer rows); every request reads them (conversions in tenant transactions),
 * only the platform role writes them (migration 0040).
 */
export const fxRates = commerceSchema
  .table(
    'fx_rates',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      baseCurrency: text('base_currency').notNull(),
      quoteCurrency: text('quote_currency').notNull(),
      rate: numeric('rate', { precision: 27, scale: 12 }).notNull(),
      effectiveAt: at('effective_at').notNull(),
      /** Where the rate comes from ("ECB reference rate"), for whoever reconciles a conversion. */
      source: text('source').notNull(),
      createdBy: text('created_by').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
    },
    (t) => [
      index('fx_rates_pair_idx').on(t.baseCurrency, t.quoteCurrency, t.effectiveAt, t.id),
      check('fx_rates_base_format', currencyFormat(t.baseCurrency)),
      check('fx_rates_quote_format', currencyFormat(t.quoteCurrency)),
      check('fx_rates_pair_distinct', sql`${t.baseCurrency} <> ${t.quoteCurrency}`),
      check('fx_rates_rate_positive', sql`${t.rate} > 0`),
      pgPolicy('read_all', { for: 'select', to: 'public', using: sql`true` }),
      pgPolicy('platform_access', { for: 'all', to: platformRole, using: sql`true`, withCheck: sql`true` }),
    ],
  )
  .enableRLS()
