/**
 * Invoices and credit notes (ADR 0026), per tenant. Rows are immutable: the request roles may
 * only insert and read them, and a trigger refuses UPDATE, DELETE and TRUNCATE to every role; a
 * correction is a credit note. The database also checks, at commit, that every document's
 * totals are the sums of its lines, that credit notes never credit more than their invoice (or
 * its lines) charged, and that numbers come gap-free from the tenant's counter
 * (migration `invoices_rls`), not only the code that issues them.
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
  numeric,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core'
import { tenantIdColumn, tenantPolicies } from '../../../platform/db/tenant-table.ts'
import { tenants } from '../../tenancy/index.ts'
import { commerceSchema } from '../commerce.tables.ts'
import type { TaxTreatment } from '../tax/tax-decision.ts'

const at = (name: string) => timestamp(name, { withTimezone: true })
const amount = (name: string) => bigint(name, { mode: 'number' }).notNull()
const CURRENCY = sql.raw(`'^[A-Z]{3}$'`)

/** The two number series: invoices (INV-…) and credit notes (CN-…). */
export const SERIES = ['invoice', 'credit_note'] as const
export type Series = (typeof SERIES)[number]

/** Who sold, as the invoice names them (the tax profile at issue; the tenant's name without one). */
export interface SellerSnapshot {
  legalName: string
  country: string | null
  taxId: string | null
  address: string[]
}

/** Who bought: the account at issue and the billing place the order was taxed for. */
export interface BuyerSnapshot {
  userId: string
  name: string | null
  email: string | null
  country: string
  region: string | null
  vatId: string | null
}

/** `prefix-YYYY-NNNNNN`: the UTC year of issue, the sequence padded to at least six digits. */
const numberFormat = (prefix: string, number: AnyPgColumn, sequence: AnyPgColumn, issuedAt: AnyPgColumn) =>
  sql`${number} = ${sql.raw(`'${prefix}-'`)} || extract(year FROM ${issuedAt} AT TIME ZONE 'UTC')::int::text || '-' || lpad(${sequence}::text, greatest(6, length(${sequence}::text)), '0')`

/**
 * The last number drawn per tenant and series. Issuing takes it with `INSERT … ON CONFLICT DO
 * UPDATE … RETURNING` in the issuing transaction: the row stays locked until that transaction
 * ends, so concurrent issues queue, and a rollback returns the number with everything else.
 */
