/**
 * Refunds of paid orders through the provider's verified events: a sandbox refund → signed
 * webhook → processing job → the refund handler, which books the ledger, the order and the
 * buyer's access in one transaction and publishes `payment.refunded`. Orders are paid as the
 * capture leaves them (refunds.testing.ts). Also: replays, a refund before the capture is booked,
 * and a refund the provider reports failed.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { systemContext } from '../../../platform/http/request-context.ts'
import { jobsMatching, waitUntil } from '../../../platform/jobs/testing.ts'
import { createLogger } from '../../../platform/observability/logger.ts'
import { createMember, enrolmentClient } from '../../enrolment/testing.ts'
import { balances } from '../ledger/ledger.testing.ts'
import { PROCESS_PAYMENT_EVENT_QUEUE } from '../payments/inbound.ts'
import { paymentsErrors } from '../payments/payments.errors.ts'
import { ProviderError } from '../payments/port.ts'
import { storedWebhookEvents } from '../payments/payments.testing.ts'
import { pricesClient } from '../prices/prices.testing.ts'
import { PAYMENT_REFUNDED } from './orders.events.ts'
import { onRefundFailed, PROVIDER_REFUND_REASON } from './refunds.ts'
import { ASK_REFUND_QUEUE, createRefundService, type RefundService } from './refunds.service.ts'
import { refundsRepository } from './refunds.repository.ts'
import {
  captureAtProvider,
  deliverSandboxEvent,
  grantsOf,
  hasAccess,
  inTenant,
  ledgerBalanced,
  orderOf,
  outboxPayloads,
  paidOrder,
  placeOrder,
  refundsOf,
  saleTransactionKinds,
  shop,
  type PlacedOrder,
  type Shop,
} from './refunds.testing.ts'

let t: TestApp
const log = createLogger('silent')

beforeAll(async () => {
  t = await buildTestApp({ worker: true, paymentEventRetry: { limit: 30, delaySeconds: 1, maxDelaySeconds: 2 } })
})
afterAll(async () => {
  await t?.close()
})

/** A refund made at the sandbox (not through our refund service: it reaches us as the provider's). */
function refundAtProvider(s: Shop, order: PlacedOrder, amount?: number) {
  return t.modules.commerce.payments.refundPayment(systemContext(t.platform.database, s.id), order.paymentId, {
    ...(amount === undefined ? {} : { amount }),
    reason: 'requested_by_customer',
    idempotencyKey: randomUUID(),
  })
}

const refundedTo = (s: Shop, order: PlacedOrder, refundedAmount: number) =>
  waitUntil(
    `order ${order.orderId} refunded to ${refundedAmount}`,
    async () => {
      const row = await orderOf(t, s.id, order.orderId)
      return row?.refundedAmount === refundedAmount ? row : undefined
    },
    120_000,
  )

const access = (s: Shop, order: PlacedOrder) => hasAccess(t, s.id, order.buyerId, s.courseId)

