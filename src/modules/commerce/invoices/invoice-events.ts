/**
 * The events invoices publish, in the issuing transaction (so they exist exactly when the
 * document does). Amounts are integer minor units of `currency`; instants RFC 3339 UTC.
 */
export const INVOICE_ISSUED = 'invoice.issued'
export const CREDIT_NOTE_ISSUED = 'credit_note.issued'

export interface InvoiceIssuedPayload {
  [key: string]: unknown
  invoiceId: string
  number: string
  orderId: string
  buyerId: string
  total: number
  currency: string
  issuedAt: string
}

export interface CreditNoteIssuedPayload {
  [key: string]: unknown
  creditNoteId: string
  number: string
  invoiceId: string
  orderId: string
  buyerId: string
  providerRefundId: string
  total: number
  currency: string
  issuedAt: string
}
