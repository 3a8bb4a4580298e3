/**
 * Credit notes from `payment.refunded`, driven through the events API: the split over lines and
 * tax, one credit note per provider refund, never more than the invoice has left (also for two
 * refunds at once), a refund delivered before its invoice retried until the invoice exists, and
 * the refund email.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { EVENTS_DISPATCH_QUEUE } from '../../../platform/events/events.ts'
import { jobsMatching, waitUntil } from '../../../platform/jobs/testing.ts'
import { createLogger } from '../../../platform/observability/logger.ts'
import { createMember } from '../../enrolment/testing.ts'
import { invoicesRepository } from './invoices.repository.ts'
import {
  creditNoteOf,
  inTenant,
  orderPaid,
  paymentRefunded,
  publish,
  waitForCreditNote,
  waitForInvoice,
} from './invoices.testing.ts'
import { issueCreditNote } from './issue-credit-note.ts'
import type { IssuingDeps } from './issue-invoice.ts'
import { ORDER_PAID, PAYMENT_REFUNDED } from './order-events.ts'

let t: TestApp
let deps: IssuingDeps
beforeAll(async () => {
  t = await buildTestApp({ worker: true })
  deps = {
    database: t.platform.database,
    events: t.platform.events,
    notify: t.modules.notifications.notify,
    logger: createLogger('silent'),
  }
})
afterAll(async () => t?.close())

async function paidOrder() {
  const tenant = await t.createTenant()
  const buyer = await createMember(t, tenant.id)
  const order = orderPaid(buyer.userId)
  await publish(t, tenant.id, ORDER_PAID, order)
  const invoice = await waitForInvoice(t, tenant.id, order.orderId)
  return { tenantId: tenant.id, buyer, order, invoice }
}

/** Waits until the event's delivery failed at least once; returns the error it recorded. */
async function failedDelivery(eventId: string): Promise<void> {
  await waitUntil('the delivery to fail', async () =>
    (await jobsMatching(t.platform.database, EVENTS_DISPATCH_QUEUE, { eventId })).some(
      (job) => job.retryCount > 0 || job.state === 'retry',
    ),
  )
}

const creditedLines = (tenantId: string, invoiceId: string) =>
  inTenant(t, tenantId, (tx) => invoicesRepository.creditedLines(tx, invoiceId))

async function outbox(to: string): Promise<Array<{ subject: string; text: string; status: string }>> {
  const response = await t.app.inject({
    method: 'GET',
    url: `/v1/ops/mail?limit=100&to=${encodeURIComponent(to)}`,
    headers: t.auth(t.operatorToken),
  })
  return (response.json() as { data: Array<{ subject: string; text: string; status: string }> }).data
}

