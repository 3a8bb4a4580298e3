/**
 * The Stripe adapter through the real SDK against a local fake of Stripe's API (host/port/
 * protocol options), behind the resilience layer as the app uses it: payments, captures, refunds,
 * declines and 3-D Secure; idempotent retries; the breaker and timeouts; webhook verification with
 * events signed by the SDK's own test helper. Cancels: stripe-cancel.test.ts; fees and balance
 * movements: stripe-balance.test.ts.
 */
import Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { waitUntil } from '../../../../platform/jobs/testing.ts'
import { WebhookSignatureError } from '../port.ts'
import { CIRCUIT_OPEN } from '../resilience.ts'
import { stripeEvent } from './stripe-fake.testing.ts'
import { failure, key, metadata, useStripeFake, WEBHOOK_SECRET } from './stripe-provider.testing.ts'

const harness = useStripeFake()
const stripe = harness.stripe

describe('payments', () => {
  it('creates and captures at once, carrying our metadata both ways', async () => {
    const ours = metadata()
    const payment = await stripe().createPayment({
      amount: 1999,
      currency: 'EUR',
      captureMethod: 'automatic',
      paymentMethod: 'pm_card_visa',
      metadata: ours,
      idempotencyKey: key(),
    })
    expect(payment).toMatchObject({
      provider: 'stripe',
      status: 'succeeded',
      amount: 1999,
      currency: 'EUR',
      amountCaptured: 1999,
      failure: null,
      metadata: ours,
    })
    const sent = harness.fake.requests.at(-1)
    expect(sent?.params).toMatchObject({
      amount: '1999',
      currency: 'eur',
      confirm: 'true',
      metadata: { tenant_id: ours.tenantId, order_id: ours.orderId, payment_id: ours.paymentId },
    })
  })

  it('authorises, captures part later (delayed capture) and refunds in parts', async () => {
    const provider = stripe()
    const ours = metadata()
    const authorised = await provider.createPayment({
      amount: 5000,
      currency: 'USD',
      captureMethod: 'manual',
      paymentMethod: 'pm_card_visa',
      metadata: ours,
      idempotencyKey: key(),
    })
    expect(authorised).toMatchObject({ status: 'requires_capture', amountCapturable: 5000, amountCaptured: 0 })
    const id = authorised.providerPaymentId
    const captured = await provider.capturePayment({
      providerPaymentId: id,
      amount: 4000,
      currency: 'USD',
      idempotencyKey: key(),
    })
    expect(captured).toMatchObject({ status: 'succeeded', amountCaptured: 4000, amountCapturable: 0 })
    const part = await provider.refundPayment({
      providerPaymentId: id,
      amount: 1500,
      currency: 'USD',
      reason: 'requested_by_customer',
      metadata: ours,
      idempotencyKey: key(),
    })
    expect(part).toMatchObject({ providerPaymentId: id, status: 'succeeded', amount: 1500, currency: 'USD' })
    const rest = await provider.refundPayment({
      providerPaymentId: id,
      currency: 'USD',
      reason: 'requested_by_customer',
      metadata: ours,
      idempotencyKey: key(),
    })
    expect(rest.amount).toBe(2500)
    const over = await failure(() =>
      provider.refundPayment({
        providerPaymentId: id,
        amount: 1,
        currency: 'USD',
        reason: 'duplicate',
        metadata: ours,
        idempotencyKey: key(),
      }),
    )
    expect([over.kind, over.code]).toEqual(['invalid', 'amount_too_large'])
    expect((await provider.retrievePayment(id)).amountCaptured).toBe(4000)
  })

  it('reports a decline as the payment outcome, and 3-D Secure as the next action', async () => {
    const provider = stripe()
    const declined = await provider.createPayment({
      amount: 700,
      currency: 'EUR',
      captureMethod: 'automatic',
      paymentMethod: 'pm_card_chargeDeclined',
      metadata: metadata(),
      idempotencyKey: key(),
    })
    expect(declined).toMatchObject({
      status: 'requires_payment_method',
      failure: { code: 'generic_decline', message: 'Your card was declined.' },
    })
    const challenged = await provider.createPayment({
      amount: 700,
      currency: 'EUR',
      captureMethod: 'automatic',
      paymentMethod: 'pm_card_authenticationRequired',
      metadata: metadata(),
      idempotencyKey: key(),
    })
    expect(challenged).toMatchObject({ status: 'requires_action', nextAction: { type: 'client_sdk' } })
    expect(challenged.clientSecret).toMatch(/_secret_/)
    const retried = await provider.confirmPayment({
      providerPaymentId: declined.providerPaymentId,
      paymentMethod: 'pm_card_visa',
      idempotencyKey: key(),
    })
    expect(retried).toMatchObject({ status: 'succeeded', failure: null })
  })

  it('sends ISK as Stripe two-decimal amounts and refuses sub-10 precision in three-decimal currencies', async () => {
    const provider = stripe()
    const isk = await provider.createPayment({
      amount: 2500,
      currency: 'ISK',
      captureMethod: 'automatic',
      paymentMethod: 'pm_card_visa',
      metadata: metadata(),
      idempotencyKey: key(),
    })
    expect(harness.fake.requests.at(-1)?.params.amount).toBe('250000')
    expect(isk).toMatchObject({ amount: 2500, amountCaptured: 2500 })
    const before = harness.fake.requests.length
    const bhd = await failure(() =>
      provider.createPayment({
        amount: 1005,
        currency: 'BHD',
        captureMethod: 'automatic',
        metadata: metadata(),
        idempotencyKey: key(),
      }),
    )
    expect([bhd.kind, bhd.code]).toEqual(['invalid', 'amount_precision'])
    expect(harness.fake.requests.length).toBe(before)
  })
})