describe('a refund through the provider', () => {
  it('in full: books the ledger, refunds the order, ends access and publishes payment.refunded', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s)
    expect(await access(s, order)).toBe(true)
    const refund = await refundAtProvider(s, order)
    expect(await refundedTo(s, order, 5_000)).toMatchObject({ status: 'refunded' })
    expect(await access(s, order)).toBe(false)
    expect((await saleTransactionKinds(t, s.id, order.orderId)).sort()).toEqual(['capture', 'refund'])
    // The platform fee (30 %) went from revenue to refunds; the instructor's payable is empty again. The
    // sandbox's processing fee (2.9 % + 0.30) is not returned by a refund: an expense the clearing paid.
    expect(await balances(t, s.id)).toEqual({
      'platform_revenue:EUR': 1_500,
      'refunds:EUR': 1_500,
      'provider_fees:sandbox:EUR': 175,
      'provider_clearing:sandbox:EUR': -175,
    })
    expect(await ledgerBalanced(t, s.id)).toBe(true)
    expect(await outboxPayloads(t, s.id, PAYMENT_REFUNDED, order.orderId)).toEqual([
      {
        orderId: order.orderId,
        paymentId: order.paymentId,
        providerRefundId: refund.providerRefundId,
        amount: 5_000,
        currency: 'EUR',
        refundedTotal: 5_000,
        fullyRefunded: true,
        reason: PROVIDER_REFUND_REASON,
        refundedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      },
    ])
    expect(await refundsOf(t, s.id, order.orderId)).toMatchObject([
      { origin: 'provider', status: 'succeeded', amount: 5_000, providerRefundId: refund.providerRefundId },
    ])
  })

  it('in part: access stays (policy keep), the rest later ends it', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s)
    await refundAtProvider(s, order, 1_200)
    expect(await refundedTo(s, order, 1_200)).toMatchObject({ status: 'partially_refunded' })
    expect(await access(s, order)).toBe(true)
    expect(await ledgerBalanced(t, s.id)).toBe(true)
    await refundAtProvider(s, order)
    expect(await refundedTo(s, order, 5_000)).toMatchObject({ status: 'refunded' })
    expect(await access(s, order)).toBe(false)
    const events = await outboxPayloads(t, s.id, PAYMENT_REFUNDED, order.orderId)
    expect(events.map((e) => [e.amount, e.refundedTotal, e.fullyRefunded])).toEqual([
      [1_200, 1_200, false],
      [3_800, 5_000, true],
    ])
    expect(await ledgerBalanced(t, s.id)).toBe(true)
  })

  it("in part under the tenant's revoke policy: access ends at once", async () => {
    const s = await shop(t)
    const policy = await pricesClient(t).replaceSettings(
      s.admin,
      {
        allowedCurrencies: ['EUR'],
        baseCurrency: 'EUR',
        minimumPrices: [],
        pricesIncludeTax: false,
        partialRefundAccess: 'revoke',
      },
      '"v1"',
    )
    expect(policy.statusCode, policy.body).toBe(200)
    const order = await paidOrder(t, s)
    await refundAtProvider(s, order, 100)
    expect(await refundedTo(s, order, 100)).toMatchObject({ status: 'partially_refunded' })
    expect(await access(s, order)).toBe(false)
    const grants = await grantsOf(t, s.id, order.buyerId, s.courseId)
    expect(grants.map((grant) => [grant.sourceRef, grant.revokedReason])).toEqual([[order.orderId, 'partial_refund']])
    expect(await ledgerBalanced(t, s.id)).toBe(true)
  })

  it('ends only its own access: a second purchase keeps the course', async () => {
    const s = await shop(t)
    const first = await paidOrder(t, s)
    const second = await paidOrder(t, s, { buyerId: first.buyerId })
    await refundAtProvider(s, first)
    await refundedTo(s, first, 5_000)
    expect(await access(s, first)).toBe(true)
    await refundAtProvider(s, second)
    await refundedTo(s, second, 5_000)
    expect(await access(s, first)).toBe(false)
    expect(await ledgerBalanced(t, s.id)).toBe(true)
  })

  it('ends only its own access: an enrolment by the school keeps the course', async () => {
    const s = await shop(t)
    const learner = await createMember(t, s.id)
    const enrolled = await enrolmentClient(t).enrol(s.courseId, s.admin, { userId: learner.userId })
    expect(enrolled.statusCode, enrolled.body).toBe(201)
    const order = await paidOrder(t, s, { buyerId: learner.userId })
    await refundAtProvider(s, order)
    await refundedTo(s, order, 5_000)
    expect(await access(s, order)).toBe(true)
    expect(await ledgerBalanced(t, s.id)).toBe(true)
  })

  it('replayed (another event of the same refund, and the same event again): booked once', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s)
    const refund = { id: `re_${randomUUID()}`, amount: 1_000 }
    const eventId = `sbev_${randomBytes(12).toString('hex')}`
    // Two deliveries of one event (the receiver dedupes them), and another event of the same refund.
    for (const id of [eventId, eventId, undefined])
      expect(['processed', 'already_done']).toContain(
        await deliverSandboxEvent(t, s.id, order, 'refund.succeeded', refund, id),
      )
    expect(await refundedTo(s, order, 1_000)).toMatchObject({ status: 'partially_refunded' })
    expect((await saleTransactionKinds(t, s.id, order.orderId)).sort()).toEqual(['capture', 'refund'])
    expect(await outboxPayloads(t, s.id, PAYMENT_REFUNDED, order.orderId)).toHaveLength(1)
    expect(await refundsOf(t, s.id, order.orderId)).toHaveLength(1)
    expect(await ledgerBalanced(t, s.id)).toBe(true)
  })

  it('before its capture is booked: not yet, retried, then applied once the capture is', async () => {
    const s = await shop(t)
    // Authorised only: nothing is captured (or booked) until captureAtProvider.
    const order = await placeOrder(t, s)
    const refund = { id: `re_${randomUUID()}`, amount: 2_000 }
    await expect(deliverSandboxEvent(t, s.id, order, 'refund.succeeded', refund)).rejects.toMatchObject({
      code: 'PAYMENT_EVENT_NOT_READY',
    })
    const held = await waitUntil(
      'the refund event to be retried',
      async () => {
        const event = (await storedWebhookEvents(t.platform.database, order.providerPaymentId)).find(
          (row) => row.kind === 'refund.succeeded',
        )
        if (!event) return undefined
        const jobs = await jobsMatching(t.platform.database, PROCESS_PAYMENT_EVENT_QUEUE, { webhookEventId: event.id })
        return jobs.some((job) => job.retryCount >= 1) ? event : undefined
      },
      120_000,
    )
    expect(held.status).toBe('received')
    expect(await orderOf(t, s.id, order.orderId)).toMatchObject({ status: 'awaiting_payment', refundedAmount: 0 })
    expect(await refundsOf(t, s.id, order.orderId)).toEqual([])
    // The capture is booked by its own event's job (ahead of the held refund's retries); the refund's
    // next retry applies.
    await captureAtProvider(t, s.id, order)
    expect(await refundedTo(s, order, 2_000)).toMatchObject({ status: 'partially_refunded' })
    expect((await saleTransactionKinds(t, s.id, order.orderId)).sort()).toEqual(['capture', 'refund'])
    expect(await ledgerBalanced(t, s.id)).toBe(true)
  })
})