describe('credit notes', () => {
  it('credits a partial refund line by line with its tax, mails the buyer, and issues one credit note per refund', async () => {
    const { tenantId, buyer, order, invoice } = await paidOrder()
    const refund = paymentRefunded(order, 5_000)
    await publish(t, tenantId, PAYMENT_REFUNDED, refund)
    const note = await waitForCreditNote(t, tenantId, refund.providerRefundId)
    const year = note.issuedAt.getUTCFullYear()
    // 50.00 of 166.60 over 107.10 and 59.50 (credit-split.test.ts works it through).
    expect(note).toMatchObject({
      number: `CN-${year}-000001`,
      invoiceId: invoice.id,
      total: 5_000,
      netTotal: 4_202,
      taxTotal: 798,
      reason: 'requested_by_customer',
    })
    expect(await inTenant(t, tenantId, (tx) => invoicesRepository.creditNoteLines(tx, note.id))).toMatchObject([
      { position: 1, title: 'Analytical Engines', taxRate: '0.190000', net: 2_702, tax: 513, gross: 3_215 },
      { position: 2, title: 'Difference Engines', taxRate: '0.190000', net: 1_500, tax: 285, gross: 1_785 },
    ])
    const mail = await waitUntil('the refund email', async () =>
      (await outbox(buyer.email)).find(
        (m) => m.subject === `Your refund: credit note ${note.number}` && m.status === 'captured',
      ),
    )
    expect(mail.text).toContain(`refunded €50.00 of invoice ${invoice.number}`)

    // The provider's refund delivered again (a replayed webhook publishes it again): nothing new.
    const again = await publish(t, tenantId, PAYMENT_REFUNDED, refund)
    await waitUntil('the replay to be delivered', async () =>
      (await jobsMatching(t.platform.database, EVENTS_DISPATCH_QUEUE, { eventId: again })).every(
        (job) => job.state === 'completed',
      ),
    )
    expect(await inTenant(t, tenantId, (tx) => invoicesRepository.creditNotesOf(tx, invoice.id))).toHaveLength(1)
    const second = paymentRefunded(order, 100)
    await publish(t, tenantId, PAYMENT_REFUNDED, second)
    expect((await waitForCreditNote(t, tenantId, second.providerRefundId)).number).toBe(`CN-${year}-000002`)
  })

  it('never credits more than the invoice has left: too much is refused and retried, the rest credits every line exactly', async () => {
    const { tenantId, order, invoice } = await paidOrder()
    await publish(t, tenantId, PAYMENT_REFUNDED, paymentRefunded(order, 10_000))
    const tooMuch = paymentRefunded(order, 6_661)
    await failedDelivery(await publish(t, tenantId, PAYMENT_REFUNDED, tooMuch))
    const otherCurrency = paymentRefunded(order, 1, { currency: 'USD' })
    await failedDelivery(await publish(t, tenantId, PAYMENT_REFUNDED, otherCurrency))
    expect(await creditNoteOf(t, tenantId, tooMuch.providerRefundId)).toBeUndefined()
    expect(await creditNoteOf(t, tenantId, otherCurrency.providerRefundId)).toBeUndefined()

    const rest = paymentRefunded(order, 6_660)
    await publish(t, tenantId, PAYMENT_REFUNDED, rest)
    await waitForCreditNote(t, tenantId, rest.providerRefundId)
    const lines = await creditedLines(tenantId, invoice.id)
    expect(lines.map((line) => [line.creditedNet, line.creditedTax])).toEqual(lines.map((line) => [line.net, line.tax]))
  })

  it('lets only one of two refunds issued at once take the same remainder', async () => {
    const { tenantId, order, invoice } = await paidOrder()
    const attempts = [paymentRefunded(order, 10_000), paymentRefunded(order, 10_000)]
    const outcomes = await Promise.allSettled(
      attempts.map((refund) => inTenant(t, tenantId, (tx) => issueCreditNote(tx, deps, tenantId, refund, 'test'))),
    )
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected'])
    const refused = outcomes.find((outcome) => outcome.status === 'rejected')
    expect((refused as PromiseRejectedResult).reason).toMatchObject({ code: 'CREDIT_NOTE_EXCEEDS_INVOICE' })
    const notes = await inTenant(t, tenantId, (tx) => invoicesRepository.creditNotesOf(tx, invoice.id))
    expect(notes.map((note) => [note.total, note.sequence])).toEqual([[10_000, 1]])
  })

  it('retries a refund delivered before its invoice, and credits it once the invoice is issued', async () => {
    const tenant = await t.createTenant()
    const buyer = await createMember(t, tenant.id)
    const order = orderPaid(buyer.userId)
    const refund = paymentRefunded(order, order.total, { reason: null })
    await failedDelivery(await publish(t, tenant.id, PAYMENT_REFUNDED, refund))
    expect(await creditNoteOf(t, tenant.id, refund.providerRefundId)).toBeUndefined()

    await publish(t, tenant.id, ORDER_PAID, order)
    const invoice = await waitForInvoice(t, tenant.id, order.orderId)
    const note = await waitForCreditNote(t, tenant.id, refund.providerRefundId)
    expect(note).toMatchObject({ invoiceId: invoice.id, total: order.total, taxTotal: order.taxTotal, sequence: 1 })
  })
})
