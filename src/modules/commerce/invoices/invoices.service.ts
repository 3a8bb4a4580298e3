/**
 * Reading invoices and credit notes: the buyer reads their own; holders of ledger:read (tenant
 * administrators, finance, keys with the scope) read every one of the tenant's. Anything else,
 * another tenant's included, is 404, so an id never tells a caller that a document exists.
 * PDFs are rendered from the rows on each request, outside the read transaction.
 */
import type { Tx } from '../../../platform/db/database.ts'
import type { PageResult } from '../../../platform/http/pagination.ts'
import type { RequestContext } from '../../../platform/http/request-context.ts'
import type { Principal } from '../../../platform/http/principal.ts'
import { parseDecimal } from '../money/index.ts'
import { creditNoteDocument, invoiceDocument } from './invoice-document.ts'
import type { PdfRenderer } from './invoice-pdf.ts'
import { invoiceErrors } from './invoices.errors.ts'
import {
  invoicesCursor,
  invoicesRepository as repository,
  type CreditNoteLineRow,
  type CreditNoteRow,
  type InvoiceLineRow,
  type InvoiceRow,
} from './invoices.repository.ts'
import type { CreditNote, Invoice, InvoiceSummary, InvoicesQuery, MyInvoicesQuery } from './invoices.schemas.ts'

const READ = { readOnly: true } as const

/** Who may read which documents: all of the tenant's, or those bought by `buyerId`. */
function readerOf(principal: Principal): { all: boolean; buyerId: string | null } {
  if (principal.kind !== 'user' && principal.kind !== 'api_key') return { all: false, buyerId: null }
  return {
    all: principal.permissions.has('ledger:read'),
    buyerId: principal.kind === 'user' ? principal.userId : null,
  }
}

const mayRead = (ctx: RequestContext, invoice: InvoiceRow) => {
  const reader = readerOf(ctx.principal)
  return reader.all || reader.buyerId === invoice.buyerId
}

const money = (amount: number, currency: string) => ({ amount, currency })

function presentSummary(row: InvoiceRow): InvoiceSummary {
  return {
    id: row.id,
    number: row.number,
    orderId: row.orderId,
    buyerId: row.buyerId,
    total: money(row.total, row.currency),
    taxTotal: money(row.taxTotal, row.currency),
    taxTreatment: row.taxTreatment,
    issuedAt: row.issuedAt.toISOString(),
  }
}

/** numeric(7,6) as PostgreSQL writes it ("0.190000") → "0.19". */
const canonical = (rate: string) => parseDecimal(rate).text

/** Net and tax per rate (the rate's canonical text), in the order the rates first appear. */
function taxesOf(row: InvoiceRow, lines: InvoiceLineRow[]): Invoice['taxes'] {
  const groups = new Map<string, { taxName: string | null; taxRate: string | null; net: number; tax: number }>()
  for (const line of lines) {
    const taxRate = line.taxRate === null ? null : canonical(line.taxRate)
    const key = `${line.taxName ?? ''}\u0000${taxRate ?? ''}`
    const group = groups.get(key) ?? { taxName: line.taxName, taxRate, net: 0, tax: 0 }
    group.net += line.net
    group.tax += line.tax
    groups.set(key, group)
  }
  return [...groups.values()].map((g) => ({ ...g, net: money(g.net, row.currency), tax: money(g.tax, row.currency) }))
}

function presentInvoice(row: InvoiceRow, lines: InvoiceLineRow[], notes: CreditNoteRow[]): Invoice {
  const m = (amount: number) => money(amount, row.currency)
  return {
    ...presentSummary(row),
    seller: row.seller,
    buyer: row.buyer,
    subtotal: m(row.subtotal),
    discountTotal: m(row.discountTotal),
    netTotal: m(row.netTotal),
    pricesIncludeTax: row.pricesIncludeTax,
    reverseChargeNote: row.reverseChargeNote,
    paymentId: row.paymentId,
    provider: row.provider,
    paidAt: row.paidAt.toISOString(),
    lines: lines.map((line) => ({
      position: line.position,
      productId: line.productId,
      productType: line.productType,
      subjectId: line.subjectId,
      title: line.title,
      listPrice: m(line.listPrice),
      discount: m(line.discount),
      net: m(line.net),
      tax: m(line.tax),
      gross: m(line.gross),
      taxRate: line.taxRate === null ? null : canonical(line.taxRate),
      taxName: line.taxName,
    })),
    taxes: taxesOf(row, lines),
    creditNotes: notes.map((note) => ({
      id: note.id,
      number: note.number,
      total: m(note.total),
      issuedAt: note.issuedAt.toISOString(),
    })),
    creditedTotal: m(notes.reduce((total, note) => total + note.total, 0)),
  }
}