describe('idempotency', () => {
  it('returns the same payment for a repeated key, and refuses the key for another request', async () => {
    const provider = stripe()
    const input = {
      amount: 1200,
      currency: 'EUR',
      captureMethod: 'automatic' as const,
      paymentMethod: 'pm_card_visa',
      metadata: metadata(),
      idempotencyKey: key(),
    }
    const first = await provider.createPayment(input)
    const again = await provider.createPayment(input)
    expect(again).toEqual(first)
    expect(harness.fake.requests.at(-1)).toMatchObject({ idempotencyKey: input.idempotencyKey, replayed: true })
    const other = await failure(() => provider.createPayment({ ...input, amount: 1300 }))
    expect([other.kind, other.code]).toEqual(['conflict', 'idempotency_error'])
  })

  it('retries a call whose answer was lost with the same key: one payment, the first answer', async () => {
    const delays: number[] = []
    const provider = stripe({ sleep: async (ms) => void delays.push(ms), random: () => 0.5 })
    const intentsBefore = harness.fake.intents.size
    // The SDK retries a closed connection once by itself (same key); the second loss is ours to retry.
    harness.fake.dropAfterExecute(2)
    const idempotencyKey = key()
    const payment = await provider.createPayment({
      amount: 990,
      currency: 'EUR',
      captureMethod: 'automatic',
      paymentMethod: 'pm_card_visa',
      metadata: metadata(),
      idempotencyKey,
    })
    expect(payment.status).toBe('succeeded')
    expect(harness.fake.intents.size).toBe(intentsBefore + 1)
    const attempts = harness.fake.requests.filter((request) => request.idempotencyKey === idempotencyKey)
    expect(attempts.map((attempt) => attempt.replayed)).toEqual([false, true, true])
    // Full jitter: half of the first retry's 250 ms bound with random() = 0.5.
    expect(delays).toEqual([125])
  })

  it('never retries a call without an idempotency key', async () => {
    const provider = stripe()
    harness.fake.failNext(1)
    const before = harness.fake.requests.length
    const error = await failure(() =>
      provider.createPayment({
        amount: 990,
        currency: 'EUR',
        captureMethod: 'automatic',
        metadata: metadata(),
        idempotencyKey: '',
      }),
    )
    expect(error.kind).toBe('unavailable')
    expect(harness.fake.requests.length).toBe(before + 1)
  })
})

