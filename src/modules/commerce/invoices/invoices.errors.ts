/** Error codes of invoices and credit notes (documented for clients; never renamed). */
import { AppError } from '../../../platform/errors.ts'

export const invoiceErrors = {
  /** Unknown, another tenant's, or another buyer's (to a caller without ledger:read): one answer for all. */
  invoiceNotFound: (id: string) => new AppError('not_found', 'INVOICE_NOT_FOUND', `Invoice ${id} does not exist`),
  creditNoteNotFound: (id: string) =>
    new AppError('not_found', 'CREDIT_NOTE_NOT_FOUND', `Credit note ${id} does not exist`),
  /** A refund larger than what its invoice has left to credit: a publisher bug, kept for operators (dead letter). */
  creditExceedsInvoice: (number: string, amount: number, remaining: number) =>
    new AppError(
      'conflict',
      'CREDIT_NOTE_EXCEEDS_INVOICE',
      `A credit of ${amount} exceeds the ${remaining} of invoice ${number} not yet credited`,
      { extensions: { amount, remaining } },
    ),
  refundCurrencyMismatch: (number: string, currency: string, invoiced: string) =>
    new AppError(
      'conflict',
      'CREDIT_NOTE_CURRENCY_MISMATCH',
      `A refund in ${currency} cannot credit invoice ${number}, which is in ${invoiced}`,
    ),
  pdfUnavailable: (retryAfter: number) =>
    new AppError(
      'unavailable',
      'PDF_UNAVAILABLE',
      `The document could not be rendered in time; retry in ${retryAfter} s`,
      {
        retryAfter,
      },
    ),
}

/**
 * A refund whose order has no invoice yet (its `order.paid` delivery has not run): the delivery
 * fails and the events platform retries it with backoff, by which time the invoice exists.
 */
export class InvoiceNotYetIssued extends Error {
  constructor(readonly orderId: string) {
    super(`order ${orderId} has no invoice yet; the refund is credited once it has (retried)`)
    this.name = 'InvoiceNotYetIssued'
  }
}
