/**
 * Invoices and credit notes inside the commerce module (ADR 0026; docs/commerce.md, "Invoices
 * and credit notes"). An invoice is issued when `order.paid` is delivered, a credit note when
 * `payment.refunded` is, each in the delivery's transaction with its gap-free number, its event
 * and the buyer's notification; the routes read them and render their PDFs from the stored rows.
 * Orders import the event contract from here (order-events.ts).
 */
import type { Logger } from 'pino'
import type { Database } from '../../../platform/db/database.ts'
import type { Events } from '../../../platform/events/events.ts'
import type { Metrics } from '../../../platform/observability/metrics.ts'
import { createPdfRenderer } from './invoice-pdf.ts'
import { createInvoicesRoutes } from './invoices.routes.ts'
import { createInvoicesService } from './invoices.service.ts'
import { issueCreditNote } from './issue-credit-note.ts'
import { issueInvoice } from './issue-invoice.ts'
import type { InvoiceNotifier } from './invoices.notifications.ts'
import { ORDER_PAID, parseOrderPaid, parsePaymentRefunded, PAYMENT_REFUNDED } from './order-events.ts'

export {
  ORDER_PAID,
  PAYMENT_REFUNDED,
  MAX_ORDER_LINES,
  InvalidEventPayload,
  parseOrderPaid,
  parsePaymentRefunded,
  type OrderPaidLine,
  type OrderPaidPayload,
  type PaymentRefundedPayload,
} from './order-events.ts'
export {
  INVOICE_ISSUED,
  CREDIT_NOTE_ISSUED,
  type InvoiceIssuedPayload,
  type CreditNoteIssuedPayload,
} from './invoice-events.ts'
export { REVERSE_CHARGE_NOTE } from './issue-invoice.ts'
export type { InvoiceNotifier } from './invoices.notifications.ts'

/** The subscribers' names (their delivery rows in platform.event_deliveries). */
export const ISSUE_INVOICE = 'commerce.issue_invoice'
export const ISSUE_CREDIT_NOTE = 'commerce.issue_credit_note'

export interface InvoicesDeps {
  database: Database
  events: Events
  /** The notification center's notify (app.ts wires it; commerce never imports notifications). */
  notify: InvoiceNotifier
  logger: Logger
  metrics?: Metrics
}

export function createInvoices(deps: InvoicesDeps) {
  const logger = deps.logger.child({ component: 'invoices' })
  const issuing = { database: deps.database, events: deps.events, notify: deps.notify, logger }
  deps.events.subscribe(ORDER_PAID, ISSUE_INVOICE, async (event, tx) => {
    if (!event.tenantId) throw new Error(`${ORDER_PAID} event ${event.id} has no tenant`)
    await issueInvoice(tx, issuing, event.tenantId, parseOrderPaid(event.payload), event.requestId ?? event.id)
  })
  deps.events.subscribe(PAYMENT_REFUNDED, ISSUE_CREDIT_NOTE, async (event, tx) => {
    if (!event.tenantId) throw new Error(`${PAYMENT_REFUNDED} event ${event.id} has no tenant`)
    await issueCreditNote(tx, issuing, event.tenantId, parsePaymentRefunded(event.payload), event.requestId ?? event.id)
  })
  const pdf = createPdfRenderer({ logger, ...(deps.metrics ? { metrics: deps.metrics } : {}) })
  return {
    routes: createInvoicesRoutes(createInvoicesService({ pdf })),
    /** Ends the PDF worker thread (after the HTTP server drained). */
    close: () => pdf.close(),
  }
}
