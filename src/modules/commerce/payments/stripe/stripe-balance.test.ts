/**
 * What Stripe knows beyond a payment's amount, through the adapter against the local fake: the
 * capture facts (fee and card country) and the balance movements reconciliation lists.
 */
import { describe, expect, it } from 'vitest'
import type { ResilientProvider } from '../resilience.ts'
import { stripeUsFee } from './stripe-fake-balance.testing.ts'
import { startStripeFake } from './stripe-fake.testing.ts'
import { failure, key, metadata, SECRET_KEY, useStripeFake } from './stripe-provider.testing.ts'

const harness = useStripeFake()
const stripe = harness.stripe

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
      expect(harness.fake.requests.at(-1)).toMatchObject({
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
    harness.fake.settleIn({ currency: 'usd', rate: 1.1 })
    const payment = await pay(provider, 'pm_card_fr', 'automatic')
    expect(await provider.captureFacts(payment.providerPaymentId)).toEqual({ fee: null, cardCountry: 'FR' })
  })

  it('is a read: retried through an outage, and a provider failure once the retries are spent', async () => {
    const payment = await pay(stripe(), 'pm_card_visa', 'automatic')
    harness.fake.failNext(1)
    expect(await stripe({ retries: 1 }).captureFacts(payment.providerPaymentId)).toMatchObject({ cardCountry: 'US' })
    harness.fake.failNext(2)
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
