/**
 * An order is paid only by its provider (ADR 0025), end to end through the sandbox: the signed
 * webhook, its processing job and the order handlers. A capture writes the paid state, the
 * ledger's sale, a purchase grant per course and order.paid, once however often it is told; a
 * decline fails the order, which keeps its coupons, and a later capture still pays it; a capture
 * that does not match the order is held for review; a capture the enrolment rules refuse is
 * recorded, marked for a refund and refunded automatically, once; a forged webhook changes nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf, tenantScope } from '../../../platform/db/database.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import { waitUntil } from '../../../platform/jobs/testing.ts'
import { createMember, type TestMember } from '../../enrolment/testing.ts'
import { saleStatus } from '../ledger/index.ts'
import type { PaymentsApi } from '../payments/payments.module.ts'
import { recordPaymentEvents, type EventRecorder } from '../payments/payments.testing.ts'
import { SANDBOX_SIGNATURE_HEADER, signSandboxPayload } from '../payments/sandbox/sandbox-signature.ts'
import { orderShop, ordersClient, type OrderShop } from './orders.testing.ts'

let t: TestApp
let shop: OrderShop
let api: ReturnType<typeof ordersClient>
let payments: PaymentsApi
let recorder: EventRecorder
beforeAll(async () => {
  t = await buildTestApp({ worker: true, paymentEventRetry: { limit: 3, delaySeconds: 1, maxDelaySeconds: 1 } })
  api = ordersClient(t)
  payments = t.modules.commerce.payments
  // Registered after the order handlers: what it records, they accepted and committed with it.
  recorder = recordPaymentEvents(payments, t.platform.database)
  shop = await orderShop(t)
})
afterAll(async () => t?.close())

interface Placed {
  id: string
  paymentId: string
  total: { amount: number }
  payment: { id: string; status: string }
}

async function place(buyer: TestMember, body: Record<string, unknown>): Promise<Placed> {
  const response = await api.place(buyer.token, { currency: 'EUR', billing: { country: 'DE' }, ...body })
  expect(response.statusCode, response.body).toBe(201)
  return response.json()
}

const orderOf = async (buyer: TestMember, id: string) => (await api.get(buyer.token, id)).json()

const platformRows = <T>(query: ReturnType<typeof sql>) =>
  t.platform.database.transaction(platformScope, (tx) => rowsOf<T>(tx, query))

/** What the order left in the outbox, the grants and the ledger. */
async function effects(tenantId: string, orderId: string) {
  const events = await platformRows<{ type: string; payload: Record<string, unknown> }>(
    sql`SELECT type, payload FROM platform.domain_events
         WHERE payload->>'orderId' = ${orderId} AND type LIKE 'order.%' ORDER BY occurred_at, id`,
  )
  const grants = await platformRows<{ course: string; source: string; revoked: boolean }>(
    sql`SELECT e.course_id::text AS course, g.source, g.revoked_at IS NOT NULL AS revoked
          FROM enrolment.access_grants g JOIN enrolment.enrolments e ON e.id = g.enrolment_id
         WHERE g.source_ref = ${orderId} ORDER BY e.course_id`,
  )
  const sale = await t.platform.database
    .transaction(tenantScope(tenantId), (tx) => saleStatus(tx, tenantId, orderId))
    .catch((error: { code?: string }) => error.code)
  return { events, grants, sale }
}

const secret = () => t.config.payments.sandbox?.webhookSecret ?? ''

function deliver(body: Record<string, unknown>, signingSecret = secret()) {
  const raw = JSON.stringify(body)
  return t.app.inject({
    method: 'POST',
    url: '/v1/webhooks/payments/sandbox',
    headers: {
      'content-type': 'application/json',
      [SANDBOX_SIGNATURE_HEADER]: signSandboxPayload(Buffer.from(raw), signingSecret),
    },
    payload: raw,
  })
}

/** The sandbox's stored event of `type` about the order's payment, as it was delivered. */
async function sandboxEvent(orderId: string, type: string) {
  const [row] = await platformRows<{ body: Record<string, unknown> & { data: { payment: Record<string, unknown> } } }>(
    sql`SELECT body FROM commerce.sandbox_events
         WHERE type = ${type} AND body->'data'->'payment'->'metadata'->>'order_id' = ${orderId}`,
  )
  if (!row) throw new Error(`no sandbox ${type} event of order ${orderId}`)
  return row.body
}

/** A capture of the order's payment as the provider would sign it, with `payment` fields changed. */
async function captureEvent(orderId: string, payment: Record<string, unknown>) {
  const created = await sandboxEvent(orderId, 'payment.created')
  return {
    ...created,
    id: `sbev_${randomBytes(12).toString('hex')}`,
    type: 'payment.captured',
    // A capture states its fee and card country, as the sandbox's own webhook does (ADR 0023, "Capture facts").
    data: { payment: { ...created.data.payment, status: 'succeeded', fee: 0, card_country: null, ...payment } },
  }
}

