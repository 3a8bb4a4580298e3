/**
 * An order paid through the Stripe adapter, end to end over HTTP: the app runs with
 * PAYMENTS_PROVIDER=stripe and the real Stripe SDK pointed at the local fake of Stripe's API.
 * The buyer places an order (a PaymentIntent at the fake, awaiting the buyer's client) → a forged
 * webhook is refused and changes nothing → the buyer's client confirms the intent at "Stripe"
 * with a test card → Stripe's payment_intent.succeeded, signed by the SDK's own
 * generateTestHeaderString, is posted to /v1/webhooks/payments/stripe → the job processes it →
 * the order is paid, the course granted, the sale in the ledger (with Stripe's fee) and
 * order.paid in the outbox; the same event again is a duplicate that changes nothing. The
 * buyer's cancel cancels the PaymentIntent at "Stripe"; an intent Stripe captured already is not
 * canceled (409), nor expired, and its webhook pays the order.
 */
import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import Stripe from 'stripe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { platformScope, rowsOf } from '../../../platform/db/database.ts'
import { createMember } from '../../enrolment/testing.ts'
import { startStripeFake, stripeEvent, type StripeFake } from '../payments/stripe/stripe-fake.testing.ts'
import { stripeUsFee } from '../payments/stripe/stripe-fake-balance.testing.ts'
import { orderShop, ordersClient, type OrderShop } from './orders.testing.ts'

const SECRET_KEY = 'sk_test_lyceumjourney0123456789'
const WEBHOOK_SECRET = 'whsec_lyceumjourney0123456789'
const WAIT_MS = 60_000

let fake: StripeFake
let t: TestApp
let shop: OrderShop
let api: ReturnType<typeof ordersClient>

beforeAll(async () => {
  fake = await startStripeFake(SECRET_KEY)
  t = await buildTestApp({
    worker: true,
    env: {
      PAYMENTS_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_HOST: fake.host,
      STRIPE_API_PORT: String(fake.port),
      STRIPE_API_PROTOCOL: 'http',
    },
  })
  api = ordersClient(t)
  shop = await orderShop(t)
})
afterAll(async () => {
  await t?.close()
  await fake?.close()
})

function postWebhook(event: Record<string, unknown>, secret = WEBHOOK_SECRET) {
  const payload = JSON.stringify(event)
  return t.app.inject({
    method: 'POST',
    url: '/v1/webhooks/payments/stripe',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret }),
    },
    payload,
  })
}

const platformRows = <T>(query: ReturnType<typeof sql>) =>
  t.platform.database.transaction(platformScope, (tx) => rowsOf<T>(tx, query))

const orderEvents = async (orderId: string) =>
  (
    await platformRows<{ type: string }>(
      sql`SELECT type FROM platform.domain_events
           WHERE payload->>'orderId' = ${orderId} AND type LIKE 'order.%' ORDER BY occurred_at, id`,
    )
  ).map((row) => row.type)

