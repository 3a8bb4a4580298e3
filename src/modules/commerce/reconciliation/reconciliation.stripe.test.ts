/**
 * Reconciliation with Stripe through the real SDK against the local fake of its API: balance
 * transactions (charges with fees, refunds, a dispute's withdrawal and reversal with their fees)
 * listed with auto-expanded sources and attributed to tenants through our payments table, one
 * Stripe account serving two tenants and a payment made outside Lyceum; sales booked under their
 * order's id (as the orders module books them) or under Stripe's payment id; a ledger posting
 * Stripe never saw; a Stripe outage answered 503.
 */
import { randomUUID } from 'node:crypto'
import Stripe from 'stripe'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import { inTenant } from '../ledger/ledger.testing.ts'
import { postCapture, postDisputeOpened, postDisputeWon, postRefund } from '../ledger/index.ts'
import type { PaymentsApi } from '../payments/payments.module.ts'
import { orderId } from '../payments/payments.testing.ts'
import { stripeUsFee } from '../payments/stripe/stripe-fake-balance.testing.ts'
import { startStripeFake, type StripeFake } from '../payments/stripe/stripe-fake.testing.ts'
import { utcDay } from './reconciliation.testing.ts'

const SECRET_KEY = 'sk_test_lyceumreconcile0123456789'

let fake: StripeFake
let t: TestApp
let api: PaymentsApi

beforeAll(async () => {
  fake = await startStripeFake(SECRET_KEY)
  t = await buildTestApp({
    env: {
      PAYMENTS_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: 'whsec_lyceumreconcile0123456789',
      STRIPE_API_HOST: fake.host,
      STRIPE_API_PORT: String(fake.port),
      STRIPE_API_PROTOCOL: 'http',
      PAYMENTS_PROVIDER_RETRIES: '0',
      PAYMENTS_BREAKER_VOLUME: '2',
      PAYMENTS_BREAKER_RESET_SECONDS: '1',
    },
  })
  api = t.modules.commerce.payments
})
afterAll(async () => {
  await t?.close()
  await fake?.close()
})

const url = `/v1/commerce/reconciliation?from=${utcDay(-1)}&to=${utcDay(1)}&provider=stripe`
/** When Stripe's balance moved for a source: the ledger posts each event at the provider's own instant. */
const settledAt = (source: string, which: 'first' | 'last' = 'first') => {
  const moves = fake.balanceTransactions.filter((b) => b.source === source)
  return new Date(((which === 'first' ? moves[0] : moves.at(-1))?.created as number) * 1000)
}
const charged = (providerPaymentId: string) => {
  const charge = [...fake.charges.values()].find((c) => c.payment_intent === providerPaymentId)
  const settled = fake.balanceTransactions.find((b) => b.source === charge?.id)
  return new Date((settled?.created as number) * 1000)
}

async function pay(tenantId: string, amount: number, paymentMethod = 'pm_card_visa') {
  return api.createPayment(systemContext(t.platform.database, tenantId, 'reconcile-stripe'), {
    orderId: orderId(),
    amount,
    currency: 'EUR',
    captureMethod: 'automatic',
    paymentMethod,
    idempotencyKey: randomUUID(),
  })
}

/** The sale of a payment, booked under `reference`: its order's id (as orders book it) or Stripe's payment id. */
async function capture(tenantId: string, providerPaymentId: string, amount: number, reference = providerPaymentId) {
  await inTenant(t, tenantId, (tx) =>
    postCapture(tx, {
      tenantId,
      externalReference: reference,
      provider: 'stripe',
      currency: 'EUR',
      amount,
      tax: 0,
      providerFee: stripeUsFee(amount),
      lines: [{ amount, courseId: null }],
      occurredAt: charged(providerPaymentId),
    }),
  )
}

