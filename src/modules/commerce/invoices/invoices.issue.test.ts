/**
 * Issuing invoices from `order.paid`, driven through the events API as the orders code publishes
 * it: the document and its snapshots, gap-free numbers under concurrency and after a rollback,
 * idempotent redelivery, the `invoice.issued` event and the receipt email (captured outbox),
 * and a payload that contradicts itself issuing nothing.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../../platform/db/database.ts'
import { EVENTS_DISPATCH_QUEUE } from '../../../platform/events/events.ts'
import { jobsMatching, waitUntil } from '../../../platform/jobs/testing.ts'
import { createLogger } from '../../../platform/observability/logger.ts'
import { createMember } from '../../enrolment/testing.ts'
import { INVOICE_ISSUED } from './invoice-events.ts'
import { inTenant, invoiceOf, orderPaid, publish, taxedLine, waitForInvoice } from './invoices.testing.ts'
import { issueInvoice, REVERSE_CHARGE_NOTE, type IssuingDeps } from './issue-invoice.ts'
import { ORDER_PAID } from './order-events.ts'

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

interface OutboxMail {
  subject: string
  text: string
  status: string
  messageKey: string
}

async function outbox(to: string): Promise<OutboxMail[]> {
  const response = await t.app.inject({
    method: 'GET',
    url: `/v1/ops/mail?limit=100&to=${encodeURIComponent(to)}`,
    headers: t.auth(t.operatorToken),
  })
  expect(response.statusCode).toBe(200)
  return (response.json() as { data: OutboxMail[] }).data
}

async function sellingTenant() {
  const tenant = await t.createTenant({ defaultLocale: 'de-DE' })
  const admin = await t.tokenFor(tenant.id, ['tenant_admin'])
  const profile = await t.app.inject({
    method: 'PUT',
    url: '/v1/commerce/tax/profile',
    headers: { ...t.auth(admin), 'if-match': '"v0"' },
    payload: {
      sellerLegalName: 'Lyceum Lernwerk GmbH',
      sellerCountry: 'DE',
      sellerTaxId: 'DE123456789',
      sellerAddress: ['Lindenstraße 7', '10969 Berlin'],
      reverseChargeB2B: true,
    },
  })
  expect(profile.statusCode, profile.body).toBe(200)
  return { tenantId: tenant.id, buyer: await createMember(t, tenant.id) }
}

const sequences = (tenantId: string) =>
  inTenant(t, tenantId, (tx) =>
    rowsOf<{ sequence: number; number: string }>(
      tx,
      sql`SELECT sequence::int AS sequence, number FROM commerce.invoices ORDER BY sequence`,
    ),
  )

const issuedEvents = (tenantId: string) =>
  t.platform.database.transaction(platformScope, (tx) =>
    rowsOf<{ payload: Record<string, unknown> }>(
      tx,
      sql`SELECT payload FROM platform.domain_events WHERE tenant_id = ${tenantId} AND type = ${INVOICE_ISSUED} ORDER BY occurred_at`,
    ),
  )

describe('an invoice per paid order', () => {
  it('issues the invoice with its snapshots, publishes invoice.issued and mails the receipt once, however often order.paid arrives', async () => {
    const { tenantId, buyer } = await sellingTenant()
    const order = orderPaid(buyer.userId)
    const eventId = await publish(t, tenantId, ORDER_PAID, order)
    const invoice = await waitForInvoice(t, tenantId, order.orderId)

    const year = invoice.issuedAt.getUTCFullYear()
    expect(invoice).toMatchObject({
      number: `INV-${year}-000001`,
      sequence: 1,
      buyerId: buyer.userId,
      currency: 'EUR',
      subtotal: 15_000,
      discountTotal: 1_000,
      netTotal: 14_000,
      taxTotal: 2_660,
      total: 16_660,
      taxTreatment: 'standard',
      reverseChargeNote: null,
      locale: 'de-DE',
      paymentId: order.paymentId,
      seller: {
        legalName: 'Lyceum Lernwerk GmbH',
        country: 'DE',
        taxId: 'DE123456789',
        address: ['Lindenstraße 7', '10969 Berlin'],
      },
      buyer: { userId: buyer.userId, name: null, email: buyer.email, country: 'DE', region: null, vatId: null },
    })
    expect(await issuedEvents(tenantId)).toEqual([
      {
        payload: {
          invoiceId: invoice.id,
          number: invoice.number,
          orderId: order.orderId,
          buyerId: buyer.userId,
          total: 16_660,
          currency: 'EUR',
          issuedAt: invoice.issuedAt.toISOString(),
        },
      },
    ])
    const receipt = await waitUntil('the receipt to be captured', async () =>
      (await outbox(buyer.email)).find(
        (mail) => mail.subject === `Ihre Quittung: Rechnung ${invoice.number}` && mail.status === 'captured',
      ),
    )
    // The tenant's language (the buyer chose none), and German amounts: a comma and a no-break
    // space before the euro sign; the payment day in the tenant's zone (UTC).
    expect(receipt.text).toContain('Zahlung von 166,60\u00a0€ am Dienstag, 8. Dezember 2026')
    expect(receipt.text).toContain('Analytical Engines: 107,10\u00a0€')
    expect(receipt.text).toContain('Darin enthaltene Steuer: 26,60\u00a0€')
    expect(receipt.text).toContain(`Die Rechnung ${invoice.number} finden Sie in Ihrem Konto`)

    // The same event dispatched again, and a second order.paid for the same order: nothing new.
    await t.platform.jobs.send(undefined, EVENTS_DISPATCH_QUEUE, { eventId, tenantId })
    const secondEventId = await publish(t, tenantId, ORDER_PAID, order)
    await waitUntil('the redeliveries to finish', async () => {
      const jobs = [
        ...(await jobsMatching(t.platform.database, EVENTS_DISPATCH_QUEUE, { eventId })),
        ...(await jobsMatching(t.platform.database, EVENTS_DISPATCH_QUEUE, { eventId: secondEventId })),
      ]
      return jobs.length === 3 && jobs.every((job) => job.state === 'completed')
    })
    expect(await sequences(tenantId)).toEqual([{ sequence: 1, number: invoice.number }])
    expect(await issuedEvents(tenantId)).toHaveLength(1)
    expect((await outbox(buyer.email)).filter((mail) => mail.subject.startsWith('Ihre Quittung'))).toHaveLength(1)
    // The next order takes the next number: the redeliveries drew none.
    const next = orderPaid(buyer.userId)
    await publish(t, tenantId, ORDER_PAID, next)
    expect((await waitForInvoice(t, tenantId, next.orderId)).number).toBe(`INV-${year}-000002`)
  })

  it('names the tenant as seller without a tax profile and states the reverse charge', async () => {
    const tenant = await t.createTenant({ name: 'Akademie Nord' })
    const buyer = await createMember(t, tenant.id)
    const order = orderPaid(buyer.userId, {
      taxTreatment: 'reverse-charge',
      billing: { country: 'FR', region: null, vatId: 'FR40303265045' },
      lines: [taxedLine('Analytical Engines', 8_403, 0, null)],
    })
    await publish(t, tenant.id, ORDER_PAID, order)
    const invoice = await waitForInvoice(t, tenant.id, order.orderId)
    expect(invoice).toMatchObject({
      seller: { legalName: 'Akademie Nord', country: null, taxId: null, address: [] },
      buyer: { country: 'FR', vatId: 'FR40303265045' },
      taxTreatment: 'reverse-charge',
      taxTotal: 0,
      total: 8_403,
      reverseChargeNote: REVERSE_CHARGE_NOTE,
      locale: 'en',
    })
  })

  it('issues nothing from a payload that contradicts itself: the delivery fails and is retried, no number is drawn', async () => {
    const { tenantId, buyer } = await sellingTenant()
    const bad = { ...orderPaid(buyer.userId), total: 1 }
    const eventId = await publish(t, tenantId, ORDER_PAID, bad)
    const [failed] = await waitUntil('the delivery to fail', async () => {
      const jobs = await jobsMatching(t.platform.database, EVENTS_DISPATCH_QUEUE, { eventId })
      return jobs.some((job) => job.retryCount > 0 || job.state === 'retry') && jobs
    })
    expect(failed).toBeDefined()
    expect(await invoiceOf(t, tenantId, bad.orderId)).toBeUndefined()
    const good = orderPaid(buyer.userId)
    await publish(t, tenantId, ORDER_PAID, good)
    expect((await waitForInvoice(t, tenantId, good.orderId)).sequence).toBe(1)
  })
})

describe('gap-free numbering', () => {
  it('numbers ten orders paid at once 1 to 10, concurrent issues 11 to 20, and a rolled-back issue leaves no gap', async () => {
    const { tenantId, buyer } = await sellingTenant()
    const orders = Array.from({ length: 10 }, () => orderPaid(buyer.userId))
    await Promise.all(orders.map((order) => publish(t, tenantId, ORDER_PAID, order)))
    await Promise.all(orders.map((order) => waitForInvoice(t, tenantId, order.orderId)))
    const year = new Date().getUTCFullYear()
    expect((await sequences(tenantId)).map((row) => row.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])

    // Ten issuing transactions at once (on PostgreSQL really concurrent: they queue on the counter row).
    const direct = Array.from({ length: 10 }, () => orderPaid(buyer.userId))
    const issued = await Promise.all(
      direct.map((order) =>
        inTenant(t, tenantId, (tx) => issueInvoice(tx, deps, tenantId, order, `test-${randomUUID()}`)),
      ),
    )
    expect(issued.map((result) => result.document.sequence).sort((a, b) => a - b)).toEqual([
      11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
    ])
    // Numbers follow the order of issue.
    const byNumber = [...issued].sort((a, b) => a.document.sequence - b.document.sequence)
    for (let i = 1; i < byNumber.length; i++)
      expect(byNumber[i]!.document.issuedAt.getTime()).toBeGreaterThanOrEqual(
        byNumber[i - 1]!.document.issuedAt.getTime(),
      )

    // An issue whose transaction rolls back returns its number.
    const rolledBack = orderPaid(buyer.userId)
    let drawn = 0
    await expect(
      inTenant(t, tenantId, async (tx) => {
        drawn = (await issueInvoice(tx, deps, tenantId, rolledBack, 'test-rollback')).document.sequence
        throw new Error('the capture failed after the invoice was issued')
      }),
    ).rejects.toThrow('the capture failed')
    expect(drawn).toBe(21)
    expect(await invoiceOf(t, tenantId, rolledBack.orderId)).toBeUndefined()
    const after = orderPaid(buyer.userId)
    const next = await inTenant(t, tenantId, (tx) => issueInvoice(tx, deps, tenantId, after, 'test-after'))
    expect(next.document).toMatchObject({ sequence: 21, number: `INV-${year}-000021` })
    expect((await sequences(tenantId)).map((row) => row.sequence)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1))
  })

  it('keeps each tenant its own series', async () => {
    const a = await sellingTenant()
    const b = await sellingTenant()
    const first = await inTenant(t, a.tenantId, (tx) =>
      issueInvoice(tx, deps, a.tenantId, orderPaid(a.buyer.userId), 'a'),
    )
    const second = await inTenant(t, b.tenantId, (tx) =>
      issueInvoice(tx, deps, b.tenantId, orderPaid(b.buyer.userId), 'b'),
    )
    expect([first.document.sequence, second.document.sequence]).toEqual([1, 1])
  })
})
