/**
 * An invoice or credit note as it is printed, built from its stored rows only: every text and
 * amount is formatted here (amounts with formatMoney in the locale stored on the invoice), so the
 * PDF layout (invoice-pdf-layout.ts, in a worker thread) only places strings, and the same rows
 * always print the same document.
 */
import { formatMoney, parseCurrencyCode, parseDecimal, type CurrencyCode } from '../money/index.ts'
import type { CreditNoteLineRow, CreditNoteRow, InvoiceLineRow, InvoiceRow } from './invoices.repository.ts'
import type { BuyerSnapshot, SellerSnapshot } from './invoices.tables.ts'

export interface PrintedTable {
  /** Column headings; the first column is the description, the others are right-aligned amounts. */
  headings: string[]
  rows: string[][]
}

export interface PrintableDocument {
  /** "Invoice INV-2026-000001": the heading and the PDF's title. */
  title: string
  /** The PDF's author: the seller. */
  author: string
  /** The PDF's subject: the total. */
  subject: string
  issuedAt: Date
  seller: string[]
  buyer: string[]
  /** Label and value pairs under the heading (dates, order, payment, the credited invoice). */
  facts: Array<[string, string]>
  lines: PrintedTable
  /** One row per tax rate: rate, net, tax. */
  taxes: PrintedTable
  /** Label and amount; the last one is the amount due, paid or credited. */
  totals: Array<[string, string]>
  notes: string[]
}

const dayOf = (at: Date) => at.toISOString().slice(0, 10)

/** "0.19" → "19 %", "0.08875" → "8.875 %": the exact decimal times 100, without a float. */
export function percentText(rate: string): string {
  const { units, scale } = parseDecimal(rate)
  if (scale <= 2) return `${units * 10n ** BigInt(2 - scale)} %`
  const shift = scale - 2
  const digits = units.toString().padStart(shift + 1, '0')
  return `${digits.slice(0, digits.length - shift)}.${digits.slice(digits.length - shift)} %`
}

function sellerLines(seller: SellerSnapshot): string[] {
  return [
    seller.legalName,
    ...seller.address,
    ...(seller.country ? [seller.country] : []),
    ...(seller.taxId ? [`VAT ID: ${seller.taxId}`] : []),
  ]
}

function buyerLines(buyer: BuyerSnapshot): string[] {
  const place = buyer.region ? `${buyer.region}, ${buyer.country}` : buyer.country
  return [
    ...(buyer.name ? [buyer.name] : []),
    ...(buyer.email ? [buyer.email] : []),
    place,
    ...(buyer.vatId ? [`VAT ID: ${buyer.vatId}`] : []),
  ]
}

interface Taxed {
  taxRate: string | null
  taxName: string | null
  net: number
  tax: number
}

/** Net and tax per rate, in the order the rates first appear; untaxed lines under one row. */
function taxRows(invoice: InvoiceRow, lines: readonly Taxed[], format: (amount: number) => string): string[][] {
  const groups = new Map<string, { label: string; net: number; tax: number }>()
  for (const line of lines) {
    const key = line.taxRate === null ? '' : `${line.taxName ?? ''}\u0000${parseDecimal(line.taxRate).text}`
    const label =
      line.taxRate === null
        ? invoice.taxTreatment === 'reverse-charge'
          ? 'VAT 0 % (reverse charge)'
          : 'No tax'
        : `${line.taxName ?? 'Tax'} ${percentText(line.taxRate)}`
    const group = groups.get(key) ?? { label, net: 0, tax: 0 }
    group.net += line.net
    group.tax += line.tax
    groups.set(key, group)
  }
  return [...groups.values()].map((group) => [group.label, format(group.net), format(group.tax)])
}

function formatterOf(invoice: InvoiceRow): (amount: number) => string {
  const currency: CurrencyCode = parseCurrencyCode(invoice.currency)
  return (amount) => formatMoney({ amount, currency }, invoice.locale)
}

function notesOf(invoice: InvoiceRow): string[] {
  return [
    ...(invoice.reverseChargeNote ? [invoice.reverseChargeNote] : []),
    ...(invoice.taxTreatment === 'not-registered'
      ? ['No tax charged: the seller does not collect tax in your country.']
      : []),
    `Amounts in ${invoice.currency}.`,
  ]
}

const rateOf = (rate: string | null) => (rate === null ? '-' : percentText(rate))

export function invoiceDocument(invoice: InvoiceRow, lines: readonly InvoiceLineRow[]): PrintableDocument {
  const format = formatterOf(invoice)
  return {
    title: `Invoice ${invoice.number}`,
    author: invoice.seller.legalName,
    subject: `Total ${format(invoice.total)}`,
    issuedAt: invoice.issuedAt,
    seller: sellerLines(invoice.seller),
    buyer: buyerLines(invoice.buyer),
    facts: [
      ['Invoice number', invoice.number],
      ['Invoice date', dayOf(invoice.issuedAt)],
      [
        'Paid on',
        invoice.provider
          ? `${dayOf(invoice.paidAt)} (${invoice.provider})`
          : `${dayOf(invoice.paidAt)} (no payment due)`,
      ],
      ['Order', invoice.orderId],
    ],
    lines: {
      headings: ['Description', 'Price', 'Discount', 'Net', 'Tax rate', 'Tax', 'Amount'],
      rows: lines.map((line) => [
        line.title,
        format(line.listPrice),
        format(line.discount),
        format(line.net),
        rateOf(line.taxRate),
        format(line.tax),
        format(line.gross),
      ]),
    },
    taxes: { headings: ['Tax', 'Net', 'Tax amount'], rows: taxRows(invoice, lines, format) },
    totals: [
      ['Subtotal', format(invoice.subtotal)],
      ...(invoice.discountTotal > 0 ? [['Discounts', format(-invoice.discountTotal)] as [string, string]] : []),
      ['Net', format(invoice.netTotal)],
      ['Tax', format(invoice.taxTotal)],
      ['Total paid', format(invoice.total)],
    ],
    notes: notesOf(invoice),
  }
}

export function creditNoteDocument(
  note: CreditNoteRow,
  lines: readonly CreditNoteLineRow[],
  invoice: InvoiceRow,
): PrintableDocument {
  const format = formatterOf(invoice)
  return {
    title: `Credit note ${note.number}`,
    author: invoice.seller.legalName,
    subject: `Credited ${format(note.total)} of invoice ${invoice.number}`,
    issuedAt: note.issuedAt,
    seller: sellerLines(invoice.seller),
    buyer: buyerLines(invoice.buyer),
    facts: [
      ['Credit note number', note.number],
      ['Credit note date', dayOf(note.issuedAt)],
      ['Credits invoice', `${invoice.number} of ${dayOf(invoice.issuedAt)}`],
      ['Refunded on', dayOf(note.refundedAt)],
      ...(note.reason ? [['Reason', note.reason] as [string, string]] : []),
    ],
    lines: {
      headings: ['Description', 'Net', 'Tax rate', 'Tax', 'Amount'],
      rows: lines.map((line) => [
        line.title,
        format(line.net),
        rateOf(line.taxRate),
        format(line.tax),
        format(line.gross),
      ]),
    },
    taxes: { headings: ['Tax', 'Net', 'Tax amount'], rows: taxRows(invoice, lines, format) },
    totals: [
      ['Net', format(note.netTotal)],
      ['Tax', format(note.taxTotal)],
      ['Total credited', format(note.total)],
    ],
    notes: notesOf(invoice),
  }
}