describe('a refund the provider reports failed', () => {
  const failedEvent = (s: Shop, order: PlacedOrder, providerRefundId: string) => ({
    tenantId: s.id,
    paymentId: order.paymentId,
    orderId: order.orderId,
    receivedEventId: randomUUID(),
    event: {
      kind: 'refund.failed' as const,
      provider: 'sandbox' as const,
      providerEventId: `evt_${randomUUID()}`,
      occurredAt: new Date().toISOString(),
      providerPaymentId: order.providerPaymentId,
      metadata: null,
      currency: 'EUR',
      refund: { providerRefundId, amount: 1_000 },
    },
  })

  /** A request of ours the provider took (pending, with its refund id): what `refund.failed` may name. */
  async function pendingRequest(s: Shop, order: PlacedOrder, origin: 'admin' | 'automatic', amount: number) {
    const providerRefundId = `re_${randomUUID()}`
    await inTenant(t, s.id, async (tx) => {
      const row = await refundsRepository.insert(tx, {
        orderId: order.orderId,
        paymentId: order.paymentId,
        origin,
        requestKey: origin === 'automatic' ? 'automatic' : 'user:someone:key-1',
        amount,
        currency: 'EUR',
        reason: 'Asked by the learner',
        requestedBy: origin === 'automatic' ? 'system:test' : 'user:someone',
      })
      await refundsRepository.setState(tx, row?.id ?? '', { status: 'pending', providerRefundId })
    })
    return providerRefundId
  }

  it('books nothing and marks our pending request failed (its amount free again)', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s)
    const providerRefundId = await pendingRequest(s, order, 'admin', 1_000)
    await inTenant(t, s.id, (tx) => onRefundFailed(log, failedEvent(s, order, providerRefundId), tx))
    expect(await refundsOf(t, s.id, order.orderId)).toMatchObject([{ status: 'failed', providerRefundId }])
    expect(await orderOf(t, s.id, order.orderId)).toMatchObject({
      status: 'paid',
      refundedAmount: 0,
      reviewReason: null,
    })
    expect(await saleTransactionKinds(t, s.id, order.orderId)).toEqual(['capture'])
    expect(await inTenant(t, s.id, (tx) => refundsRepository.unsettledAmount(tx, order.orderId))).toBe(0)
  })

  it('after it was booked: nothing is undone, the order is marked for a person to review', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s)
    const refund = await refundAtProvider(s, order, 1_000)
    await refundedTo(s, order, 1_000)
    await inTenant(t, s.id, (tx) => onRefundFailed(log, failedEvent(s, order, refund.providerRefundId), tx))
    expect(await orderOf(t, s.id, order.orderId)).toMatchObject({
      status: 'partially_refunded',
      refundedAmount: 1_000,
      reviewReason: expect.stringContaining(refund.providerRefundId),
    })
    expect(await refundsOf(t, s.id, order.orderId)).toMatchObject([{ status: 'succeeded' }])
  })

  it('of an automatic refund: the order is marked for a person to review (the buyer still has no access)', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s)
    const providerRefundId = await pendingRequest(s, order, 'automatic', 5_000)
    await inTenant(t, s.id, (tx) => onRefundFailed(log, failedEvent(s, order, providerRefundId), tx))
    expect(await orderOf(t, s.id, order.orderId)).toMatchObject({
      refundedAmount: 0,
      reviewReason: expect.stringContaining('The automatic refund'),
    })
  })
})