function presentCreditNote(note: CreditNoteRow, lines: CreditNoteLineRow[], invoice: InvoiceRow): CreditNote {
  const m = (amount: number) => money(amount, note.currency)
  return {
    id: note.id,
    number: note.number,
    invoiceId: invoice.id,
    invoiceNumber: invoice.number,
    orderId: invoice.orderId,
    buyerId: invoice.buyerId,
    providerRefundId: note.providerRefundId,
    paymentId: note.paymentId,
    reason: note.reason,
    netTotal: m(note.netTotal),
    taxTotal: m(note.taxTotal),
    total: m(note.total),
    refundedAt: note.refundedAt.toISOString(),
    issuedAt: note.issuedAt.toISOString(),
    lines: lines.map((line) => ({
      ...line,
      taxRate: line.taxRate === null ? null : canonical(line.taxRate),
      net: m(line.net),
      tax: m(line.tax),
      gross: m(line.gross),
    })),
  }
}

async function readableInvoice(tx: Tx, ctx: RequestContext, id: string): Promise<InvoiceRow> {
  const invoice = await repository.invoice(tx, id)
  if (!invoice || !mayRead(ctx, invoice)) throw invoiceErrors.invoiceNotFound(id)
  return invoice
}

async function readableCreditNote(tx: Tx, ctx: RequestContext, id: string) {
  const note = await repository.creditNote(tx, id)
  const invoice = note && (await repository.invoice(tx, note.invoiceId))
  if (!note || !invoice || !mayRead(ctx, invoice)) throw invoiceErrors.creditNoteNotFound(id)
  return { note, invoice, lines: await repository.creditNoteLines(tx, note.id) }
}

function page(rows: InvoiceRow[], limit: number): PageResult<InvoiceSummary> {
  const result = invoicesCursor.page(rows, limit, (row) => [row.sequence])
  return { data: result.data.map(presentSummary), nextCursor: result.nextCursor }
}

export function createInvoicesService(deps: { pdf: PdfRenderer }) {
  return {
    getInvoice(ctx: RequestContext, id: string): Promise<Invoice> {
      return ctx.inTenant(async (tx) => {
        const invoice = await readableInvoice(tx, ctx, id)
        return presentInvoice(invoice, await repository.lines(tx, id), await repository.creditNotesOf(tx, id))
      }, READ)
    },

    async invoicePdf(ctx: RequestContext, id: string): Promise<{ bytes: Buffer; filename: string }> {
      const document = await ctx.inTenant(async (tx) => {
        const invoice = await readableInvoice(tx, ctx, id)
        return { printable: invoiceDocument(invoice, await repository.lines(tx, id)), number: invoice.number }
      }, READ)
      return { bytes: await deps.pdf.render(document.printable), filename: `${document.number}.pdf` }
    },

    getCreditNote(ctx: RequestContext, id: string): Promise<CreditNote> {
      return ctx.inTenant(async (tx) => {
        const { note, invoice, lines } = await readableCreditNote(tx, ctx, id)
        return presentCreditNote(note, lines, invoice)
      }, READ)
    },

    async creditNotePdf(ctx: RequestContext, id: string): Promise<{ bytes: Buffer; filename: string }> {
      const document = await ctx.inTenant(async (tx) => {
        const { note, invoice, lines } = await readableCreditNote(tx, ctx, id)
        return { printable: creditNoteDocument(note, lines, invoice), number: note.number }
      }, READ)
      return { bytes: await deps.pdf.render(document.printable), filename: `${document.number}.pdf` }
    },

    /** The caller's own invoices, newest first (any member, for themselves). */
    listMine(ctx: RequestContext, query: MyInvoicesQuery): Promise<PageResult<InvoiceSummary>> {
      const buyerId = readerOf(ctx.principal).buyerId
      if (buyerId === null) throw new Error('GET /v1/me/invoices is declared for people only')
      const after = invoicesCursor.decode(query.cursor)
      return ctx.inTenant(
        async (tx) => page(await repository.list(tx, { buyerId, after, limit: query.limit }), query.limit),
        READ,
      )
    },

    /** Every invoice of the tenant, newest first, optionally one buyer's or one order's (ledger:read). */
    list(ctx: RequestContext, query: InvoicesQuery): Promise<PageResult<InvoiceSummary>> {
      const after = invoicesCursor.decode(query.cursor)
      return ctx.inTenant(
        async (tx) =>
          page(
            await repository.list(tx, {
              ...(query.buyerId ? { buyerId: query.buyerId } : {}),
              ...(query.orderId ? { orderId: query.orderId } : {}),
              after,
              limit: query.limit,
            }),
            query.limit,
          ),
        READ,
      )
    },
  }
}

export type InvoicesService = ReturnType<typeof createInvoicesService>