/** The order, once `done` says it has arrived (a generous limit, no fixed sleeps). */
async function orderWhen(token: string, orderId: string, done: (order: Record<string, unknown>) => boolean) {
  const deadline = Date.now() + WAIT_MS
  for (;;) {
    const read = await api.get(token, orderId)
    expect(read.statusCode, read.body).toBe(200)
    if (done(read.json())) return read.json() as Record<string, unknown>
    if (Date.now() > deadline) throw new Error(`order ${orderId}: not as expected within ${WAIT_MS} ms: ${read.body}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('an order paid through Stripe (the local fake)', { timeout: 180_000 }, () => {
  it('is paid only by the signed payment_intent.succeeded, and grants, books and publishes once', async () => {
    const buyer = shop.buyer
    // EUR 45.00, 10 % off, 19 % German VAT: 40.50 + 7.70 = 48.20.
    const placed = await api.place(buyer.token, {
      productIds: [shop.productIds[0]],
      currency: 'EUR',
      couponCodes: ['WELCOME10'],
      billing: { country: 'DE' },
    })
    expect(placed.statusCode, placed.body).toBe(201)
    const order = placed.json()
    expect(order).toMatchObject({
      status: 'awaiting_payment',
      total: { amount: 4820, currency: 'EUR' },
      provider: 'stripe',
      payment: { provider: 'stripe', status: 'requires_payment_method' },
    })
    expect(order.payment.clientSecret).toEqual(expect.any(String))
    const [payment] = await platformRows<{ intent: string }>(
      sql`SELECT provider_payment_id AS intent FROM commerce.payments WHERE order_id = ${order.id}::uuid`,
    )
    const intentId = payment?.intent ?? ''
    expect(fake.intents.get(intentId)).toMatchObject({
      amount: 4820,
      currency: 'eur',
      status: 'requires_payment_method',
      metadata: { order_id: order.id },
    })

    // A capture signed with another secret is refused before anything is stored.
    const forged = stripeEvent('payment_intent.succeeded', {
      ...structuredClone(fake.intents.get(intentId) ?? {}),
      status: 'succeeded',
      amount_received: 4820,
    })
    const refused = await postWebhook(forged, `whsec_${randomUUID().replaceAll('-', '')}`)
    expect([refused.statusCode, refused.json().code]).toEqual([400, 'WEBHOOK_SIGNATURE_INVALID'])
    expect((await api.get(buyer.token, order.id)).json()).toMatchObject({ status: 'awaiting_payment', paidAt: null })

    // The buyer's client confirms the intent at "Stripe" with a test card.
    const client = new Stripe(SECRET_KEY, {
      host: fake.host,
      port: fake.port,
      protocol: 'http',
      maxNetworkRetries: 0,
      telemetry: false,
    })
    const confirmed = await client.paymentIntents.confirm(intentId, { payment_method: 'pm_card_visa' })
    expect(confirmed).toMatchObject({ status: 'succeeded', amount_received: 4820 })
    // Stripe's answer to the client is not the capture: the order waits for the webhook.
    expect((await api.get(buyer.token, order.id)).json()).toMatchObject({ status: 'awaiting_payment' })

    const succeeded = stripeEvent('payment_intent.succeeded', structuredClone(fake.intents.get(intentId) ?? {}))
    const delivered = await postWebhook(succeeded)
    expect(delivered.statusCode, delivered.body).toBe(200)
    expect(delivered.json()).toMatchObject({ outcome: 'accepted' })

    const paid = await orderWhen(buyer.token, order.id, (o) => o.status === 'paid')
    expect(paid).toMatchObject({ total: { amount: 4820 }, needsRefund: false, reviewReason: null })
    expect(paid.paidAt).toEqual(expect.any(String))

    const enrolments = await t.app.inject({ method: 'GET', url: '/v1/me/enrolments', headers: t.auth(buyer.token) })
    expect(enrolments.json()).toMatchObject({ data: [{ courseId: shop.courseId, status: 'active' }] })

    const finance = await t.tokenFor(shop.id, ['finance'])
    const ledger = await t.app.inject({
      method: 'GET',
      url: '/v1/commerce/ledger/transactions?kind=capture',
      headers: t.auth(finance),
    })
    const sales = (
      ledger.json() as {
        data: Array<{
          externalReference: string
          provider: string
          amount: { amount: number }
          entries: Array<{ accountKind: string; side: string; amount: { amount: number } }>
        }>
      }
    ).data.filter((tx) => tx.externalReference === order.id)
    expect(sales).toHaveLength(1)
    const [sale] = sales
    expect(sale).toMatchObject({ provider: 'stripe', amount: { amount: 4820, currency: 'EUR' } })
    const sum = (side: string) =>
      sale!.entries.filter((e) => e.side === side).reduce((total, e) => total + e.amount.amount, 0)
    expect(sum('debit')).toBe(sum('credit'))
    // Stripe's fee (2.9 % + 30 on the fake), read from the charge by the job, is booked with the sale.
    expect(sale!.entries.map((e) => e.amount.amount)).toContain(stripeUsFee(4820))
    expect(await orderEvents(order.id)).toEqual(['order.created', 'order.paid'])

    // Stripe retries the same event: a duplicate, nothing changes.
    const again = await postWebhook(succeeded)
    expect(again.json()).toMatchObject({ outcome: 'duplicate' })
    expect((await api.get(buyer.token, order.id)).json()).toEqual(paid)
    expect(await orderEvents(order.id)).toEqual(['order.created', 'order.paid'])
  })

  it('cancels an unpaid order’s intent at Stripe; an intent Stripe took is not canceled, and its webhook pays', async () => {
    const client = new Stripe(SECRET_KEY, {
      host: fake.host,
      port: fake.port,
      protocol: 'http',
      maxNetworkRetries: 0,
      telemetry: false,
    })
    const intentOf = async (orderId: string) => {
      const [row] = await platformRows<{ intent: string }>(
        sql`SELECT provider_payment_id AS intent FROM commerce.payments WHERE order_id = ${orderId}::uuid`,
      )
      return row?.intent ?? ''
    }
    const placeFor = async (token: string) => {
      const placed = await api.place(token, {
        productIds: [shop.productIds[1]],
        currency: 'EUR',
        billing: { country: 'DE' },
      })
      expect(placed.statusCode, placed.body).toBe(201)
      return placed.json() as { id: string }
    }
    const cancel = (token: string, orderId: string) =>
      t.app.inject({ method: 'POST', url: `/v1/orders/${orderId}/cancel`, headers: t.auth(token) })

    const buyer = await createMember(t, shop.id)
    const unpaid = await placeFor(buyer.token)
    const canceled = await cancel(buyer.token, unpaid.id)
    expect([canceled.statusCode, canceled.json().status]).toEqual([200, 'canceled'])
    expect(fake.intents.get(await intentOf(unpaid.id))).toMatchObject({
      status: 'canceled',
      cancellation_reason: 'requested_by_customer',
    })
    expect(await orderEvents(unpaid.id)).toEqual(['order.created', 'order.canceled'])

    // The buyer's client paid at "Stripe"; the webhook has not arrived: the money was taken, no cancel.
    const payer = await createMember(t, shop.id)
    const taken = await placeFor(payer.token)
    const intentId = await intentOf(taken.id)
    await client.paymentIntents.confirm(intentId, { payment_method: 'pm_card_visa' })
    const refused = await cancel(payer.token, taken.id)
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'ORDER_PAYMENT_CAPTURED'])
    expect(fake.intents.get(intentId)?.status).toBe('succeeded')
    expect((await api.get(payer.token, taken.id)).json()).toMatchObject({ status: 'awaiting_payment' })
    // Expiry leaves it too (for its next run), whatever the window.
    const expired = await t.modules.commerce.expireUnpaidOrders({ now: new Date(Date.now() + 1000), windowMs: 0 })
    expect(expired).toEqual({ canceled: 0, kept: 1 })
    expect(fake.intents.get(intentId)?.status).toBe('succeeded')
    const succeeded = stripeEvent('payment_intent.succeeded', structuredClone(fake.intents.get(intentId) ?? {}))
    expect((await postWebhook(succeeded)).statusCode).toBe(200)
    await orderWhen(payer.token, taken.id, (o) => o.status === 'paid')
    expect(await orderEvents(taken.id)).toEqual(['order.created', 'order.paid'])
  })
})
