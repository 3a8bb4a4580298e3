/**
 * The buyer's receipt and refund emails (plain text). They are sent with the issuing transaction
 * through the mail platform, which records the message and enqueues its delivery job in that
 * transaction: a rolled-back issue sends nothing, and the message key (one per document) makes a
 * repeated send, or a retried delivery job, deliver it once.
 */
import type { Tx } from '../../../platform/db/database.ts'
import type { Mailer } from '../../../platform/mail/index.ts'
import { formatMoney, parseCurrencyCode, type Money } from '../money/index.ts'
import type { CreditNoteRow, InvoiceLineRow, InvoiceRow } from './invoices.repository.ts'

export const receiptSubject = (number: string) => `Your receipt: invoice ${number}`
export const refundSubject = (number: string) => `Your refund: credit note ${number}`

const greeting = (name: string | null) => (name ? `Hello ${name},` : 'Hello,')
const dayOf = (at: Date) => at.toISOString().slice(0, 10)

function formatter(invoice: InvoiceRow) {
  const currency = parseCurrencyCode(invoice.currency)
  return (amount: number) => formatMoney({ amount, currency } satisfies Money, invoice.locale)
}

export async function sendReceipt(
  tx: Tx,
  mail: Mailer,
  invoice: InvoiceRow,
  lines: InvoiceLineRow[],
  to: string,
): Promise<void> {
  const format = formatter(invoice)
  const items = lines.map((line) => `  - ${line.title}: ${format(line.gross)}`).join('\n')
  const tax =
    invoice.taxTreatment === 'reverse-charge'
      ? `No VAT charged: ${invoice.reverseChargeNote ?? ''}.`
      : invoice.taxTotal > 0
        ? `Of which tax: ${format(invoice.taxTotal)}.`
        : 'No tax charged.'
  await mail.send(tx, {
    tenantId: invoice.tenantId,
    to,
    subject: receiptSubject(invoice.number),
    text:
      `${greeting(invoice.buyer.name)}\n\n` +
      `Thank you for your purchase. ${invoice.seller.legalName} received your payment of ${format(invoice.total)} on ${dayOf(invoice.paidAt)}.\n\n` +
      `${items}\n\nTotal: ${format(invoice.total)}. ${tax}\n\n` +
      `Invoice ${invoice.number} is in your account under "My invoices", where you can also download it as PDF.\n`,
    messageKey: `commerce.invoice_receipt:${invoice.id}`,
  })
}

export async function sendRefundNotice(
  tx: Tx,
  mail: Mailer,
  invoice: InvoiceRow,
  note: CreditNoteRow,
  to: string,
): Promise<void> {
  const format = formatter(invoice)
  await mail.send(tx, {
    tenantId: invoice.tenantId,
    to,
    subject: refundSubject(note.number),
    text:
      `${greeting(invoice.buyer.name)}\n\n` +
      `${invoice.seller.legalName} refunded ${format(note.total)} of invoice ${invoice.number} on ${dayOf(note.refundedAt)}. ` +
      'Depending on your bank it can take a few days to show on your statement.\n\n' +
      `Credit note ${note.number} records the refund; it is in your account with the invoice, under "My invoices".\n`,
    messageKey: `commerce.credit_note:${note.id}`,
  })
}
