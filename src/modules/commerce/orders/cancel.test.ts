/**
 * Unpaid orders end, and coupons are counted right, end to end through the sandbox: a failed
 * payment keeps the order's coupon (the buyer may retry, and a retried capture counts once); the
 * buyer's cancel (POST /v1/orders/{id}/cancel) cancels the payment at the provider, ends the
 * order and frees its coupon for others; staff holding orders:refund cancel any order, audited;
 * a paid order is 409 and someone else's 404; expiry cancels orders unpaid past the window and
 * leaves fresh ones.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../../platform/db/database.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import { createMember, type TestMember } from '../../enrolment/testing.ts'
import { couponsClient } from '../coupons/coupons.testing.ts'
import type { PaymentsApi } from '../payments/payments.module.ts'
import { recordPaymentEvents, storedPayment, type EventRecorder } from '../payments/payments.testing.ts'
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
  recorder = recordPaymentEvents(payments, t.platform.database)
  shop = await orderShop(t)
})
afterAll(async () => t?.close())

interface Placed {
  id: string
  paymentId: string
  status: string
  payment: { id: string; status: string }
}

const cancel = (token: string, orderId: string) =>
  t.app.inject({ method: 'POST', url: `/v1/orders/${orderId}/cancel`, headers: t.auth(token) })

const problem = (response: { statusCode: number; json(): Record<string, unknown> }) => [
  response.statusCode,
  response.json().code,
]

/** A coupon of 20 % off that `maxRedemptions` orders may hold in all. */
async function limitedCoupon(maxRedemptions = 1): Promise<string> {
  const code = `ONCE${randomUUID().slice(0, 8).toUpperCase()}`
  const created = await couponsClient(t).create(shop.admin, { code, kind: 'percent', percentOff: '20', maxRedemptions })
  expect(created.statusCode, created.body).toBe(201)
  return code
}

function placing(buyer: TestMember, code: string | null, paymentMethod?: string) {
  return api.place(buyer.token, {
    productIds: [shop.productIds[0]],
    currency: 'EUR',
    billing: { country: 'DE' },
    ...(code ? { couponCodes: [code] } : {}),
    ...(paymentMethod ? { paymentMethod } : {}),
  })
}

async function place(buyer: TestMember, code: string | null, paymentMethod?: string): Promise<Placed> {
  const response = await placing(buyer, code, paymentMethod)
  expect(response.statusCode, response.body).toBe(201)
  return response.json()
}

const platformRows = <T>(query: ReturnType<typeof sql>) =>
  t.platform.database.transaction(platformScope, (tx) => rowsOf<T>(tx, query))

/** The coupon's redemptions that count (not released), by order. */
const heldBy = async (code: string) =>
  (
    await platformRows<{ order: string }>(
      sql`SELECT r.order_id::text AS order FROM commerce.coupon_redemptions r
            JOIN commerce.coupons c ON c.id = r.coupon_id
           WHERE c.code = ${code} AND c.tenant_id = ${shop.id}::uuid AND r.released_at IS NULL`,
    )
  ).map((row) => row.order)

const orderEvents = (orderId: string) =>
  platformRows<{ type: string; payload: Record<string, unknown> }>(
    sql`SELECT type, payload FROM platform.domain_events
         WHERE payload->>'orderId' = ${orderId} AND type LIKE 'order.%' ORDER BY occurred_at, id`,
  )

const statusOf = async (buyer: TestMember, orderId: string) => (await api.get(buyer.token, orderId)).json().status

describe('a failed payment keeps the coupon', () => {
  it('holds a 1-use coupon across fail → retry → capture, and counts it once', async () => {
    const code = await limitedCoupon(1)
    const a = await createMember(t, shop.id)
    const placed = await place(a, code, 'pm_sandbox_declined')
    await recorder.waitFor(placed.paymentId, ['payment.failed'])
    expect(await statusOf(a, placed.id)).toBe('payment_failed')
    expect(await heldBy(code)).toEqual([placed.id])

    // Another buyer is refused the coupon while the failed order still holds it.
    const b = await createMember(t, shop.id)
    expect(problem(await placing(b, code, 'pm_sandbox_visa'))).toEqual([422, 'COUPON_EXHAUSTED'])

    // The first buyer tries another card on the same payment: paid, with the coupon, counted once.
    const ctx = systemContext(t.platform.database, shop.id, 'cancel-test')
    await payments.confirmPayment(ctx, placed.paymentId, { paymentMethod: 'pm_sandbox_visa', idempotencyKey: 'retry' })
    await recorder.waitFor(placed.paymentId, ['payment.captured'])
    const paid = (await api.get(a.token, placed.id)).json()
    expect(paid).toMatchObject({ status: 'paid', couponCodes: [code], discountTotal: { amount: 900 } })
    expect(await heldBy(code)).toEqual([placed.id])
    expect(problem(await placing(b, code, 'pm_sandbox_visa'))).toEqual([422, 'COUPON_EXHAUSTED'])
  })
})

