/**
 * The sandbox provider end to end: each scenario, chosen by its test payment method, produces the
 * right normalised events through the inbound path (signed webhook → receiver → record → job →
 * handlers in the payment's tenant), and our payment record follows.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Stripe from 'stripe'
import { buildTestApp, type TestApp } from '../../../../../test/build-test-app.ts'
import { systemContext } from '../../../../platform/http/request-context.ts'
import { waitUntil } from '../../../../platform/jobs/testing.ts'
import type { PaymentsApi } from '../payments.module.ts'
import {
  orderId,
  recordPaymentEvents,
  storedPayment,
  storedWebhookEvents,
  type EventRecorder,
} from '../payments.testing.ts'
import { createSandboxProvider } from './sandbox-provider.ts'
import { SANDBOX_SIGNATURE_HEADER, signSandboxPayload } from './sandbox-signature.ts'

let t: TestApp
let api: PaymentsApi
let recorder: EventRecorder
let tenant: { id: string; slug: string }

beforeAll(async () => {
  t = await buildTestApp({ worker: true })
  api = t.modules.commerce.payments
  recorder = recordPaymentEvents(api, t.platform.database)
  tenant = await t.createTenant()
})
afterAll(async () => {
  await t?.close()
})

const ctx = () => systemContext(t.platform.database, tenant.id, 'sandbox-test')
const kinds = (envelopes: { event: { kind: string } }[]) => envelopes.map((envelope) => envelope.event.kind).sort()

async function pay(
  paymentMethod: string,
  options: { amount?: number; currency?: string; captureMethod?: 'automatic' | 'manual' } = {},
) {
  return api.createPayment(ctx(), {
    orderId: orderId(),
    amount: options.amount ?? 1000,
    currency: options.currency ?? 'EUR',
    captureMethod: options.captureMethod ?? 'automatic',
    paymentMethod,
    idempotencyKey: `test-${crypto.randomUUID()}`,
  })
}

describe('sandbox scenarios through the inbound path', () => {
  it('succeeds: captured at once, one payment.captured in the right tenant and order', async () => {
    const payment = await pay('pm_sandbox_visa')
    expect(payment).toMatchObject({ provider: 'sandbox', status: 'succeeded', amountCaptured: 1000, failure: null })
    const [captured] = await recorder.waitFor(payment.id, ['payment.captured'])
    expect(captured).toMatchObject({
      tenantId: tenant.id,
      paymentId: payment.id,
      orderId: payment.orderId,
      event: {
        kind: 'payment.captured',
        provider: 'sandbox',
        providerPaymentId: payment.providerPaymentId,
        amount: 1000,
        currency: 'EUR',
        // 2.9 % of 10.00 (0.29) + 0.30, and the test card's country.
        fee: 59,
        cardCountry: 'US',
      },
    })
    // payment.created is sent too, and acknowledged without being recorded: commerce does not act on it.
    const stored = await storedWebhookEvents(t.platform.database, payment.providerPaymentId)
    expect(stored.map((row) => [row.kind, row.status, row.tenantId])).toEqual([
      ['payment.captured', 'processed', tenant.id],
    ])
  })

  it('declines: payment.failed with the decline code, and the record says so', async () => {
    const payment = await pay('pm_sandbox_declined')
    expect(payment).toMatchObject({ status: 'requires_payment_method', failure: { code: 'card_declined' } })
    const [failed] = await recorder.waitFor(payment.id, ['payment.failed'])
    expect(failed?.event).toMatchObject({ kind: 'payment.failed', failure: { code: 'card_declined' } })
    expect(await storedPayment(t.platform.database, payment.id)).toMatchObject({
      status: 'requires_payment_method',
      failureCode: 'card_declined',
    })
  })

  it('requires 3-D Secure, then completes when the buyer approves (and fails when they deny)', async () => {
    const payment = await pay('pm_sandbox_3ds')
    expect(payment).toMatchObject({ status: 'requires_action', nextAction: { type: 'client_sdk' } })
    await recorder.waitFor(payment.id, ['payment.requires_action'])
    const url = `/v1/sandbox/payments/${payment.providerPaymentId}/authenticate`
    const wrong = await t.app.inject({ method: 'POST', url, payload: { clientSecret: 'nope', outcome: 'approve' } })
    expect([wrong.statusCode, wrong.json().code]).toEqual([404, 'SANDBOX_PAYMENT_NOT_FOUND'])
    const approved = await t.app.inject({
      method: 'POST',
      url,
      payload: { clientSecret: payment.clientSecret, outcome: 'approve' },
    })
    expect(approved.json()).toEqual({ id: payment.providerPaymentId, status: 'succeeded' })
    const again = await t.app.inject({
      method: 'POST',
      url,
      payload: { clientSecret: payment.clientSecret, outcome: 'approve' },
    })
    expect([again.statusCode, again.json().code]).toEqual([409, 'SANDBOX_PAYMENT_NOT_AWAITING_ACTION'])
    expect(kinds(await recorder.waitFor(payment.id, ['payment.captured']))).toEqual([
      'payment.captured',
      'payment.requires_action',
    ])
    expect((await api.retrievePayment(ctx(), payment.id)).status).toBe('succeeded')

    const denied = await pay('pm_sandbox_3ds')
    await t.app.inject({
      method: 'POST',
      url: `/v1/sandbox/payments/${denied.providerPaymentId}/authenticate`,
      payload: { clientSecret: denied.clientSecret, outcome: 'deny' },
    })
    const events = await recorder.waitFor(denied.id, ['payment.failed'])
    expect(events.find((envelope) => envelope.event.kind === 'payment.failed')?.event).toMatchObject({
      failure: { code: 'authentication_failed' },
    })
  })

  it('authorises for a delayed capture, captures part, and refunds in parts', async () => {
    const payment = await pay('pm_sandbox_visa', { amount: 5000, captureMethod: 'manual' })
    expect(payment).toMatchObject({ status: 'requires_capture', amountCapturable: 5000 })
    const [authorised] = await recorder.waitFor(payment.id, ['payment.authorized'])
    expect(authorised?.event).toMatchObject({ amount: 5000 })
    expect((await storedPayment(t.platform.database, payment.id))?.status).toBe('requires_capture')
    const captured = await api.capturePayment(ctx(), payment.id, { amount: 4000, idempotencyKey: 'capture-1' })
    expect(captured).toMatchObject({ status: 'succeeded', amountCaptured: 4000 })
    const first = await api.refundPayment(ctx(), payment.id, {
      amount: 1000,
      reason: 'requested_by_customer',
      idempotencyKey: 'refund-1',
    })
    const replay = await api.refundPayment(ctx(), payment.id, {
      amount: 1000,
      reason: 'requested_by_customer',
      idempotencyKey: 'refund-1',
    })
    expect(replay).toEqual(first)
    const rest = await api.refundPayment(ctx(), payment.id, {
      reason: 'requested_by_customer',
      idempotencyKey: 'refund-2',
    })
    expect(rest.amount).toBe(3000)
    await expect(
      api.refundPayment(ctx(), payment.id, { amount: 1, reason: 'duplicate', idempotencyKey: 'refund-3' }),
    ).rejects.toMatchObject({ status: 422, code: 'PAYMENT_PROVIDER_REJECTED' })
    const refundsSeen = () =>
      recorder.seen.filter((e) => e.paymentId === payment.id && e.event.kind === 'refund.succeeded')
    await waitUntil('both refunds', async () => refundsSeen().length === 2, 30_000)
    const refunds = refundsSeen()
    expect(refunds.map((e) => (e.event as { refund: { amount: number } }).refund.amount).sort()).toEqual([1000, 3000])
    expect(await storedPayment(t.platform.database, payment.id)).toMatchObject({
      status: 'succeeded',
      amountCaptured: 4000,
    })
  })

  it('cancels an authorised payment (idempotent); it can then be neither captured nor confirmed', async () => {
    const payment = await pay('pm_sandbox_visa', { amount: 3000, captureMethod: 'manual' })
    await recorder.waitFor(payment.id, ['payment.authorized'])
    const canceled = await api.cancelPayment(ctx(), payment.id, { reason: 'abandoned', idempotencyKey: 'cancel-1' })
    expect(canceled).toMatchObject({ status: 'canceled', amountCapturable: 0, amountCaptured: 0 })
    expect((await storedPayment(t.platform.database, payment.id))?.status).toBe('canceled')
    const again = await api.cancelPayment(ctx(), payment.id, { reason: 'abandoned', idempotencyKey: 'cancel-2' })
    expect(again.status).toBe('canceled')
    await expect(api.capturePayment(ctx(), payment.id, { idempotencyKey: 'capture-1' })).rejects.toMatchObject({
      status: 422,
      code: 'PAYMENT_PROVIDER_REJECTED',
    })
    await expect(
      api.confirmPayment(ctx(), payment.id, { paymentMethod: 'pm_sandbox_visa', idempotencyKey: 'confirm-1' }),
    ).rejects.toMatchObject({ status: 422, code: 'PAYMENT_PROVIDER_REJECTED' })
    expect(await api.retrievePayment(ctx(), payment.id)).toMatchObject({ status: 'canceled', amountCaptured: 0 })
  })

  it('cancels a declined payment, and answers a captured one as it stands', async () => {
    const declined = await pay('pm_sandbox_declined')
    expect(declined.status).toBe('requires_payment_method')
    const canceled = await api.cancelPayment(ctx(), declined.id, {
      reason: 'requested_by_customer',
      idempotencyKey: 'cancel-1',
    })
    expect(canceled.status).toBe('canceled')
    const paid = await pay('pm_sandbox_visa')
    const answer = await api.cancelPayment(ctx(), paid.id, { reason: 'requested_by_customer', idempotencyKey: 'c' })
    expect(answer).toMatchObject({ status: 'succeeded', amountCaptured: 1000 })
    expect((await storedPayment(t.platform.database, paid.id))?.status).toBe('succeeded')
  })

  it.each([
    ['pm_sandbox_dispute_won', 'dispute.won'],
    ['pm_sandbox_dispute_lost', 'dispute.lost'],
  ])('opens a dispute after capture with %s, then decides it (%s)', async (method, decided) => {
    const payment = await pay(method)
    const events = await recorder.waitFor(payment.id, ['payment.captured', 'dispute.opened', decided])
    expect(kinds(events)).toEqual(['dispute.opened', decided, 'payment.captured'].sort())
    const opened = events.find((envelope) => envelope.event.kind === 'dispute.opened')?.event
    const closed = events.find((envelope) => envelope.event.kind === decided)?.event
    expect(opened).toMatchObject({ dispute: { amount: 1000, reason: 'fraudulent' } })
    expect((closed as { dispute: { providerDisputeId: string } }).dispute.providerDisputeId).toBe(
      (opened as { dispute: { providerDisputeId: string } }).dispute.providerDisputeId,
    )
  })
})

describe('capture facts', () => {
  it.each([
    ['pm_sandbox_visa_de', 'DE', 'JPY', 5000, 145],
    ['pm_sandbox_visa_fr', 'FR', 'BHD', 12_000, 648],
    ['pm_sandbox_3ds', 'GB', 'USD', 500, 44],
  ])('%s: a card from %s; %s %i captured costs a fee of %i', async (method, country, currency, amount, fee) => {
    const payment = await pay(method, { amount, currency })
    if (method === 'pm_sandbox_3ds')
      await t.app.inject({
        method: 'POST',
        url: `/v1/sandbox/payments/${payment.providerPaymentId}/authenticate`,
        payload: { clientSecret: payment.clientSecret, outcome: 'approve' },
      })
    const [captured] = (await recorder.waitFor(payment.id, ['payment.captured'])).filter(
      (envelope) => envelope.event.kind === 'payment.captured',
    )
    expect(captured?.event).toMatchObject({ amount, currency, fee, cardCountry: country })
  })

  it('a delayed capture costs the fee of the amount captured, not of the amount authorised', async () => {
    const payment = await pay('pm_sandbox_visa', { amount: 5000, captureMethod: 'manual' })
    await api.capturePayment(ctx(), payment.id, { amount: 2000, idempotencyKey: 'capture-part' })
    const [captured] = (await recorder.waitFor(payment.id, ['payment.captured'])).filter(
      (envelope) => envelope.event.kind === 'payment.captured',
    )
    expect(captured?.event).toMatchObject({ amount: 2000, fee: 58 + 30, cardCountry: 'US' })
  })

  it('asks the provider for the facts when a capture webhook lacks them', async () => {
    const payment = await pay('pm_sandbox_visa_de')
    await recorder.waitFor(payment.id, ['payment.captured'])
    // A capture event as a provider that states no facts would send it (a sandbox event queued by an older release).
    const body = JSON.stringify({
      id: `sbev_${randomBytes(12).toString('hex')}`,
      object: 'event',
      type: 'payment.captured',
      created: Math.floor(Date.now() / 1000),
      data: {
        payment: {
          id: payment.providerPaymentId,
          amount: 1000,
          currency: 'EUR',
          status: 'succeeded',
          amount_capturable: 0,
          amount_received: 1000,
          metadata: { tenant_id: tenant.id, order_id: payment.orderId, payment_id: payment.id },
          failure: null,
        },
      },
    })
    const secret = t.config.payments.sandbox?.webhookSecret ?? ''
    const delivered = await t.app.inject({
      method: 'POST',
      url: '/v1/webhooks/payments/sandbox',
      headers: {
        'content-type': 'application/json',
        [SANDBOX_SIGNATURE_HEADER]: signSandboxPayload(Buffer.from(body), secret),
      },
      payload: body,
    })
    expect(delivered.json()).toEqual({ received: true, outcome: 'accepted' })
    const eventId = (JSON.parse(body) as { id: string }).id
    const asked = await waitUntil('the bare capture to be processed', async () =>
      recorder.seen.find((envelope) => envelope.event.providerEventId === eventId),
    )
    expect(asked.event).toMatchObject({ kind: 'payment.captured', fee: 59, cardCountry: 'DE' })
  })
})

describe('balance movements', () => {
  it('records each capture (with its fee), refund and dispute, and lists them page by page in a window', async () => {
    const sandbox = createSandboxProvider({
      database: t.platform.database,
      jobs: t.platform.jobs,
      webhookSecret: t.config.payments.sandbox?.webhookSecret ?? '',
      toleranceSeconds: 300,
    })
    const payment = await pay('pm_sandbox_dispute_won', { amount: 4000 })
    await api.refundPayment(ctx(), payment.id, { amount: 1500, reason: 'duplicate', idempotencyKey: 'movements' })
    await recorder.waitFor(payment.id, ['payment.captured', 'refund.succeeded', 'dispute.opened', 'dispute.won'])
    const window = { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 3_600_000) }
    const seen = []
    let startingAfter: string | undefined
    for (let pages = 0; pages < 200; pages++) {
      const page = await sandbox.listMovements(
        { ...window, limit: 3, ...(startingAfter ? { startingAfter } : {}) },
        {
          timeoutMs: 1000,
        },
      )
      seen.push(...page.data)
      if (!page.next) break
      startingAfter = page.next
    }
    expect(new Set(seen.map((m) => m.id)).size).toBe(seen.length)
    const ordered = seen.map((m) => `${m.createdAt} ${m.id}`)
    expect(ordered).toEqual([...ordered].sort())
    const mine = seen.filter((m) => m.providerPaymentId === payment.providerPaymentId)
    expect(mine.map(({ kind, amount, fee, currency }) => ({ kind, amount, fee, currency }))).toEqual(
      expect.arrayContaining([
        { kind: 'charge', amount: 4000, fee: 116 + 30, currency: 'EUR' },
        { kind: 'refund', amount: -1500, fee: 0, currency: 'EUR' },
        { kind: 'dispute', amount: -4000, fee: 0, currency: 'EUR' },
        { kind: 'dispute_reversal', amount: 4000, fee: 0, currency: 'EUR' },
      ]),
    )
    expect(mine).toHaveLength(4)
    const outside = await sandbox.listMovements(
      { from: window.to, to: new Date(window.to.getTime() + 3_600_000) },
      {
        timeoutMs: 1000,
      },
    )
    expect(outside).toEqual({ data: [], next: null })
  })
})

describe('the gateway', () => {
  it('is idempotent per key: the same payment again, another request under the key refused', async () => {
    const request = {
      orderId: orderId(),
      amount: 2500,
      currency: 'EUR',
      captureMethod: 'automatic' as const,
      paymentMethod: 'pm_sandbox_visa',
      idempotencyKey: `same-${crypto.randomUUID()}`,
    }
    const first = await api.createPayment(ctx(), request)
    const again = await api.createPayment(ctx(), request)
    expect(again.id).toBe(first.id)
    expect(again.providerPaymentId).toBe(first.providerPaymentId)
    await expect(api.createPayment(ctx(), { ...request, amount: 2600 })).rejects.toMatchObject({
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
    })
    // Another tenant's identical key is another payment.
    const other = await t.createTenant()
    const theirs = await api.createPayment(systemContext(t.platform.database, other.id), request)
    expect(theirs.id).not.toBe(first.id)
    await expect(api.retrievePayment(ctx(), theirs.id)).rejects.toMatchObject({
      status: 404,
      code: 'PAYMENT_NOT_FOUND',
    })
  })

  it('refuses unknown test payment methods and malformed amounts before anything is charged', async () => {
    await expect(pay('pm_card_visa')).rejects.toMatchObject({ status: 422, code: 'PAYMENT_PROVIDER_REJECTED' })
    await expect(pay('pm_sandbox_visa', { amount: 10.5 })).rejects.toMatchObject({
      status: 400,
      code: 'PAYMENT_INVALID',
    })
  })
})

describe('the sandbox webhook receiver', () => {
  const deliver = (body: string, header: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/webhooks/payments/sandbox',
      headers: { 'content-type': 'application/json', [SANDBOX_SIGNATURE_HEADER]: header },
      payload: body,
    })

  it('uses the Stripe signature scheme with its own secret, and acknowledges unknown types', async () => {
    const body = JSON.stringify({
      id: `sbev_${'a'.repeat(24)}`,
      object: 'event',
      type: 'payment.teleported',
      created: Math.floor(Date.now() / 1000),
      data: {
        payment: {
          id: 'sbpi_x',
          amount: 1,
          currency: 'EUR',
          status: 'succeeded',
          amount_capturable: 0,
          amount_received: 1,
          metadata: {},
          failure: null,
        },
      },
    })
    const secret = t.config.payments.sandbox?.webhookSecret ?? ''
    const header = signSandboxPayload(Buffer.from(body), secret)
    // Stripe's own verifier accepts the sandbox's header: the same scheme.
    expect(Stripe.webhooks.signature?.verifyHeader(body, header, secret)).toBe(true)
    const response = await deliver(body, header)
    expect([response.statusCode, response.json()]).toEqual([200, { received: true, outcome: 'ignored' }])
    const forged = await deliver(body, signSandboxPayload(Buffer.from(body), 'x'.repeat(40)))
    expect([forged.statusCode, forged.json().code]).toEqual([400, 'WEBHOOK_SIGNATURE_INVALID'])
  })
})
