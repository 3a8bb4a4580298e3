/**
 * The Stripe adapter through the real SDK against a local fake of Stripe's API (host/port/
 * protocol options), behind the resilience layer as the app uses it: payments, captures,
 * cancels, refunds, declines and 3-D Secure; idempotent retries; the breaker and timeouts; webhook
 * verification with events signed by the SDK's own test helper.
 */
import { randomUUID } from 'node:crypto'
import pino from 'pino'
import Stripe from 'stripe'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../../../../platform/jobs/testing.ts'
import { ProviderError, WebhookSignatureError, type PaymentMetadata } from '../port.ts'
import { CIRCUIT_OPEN, withResilience, type ResilienceOptions, type ResilientProvider } from '../resilience.ts'
import { stripeUsFee } from './stripe-fake-balance.testing.ts'
import { startStripeFake, stripeEvent, type StripeFake } from './stripe-fake.testing.ts'
import { createStripeProvider } from './stripe-provider.ts'

const SECRET_KEY = 'sk_test_lyceumfake0123456789'
const WEBHOOK_SECRET = 'whsec_lyceumtest0123456789'

let fake: StripeFake
const providers: ResilientProvider[] = []

beforeAll(async () => {
  fake = await startStripeFake(SECRET_KEY)
})
afterAll(async () => {
  for (const provider of providers) provider.shutdown()
  await fake.close()
})
afterEach(() => {
  fake.settleIn(undefined)
  fake.failNext(0)
  fake.hangNext(0)
  fake.dropAfterExecute(0)
})

function stripe(overrides: Partial<ResilienceOptions> = {}, toleranceSeconds = 300, at = fake): ResilientProvider {
  const raw = createStripeProvider(
    {
      secretKey: SECRET_KEY,
      webhookSecret: WEBHOOK_SECRET,
      api: { host: at.host, port: at.port, protocol: 'http' },
    },
    toleranceSeconds,
  )
  const provider = withResilience(raw, {
    timeoutMs: 2000,
    retries: 2,
    breakerErrorPercent: 50,
    breakerVolume: 5,
    breakerResetSeconds: 30,
    logger: pino({ level: 'silent' }),
    sleep: async () => {},
    ...overrides,
  })
  providers.push(provider)
  return provider
}

const metadata = (): PaymentMetadata => ({ tenantId: randomUUID(), orderId: randomUUID(), paymentId: randomUUID() })
const key = () => `test:${randomUUID()}`

async function failure(work: () => Promise<unknown>): Promise<ProviderError> {
  try {
    await work()
  } catch (error) {
    if (error instanceof ProviderError) return error
    throw error
  }
  throw new Error('expected the call to fail')
}

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
    const sent = fake.requests.at(-1)
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
    expect(fake.requests.at(-1)?.params.amount).toBe('250000')
    expect(isk).toMatchObject({ amount: 2500, amountCaptured: 2500 })
    const before = fake.requests.length
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
    expect(fake.requests.length).toBe(before)
  })
})