export const invoiceNumberSeries = commerceSchema
  .table(
    'invoice_number_series',
    {
      tenantId: tenantIdColumn().references(() => tenants.id),
      series: text('series').$type<Series>().notNull(),
      lastNumber: bigint('last_number', { mode: 'number' }).notNull(),
    },
    (t) => [
      primaryKey({ name: 'invoice_number_series_pkey', columns: [t.tenantId, t.series] }),
      check('invoice_number_series_series', sql`${t.series} IN ('invoice', 'credit_note')`),
      check('invoice_number_series_positive', sql`${t.lastNumber} >= 1`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const invoices = commerceSchema
  .table(
    'invoices',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      sequence: bigint('sequence', { mode: 'number' }).notNull(),
      number: text('number').notNull(),
      /** The order it bills (one invoice per order); orders live in the orders tables. */
      orderId: uuid('order_id').notNull(),
      buyerId: uuid('buyer_id').notNull(),
      seller: jsonb('seller').$type<SellerSnapshot>().notNull(),
      buyer: jsonb('buyer').$type<BuyerSnapshot>().notNull(),
      currency: text('currency').notNull(),
      subtotal: amount('subtotal'),
      discountTotal: amount('discount_total'),
      netTotal: amount('net_total'),
      taxTotal: amount('tax_total'),
      total: amount('total'),
      taxTreatment: text('tax_treatment').$type<TaxTreatment>().notNull(),
      pricesIncludeTax: boolean('prices_include_tax').notNull(),
      /** The statement a reverse-charge invoice must carry; null otherwise. */
      reverseChargeNote: text('reverse_charge_note'),
      /** The tenant's locale at issue: amounts are printed in it, so the PDF reads the same every time. */
      locale: text('locale').notNull(),
      /** Null for an order that cost nothing (no payment was taken). */
      paymentId: uuid('payment_id'),
      provider: text('provider'),
      paidAt: at('paid_at').notNull(),
      issuedAt: at('issued_at').notNull(),
    },
    (t) => [
      unique('invoices_order_key').on(t.tenantId, t.orderId),
      unique('invoices_sequence_key').on(t.tenantId, t.sequence),
      // Lines reference (tenant, invoice); credit notes (tenant, invoice, currency): same tenant, same currency.
      unique('invoices_tenant_id_key').on(t.tenantId, t.id),
      unique('invoices_tenant_id_currency_key').on(t.tenantId, t.id, t.currency),
      index('invoices_buyer_idx').on(t.tenantId, t.buyerId, t.sequence.desc()),
      check('invoices_number_format', numberFormat('INV', t.number, t.sequence, t.issuedAt)),
      check('invoices_sequence_positive', sql`${t.sequence} >= 1`),
      check('invoices_currency', sql`${t.currency} ~ ${CURRENCY}`),
      check(
        'invoices_amounts',
        sql`${t.subtotal} >= 0 AND ${t.discountTotal} BETWEEN 0 AND ${t.subtotal} AND ${t.netTotal} >= 0 AND ${t.taxTotal} >= 0 AND ${t.netTotal} + ${t.taxTotal} = ${t.total}`,
      ),
      check(
        'invoices_tax_treatment',
        sql`${t.taxTreatment} IN ('standard', 'reverse-charge', 'not-registered') AND (${t.taxTreatment} = 'standard' OR ${t.taxTotal} = 0)`,
      ),
      check(
        'invoices_reverse_charge_note',
        sql`(${t.taxTreatment} = 'reverse-charge') = (${t.reverseChargeNote} IS NOT NULL)`,
      ),
      check('invoices_snapshots', sql`jsonb_typeof(${t.seller}) = 'object' AND jsonb_typeof(${t.buyer}) = 'object'`),
      check('invoices_provider', sql`${t.provider} ~ '^[a-z][a-z0-9_]{0,31}$'`),
      check('invoices_locale', sql`char_length(${t.locale}) BETWEEN 2 AND 35`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const invoiceLines = commerceSchema
  .table(
    'invoice_lines',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      invoiceId: uuid('invoice_id').notNull(),
      /** 1, 2, ... in the order's line order. */
      position: integer('position').notNull(),
      productId: uuid('product_id').notNull(),
      productType: text('product_type').notNull(),
      subjectId: uuid('subject_id').notNull(),
      title: text('title').notNull(),
      listPrice: amount('list_price'),
      discount: amount('discount'),
      net: amount('net'),
      tax: amount('tax'),
      gross: amount('gross'),
      taxRate: numeric('tax_rate', { precision: 7, scale: 6 }),
      taxName: text('tax_name'),
    },
    (t) => [
      foreignKey({
        name: 'invoice_lines_invoice_fk',
        columns: [t.tenantId, t.invoiceId],
        foreignColumns: [invoices.tenantId, invoices.id],
      }),
      unique('invoice_lines_position_key').on(t.invoiceId, t.position),
      // Credit note lines reference (tenant, line, invoice): a credited line is one of the credit note's invoice.
      unique('invoice_lines_tenant_id_invoice_key').on(t.tenantId, t.id, t.invoiceId),
      check('invoice_lines_position', sql`${t.position} >= 1`),
      check('invoice_lines_title', sql`char_length(${t.title}) BETWEEN 1 AND 500`),
      check(
        'invoice_lines_amounts',
        sql`${t.listPrice} >= 0 AND ${t.discount} BETWEEN 0 AND ${t.listPrice} AND ${t.net} >= 0 AND ${t.tax} >= 0 AND ${t.net} + ${t.tax} = ${t.gross}`,
      ),
      check(
        'invoice_lines_tax',
        sql`(${t.taxRate} IS NULL) = (${t.taxName} IS NULL) AND ${t.taxRate} >= 0 AND ${t.taxRate} < 1`,
      ),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

export const creditNotes = commerceSchema
  .table(
    'credit_notes',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      sequence: bigint('sequence', { mode: 'number' }).notNull(),
      number: text('number').notNull(),
      invoiceId: uuid('invoice_id').notNull(),
      currency: text('currency').notNull(),
      /** The provider's refund this credit note records: one credit note per refund. */
      providerRefundId: text('provider_refund_id').notNull(),
      paymentId: uuid('payment_id').notNull(),
      netTotal: amount('net_total'),
      taxTotal: amount('tax_total'),
      total: amount('total'),
      reason: text('reason'),
      refundedAt: at('refunded_at').notNull(),
      issuedAt: at('issued_at').notNull(),
    },
    (t) => [
      foreignKey({
        name: 'credit_notes_invoice_fk',
        columns: [t.tenantId, t.invoiceId, t.currency],
        foreignColumns: [invoices.tenantId, invoices.id, invoices.currency],
      }),
      unique('credit_notes_refund_key').on(t.tenantId, t.providerRefundId),
      unique('credit_notes_sequence_key').on(t.tenantId, t.sequence),
      unique('credit_notes_tenant_id_invoice_key').on(t.tenantId, t.id, t.invoiceId),
      index('credit_notes_invoice_idx').on(t.tenantId, t.invoiceId, t.sequence),
      check('credit_notes_number_format', numberFormat('CN', t.number, t.sequence, t.issuedAt)),
      check('credit_notes_sequence_positive', sql`${t.sequence} >= 1`),
      check(
        'credit_notes_amounts',
        sql`${t.netTotal} >= 0 AND ${t.taxTotal} >= 0 AND ${t.total} > 0 AND ${t.netTotal} + ${t.taxTotal} = ${t.total}`,
      ),
      check('credit_notes_refund_id', sql`char_length(${t.providerRefundId}) BETWEEN 1 AND 255`),
      check('credit_notes_reason', sql`char_length(${t.reason}) <= 1000`),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()

/** What a credit note takes back from each invoice line (lines it takes nothing from are left out). */
export const creditNoteLines = commerceSchema
  .table(
    'credit_note_lines',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      tenantId: tenantIdColumn().references(() => tenants.id),
      creditNoteId: uuid('credit_note_id').notNull(),
      invoiceId: uuid('invoice_id').notNull(),
      invoiceLineId: uuid('invoice_line_id').notNull(),
      net: amount('net'),
      tax: amount('tax'),
      gross: amount('gross'),
    },
    (t) => [
      foreignKey({
        name: 'credit_note_lines_credit_note_fk',
        columns: [t.tenantId, t.creditNoteId, t.invoiceId],
        foreignColumns: [creditNotes.tenantId, creditNotes.id, creditNotes.invoiceId],
      }),
      foreignKey({
        name: 'credit_note_lines_invoice_line_fk',
        columns: [t.tenantId, t.invoiceLineId, t.invoiceId],
        foreignColumns: [invoiceLines.tenantId, invoiceLines.id, invoiceLines.invoiceId],
      }),
      unique('credit_note_lines_line_key').on(t.creditNoteId, t.invoiceLineId),
      index('credit_note_lines_invoice_line_idx').on(t.invoiceLineId),
      check(
        'credit_note_lines_amounts',
        sql`${t.net} >= 0 AND ${t.tax} >= 0 AND ${t.gross} > 0 AND ${t.net} + ${t.tax} = ${t.gross}`,
      ),
      ...tenantPolicies(t.tenantId),
    ],
  )
  .enableRLS()
