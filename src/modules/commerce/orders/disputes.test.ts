/**
 * Disputes of paid orders through the provider's verified events: the sandbox's dispute payment
 * methods (a dispute opened after the capture, then won or lost) and signed sandbox events
 * delivered by the test, each through the inbound pipeline to the dispute handlers. Proves the
 * ledger's dispute postings, the order's status, the buyer's access, `payment.disputed`, replays,
 * and events that arrive before the capture (or before their opening) is booked.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { waitUntil } from '../../../platform/jobs/testing.ts'
import { balances } from '../ledger/ledger.testing.ts'
import { PAYMENT_DISPUTED } from './orders.events.ts'
import {
  captureAtProvider,
  deliverSandboxEvent,
  disputesOf,
  hasAccess,
  ledgerBalanced,
  orderOf,
  outboxPayloads,
  paidOrder,
  placeOrder,
  saleTransactionKinds,
  shop,
  type PlacedOrder,
  type Shop,
} from './refunds.testing.ts'

let t: TestApp

beforeAll(async () => {
  t = await buildTestApp({ worker: true, paymentEventRetry: { limit: 30, delaySeconds: 1, maxDelaySeconds: 2 } })
})
afterAll(async () => {
  await t?.close()
})

const disputeClosed = (s: Shop, order: PlacedOrder, status: 'won' | 'lost') =>
  waitUntil(
    `the dispute of order ${order.orderId} ${status}`,
    async () => {
      const [dispute] = await disputesOf(t, s.id, order.orderId)
      return dispute?.status === status ? dispute : undefined
    },
    120_000,
  )

const access = (s: Shop, order: PlacedOrder) => hasAccess(t, s.id, order.buyerId, s.courseId)
const statuses = async (s: Shop, order: PlacedOrder) =>
  (await outboxPayloads(t, s.id, PAYMENT_DISPUTED, order.orderId)).map((payload) => payload.status)

describe('a dispute through the sandbox', () => {
  it('lost: the sale is taken back, the order refunded, access ended, payment.disputed opened then lost', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s, { paymentMethod: 'pm_sandbox_dispute_lost' })
    const dispute = await disputeClosed(s, order, 'lost')
    expect(dispute).toMatchObject({ amount: 5_000, reason: 'fraudulent', currency: 'EUR' })
    expect(await orderOf(t, s.id, order.orderId)).toMatchObject({ status: 'refunded', refundedAmount: 0 })
    expect(await access(s, order)).toBe(false)
    expect((await saleTransactionKinds(t, s.id, order.orderId)).sort()).toEqual([
      'capture',
      'dispute_lost',
      'dispute_opened',
    ])
    // The platform's part went to dispute losses; the instructor's payable and the receivable are empty. The
    // sandbox's processing fee of the capture stays an expense the clearing paid (disputes cost none).
    expect(await balances(t, s.id)).toEqual({
      'platform_revenue:EUR': 1_500,
      'dispute_losses:EUR': 1_500,
      'provider_fees:sandbox:EUR': 175,
      'provider_clearing:sandbox:EUR': -175,
    })
    expect(await ledgerBalanced(t, s.id)).toBe(true)
    expect(await outboxPayloads(t, s.id, PAYMENT_DISPUTED, order.orderId)).toEqual([
      {
        orderId: order.orderId,
        paymentId: order.paymentId,
        providerDisputeId: dispute.providerDisputeId,
        amount: 5_000,
        currency: 'EUR',
        reason: 'fraudulent',
        status: 'opened',
      },
      expect.objectContaining({ providerDisputeId: dispute.providerDisputeId, status: 'lost' }),
    ])
  })

  it('won: the money comes back, the order is paid again and access stays', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s, { paymentMethod: 'pm_sandbox_dispute_won' })
    await disputeClosed(s, order, 'won')
    expect(await orderOf(t, s.id, order.orderId)).toMatchObject({ status: 'paid', refundedAmount: 0 })
    expect(await access(s, order)).toBe(true)
    expect((await saleTransactionKinds(t, s.id, order.orderId)).sort()).toEqual([
      'capture',
      'dispute_opened',
      'dispute_won',
    ])
    expect(await balances(t, s.id)).toEqual({
      'provider_clearing:sandbox:EUR': 4_825,
      'provider_fees:sandbox:EUR': 175,
      'platform_revenue:EUR': 1_500,
      [`seller_payable:${s.instructor.userId}:EUR`]: 3_500,
    })
    expect(await statuses(s, order)).toEqual(['opened', 'won'])
  })
})

describe('a dispute from signed events', () => {
  it('opened: disputed, access kept; won: back to the status before it (partially refunded)', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s)
    await deliverSandboxEvent(t, s.id, order, 'refund.succeeded', { id: `re_${randomUUID()}`, amount: 1_000 })
    const dispute = { id: `dp_${randomUUID()}`, amount: 4_000, reason: 'product_not_received' }
    expect(await deliverSandboxEvent(t, s.id, order, 'dispute.opened', dispute)).toMatch(/processed|already_done/)
    expect(await orderOf(t, s.id, order.orderId)).toMatchObject({ status: 'disputed', refundedAmount: 1_000 })
    expect(await access(s, order)).toBe(true)
    expect(await ledgerBalanced(t, s.id)).toBe(true)
    expect(await deliverSandboxEvent(t, s.id, order, 'dispute.won', dispute)).toMatch(/processed|already_done/)
    expect(await orderOf(t, s.id, order.orderId)).toMatchObject({ status: 'partially_refunded' })
    expect(await access(s, order)).toBe(true)
    expect(await statuses(s, order)).toEqual(['opened', 'won'])
    expect(await ledgerBalanced(t, s.id)).toBe(true)
  })

  it('replayed: each event is booked once', async () => {
    const s = await shop(t)
    const order = await paidOrder(t, s)
    const dispute = { id: `dp_${randomUUID()}`, amount: 5_000 }
    for (const type of ['dispute.opened', 'dispute.opened', 'dispute.lost', 'dispute.lost', 'dispute.opened'] as const)
      await deliverSandboxEvent(t, s.id, order, type, dispute)
    expect((await saleTransactionKinds(t, s.id, order.orderId)).sort()).toEqual([
      'capture',
      'dispute_lost',
      'dispute_opened',
    ])
    expect(await statuses(s, order)).toEqual(['opened', 'lost'])
    expect(await orderOf(t, s.id, order.orderId)).toMatchObject({ status: 'refunded' })
    expect(await access(s, order)).toBe(false)
    expect(await ledgerBalanced(t, s.id)).toBe(true)
  })

  it('before the capture is booked, and its outcome before its opening: not yet, then applied in order', async () => {
    const s = await shop(t)
    // Authorised only: nothing is captured (or booked) until captureAtProvider.
    const order = await placeOrder(t, s)
    const dispute = { id: `dp_${randomUUID()}`, amount: 5_000 }
    await expect(deliverSandboxEvent(t, s.id, order, 'dispute.lost', dispute)).rejects.toMatchObject({
      code: 'PAYMENT_EVENT_NOT_READY',
    })
    await expect(deliverSandboxEvent(t, s.id, order, 'dispute.opened', dispute)).rejects.toMatchObject({
      code: 'PAYMENT_EVENT_NOT_READY',
    })
    expect(await disputesOf(t, s.id, order.orderId)).toEqual([])
    expect(await saleTransactionKinds(t, s.id, order.orderId)).toEqual([])
    // The jobs retry both: once the capture is booked (by its own event), the opening applies, then the loss.
    // Its job goes before the two held events' retries (they wait for it), on the queue's one worker.
    await captureAtProvider(t, s.id, order)
    await disputeClosed(s, order, 'lost')
    expect(await orderOf(t, s.id, order.orderId)).toMatchObject({ status: 'refunded' })
    expect(await access(s, order)).toBe(false)
    expect(await statuses(s, order)).toEqual(['opened', 'lost'])
    expect(await ledgerBalanced(t, s.id)).toBe(true)
  })
})