const paymentIdOf = async (buyer: TestMember, orderId: string) => (await orderOf(buyer, orderId)).paymentId as string

describe('capture pays the order', () => {
  it('marks it paid, posts the sale, grants each course and publishes order.paid, once however often told', async () => {
    const buyer = await createMember(t, shop.id)
    const placed = await place(buyer, {
      productIds: shop.productIds,
      couponCodes: ['WELCOME10'],
      paymentMethod: 'pm_sandbox_visa',
    })
    await recorder.waitFor(placed.paymentId, ['payment.captured'])
    const order = await orderOf(buyer, placed.id)
    expect(order).toMatchObject({ status: 'paid', total: { amount: 6748 }, needsRefund: false, reviewReason: null })
    expect(order.paidAt).toEqual(expect.any(String))
    const done = await effects(shop.id, placed.id)
    expect(done.sale).toMatchObject({ captured: 6748, currency: 'EUR', provider: 'sandbox', refunded: 0 })
    expect(done.grants).toEqual(
      [shop.courseId, order.lines[1].subjectId]
        .sort()
        .map((course: string) => ({ course, source: 'purchase', revoked: false })),
    )
    expect(done.events.map((event) => event.type)).toEqual(['order.created', 'order.paid'])
    expect(done.events[1]?.payload).toEqual({
      orderId: placed.id,
      buyerId: buyer.userId,
      currency: 'EUR',
      subtotal: 6300,
      discountTotal: 630,
      netTotal: 5670,
      taxTotal: 1078,
      total: 6748,
      taxTreatment: 'standard',
      pricesIncludeTax: false,
      billing: { country: 'DE', region: null, vatId: null },
      lines: order.lines.map((line: Record<string, { amount: number } | string | null>) => ({
        productId: line.productId,
        productType: line.productType,
        subjectId: line.subjectId,
        title: line.title,
        listPrice: (line.listPrice as { amount: number }).amount,
        discount: (line.discount as { amount: number }).amount,
        net: (line.net as { amount: number }).amount,
        tax: (line.tax as { amount: number }).amount,
        gross: (line.gross as { amount: number }).amount,
        taxRate: '0.19',
        taxName: 'USt',
      })),
      paymentId: placed.paymentId,
      provider: 'sandbox',
      paidAt: order.paidAt,
    })
    const enrolments = await t.app.inject({ method: 'GET', url: '/v1/me/enrolments', headers: t.auth(buyer.token) })
    expect(enrolments.json().data.map((e: { status: string }) => e.status)).toEqual(['active', 'active'])

    // The same webhook again is a duplicate; the same capture as another event is processed and changes nothing.
    const captured = await sandboxEvent(placed.id, 'payment.captured')
    expect((await deliver(captured)).json()).toMatchObject({ outcome: 'duplicate' })
    const again = await captureEvent(placed.id, { amount_received: 6748 })
    expect((await deliver(again)).json()).toMatchObject({ outcome: 'accepted' })
    await waitUntil(
      'the second capture event processed',
      async () =>
        (
          await platformRows<{ status: string }>(
            sql`SELECT status FROM commerce.payment_webhook_events WHERE provider_event_id = ${again.id}`,
          )
        )[0]?.status === 'processed',
      30_000,
    )
    expect(await effects(shop.id, placed.id)).toEqual(done)
    expect(await orderOf(buyer, placed.id)).toEqual(order)
  })

  it('fails a declined order, which keeps its coupons; a later capture of the same payment pays it', async () => {
    const buyer = await createMember(t, shop.id)
    const placed = await place(buyer, {
      productIds: [shop.productIds[1]],
      couponCodes: ['WELCOME10'],
      paymentMethod: 'pm_sandbox_declined',
    })
    expect(placed.payment.status).toBe('requires_payment_method')
    await recorder.waitFor(placed.paymentId, ['payment.failed'])
    expect((await orderOf(buyer, placed.id)).status).toBe('payment_failed')
    const redemptions = () =>
      platformRows<{ released: boolean }>(
        sql`SELECT released_at IS NOT NULL AS released FROM commerce.coupon_redemptions WHERE order_id = ${placed.id}::uuid`,
      )
    // payment_failed is not final: the redemption stays held (cancel and expiry release it).
    expect(await redemptions()).toEqual([{ released: false }])
    const failed = await effects(shop.id, placed.id)
    expect(failed).toMatchObject({ grants: [], sale: 'LEDGER_CAPTURE_NOT_FOUND' })
    expect(failed.events.map((event) => event.type)).toEqual(['order.created', 'order.payment_failed'])

    // The buyer tries another card on the same payment: the capture wins over the failure.
    const ctx = systemContext(t.platform.database, shop.id, 'capture-test')
    await payments.confirmPayment(ctx, placed.paymentId, { paymentMethod: 'pm_sandbox_visa', idempotencyKey: 'retry' })
    await recorder.waitFor(placed.paymentId, ['payment.captured'])
    expect(await orderOf(buyer, placed.id)).toMatchObject({ status: 'paid', total: { amount: placed.total.amount } })
    expect(await effects(shop.id, placed.id)).toMatchObject({
      sale: { captured: placed.total.amount },
      grants: [{ source: 'purchase', revoked: false }],
    })
    expect(await redemptions()).toEqual([{ released: false }])
  })

  it('holds a capture that does not match the order for review, granting nothing', async () => {
    const buyer = await createMember(t, shop.id)
    const placed = await place(buyer, { productIds: [shop.productIds[0]] })
    const paymentId = await paymentIdOf(buyer, placed.id)
    const short = await captureEvent(placed.id, { amount_received: 1 })
    expect((await deliver(short)).json()).toMatchObject({ outcome: 'accepted' })
    await recorder.waitFor(paymentId, ['payment.captured'])
    const order = await orderOf(buyer, placed.id)
    expect(order).toMatchObject({ status: 'awaiting_payment', paidAt: null })
    expect(order.reviewReason).toMatch(/captured 1, but the order's total is 5355/)
    expect(await effects(shop.id, placed.id)).toMatchObject({ grants: [], sale: 'LEDGER_CAPTURE_NOT_FOUND' })
  })

  it('ignores a forged webhook: 400 and no effect', async () => {
    const buyer = await createMember(t, shop.id)
    const placed = await place(buyer, { productIds: [shop.productIds[0]] })
    const forged = await captureEvent(placed.id, { amount_received: placed.total.amount })
    const response = await deliver(forged, `whsec_${randomUUID().replaceAll('-', '')}`)
    expect([response.statusCode, response.json().code]).toEqual([400, 'WEBHOOK_SIGNATURE_INVALID'])
    const stored = await platformRows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM commerce.payment_webhook_events WHERE provider_event_id = ${forged.id}`,
    )
    expect(stored).toEqual([{ n: 0 }])
    expect(await orderOf(buyer, placed.id)).toMatchObject({ status: 'awaiting_payment', reviewReason: null })
    const after = await effects(shop.id, placed.id)
    expect(after).toMatchObject({ grants: [], sale: 'LEDGER_CAPTURE_NOT_FOUND' })
    expect(after.events.map((event) => event.type)).toEqual(['order.created'])
  })

  it('records a capture the enrolment rules refuse and marks the order for a refund', async () => {
    const own = await orderShop(t)
    const buyer = own.buyer
    const response = await api.place(buyer.token, {
      productIds: [own.productIds[0]],
      currency: 'EUR',
      billing: { country: 'DE' },
    })
    expect(response.statusCode, response.body).toBe(201)
    const placed = response.json() as Placed
    // The school archives the course before the buyer completes the payment.
    const archived = await t.app.inject({
      method: 'POST',
      url: `/v1/courses/${own.courseId}/archive`,
      headers: t.auth(own.instructor.token),
      payload: {},
    })
    expect(archived.statusCode, archived.body).toBe(200)
    const ctx = systemContext(t.platform.database, own.id, 'capture-test')
    await payments.confirmPayment(ctx, placed.paymentId, { paymentMethod: 'pm_sandbox_visa', idempotencyKey: 'pay' })
    await recorder.waitFor(placed.paymentId, ['payment.captured'])
    const order = await orderOf(buyer, placed.id)
    // Paid, or already refunded by the automatic refund the capture scheduled (checked below).
    expect(order).toMatchObject({ status: expect.stringMatching(/^(paid|refunded)$/), needsRefund: true })
    expect(order.paidAt).toEqual(expect.any(String))
    expect(order.admissionRefusal).toMatch(/^COURSE_ARCHIVED/)
    const refused = await effects(own.id, placed.id)
    expect(refused).toMatchObject({ grants: [], sale: { captured: placed.total.amount } })
    expect(refused.events.map((event) => event.type)).toEqual(['order.created', 'order.paid'])

    // The capture scheduled the automatic refund in its transaction: the whole payment goes back once.
    const refunds = () =>
      platformRows<{ origin: string; status: string; amount: number }>(
        sql`SELECT origin, status, amount::int AS amount FROM commerce.order_refunds WHERE order_id = ${placed.id}::uuid`,
      )
    const refunded = await waitUntil(
      'the automatic refund booked',
      async () => {
        const now = await orderOf(buyer, placed.id)
        return now.status === 'refunded' ? now : undefined
      },
      120_000,
    )
    expect(refunded).toMatchObject({ needsRefund: true })
    expect(await refunds()).toEqual([{ origin: 'automatic', status: 'succeeded', amount: placed.total.amount }])
    expect(await effects(own.id, placed.id)).toMatchObject({
      grants: [],
      sale: { captured: placed.total.amount, refunded: placed.total.amount },
    })
  })
})
