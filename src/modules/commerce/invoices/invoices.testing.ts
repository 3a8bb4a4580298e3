/**
 * Test helpers of invoices: coherent `order.paid` and `payment.refunded` payloads, publishing
 * them through the events API in a tenant transaction (as the orders code will), and waiting for
 * what the subscribers issue.
 */
import { randomUUID } from 'node:crypto'
import type { TestApp } from '../../../../test/build-test-app.ts'
import { tenantScope, type Tx } from '../../../platform/db/database.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import { waitUntil } from '../../../platform/jobs/testing.ts'
import { invoicesRepository, type CreditNoteRow, type InvoiceRow } from './invoices.repository.ts'
import type {
  ORDER_PAID,
  PAYMENT_REFUNDED,
  OrderPaidLine,
  OrderPaidPayload,
  PaymentRefundedPayload,
} from './order-events.ts'

export const inTenant = <T>(t: TestApp, tenantId: string, work: (tx: Tx) => Promise<T>) =>
  t.platform.database.transaction(tenantScope(tenantId), work)

/** A line taxed exclusively at `rate` (a decimal string of two places at most, for simple arithmetic). */
export function taxedLine(title: string, listPrice: number, discount = 0, rate: string | null = '0.19'): OrderPaidLine {
  const net = listPrice - discount
  const percent = rate === null ? 0 : Math.round(Number(rate) * 100)
  const tax = Math.round((net * percent) / 100)
  return {
    productId: randomUUID(),
    productType: 'course',
    subjectId: randomUUID(),
    title,
    listPrice,
    discount,
    net,
    tax,
    gross: net + tax,
    taxRate: rate,
    taxName: rate === null ? null : 'USt',
  }
}

/** An `order.paid` payload whose totals are the sums of its lines (default: two EUR lines at 19 %). */
export function orderPaid(
  buyerId: string,
  overrides: Partial<Omit<OrderPaidPayload, 'lines'>> & { lines?: OrderPaidLine[] } = {},
): OrderPaidPayload {
  const lines = overrides.lines ?? [
    taxedLine('Analytical Engines', 10_000, 1_000),
    taxedLine('Difference Engines', 5_000),
  ]
  const sum = (pick: (line: OrderPaidLine) => number) => lines.reduce((total, line) => total + pick(line), 0)
  return {
    orderId: randomUUID(),
    buyerId,
    currency: 'EUR',
    subtotal: sum((line) => line.listPrice),
    discountTotal: sum((line) => line.discount),
    netTotal: sum((line) => line.net),
    taxTotal: sum((line) => line.tax),
    total: sum((line) => line.gross),
    taxTreatment: 'standard',
    pricesIncludeTax: false,
    billing: { country: 'DE', region: null, vatId: null },
    paymentId: randomUUID(),
    provider: 'sandbox',
    paidAt: '2026-12-08T10:00:00.000Z',
    ...overrides,
    lines,
  }
}

export function paymentRefunded(
  order: OrderPaidPayload,
  amount: number,
  overrides: Partial<PaymentRefundedPayload> = {},
): PaymentRefundedPayload {
  // A refund exists only for an order a payment paid.
  if (order.paymentId === null) throw new Error('an order that cost nothing has no payment to refund')
  return {
    orderId: order.orderId,
    paymentId: order.paymentId,
    providerRefundId: `sbrf_${randomUUID()}`,
    amount,
    currency: order.currency,
    refundedTotal: amount,
    fullyRefunded: amount === order.total,
    reason: 'requested_by_customer',
    refundedAt: '2026-12-09T10:00:00.000Z',
    ...overrides,
  }
}

/** Publishes an event in its own tenant transaction, as the orders code does in its capture or refund; returns its id. */
export function publish(
  t: TestApp,
  tenantId: string,
  type: typeof ORDER_PAID | typeof PAYMENT_REFUNDED,
  payload: OrderPaidPayload | PaymentRefundedPayload,
): Promise<string> {
  return inTenant(t, tenantId, (tx) =>
    t.platform.events.publish(tx, systemContext(t.platform.database, tenantId, 'test-orders'), {
      type,
      payload: { ...payload },
    }),
  )
}

export const invoiceOf = (t: TestApp, tenantId: string, orderId: string) =>
  inTenant(t, tenantId, (tx) => invoicesRepository.invoiceByOrder(tx, orderId))

export const creditNoteOf = (t: TestApp, tenantId: string, providerRefundId: string) =>
  inTenant(t, tenantId, (tx) => invoicesRepository.creditNoteByRefund(tx, providerRefundId))

/** The order's invoice once the worker issued it (the app must work jobs). */
export function waitForInvoice(t: TestApp, tenantId: string, orderId: string): Promise<InvoiceRow> {
  return waitUntil(`the invoice of order ${orderId}`, () => invoiceOf(t, tenantId, orderId), 60_000)
}

export function waitForCreditNote(t: TestApp, tenantId: string, providerRefundId: string): Promise<CreditNoteRow> {
  return waitUntil(
    `the credit note of refund ${providerRefundId}`,
    () => creditNoteOf(t, tenantId, providerRefundId),
    90_000,
  )
}