describe('cancel', () => {
  const manual = (provider: ResilientProvider, paymentMethod?: string) =>
    provider.createPayment({
      amount: 2500,
      currency: 'EUR',
      captureMethod: 'manual',
      ...(paymentMethod ? { paymentMethod } : {}),
      metadata: metadata(),
      idempotencyKey: key(),
    })

  it('cancels an unpaid intent with its reason; it can be neither confirmed nor captured afterwards', async () => {
    const provider = stripe()
    const created = await manual(provider)
    const cancelKey = key()
    const canceled = await provider.cancelPayment({
      providerPaymentId: created.providerPaymentId,
      reason: 'abandoned',
      idempotencyKey: cancelKey,
    })
    expect(canceled).toMatchObject({ status: 'canceled', amountCaptured: 0 })
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: `/v1/payment_intents/${created.providerPaymentId}/cancel`,
      idempotencyKey: cancelKey,
      params: { cancellation_reason: 'abandoned' },
    })
    const confirm = await failure(() =>
      provider.confirmPayment({
        providerPaymentId: created.providerPaymentId,
        paymentMethod: 'pm_card_visa',
        idempotencyKey: key(),
      }),
    )
    expect(confirm).toMatchObject({ kind: 'invalid', code: 'payment_intent_unexpected_state' })
    // Canceling again (another key) is Stripe's unexpected state: answered as the intent stands.
    const again = await provider.cancelPayment({
      providerPaymentId: created.providerPaymentId,
      reason: 'requested_by_customer',
      idempotencyKey: key(),
    })
    expect(again.status).toBe('canceled')
  })

  it('releases an authorisation, which can then not be captured', async () => {
    const provider = stripe()
    const authorised = await manual(provider, 'pm_card_visa')
    expect(authorised).toMatchObject({ status: 'requires_capture', amountCapturable: 2500 })
    const canceled = await provider.cancelPayment({
      providerPaymentId: authorised.providerPaymentId,
      reason: 'requested_by_customer',
      idempotencyKey: key(),
    })
    expect(canceled).toMatchObject({ status: 'canceled', amountCapturable: 0 })
    const capture = await failure(() =>
      provider.capturePayment({
        providerPaymentId: authorised.providerPaymentId,
        currency: 'EUR',
        idempotencyKey: key(),
      }),
    )
    expect(capture.code).toBe('payment_intent_unexpected_state')
  })

  it('leaves a succeeded intent alone and answers it succeeded (Stripe refuses the cancel)', async () => {
    const provider = stripe()
    const paid = await provider.createPayment({
      amount: 1999,
      currency: 'EUR',
      captureMethod: 'automatic',
      paymentMethod: 'pm_card_visa',
      metadata: metadata(),
      idempotencyKey: key(),
    })
    const answer = await provider.cancelPayment({
      providerPaymentId: paid.providerPaymentId,
      reason: 'requested_by_customer',
      idempotencyKey: key(),
    })
    expect(answer).toMatchObject({ status: 'succeeded', amountCaptured: 1999 })
    const refused = fake.requests.filter((request) => request.path.endsWith('/cancel')).at(-1)
    expect(refused?.path).toBe(`/v1/payment_intents/${paid.providerPaymentId}/cancel`)
    expect(fake.intents.get(paid.providerPaymentId)?.status).toBe('succeeded')
  })

  it('retries a lost answer with the same key: one cancel at Stripe, the first answer', async () => {
    const provider = stripe()
    const created = await manual(provider)
    const cancelKey = key()
    fake.dropAfterExecute(1)
    const canceled = await provider.cancelPayment({
      providerPaymentId: created.providerPaymentId,
      reason: 'abandoned',
      idempotencyKey: cancelKey,
    })
    expect(canceled.status).toBe('canceled')
    const sent = fake.requests.filter((request) => request.idempotencyKey === cancelKey)
    expect(sent.map((request) => request.replayed)).toEqual([false, true])
  })

  it('is not found for an unknown intent', async () => {
    const missing = await failure(() =>
      stripe().cancelPayment({ providerPaymentId: 'pi_unknown', reason: 'abandoned', idempotencyKey: key() }),
    )
    expect(missing.kind).toBe('not_found')
  })
})

