/**
 * Cancelling payments through the Stripe adapter against the local fake: an unpaid intent or an
 * authorisation is cancelled with its reason and can then be neither confirmed nor captured; a
 * succeeded intent is left alone; a lost answer is retried under the same key.
 */
import { describe, expect, it } from 'vitest'
import type { ResilientProvider } from '../resilience.ts'
import { failure, key, metadata, useStripeFake } from './stripe-provider.testing.ts'

const harness = useStripeFake()
const stripe = harness.stripe

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
    expect(harness.fake.requests.at(-1)).toMatchObject({
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
    const refused = harness.fake.requests.filter((request) => request.path.endsWith('/cancel')).at(-1)
    expect(refused?.path).toBe(`/v1/payment_intents/${paid.providerPaymentId}/cancel`)
    expect(harness.fake.intents.get(paid.providerPaymentId)?.status).toBe('succeeded')
  })

  it('retries a lost answer with the same key: one cancel at Stripe, the first answer', async () => {
    const provider = stripe()
    const created = await manual(provider)
    const cancelKey = key()
    harness.fake.dropAfterExecute(1)
    const canceled = await provider.cancelPayment({
      providerPaymentId: created.providerPaymentId,
      reason: 'abandoned',
      idempotencyKey: cancelKey,
    })
    expect(canceled.status).toBe('canceled')
    const sent = harness.fake.requests.filter((request) => request.idempotencyKey === cancelKey)
    expect(sent.map((request) => request.replayed)).toEqual([false, true])
  })

  it('is not found for an unknown intent', async () => {
    const missing = await failure(() =>
      stripe().cancelPayment({ providerPaymentId: 'pi_unknown', reason: 'abandoned', idempotencyKey: key() }),
    )
    expect(missing.kind).toBe('not_found')
  })
})
