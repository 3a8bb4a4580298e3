/**
 * Drizzle queries of invoices and credit notes, in the caller's tenant transaction (RLS keeps
 * every statement to the tenant). Rows are only ever inserted and read.
 */
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { keysetCursor, positiveInteger, type PositionOf } from '../../../platform/http/pagination.ts'
import { creditNoteLines, creditNotes, invoiceLines, invoices } from './invoices.tables.ts'

export type InvoiceRow = typeof invoices.$inferSelect
export type InvoiceLineRow = typeof invoiceLines.$inferSelect
export type CreditNoteRow = typeof creditNotes.$inferSelect
export type NewInvoice = typeof invoices.$inferInsert
export type NewInvoiceLine = Omit<typeof invoiceLines.$inferInsert, 'tenantId' | 'invoiceId'>
export type NewCreditNote = typeof creditNotes.$inferInsert
export type NewCreditNoteLine = Omit<typeof creditNoteLines.$inferInsert, 'tenantId' | 'creditNoteId' | 'invoiceId'>

/** A credited line with what it credits: the invoice line's position, title and tax. */
export interface CreditNoteLineRow {
  invoiceLineId: string
  position: number
  title: string
  taxRate: string | null
  taxName: string | null
  net: number
  tax: number
  gross: number
}

/** An invoice line with what credit notes already took back from it. */
export interface CreditedLine {
  lineId: string
  net: number
  tax: number
  creditedNet: number
  creditedTax: number
}

/** Newest first: the sequence is the order of issue. */
export const invoicesCursor = keysetCursor(positiveInteger)
export type InvoicesPosition = PositionOf<typeof invoicesCursor>

export interface InvoiceFilter {
  buyerId?: string
  orderId?: string
  after?: InvoicesPosition
  limit: number
}

export const invoicesRepository = {
  async insertInvoice(tx: Tx, invoice: NewInvoice, lines: NewInvoiceLine[]): Promise<InvoiceRow> {
    const [row] = await tx.insert(invoices).values(invoice).returning()
    if (!row) throw new Error('inserting the invoice returned no row')
    await tx.insert(invoiceLines).values(lines.map((line) => ({ ...line, tenantId: row.tenantId, invoiceId: row.id })))
    return row
  },

  async insertCreditNote(tx: Tx, note: NewCreditNote, lines: NewCreditNoteLine[]): Promise<CreditNoteRow> {
    const [row] = await tx.insert(creditNotes).values(note).returning()
    if (!row) throw new Error('inserting the credit note returned no row')
    await tx
      .insert(creditNoteLines)
      .values(
        lines.map((line) => ({ ...line, tenantId: row.tenantId, creditNoteId: row.id, invoiceId: row.invoiceId })),
      )
    return row
  },

  async invoiceByOrder(tx: Tx, orderId: string): Promise<InvoiceRow | undefined> {
    const [row] = await tx.select().from(invoices).where(eq(invoices.orderId, orderId))
    return row
  },

  async invoice(tx: Tx, id: string): Promise<InvoiceRow | undefined> {
    const [row] = await tx.select().from(invoices).where(eq(invoices.id, id))
    return row
  },

  lines(tx: Tx, invoiceId: string): Promise<InvoiceLineRow[]> {
    return tx
      .select()
      .from(invoiceLines)
      .where(eq(invoiceLines.invoiceId, invoiceId))
      .orderBy(asc(invoiceLines.position))
  },

  creditNotesOf(tx: Tx, invoiceId: string): Promise<CreditNoteRow[]> {
    return tx.select().from(creditNotes).where(eq(creditNotes.invoiceId, invoiceId)).orderBy(asc(creditNotes.sequence))
  },

  async creditNoteByRefund(tx: Tx, providerRefundId: string): Promise<CreditNoteRow | undefined> {
    const [row] = await tx.select().from(creditNotes).where(eq(creditNotes.providerRefundId, providerRefundId))
    return row
  },

  async creditNote(tx: Tx, id: string): Promise<CreditNoteRow | undefined> {
    const [row] = await tx.select().from(creditNotes).where(eq(creditNotes.id, id))
    return row
  },

  creditNoteLines(tx: Tx, creditNoteId: string): Promise<CreditNoteLineRow[]> {
    return tx
      .select({
        invoiceLineId: creditNoteLines.invoiceLineId,
        position: invoiceLines.position,
        title: invoiceLines.title,
        taxRate: invoiceLines.taxRate,
        taxName: invoiceLines.taxName,
        net: creditNoteLines.net,
        tax: creditNoteLines.tax,
        gross: creditNoteLines.gross,
      })
      .from(creditNoteLines)
      .innerJoin(invoiceLines, eq(invoiceLines.id, creditNoteLines.invoiceLineId))
      .where(eq(creditNoteLines.creditNoteId, creditNoteId))
      .orderBy(asc(invoiceLines.position))
  },

  /** The invoice's lines in order, each with the net and tax credit notes already took back. */
  creditedLines(tx: Tx, invoiceId: string): Promise<CreditedLine[]> {
    return tx
      .select({
        lineId: invoiceLines.id,
        net: invoiceLines.net,
        tax: invoiceLines.tax,
        creditedNet: sql<number>`coalesce(sum(${creditNoteLines.net}), 0)::bigint`.mapWith(Number),
        creditedTax: sql<number>`coalesce(sum(${creditNoteLines.tax}), 0)::bigint`.mapWith(Number),
      })
      .from(invoiceLines)
      .leftJoin(creditNoteLines, eq(creditNoteLines.invoiceLineId, invoiceLines.id))
      .where(eq(invoiceLines.invoiceId, invoiceId))
      .groupBy(invoiceLines.id)
      .orderBy(asc(invoiceLines.position))
  },

  /** A page of invoices, newest first, `limit + 1` rows (the page helper trims the extra one). */
  list(tx: Tx, filter: InvoiceFilter): Promise<InvoiceRow[]> {
    const conditions: Array<SQL | undefined> = [
      filter.buyerId === undefined ? undefined : eq(invoices.buyerId, filter.buyerId),
      filter.orderId === undefined ? undefined : eq(invoices.orderId, filter.orderId),
      invoicesCursor.after(filter.after, [invoices.sequence], 'desc'),
    ]
    return tx
      .select()
      .from(invoices)
      .where(and(...conditions))
      .orderBy(desc(invoices.sequence))
      .limit(filter.limit + 1)
  },
}
