/**
 * Issuing the credit note of a refund, in the `payment.refunded` delivery's transaction. One
 * credit note per provider refund: a redelivery finds it and issues nothing. The refund credits
 * the order's invoice; when that does not exist yet (the refund's event was delivered before the
 * order's), the delivery fails with InvoiceNotYetIssued and the events platform retries it.
 *
 * The amount is spread over the invoice's lines, and each line's part into net and tax, in
 * proportion to what is still uncredited (credit-split.ts); the database refuses a credit beyond
 * what the invoice or a line has left (migration `invoices_rls`).
 */
import { systemContext } from '../../../platform/http/request-context.ts'
import type { Tx } from '../../../platform/db/database.ts'
import { isCurrencyCode } from '../money/index.ts'
import { splitCredit } from './credit-split.ts'
import { CREDIT_NOTE_ISSUED, type CreditNoteIssuedPayload } from './invoice-events.ts'
import { invoiceErrors, InvoiceNotYetIssued } from './invoices.errors.ts'
import { notifyRefund } from './invoices.notifications.ts'
import { invoicesRepository as repository, type CreditNoteRow } from './invoices.repository.ts'
import type { IssuingDeps, Issued } from './issue-invoice.ts'
import { drawNumber } from './numbering.ts'
import type { PaymentRefundedPayload } from './order-events.ts'

export async function issueCreditNote(
  tx: Tx,
  deps: IssuingDeps,
  tenantId: string,
  refund: PaymentRefundedPayload,
  requestId: string,
): Promise<Issued<CreditNoteRow>> {
  const existing = await repository.creditNoteByRefund(tx, refund.providerRefundId)
  if (existing) return { document: existing, issued: false }
  const invoice = await repository.invoiceByOrder(tx, refund.orderId)
  if (!invoice) throw new InvoiceNotYetIssued(refund.orderId)
  if (refund.currency !== invoice.currency || !isCurrencyCode(invoice.currency))
    throw invoiceErrors.refundCurrencyMismatch(invoice.number, refund.currency, invoice.currency)

  // The number first: its counter row lock queues credit notes of the tenant, so what is left to
  // credit is read after any concurrent credit note committed (and a refusal returns the number).
  const drawn = await drawNumber(tx, tenantId, 'credit_note')
  const lines = await repository.creditedLines(tx, invoice.id)
  const creditable = lines.map((line) => ({
    lineId: line.lineId,
    net: line.net - line.creditedNet,
    tax: line.tax - line.creditedTax,
  }))
  const remaining = creditable.reduce((total, line) => total + line.net + line.tax, 0)
  if (refund.amount > remaining) throw invoiceErrors.creditExceedsInvoice(invoice.number, refund.amount, remaining)
  const parts = splitCredit(invoice.currency, refund.amount, creditable)
  const note = await repository.insertCreditNote(
    tx,
    {
      tenantId,
      sequence: drawn.sequence,
      number: drawn.number,
      invoiceId: invoice.id,
      currency: invoice.currency,
      providerRefundId: refund.providerRefundId,
      paymentId: refund.paymentId,
      netTotal: parts.reduce((total, part) => total + part.net, 0),
      taxTotal: parts.reduce((total, part) => total + part.tax, 0),
      total: refund.amount,
      reason: refund.reason,
      refundedAt: new Date(refund.refundedAt),
      issuedAt: drawn.issuedAt,
    },
    parts.map((part) => ({ invoiceLineId: part.lineId, net: part.net, tax: part.tax, gross: part.gross })),
  )

  const payload: CreditNoteIssuedPayload = {
    creditNoteId: note.id,
    number: note.number,
    invoiceId: invoice.id,
    orderId: invoice.orderId,
    buyerId: invoice.buyerId,
    providerRefundId: note.providerRefundId,
    total: note.total,
    currency: note.currency,
    issuedAt: note.issuedAt.toISOString(),
  }
  const ctx = systemContext(deps.database, tenantId, requestId)
  await deps.events.publish(tx, ctx, { type: CREDIT_NOTE_ISSUED, payload })
  await notifyRefund(tx, deps.notify, invoice, note)
  deps.logger.info({ creditNoteId: note.id, invoiceId: invoice.id, number: note.number }, 'credit note issued')
  return { document: note, issued: true }
}
