/**
 * The inbound webhook pipeline over HTTP, with Stripe (the SDK pointed at a local fake of its API;
 * events signed with the SDK's generateTestHeaderString): verification before anything else,
 * dedupe, processing in the payment's tenant, out-of-order events, dead letters, attribution
 * that no tenant can forge, unknown types, and the breaker's 503 to a client.
 */
import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import Stripe from 'stripe'
import { Type } from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { rowsOf, tenantScope } from '../../../platform/db/database.ts'
import { publicAccess } from '../../../platform/http/access.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import { jobsMatching, waitUntil } from '../../../platform/jobs/testing.ts'
import { PROCESS_PAYMENT_EVENT_QUEUE } from './inbound.ts'
import { notYet } from './payment-events.ts'
import type { PaymentsApi } from './payments.module.ts'
import { paymentWebhookEvents } from './payments.tables.ts'
import { orderId, recordPaymentEvents, storedWebhookEvents, type EventRecorder } from './payments.testing.ts'
import { stripeUsFee } from './stripe/stripe-fake-balance.testing.ts'
import { startStripeFake, stripeEvent, type StripeFake } from './stripe/stripe-fake.testing.ts'

const SECRET_KEY = 'sk_test_lyceumwebhooks0123456789'
const WEBHOOK_SECRET = 'whsec_lyceumwebhooks0123456789'

let fake: StripeFake
let t: TestApp
let api: PaymentsApi
let recorder: EventRecorder
let a: { id: string; slug: string }
let b: { id: string; slug: string }
/** Payments whose capture a handler has seen: a refund before it is "not yet" (as a ledger would answer). */
const capturedPayments = new Set<string>()

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
      PAYMENTS_PROVIDER_RETRIES: '0',
      PAYMENTS_BREAKER_VOLUME: '3',
      PAYMENTS_BREAKER_RESET_SECONDS: '1',
    },
    // Enough retries that a held event outlives a slow capture under load; the dead-letter test waits them out.
    paymentEventRetry: { limit: 10, delaySeconds: 1, maxDelaySeconds: 2 },
    // A stand-in for checkout (which comes later): one route that creates a payment for the Host's tenant.
    instrument: (app) =>
      app.post(
        '/v1/test-checkout',
        {
          schema: {
            summary: 'Test stand-in for checkout',
            tags: ['test'],
            operationId: 'testCheckout',
            body: Type.Object({ amount: Type.Integer() }),
          },
          config: { access: publicAccess('required') },
        },
        async (request, reply) => {
          const payment = await api.createPayment(request.ctx, {
            orderId: randomUUID(),
            amount: request.body.amount,
            currency: 'EUR',
            captureMethod: 'automatic',
            paymentMethod: 'pm_card_visa',
            idempotencyKey: randomUUID(),
          })
          return reply.code(201).send({ id: payment.id })
        },
      ),
  })
  api = t.modules.commerce.payments
  api.onPaymentEvent('payment.captured', async ({ paymentId }) => void capturedPayments.add(paymentId))
  api.onPaymentEvent('refund.succeeded', async ({ paymentId }) =>
    capturedPayments.has(paymentId) ? undefined : notYet('the capture this refund refers to is not booked yet'),
  )
  recorder = recordPaymentEvents(api, t.platform.database)
  a = await t.createTenant()
  b = await t.createTenant()
})
afterAll(async () => {
  await t?.close()
  await fake?.close()
})

const ctxOf = (tenantId: string) => systemContext(t.platform.database, tenantId, 'webhooks-test')

async function stripePayment(tenantId: string, captureMethod: 'automatic' | 'manual' = 'automatic') {
  return api.createPayment(ctxOf(tenantId), {
    orderId: orderId(),
    amount: 2000,
    currency: 'EUR',
    captureMethod,
    paymentMethod: 'pm_card_visa',
    idempotencyKey: randomUUID(),
  })
}

const intentOf = (providerPaymentId: string) => structuredClone(fake.intents.get(providerPaymentId) ?? {})

function post(event: Record<string, unknown>, options: { secret?: string; timestamp?: number; header?: string } = {}) {
  const payload = JSON.stringify(event)
  const header =
    options.header ??
    Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret ?? WEBHOOK_SECRET,
      ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    })
  return t.app.inject({
    method: 'POST',
    url: '/v1/webhooks/payments/stripe',
    headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': header },
    payload,
  })
}