describe('the buyer cancels an unpaid order', () => {
  it('cancels the payment at the provider, ends the order and frees its coupon for another buyer', async () => {
    const code = await limitedCoupon(1)
    const a = await createMember(t, shop.id)
    const placed = await place(a, code)
    expect(placed).toMatchObject({ status: 'awaiting_payment', payment: { status: 'requires_payment_method' } })
    const b = await createMember(t, shop.id)
    expect(problem(await placing(b, code))).toEqual([422, 'COUPON_EXHAUSTED'])

    const canceled = await cancel(a.token, placed.id)
    expect(canceled.statusCode, canceled.body).toBe(200)
    expect(canceled.json()).toMatchObject({ id: placed.id, status: 'canceled', paidAt: null, couponCodes: [code] })
    expect((await storedPayment(t.platform.database, placed.paymentId))?.status).toBe('canceled')
    expect(await heldBy(code)).toEqual([])
    const events = await orderEvents(placed.id)
    expect(events.map((event) => event.type)).toEqual(['order.created', 'order.canceled'])
    expect(events[1]?.payload).toMatchObject({
      orderId: placed.id,
      buyerId: a.userId,
      paymentId: placed.paymentId,
      reason: 'requested',
      canceledBy: `user:${a.userId}`,
      previousStatus: 'awaiting_payment',
      couponCodes: [code],
    })

    // Again: the order as it is, nothing more happens.
    const again = await cancel(a.token, placed.id)
    expect([again.statusCode, again.json().status]).toEqual([200, 'canceled'])
    expect(await orderEvents(placed.id)).toHaveLength(2)

    // The coupon is free: the other buyer takes it; the canceled payment can no longer be paid.
    const other = await place(b, code)
    expect(await heldBy(code)).toEqual([other.id])
    const ctx = systemContext(t.platform.database, shop.id, 'cancel-test')
    await expect(
      payments.confirmPayment(ctx, placed.paymentId, { paymentMethod: 'pm_sandbox_visa', idempotencyKey: 'late' }),
    ).rejects.toMatchObject({ status: 422, code: 'PAYMENT_PROVIDER_REJECTED' })
  })

  it('cancels a failed order too', async () => {
    const buyer = await createMember(t, shop.id)
    const placed = await place(buyer, 'WELCOME10', 'pm_sandbox_insufficient_funds')
    await recorder.waitFor(placed.paymentId, ['payment.failed'])
    const canceled = await cancel(buyer.token, placed.id)
    expect([canceled.statusCode, canceled.json().status]).toEqual([200, 'canceled'])
    const [, , event] = await orderEvents(placed.id)
    expect(event).toMatchObject({ type: 'order.canceled', payload: { previousStatus: 'payment_failed' } })
  })

  it('refuses a paid order with 409 ORDER_NOT_CANCELABLE, and changes nothing', async () => {
    const buyer = await createMember(t, shop.id)
    const placed = await place(buyer, null, 'pm_sandbox_visa')
    await recorder.waitFor(placed.paymentId, ['payment.captured'])
    expect(await statusOf(buyer, placed.id)).toBe('paid')
    const refused = await cancel(buyer.token, placed.id)
    expect(problem(refused)).toEqual([409, 'ORDER_NOT_CANCELABLE'])
    expect(refused.json()).toMatchObject({ status: 409, orderId: placed.id })
    expect(await statusOf(buyer, placed.id)).toBe('paid')
    expect((await storedPayment(t.platform.database, placed.paymentId))?.status).toBe('succeeded')
  })

  it('is 404 for someone else’s, unknown or another tenant’s order; staff with orders:refund cancel, audited', async () => {
    const buyer = await createMember(t, shop.id)
    const placed = await place(buyer, null)
    const stranger = await createMember(t, shop.id)
    expect(problem(await cancel(stranger.token, placed.id))).toEqual([404, 'ORDER_NOT_FOUND'])
    expect(problem(await cancel(buyer.token, randomUUID()))).toEqual([404, 'ORDER_NOT_FOUND'])
    const elsewhere = await t.createTenant()
    const outsider = await t.tokenFor(elsewhere.id, ['tenant_admin'])
    expect(problem(await cancel(outsider, placed.id))).toEqual([404, 'ORDER_NOT_FOUND'])
    expect(await statusOf(buyer, placed.id)).toBe('awaiting_payment')

    const finance = await createMember(t, shop.id, ['finance'])
    const canceled = await cancel(finance.token, placed.id)
    expect([canceled.statusCode, canceled.json().status]).toEqual([200, 'canceled'])
    const [, event] = await orderEvents(placed.id)
    expect(event?.payload).toMatchObject({ reason: 'requested', canceledBy: `user:${finance.userId}` })
    const audit = await t.app.inject({
      method: 'GET',
      url: `/v1/audit-events?action=commerce.order_canceled&targetId=${placed.id}`,
      headers: t.auth(shop.admin),
    })
    expect(audit.json().data).toMatchObject([
      { action: 'commerce.order_canceled', targetType: 'order', targetId: placed.id, actorId: finance.userId },
    ])
  })
})