describe('reconciliation with Stripe', () => {
  it("matches one tenant's charges, refund and won dispute (fees included), leaving out the account's other payments", async () => {
    const a = await t.createTenant()
    const b = await t.createTenant()
    const first = await pay(a.id, 5_000)
    const second = await pay(a.id, 2_500, 'pm_card_de')
    const ctx = systemContext(t.platform.database, a.id)
    const refund = await api.refundPayment(ctx, second.id, { amount: 500, reason: 'duplicate', idempotencyKey: 'r' })
    const dispute = fake.dispute(first.providerPaymentId, 1_500)
    fake.closeDispute(String(dispute.id), 'won', 1_500)
    // The same account: another tenant's payment, and one made outside Lyceum.
    const theirs = await pay(b.id, 9_900)
    await new Stripe(SECRET_KEY, { host: fake.host, port: fake.port, protocol: 'http' }).paymentIntents.create({
      amount: 4_200,
      currency: 'eur',
      payment_method: 'pm_card_visa',
      confirm: true,
    })

    // The first sale as the orders module books it, under its order's id; the second under Stripe's id.
    await capture(a.id, first.providerPaymentId, 5_000, first.orderId)
    await capture(a.id, second.providerPaymentId, 2_500)
    await inTenant(t, a.id, async (tx) => {
      await postRefund(tx, {
        tenantId: a.id,
        externalReference: refund.providerRefundId,
        captureReference: second.providerPaymentId,
        amount: 500,
        occurredAt: settledAt(refund.providerRefundId),
      })
      await postDisputeOpened(tx, {
        tenantId: a.id,
        externalReference: String(dispute.id),
        captureReference: first.orderId,
        amount: 5_000,
        disputeFee: 1_500,
        occurredAt: settledAt(String(dispute.id)),
      })
      await postDisputeWon(tx, {
        tenantId: a.id,
        externalReference: `${String(dispute.id)}:won`,
        disputeReference: String(dispute.id),
        disputeFeeReturned: 1_500,
        occurredAt: settledAt(String(dispute.id), 'last'),
      })
    })
    const admin = await t.tokenFor(a.id, ['tenant_admin'])
    const report = (await t.app.inject({ method: 'GET', url, headers: t.auth(admin) })).json()
    expect(report).toMatchObject({ reconciled: true, providers: ['stripe'], differences: [] })
    expect(report.days).toHaveLength(1)
    expect(report.days[0].atProvider).toEqual({
      captured: { amount: 7_500, currency: 'EUR' },
      refunded: { amount: 500, currency: 'EUR' },
      disputed: { amount: 5_000, currency: 'EUR' },
      reinstated: { amount: 5_000, currency: 'EUR' },
      fees: { amount: stripeUsFee(5_000) + stripeUsFee(2_500), currency: 'EUR' },
      net: { amount: 7_000 - stripeUsFee(5_000) - stripeUsFee(2_500), currency: 'EUR' },
    })

    // The other tenant's charge is its own: its unposted ledger shows it missing there, by Stripe's id.
    const theirAdmin = await t.tokenFor(b.id, ['tenant_admin'])
    const theirReport = (await t.app.inject({ method: 'GET', url, headers: t.auth(theirAdmin) })).json()
    const theirCharge = fake.balanceTransactions.find(
      (row) => row.source === [...fake.charges.values()].find((c) => c.payment_intent === theirs.providerPaymentId)?.id,
    )
    expect(theirReport.differences).toEqual([
      expect.objectContaining({
        type: 'missing_in_ledger',
        reference: theirs.providerPaymentId,
        providerTransactionIds: [theirCharge?.id],
        atProvider: {
          amount: { amount: 9_900, currency: 'EUR' },
          fee: { amount: stripeUsFee(9_900), currency: 'EUR' },
          day: utcDay(),
        },
      }),
    ])
  })

  it("reports a ledger posting Stripe has no movement for, and a fee that differs, by Stripe's ids", async () => {
    const a = await t.createTenant()
    const payment = await pay(a.id, 3_000)
    await inTenant(t, a.id, (tx) =>
      postCapture(tx, {
        tenantId: a.id,
        externalReference: payment.orderId,
        provider: 'stripe',
        currency: 'EUR',
        amount: 3_000,
        tax: 0,
        providerFee: 0,
        lines: [{ amount: 3_000, courseId: null }],
        occurredAt: charged(payment.providerPaymentId),
      }),
    )
    const ghost = await inTenant(t, a.id, (tx) =>
      postRefund(tx, {
        tenantId: a.id,
        externalReference: 're_neverissuedbystripe',
        captureReference: payment.orderId,
        amount: 100,
      }),
    )
    const admin = await t.tokenFor(a.id, ['tenant_admin'])
    const report = (await t.app.inject({ method: 'GET', url, headers: t.auth(admin) })).json()
    expect(report.reconciled).toBe(false)
    expect(report.differences.map((d: { type: string; reference: string }) => [d.type, d.reference]).sort()).toEqual([
      ['amount_mismatch', payment.providerPaymentId],
      ['missing_at_provider', 're_neverissuedbystripe'],
    ])
    expect(report.differences).toContainEqual(
      expect.objectContaining({ type: 'missing_at_provider', ledgerTransactionIds: [ghost.transaction.id] }),
    )
  })

  it('answers 503 with Retry-After while Stripe cannot list its movements', async () => {
    const a = await t.createTenant()
    const admin = await t.tokenFor(a.id, ['tenant_admin'])
    fake.failNext(1000)
    try {
      const response = await t.app.inject({ method: 'GET', url, headers: t.auth(admin) })
      expect([response.statusCode, response.json().code]).toEqual([503, 'PAYMENT_PROVIDER_UNAVAILABLE'])
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    } finally {
      fake.failNext(0)
    }
  })
})