describe('verification', () => {
  it('records a signed event and processes it in the tenant that owns the payment', async () => {
    const payment = await stripePayment(a.id)
    const response = await post(stripeEvent('payment_intent.succeeded', intentOf(payment.providerPaymentId)))
    expect([response.statusCode, response.json()]).toEqual([200, { received: true, outcome: 'accepted' }])
    const [captured] = await recorder.waitFor(payment.id, ['payment.captured'])
    // Stripe's webhook carries neither: the job read them from the charge before the handlers ran.
    expect(captured).toMatchObject({
      tenantId: a.id,
      orderId: payment.orderId,
      event: { amount: 2000, fee: stripeUsFee(2000), cardCountry: 'US' },
    })
    // The tenant reads its own event; the other tenant nothing.
    const visible = (tenantId: string) =>
      t.platform.database.transaction(tenantScope(tenantId), (tx) =>
        tx
          .select()
          .from(paymentWebhookEvents)
          .where(eq(paymentWebhookEvents.providerPaymentId, payment.providerPaymentId)),
      )
    expect((await visible(a.id)).map((row) => row.status)).toEqual(['processed'])
    expect(await visible(b.id)).toEqual([])
  })

  it('refuses a forged, stale, altered or missing signature with 400 and records nothing', async () => {
    const payment = await stripePayment(a.id)
    const event = stripeEvent('payment_intent.succeeded', intentOf(payment.providerPaymentId))
    const stale = Math.floor(Date.now() / 1000) - 301
    const signedOther = Stripe.webhooks.generateTestHeaderString({
      payload: '{"id":"evt_other"}',
      secret: WEBHOOK_SECRET,
    })
    const responses = [
      await post(event, { secret: 'whsec_attacker000000000000' }),
      await post(event, { timestamp: stale }),
      await post(event, { header: signedOther }),
      await post(event, { header: 'garbage' }),
      await t.app.inject({
        method: 'POST',
        url: '/v1/webhooks/payments/stripe',
        payload: JSON.stringify(event),
        headers: { 'content-type': 'application/json' },
      }),
      await t.app.inject({
        method: 'POST',
        url: '/v1/webhooks/payments/stripe',
        payload: 'x'.repeat(300 * 1024),
        headers: { 'content-type': 'text/plain' },
      }),
    ]
    expect(responses.map((r) => [r.statusCode, r.headers['content-type'], r.json().code])).toEqual([
      ...Array(5).fill([400, 'application/problem+json', 'WEBHOOK_SIGNATURE_INVALID']),
      [413, 'application/problem+json', 'PAYLOAD_TOO_LARGE'],
    ])
    expect(await storedWebhookEvents(t.platform.database, payment.providerPaymentId)).toEqual([])
  })

  it('acknowledges a type commerce does not act on, records nothing', async () => {
    const response = await post(stripeEvent('customer.created', { id: 'cus_1', object: 'customer' }))
    expect([response.statusCode, response.json()]).toEqual([200, { received: true, outcome: 'ignored' }])
  })

  it('answers 404 for a provider this installation does not serve', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/webhooks/payments/paypal', payload: '{}' })
    expect(response.statusCode).toBe(404)
  })
})

describe('capture facts', () => {
  it('waits through a Stripe outage rather than process a capture without its fee and card country', async () => {
    const payment = await stripePayment(a.id)
    const factsReads = () =>
      fake.requests.filter((request) => request.method === 'GET' && request.path.endsWith(payment.providerPaymentId))
    fake.failNext(1)
    expect((await post(stripeEvent('payment_intent.succeeded', intentOf(payment.providerPaymentId)))).statusCode).toBe(
      200,
    )
    const [captured] = await recorder.waitFor(payment.id, ['payment.captured'])
    expect(captured?.event).toMatchObject({ fee: stripeUsFee(2000), cardCountry: 'US' })
    // The first read met the outage and the job failed; its retry read the facts.
    expect(factsReads().length).toBeGreaterThanOrEqual(2)
    const [stored] = await storedWebhookEvents(t.platform.database, payment.providerPaymentId)
    const [job] = await jobsMatching(t.platform.database, PROCESS_PAYMENT_EVENT_QUEUE, { webhookEventId: stored?.id })
    expect(job?.retryCount).toBeGreaterThanOrEqual(1)
    // Stored with the event: a replay of the processing would not ask Stripe again.
    expect(stored?.event).toMatchObject({ fee: stripeUsFee(2000), cardCountry: 'US' })
  })
})