describe('timeouts and the circuit breaker', () => {
  it('gives up on a call past its deadline, and retries it with the same key', async () => {
    const once = stripe({ timeoutMs: 300, retries: 0 })
    harness.fake.hangNext(1)
    const timedOut = await failure(() => once.retrievePayment('pi_missing'))
    expect(timedOut.kind).toBe('timeout')
    const retrying = stripe({ timeoutMs: 300, retries: 1 })
    harness.fake.hangNext(1)
    const idempotencyKey = key()
    const payment = await retrying.createPayment({
      amount: 450,
      currency: 'EUR',
      captureMethod: 'automatic',
      paymentMethod: 'pm_card_visa',
      metadata: metadata(),
      idempotencyKey,
    })
    expect(payment.status).toBe('succeeded')
    expect(harness.fake.requests.filter((request) => request.idempotencyKey === idempotencyKey)).toHaveLength(2)
  })

  it('opens after failures, fails fast while open, and closes after a successful trial', async () => {
    const provider = stripe({ retries: 0, breakerVolume: 3, breakerResetSeconds: 0.2 })
    harness.fake.failNext(100)
    for (let i = 0; i < 3; i++) expect((await failure(() => provider.retrievePayment('pi_x'))).kind).toBe('unavailable')
    expect(provider.breakerState()).toBe('open')
    expect(provider.retryAfterSeconds()).toBeGreaterThanOrEqual(1)
    const before = harness.fake.requests.length
    const fast = await failure(() => provider.retrievePayment('pi_x'))
    expect([fast.kind, fast.code]).toEqual(['unavailable', CIRCUIT_OPEN])
    expect(harness.fake.requests.length, 'an open breaker does not call the provider').toBe(before)
    harness.fake.failNext(0)
    await waitUntil('the breaker to let a trial call through', async () => provider.breakerState() === 'half_open')
    const payment = await provider.createPayment({
      amount: 300,
      currency: 'EUR',
      captureMethod: 'automatic',
      paymentMethod: 'pm_card_visa',
      metadata: metadata(),
      idempotencyKey: key(),
    })
    expect(payment.status).toBe('succeeded')
    expect(provider.breakerState()).toBe('closed')
  })

  it('is not opened by our own bad requests', async () => {
    const provider = stripe({ retries: 0, breakerVolume: 2 })
    for (let i = 0; i < 4; i++)
      expect((await failure(() => provider.retrievePayment('pi_nothing'))).kind).toBe('not_found')
    expect(provider.breakerState()).toBe('closed')
  })
})

describe('webhooks', () => {
  const provider = () => stripe({}, 300)
  const deliver = (payload: string, header: string | undefined) => ({
    rawBody: Buffer.from(payload),
    headers: header === undefined ? {} : { 'stripe-signature': header },
  })
  const sign = (payload: string, options: { secret?: string; timestamp?: number } = {}) =>
    Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret ?? WEBHOOK_SECRET,
      ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    })

  it('verifies a signed event over its raw bytes and normalises it', async () => {
    const ours = metadata()
    const intent = {
      id: 'pi_signed',
      object: 'payment_intent',
      amount: 1999,
      amount_received: 1999,
      amount_capturable: 0,
      currency: 'eur',
      metadata: { tenant_id: ours.tenantId, order_id: ours.orderId, payment_id: ours.paymentId },
    }
    const payload = JSON.stringify(stripeEvent('payment_intent.succeeded', intent, 'evt_signed'))
    const verified = await provider().verifyWebhook(deliver(payload, sign(payload)))
    expect(verified).toMatchObject({
      providerEventId: 'evt_signed',
      type: 'payment_intent.succeeded',
      event: {
        kind: 'payment.captured',
        provider: 'stripe',
        providerPaymentId: 'pi_signed',
        amount: 1999,
        currency: 'EUR',
        metadata: ours,
      },
    })
  })

  it('refuses a forged, altered, stale or missing signature', async () => {
    const payload = JSON.stringify(stripeEvent('payment_intent.succeeded', { id: 'pi_x', object: 'payment_intent' }))
    const refused = async (delivery: ReturnType<typeof deliver>) => {
      try {
        await provider().verifyWebhook(delivery)
      } catch (error) {
        return error instanceof WebhookSignatureError
      }
      return false
    }
    expect(await refused(deliver(payload, sign(payload, { secret: 'whsec_someoneelse000000' })))).toBe(true)
    expect(await refused(deliver(payload.replace('pi_x', 'pi_y'), sign(payload)))).toBe(true)
    expect(await refused(deliver(payload, sign(payload, { timestamp: Math.floor(Date.now() / 1000) - 301 })))).toBe(
      true,
    )
    expect(await refused(deliver(payload, undefined))).toBe(true)
  })

  it('acknowledges types commerce does not act on with no event', async () => {
    const payload = JSON.stringify(stripeEvent('customer.created', { id: 'cus_1', object: 'customer' }))
    expect(await provider().verifyWebhook(deliver(payload, sign(payload)))).toMatchObject({
      type: 'customer.created',
      event: null,
    })
  })
})
