/**
 * The buyer's receipt and refund notifications. They go through the notification center (the
 * `notify` port app.ts wires; commerce never imports notifications) in the issuing transaction:
 * a rolled-back issue notifies nobody, and the occurrence id (one per document) makes a repeated
 * issue, or a retried job, send once. Both are transactional with email required: a financial
 * record reaches the buyer's mailbox whatever their preferences. Amounts are printed in the
 * invoice's locale, as on the document.
 */
import type { Tx } from '../../../platform/db/database.ts'
import { formatMoney, parseCurrencyCode, type Money } from '../money/index.ts'
import type { CreditNoteRow, InvoiceLineRow, InvoiceRow } from './invoices.repository.ts'

/** The notification center's `notify`, as much of it as invoicing uses. */
export type InvoiceNotifier = (
  tx: Tx,
  input: {
    tenantId: string
    eventId: string
    recipient: { userId: string }
  } & (
    | {
        type: 'commerce.receipt'
        params: {
          invoiceNumber: string
          total: string
          sellerName: string
          paidAt: string
          items: string
          taxTreatment: 'standard' | 'reverse_charge' | 'none'
          taxTotal: string
        }
      }
    | {
        type: 'commerce.refund'
        params: {
          creditNoteNumber: string
          invoiceNumber: string
          amount: string
          sellerName: string
          refundedAt: string
        }
      }
  ),
) => Promise<unknown>

function formatter(invoice: InvoiceRow) {
  const currency = parseCurrencyCode(invoice.currency)
  return (amount: number) => formatMoney({ amount, currency } satisfies Money, invoice.locale)
}

export async function notifyReceipt(
  tx: Tx,
  notify: InvoiceNotifier,
  invoice: InvoiceRow,
  lines: InvoiceLineRow[],
): Promise<void> {
  const format = formatter(invoice)
  await notify(tx, {
    tenantId: invoice.tenantId,
    type: 'commerce.receipt',
    eventId: `commerce.invoice_receipt:${invoice.id}`,
    recipient: { userId: invoice.buyerId },
    params: {
      invoiceNumber: invoice.number,
      total: format(invoice.total),
      sellerName: invoice.seller.legalName,
      paidAt: invoice.paidAt.toISOString(),
      items: lines.map((line) => `${line.title}: ${format(line.gross)}`).join('; '),
      taxTreatment:
        invoice.taxTreatment === 'reverse-charge' ? 'reverse_charge' : invoice.taxTotal > 0 ? 'standard' : 'none',
      taxTotal: format(invoice.taxTotal),
    },
  })
}

export async function notifyRefund(
  tx: Tx,
  notify: InvoiceNotifier,
  invoice: InvoiceRow,
  note: CreditNoteRow,
): Promise<void> {
  await notify(tx, {
    tenantId: invoice.tenantId,
    type: 'commerce.refund',
    eventId: `commerce.credit_note:${note.id}`,
    recipient: { userId: invoice.buyerId },
    params: {
      creditNoteNumber: note.number,
      invoiceNumber: invoice.number,
      amount: formatter(invoice)(note.total),
      sellerName: invoice.seller.legalName,
      refundedAt: note.refundedAt.toISOString(),
    },
  })
}
