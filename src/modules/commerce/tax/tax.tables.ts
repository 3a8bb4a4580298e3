/**
 * What the tenant charges tax as (ADR 0022): its seller-of-record profile and its rate table.
 * Rates are exact decimals (numeric), never floats; a rate is never edited: a change retires
 * the live row and inserts the next, so an order can always show the rate it was taxed at.
 */
import { sql } from 'drizzle-orm'
import { boolean, check, index, integer, numeric, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../../platform/db/tenant-table.ts'
import { tenants } from '../../tenancy/index.ts'
import { commerceSchema } from '../commerce.tables.ts'

const at = (name: string) => timestamp(name, { withTimezone: true })

/**
 * One row per tenant; no row means no profile yet (no seller country, no reverse charge). The
 * tenant is always the seller of record: a merchant-of-record mode exists only with a provider
 * adapter that really acts as one, so there is no mode column to set (docs/commerce.md, "Tax").
 */
export const taxProfiles = commerceSchema
  .table(
    'tax_profiles',
    {
      tenantId: tenantIdColumn()
        .primaryKey()
        .references(() => tenants.id),
      /** The seller's legal name as invoices show it. */
      sellerLegalName: text('seller_legal_name').notNull(),
      /** ISO 3166-1 alpha-2: where the seller is established (the reverse-charge rule compares it). */
      sellerCountry: text('seller_country').notNull(),
      /** The seller's VAT or tax number as invoices show it, normalised; null when it has none. */
      sellerTaxId: text('seller_tax_id'),
      /** The seller's postal address as invoices print it, one line per element (an invoice must state it). */
      sellerAddress: text('seller_address')
        .array()
        .notNull()
        .default(sql`'{}'::text[]`),
      reverseChargeB2B: boolean('reverse_charge_b2b').notNull().default(false),
      version: integer('version').notNull().default(1),
      updatedBy: text('updated_by').notNull(),
      updatedAt: at('updated_at').notNull().defaultNow(),
    },
    (t) => [
      check('tax_profiles_country_format', sql`${t.sellerCountry} ~ '^[A-Z]{2}$'`),
      check('tax_profiles_name_length', sql`char_length(${t.sellerLegalName}) between 1 and 200`),
      check('tax_profiles_tax_id_format', sql`${t.sellerTaxId} ~ '^[A-Z0-9+*]{2,20}$'`),
      check('tax_profiles_address_lines', sql`cardinality(${t.sellerAddress}) <= 6`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/**
 * The rate of a country (region NULL) or of one of its subdivisions: at most one live row per
 * tenant and place; retired rows are history (retired_at set once, never cleared: migration
 * 0041). `version` counts a place's rates (1, 2, ...): the ETag of its rate.
 */
export const taxRates = commerceSchema
  .table(
    'tax_rates',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      /** ISO 3166-1 alpha-2. */
      country: text('country').notNull(),
      /** ISO 3166-2 subdivision of `country` ("US-NY"), or null for the whole country. */
      region: text('region'),
      /** What invoices call it ("USt", "TVA", "NY sales tax"). */
      name: text('name').notNull(),
      /** 0 ≤ rate < 1: 0.19 is 19 %. */
      rate: numeric('rate', { precision: 7, scale: 6 }).notNull(),
      version: integer('version').notNull(),
      createdBy: text('created_by').notNull(),
      createdAt: at('created_at').notNull().defaultNow(),
      retiredBy: text('retired_by'),
      retiredAt: at('retired_at'),
    },
    (t) => [
      uniqueIndex('tax_rates_live_key')
        .on(t.tenantId, t.country, sql`coalesce(${t.region}, '')`)
        .where(sql`${t.retiredAt} is null`),
      uniqueIndex('tax_rates_version_key').on(t.tenantId, t.country, sql`coalesce(${t.region}, '')`, t.version),
      // The listing's order: a country's own rate ('-') before its regions.
      index('tax_rates_list_idx').on(t.tenantId, t.country, sql`coalesce(${t.region}, '-')`, t.createdAt, t.id),
      check('tax_rates_country_format', sql`${t.country} ~ '^[A-Z]{2}$'`),
      check(
        'tax_rates_region_of_country',
        sql`${t.region} is null or (${t.region} ~ '^[A-Z]{2}-[A-Z0-9]{1,3}$' and left(${t.region}, 2) = ${t.country})`,
      ),
      check('tax_rates_rate_range', sql`${t.rate} >= 0 and ${t.rate} < 1`),
      check('tax_rates_name_length', sql`char_length(${t.name}) between 1 and 100`),
      check('tax_rates_version_positive', sql`${t.version} >= 1`),
      check('tax_rates_retired', sql`(${t.retiredAt} is null) = (${t.retiredBy} is null)`),
      check('tax_rates_retired_after_created', sql`${t.retiredAt} is null or ${t.retiredAt} >= ${t.createdAt}`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()