describe('replays and order', () => {
  it('applies a replayed event once, also when the copies arrive together', async () => {
    const payment = await stripePayment(a.id)
    const event = stripeEvent('payment_intent.succeeded', intentOf(payment.providerPaymentId))
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => post(event)))
    const again = await post(event)
    expect([...outcomes, again].map((r) => r.json().outcome).sort()).toEqual([
      'accepted',
      ...Array(5).fill('duplicate'),
    ])
    await recorder.waitFor(payment.id, ['payment.captured'])
    const [row] = await storedWebhookEvents(t.platform.database, payment.providerPaymentId)
    expect(
      await jobsMatching(t.platform.database, PROCESS_PAYMENT_EVENT_QUEUE, { webhookEventId: row?.id }),
    ).toHaveLength(1)
    await waitUntil(
      'the job to complete',
      async () =>
        (await jobsMatching(t.platform.database, PROCESS_PAYMENT_EVENT_QUEUE, { webhookEventId: row?.id }))[0]
          ?.state === 'completed',
    )
    expect(recorder.seen.filter((envelope) => envelope.event.providerEventId === event.id)).toHaveLength(1)
  })

  it('holds a refund that arrives before its capture, and applies it once the capture is in', async () => {
    const payment = await stripePayment(a.id, 'manual')
    await api.capturePayment(ctxOf(a.id), payment.id, { idempotencyKey: 'capture' })
    const refund = await api.refundPayment(ctxOf(a.id), payment.id, {
      reason: 'requested_by_customer',
      idempotencyKey: 'r',
    })
    const refundEvent = stripeEvent('refund.created', structuredClone(fake.refunds.get(refund.providerRefundId) ?? {}))
    expect((await post(refundEvent)).json().outcome).toBe('accepted')
    const [stored] = await storedWebhookEvents(t.platform.database, payment.providerPaymentId)
    // Polled with generous limits: under load the worker may take long to pick the job up again.
    await waitUntil(
      'the refund to be held back at least once',
      async () => {
        const [job] = await jobsMatching(t.platform.database, PROCESS_PAYMENT_EVENT_QUEUE, {
          webhookEventId: stored?.id,
        })
        return (job?.retryCount ?? 0) >= 1
      },
      120_000,
    )
    expect(recorder.seen.some((envelope) => envelope.paymentId === payment.id)).toBe(false)
    expect((await post(stripeEvent('payment_intent.succeeded', intentOf(payment.providerPaymentId)))).statusCode).toBe(
      200,
    )
    const events = await recorder.waitFor(payment.id, ['payment.captured', 'refund.succeeded'], 120_000)
    expect(events.map((envelope) => envelope.event.kind)).toEqual(['payment.captured', 'refund.succeeded'])
  })

  it('dead-letters an event that never resolves, where operators can see and replay it', async () => {
    const payment = await stripePayment(a.id, 'manual')
    await api.capturePayment(ctxOf(a.id), payment.id, { idempotencyKey: 'capture' })
    const refund = await api.refundPayment(ctxOf(a.id), payment.id, { reason: 'duplicate', idempotencyKey: 'r' })
    await post(stripeEvent('refund.created', structuredClone(fake.refunds.get(refund.providerRefundId) ?? {})))
    const [stored] = await storedWebhookEvents(t.platform.database, payment.providerPaymentId)
    const dead = await waitUntil(
      'the held refund to reach the dead-letter queue',
      async () =>
        (
          await jobsMatching(t.platform.database, `${PROCESS_PAYMENT_EVENT_QUEUE}.dead`, { webhookEventId: stored?.id })
        )[0],
      180_000,
    )
    expect(dead.data).toEqual({ webhookEventId: stored?.id })
    expect(stored?.status).toBe('received')
    // The capture turns up at last; the operator replays the dead event and it applies.
    await post(stripeEvent('payment_intent.succeeded', intentOf(payment.providerPaymentId)))
    await recorder.waitFor(payment.id, ['payment.captured'])
    const replay = await t.app.inject({
      method: 'POST',
      url: '/v1/ops/jobs/retry',
      headers: t.auth(t.operatorToken),
      payload: { ids: [dead.id] },
    })
    expect(replay.json()).toEqual({
      jobs: [{ id: dead.id, queue: PROCESS_PAYMENT_EVENT_QUEUE, action: 'redriven' }],
    })
    await recorder.waitFor(payment.id, ['refund.succeeded'], 120_000)
  })
})