describe('a refund whose provider call has no clear answer', () => {
  /** The refund service with a provider that answers as scripted (the rest is the app's). */
  const scripted = (answers: Array<Error | 'pending'>) =>
    createRefundService({
      database: t.platform.database,
      jobs: t.platform.jobs,
      logger: log,
      payments: {
        refundPayment: async (_ctx, paymentId, request) => {
          const answer = answers.shift()
          if (answer === undefined || answer instanceof Error) throw answer ?? new Error('no answer scripted')
          return {
            provider: 'sandbox',
            providerRefundId: `sbre_${randomBytes(8).toString('hex')}`,
            providerPaymentId: 'sbpi_scripted',
            paymentId,
            status: answer,
            amount: request.amount ?? 0,
            currency: 'EUR',
          }
        },
      },
    })
  const staff = async (s: Shop) => {
    const admin = await createMember(t, s.id, ['tenant_admin'])
    return { ...systemContext(t.platform.database, s.id, 'test'), principal: { kind: 'user', userId: admin.userId } }
  }
  const down = () => paymentsErrors.providerUnavailable('sandbox', 5, 'timed out')
  const rejected = () =>
    paymentsErrors.providerRejected(new ProviderError('sandbox', 'invalid', 'charge_refunded', 'No'))

  it('keeps the amount spoken for, and a job asks again until the provider answers', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s)
    const ctx = (await staff(s)) as Parameters<RefundService['request']>[0]
    await expect(
      scripted([down()]).request(ctx, order.orderId, { amount: 2_000, reason: 'Late', idempotencyKey: 'k1' }),
    ).rejects.toMatchObject({ code: 'PAYMENT_PROVIDER_UNAVAILABLE' })
    const [asked] = await refundsOf(t, s.id, order.orderId)
    expect(asked).toMatchObject({ status: 'requested', amount: 2_000 })
    // Not free again: the provider may have refunded it.
    await expect(
      scripted(['pending']).request(ctx, order.orderId, { amount: 3_001, reason: 'More', idempotencyKey: 'k2' }),
    ).rejects.toMatchObject({ code: 'REFUND_EXCEEDS_REFUNDABLE' })
    expect(await jobsMatching(t.platform.database, ASK_REFUND_QUEUE, { refundId: asked!.id })).toHaveLength(1)
    // The app's worker runs the job against the real sandbox, under the same provider key.
    expect(await refundedTo(s, order, 2_000)).toMatchObject({ status: 'partially_refunded' })
    expect(await refundsOf(t, s.id, order.orderId)).toMatchObject([{ id: asked!.id, status: 'succeeded' }])
  })

  it('refused: the amount is free again, the same key is 409 REFUND_FAILED, a new key is checked afresh', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s)
    const ctx = (await staff(s)) as Parameters<RefundService['request']>[0]
    const input = { amount: 2_000, reason: 'Late', idempotencyKey: 'k1' }
    await expect(scripted([rejected()]).request(ctx, order.orderId, input)).rejects.toMatchObject({
      code: 'PAYMENT_PROVIDER_REJECTED',
    })
    expect(await refundsOf(t, s.id, order.orderId)).toMatchObject([{ status: 'failed' }])
    await expect(scripted(['pending']).request(ctx, order.orderId, input)).rejects.toMatchObject({
      code: 'REFUND_FAILED',
    })
    const fresh = await scripted(['pending']).request(ctx, order.orderId, {
      ...input,
      amount: 5_000,
      idempotencyKey: 'k2',
    })
    expect(fresh).toMatchObject({ status: 'pending', amount: 5_000 })
  })
})