describe('capture facts', () => {
  const pay = (provider: ResilientProvider, paymentMethod: string, captureMethod: 'automatic' | 'manual') =>
    provider.createPayment({
      amount: 1999,
      currency: 'EUR',
      captureMethod,
      paymentMethod,
      metadata: metadata(),
      idempotencyKey: key(),
    })

  it("reads the fee from the charge's balance transaction and the country from its card", async () => {
    const provider = stripe()
    for (const [method, country] of [
      ['pm_card_visa', 'US'],
      ['pm_card_de', 'DE'],
      ['pm_card_fr', 'FR'],
    ] as const) {
      const payment = await pay(provider, method, 'automatic')
      expect(await provider.captureFacts(payment.providerPaymentId)).toEqual({
        fee: stripeUsFee(1999),
        cardCountry: country,
      })
      expect(fake.requests.at(-1)).toMatchObject({
        method: 'GET',
        path: `/v1/payment_intents/${payment.providerPaymentId}`,
        params: { expand: { '0': 'latest_charge.balance_transaction' } },
      })
    }
    expect(stripeUsFee(1999)).toBe(88)
  })

  it('has none before a delayed capture, and the fee of the amount captured after it', async () => {
    const provider = stripe()
    const authorised = await pay(provider, 'pm_card_de', 'manual')
    expect(await provider.captureFacts(authorised.providerPaymentId)).toBeUndefined()
    await provider.capturePayment({
      providerPaymentId: authorised.providerPaymentId,
      amount: 1000,
      currency: 'EUR',
      idempotencyKey: key(),
    })
    expect(await provider.captureFacts(authorised.providerPaymentId)).toEqual({
      fee: stripeUsFee(1000),
      cardCountry: 'DE',
    })
  })

  it('states no fee for a charge settled in another currency, whose fee Stripe gives only there', async () => {
    const provider = stripe()
    fake.settleIn({ currency: 'usd', rate: 1.1 })
    const payment = await pay(provider, 'pm_card_fr', 'automatic')
    expect(await provider.captureFacts(payment.providerPaymentId)).toEqual({ fee: null, cardCountry: 'FR' })
  })

  it('is a read: retried through an outage, and a provider failure once the retries are spent', async () => {
    const payment = await pay(stripe(), 'pm_card_visa', 'automatic')
    fake.failNext(1)
    expect(await stripe({ retries: 1 }).captureFacts(payment.providerPaymentId)).toMatchObject({ cardCountry: 'US' })
    fake.failNext(2)
    const down = await failure(() => stripe({ retries: 1 }).captureFacts(payment.providerPaymentId))
    expect(down.kind).toBe('unavailable')
  })
})