describe('expiry', () => {
  it('cancels orders unpaid past the window, through the same path, and leaves fresh ones', async () => {
    const code = await limitedCoupon(2)
    const staleBuyer = await createMember(t, shop.id)
    const stale = await place(staleBuyer, code)
    const failedBuyer = await createMember(t, shop.id)
    const failed = await place(failedBuyer, null, 'pm_sandbox_declined')
    await recorder.waitFor(failed.paymentId, ['payment.failed'])
    const freshBuyer = await createMember(t, shop.id)
    const fresh = await place(freshBuyer, code)
    // The window ends between the stale orders and the fresh one (placed later): at the fresh one's millisecond.
    const epochMs = async (orderId: string) => {
      const [row] = await platformRows<{ ms: number }>(
        sql`SELECT floor(extract(epoch FROM created_at) * 1000)::float8 AS ms FROM commerce.orders WHERE id = ${orderId}::uuid`,
      )
      return Number(row?.ms)
    }
    const freshMs = await epochMs(fresh.id)
    expect(await epochMs(failed.id)).toBeLessThan(freshMs)
    const windowMs = 3_600_000
    const expire = () => t.modules.commerce.expireUnpaidOrders({ now: new Date(freshMs + windowMs), windowMs })

    // The stale order's buyer canceled and the provider did, but the request died before the
    // order changed: expiry (another reason, so another provider request) finishes it.
    const ctx = systemContext(t.platform.database, shop.id, 'cancel-test')
    await payments.cancelPayment(ctx, stale.paymentId, {
      reason: 'requested_by_customer',
      idempotencyKey: `order-cancel:${stale.id}:requested_by_customer`,
    })
    expect(await statusOf(staleBuyer, stale.id)).toBe('awaiting_payment')

    const outcome = await expire()
    expect(outcome.canceled).toBeGreaterThanOrEqual(2)
    expect(await statusOf(staleBuyer, stale.id)).toBe('canceled')
    expect(await statusOf(failedBuyer, failed.id)).toBe('canceled')
    expect(await statusOf(freshBuyer, fresh.id)).toBe('awaiting_payment')
    expect((await storedPayment(t.platform.database, stale.paymentId))?.status).toBe('canceled')
    expect((await storedPayment(t.platform.database, fresh.paymentId))?.status).toBe('requires_payment_method')
    expect(await heldBy(code)).toEqual([fresh.id])
    const [, event] = await orderEvents(stale.id)
    expect(event?.payload).toMatchObject({ reason: 'expired', canceledBy: null, previousStatus: 'awaiting_payment' })

    // Idempotent: nothing is left to expire before the window, and the canceled stay canceled once.
    expect(await expire()).toEqual({ canceled: 0, kept: 0 })
    expect((await orderEvents(stale.id)).map((row) => row.type)).toEqual(['order.created', 'order.canceled'])
  })
})