describe('attribution', () => {
  it('rejects an event whose signed tenant is not the owner of the payment it names; no tenant sees it', async () => {
    const payment = await stripePayment(a.id)
    const intent = intentOf(payment.providerPaymentId)
    intent.metadata = { tenant_id: b.id, order_id: randomUUID(), payment_id: randomUUID() }
    expect((await post(stripeEvent('payment_intent.succeeded', intent))).json().outcome).toBe('accepted')
    const [stored] = await waitUntil('the event to be judged', async () => {
      const rows = await storedWebhookEvents(t.platform.database, payment.providerPaymentId)
      return rows[0]?.status === 'rejected' ? rows : undefined
    })
    expect(stored).toMatchObject({ tenantId: null, statusDetail: 'the signed tenant is not the payment owner' })
    for (const tenant of [a, b]) {
      const rows = await t.platform.database.transaction(tenantScope(tenant.id), (tx) =>
        rowsOf(tx, sql`SELECT id FROM commerce.payment_webhook_events WHERE id = ${stored?.id}`),
      )
      expect(rows).toEqual([])
    }
    expect(recorder.seen.filter((envelope) => envelope.paymentId === payment.id)).toEqual([])
  })

  it('rejects at once an event about a payment not made here (another installation on the same account)', async () => {
    const foreign = {
      id: `pi_${randomUUID().replace(/-/g, '')}`,
      object: 'payment_intent',
      amount: 100,
      amount_received: 100,
      amount_capturable: 0,
      currency: 'eur',
      metadata: {},
    }
    expect((await post(stripeEvent('payment_intent.succeeded', foreign))).json().outcome).toBe('accepted')
    const [stored] = await waitUntil('the foreign event to be judged', async () => {
      const rows = await storedWebhookEvents(t.platform.database, foreign.id)
      return rows[0]?.status === 'rejected' ? rows : undefined
    })
    expect(stored).toMatchObject({ tenantId: null, statusDetail: 'no payment of ours has this id' })
    const [job] = await jobsMatching(t.platform.database, PROCESS_PAYMENT_EVENT_QUEUE, { webhookEventId: stored?.id })
    expect([job?.state, job?.retryCount]).toEqual(['completed', 0])
  })

  it('attributes a dispute, which carries no metadata, by the payment it names', async () => {
    const payment = await stripePayment(b.id)
    const dispute = {
      id: 'dp_1',
      object: 'dispute',
      amount: 2000,
      currency: 'eur',
      payment_intent: payment.providerPaymentId,
      reason: 'fraudulent',
      status: 'needs_response',
      metadata: {},
    }
    await post(stripeEvent('charge.dispute.created', dispute))
    await post(stripeEvent('charge.dispute.closed', { ...dispute, status: 'lost' }))
    const events = await recorder.waitFor(payment.id, ['dispute.opened', 'dispute.lost'])
    expect(events.every((envelope) => envelope.tenantId === b.id)).toBe(true)
  })
})

describe('the circuit breaker', () => {
  it('answers 503 with Retry-After while Stripe is down, keeps verifying webhooks, and recovers', async () => {
    const host = { host: `${a.slug}.localhost` }
    fake.failNext(1000)
    const checkout = () =>
      t.app.inject({ method: 'POST', url: '/v1/test-checkout', headers: host, payload: { amount: 500 } })
    const down = await checkout()
    expect([down.statusCode, down.json().code]).toEqual([503, 'PAYMENT_PROVIDER_UNAVAILABLE'])
    expect(down.headers['retry-after']).toBe('5')
    // Earlier successes in the breaker's 10-second window dilute the failure rate: fail until it opens.
    let open = down
    for (let i = 0; i < 30 && !/circuit breaker is open/.test(open.json().detail); i++) open = await checkout()
    expect([open.statusCode, open.json().code]).toEqual([503, 'PAYMENT_PROVIDER_UNAVAILABLE'])
    expect(open.json().detail).toMatch(/circuit breaker is open/)
    expect(Number(open.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    const calls = fake.requests.length
    expect((await checkout()).statusCode).toBe(503)
    expect(fake.requests.length, 'an open breaker calls nobody').toBe(calls)
    const health = await t.app.inject({ method: 'GET', url: '/health/ready' })
    expect(health.statusCode).toBe(200)
    // Signatures need no call to Stripe: webhooks keep flowing while its API is down.
    expect((await post(stripeEvent('customer.created', { id: 'cus_2', object: 'customer' }))).statusCode).toBe(200)
    fake.failNext(0)
    await waitUntil('a successful trial call', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/test-checkout',
        headers: host,
        payload: { amount: 500 },
      })
      return response.statusCode === 201
    })
  })
})