describe('balance movements', () => {
  it('lists charges, refunds and disputes with their fees and payments, page by page within the window', async () => {
    const own = await startStripeFake(SECRET_KEY)
    try {
      const provider = stripe({}, 300, own)
      const pay = (amount: number) =>
        provider.createPayment({
          amount,
          currency: 'EUR',
          captureMethod: 'automatic',
          paymentMethod: 'pm_card_visa',
          metadata: metadata(),
          idempotencyKey: key(),
        })
      const first = await pay(1000)
      const second = await pay(3000)
      const refund = await provider.refundPayment({
        providerPaymentId: first.providerPaymentId,
        amount: 400,
        currency: 'EUR',
        reason: 'requested_by_customer',
        metadata: metadata(),
        idempotencyKey: key(),
      })
      const dispute = own.dispute(second.providerPaymentId, 1500)
      own.closeDispute(String(dispute.id), 'won', 1500)
      // One charge outside the window: a day ago.
      const old = await pay(700)
      const oldCharge = own.balanceTransactions.at(-1) as { created: number }
      oldCharge.created -= 86_400
      const now = Date.now()
      const window = { from: new Date(now - 3_600_000), to: new Date(now + 3_600_000) }
      const seen = []
      let startingAfter: string | undefined
      let pages = 0
      do {
        const page = await provider.listMovements({ ...window, limit: 2, ...(startingAfter ? { startingAfter } : {}) })
        seen.push(...page.data)
        startingAfter = page.next ?? undefined
        pages++
      } while (startingAfter && pages < 10)
      expect(pages).toBe(3)
      const view = seen.map(({ kind, sourceId, providerPaymentId, currency, amount, fee }) => ({
        kind,
        source: sourceId?.slice(0, 3),
        providerPaymentId,
        currency,
        amount,
        fee,
      }))
      expect(view.sort((a, b) => a.amount - b.amount)).toEqual([
        {
          kind: 'dispute',
          source: 'dp_',
          providerPaymentId: second.providerPaymentId,
          currency: 'EUR',
          amount: -3000,
          fee: 1500,
        },
        {
          kind: 'refund',
          source: 're_',
          providerPaymentId: first.providerPaymentId,
          currency: 'EUR',
          amount: -400,
          fee: 0,
        },
        {
          kind: 'charge',
          source: 'ch_',
          providerPaymentId: first.providerPaymentId,
          currency: 'EUR',
          amount: 1000,
          fee: stripeUsFee(1000),
        },
        {
          kind: 'dispute_reversal',
          source: 'dp_',
          providerPaymentId: second.providerPaymentId,
          currency: 'EUR',
          amount: 3000,
          fee: -1500,
        },
        {
          kind: 'charge',
          source: 'ch_',
          providerPaymentId: second.providerPaymentId,
          currency: 'EUR',
          amount: 3000,
          fee: stripeUsFee(3000),
        },
      ])
      expect(seen.find((m) => m.kind === 'refund')?.sourceId).toBe(refund.providerRefundId)
      expect(seen.some((m) => m.providerPaymentId === old.providerPaymentId)).toBe(false)
      expect(new Set(seen.map((m) => m.id)).size).toBe(5)
      const listed = own.requests.filter((request) => request.path === '/v1/balance_transactions')
      expect(listed[0]?.params).toMatchObject({
        created: {
          gte: String(Math.ceil(window.from.getTime() / 1000)),
          lt: String(Math.ceil(window.to.getTime() / 1000)),
        },
        limit: '2',
        expand: { '0': 'data.source' },
      })
      expect(listed[1]?.params.starting_after).toBe(seen[1]?.id)
    } finally {
      await own.close()
    }
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
    expect(fake.requests.at(-1)).toMatchObject({ idempotencyKey: input.idempotencyKey, replayed: true })
    const other = await failure(() => provider.createPayment({ ...input, amount: 1300 }))
    expect([other.kind, other.code]).toEqual(['conflict', 'idempotency_error'])
  })

  it('retries a call whose answer was lost with the same key: one payment, the first answer', async () => {
    const delays: number[] = []
    const provider = stripe({ sleep: async (ms) => void delays.push(ms), random: () => 0.5 })
    const intentsBefore = fake.intents.size
    // The SDK retries a closed connection once by itself (same key); the second loss is ours to retry.
    fake.dropAfterExecute(2)
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
    expect(fake.intents.size).toBe(intentsBefore + 1)
    const attempts = fake.requests.filter((request) => request.idempotencyKey === idempotencyKey)
    expect(attempts.map((attempt) => attempt.replayed)).toEqual([false, true, true])
    // Full jitter: half of the first retry's 250 ms bound with random() = 0.5.
    expect(delays).toEqual([125])
  })

  it('never retries a call without an idempotency key', async () => {
    const provider = stripe()
    fake.failNext(1)
    const before = fake.requests.length
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
    expect(fake.requests.length).toBe(before + 1)
  })
})

describe('timeouts and the circuit breaker', () => {
  it('gives up on a call past its deadline, and retries it with the same key', async () => {
    const once = stripe({ timeoutMs: 300, retries: 0 })
    fake.hangNext(1)
    const timedOut = await failure(() => once.retrievePayment('pi_missing'))
    expect(timedOut.kind).toBe('timeout')
    const retrying = stripe({ timeoutMs: 300, retries: 1 })
    fake.hangNext(1)
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
    expect(fake.requests.filter((request) => request.idempotencyKey === idempotencyKey)).toHaveLength(2)
  })

  it('opens after failures, fails fast while open, and closes after a successful trial', async () => {
    const provider = stripe({ retries: 0, breakerVolume: 3, breakerResetSeconds: 0.2 })
    fake.failNext(100)
    for (let i = 0; i < 3; i++) expect((await failure(() => provider.retrievePayment('pi_x'))).kind).toBe('unavailable')
    expect(provider.breakerState()).toBe('open')
    expect(provider.retryAfterSeconds()).toBeGreaterThanOrEqual(1)
    const before = fake.requests.length
    const fast = await failure(() => provider.retrievePayment('pi_x'))
    expect([fast.kind, fast.code]).toEqual(['unavailable', CIRCUIT_OPEN])
    expect(fake.requests.length, 'an open breaker does not call the provider').toBe(before)
    fake.failNext(0)
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
