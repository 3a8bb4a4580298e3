/**
 * Property: any sequence of partial refunds, full refunds, disputes opened and won or lost, and
 * replayed events, on one or two orders of the same course by one learner, delivered as signed
 * provider events through the inbound pipeline, leaves
 * - a balanced ledger whose accounts moved exactly as the ledger's independent model says
 *   (ledger.model.ts: plain BigInt arithmetic over ADR 0024's rules),
 * - each order in the status a plain count of its money gives, and
 * - the learner with access exactly when some order's purchase grant remains (no full refund or
 *   lost dispute, and no partial refund under the tenant's `revoke` policy).
 * One tenant for all runs (balances compared as what each run moved), a new learner per run.
 */
import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { createMember } from '../../enrolment/testing.ts'
import { LedgerModel } from '../ledger/ledger.model.ts'
import { balances } from '../ledger/ledger.testing.ts'
import { pricesClient } from '../prices/prices.testing.ts'
import {
  captureByEvent,
  deliverSandboxEvent,
  hasAccess,
  ledgerBalanced,
  orderOf,
  placeOrder,
  shop,
  type PlacedOrder,
  type Shop,
} from './refunds.testing.ts'

let t: TestApp
let s: Shop
const PRICE = 4_999

beforeAll(async () => {
  t = await buildTestApp()
  s = await shop(t, PRICE)
})
afterAll(async () => t?.close())

const permille = fc.integer({ min: 1, max: 1000 })
const op = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('refund' as const),
      order: fc.nat(),
      full: fc.boolean(),
      fraction: permille,
    }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('dispute' as const), order: fc.nat(), fraction: permille }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('win' as const), dispute: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('lose' as const), dispute: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('replay' as const), event: fc.nat() }) },
)
const scenario = fc.record({
  orders: fc.integer({ min: 1, max: 2 }),
  policy: fc.constantFrom('keep' as const, 'revoke' as const),
  ops: fc.array(op, { minLength: 1, maxLength: 10 }),
})
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never

/** What the test knows of each order, without the code under test. */
interface ModelOrder {
  placed: PlacedOrder
  sale: number
  refunded: number
  lost: number
  /** `index`: the dispute's position in the ledger model. */
  disputes: Array<{ id: string; amount: number; open: boolean; index: number }>
  grantRevoked: boolean
}

function expectedStatus(order: ModelOrder): string {
  if (order.disputes.some((d) => d.open)) return 'disputed'
  const back = order.refunded + order.lost
  return back === 0 ? 'paid' : back === PRICE ? 'refunded' : 'partially_refunded'
}

type Delivered = {
  order: ModelOrder
  type: 'refund.succeeded' | 'dispute.opened' | 'dispute.won' | 'dispute.lost'
  id: string
  amount: number
}

async function setPolicy(policy: 'keep' | 'revoke') {
  const client = pricesClient(t)
  const current = await client.settings(s.admin)
  const { version, updatedAt: _u, updatedBy: _b, ...values } = current.json()
  const replaced = await client.replaceSettings(s.admin, { ...values, partialRefundAccess: policy }, `"v${version}"`)
  expect(replaced.statusCode, replaced.body).toBe(200)
}

function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const moved: Record<string, number> = {}
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const change = (after[key] ?? 0) - (before[key] ?? 0)
    if (change !== 0) moved[key] = change
  }
  return moved
}

async function run({ orders: count, policy, ops }: Scenario) {
  await setPolicy(policy)
  const learner = await createMember(t, s.id)
  const before = await balances(t, s.id)
  const ledger = new LedgerModel(3000n, [{ userId: s.instructor.userId, bps: 10_000n }])
  const orders: ModelOrder[] = []
  for (let i = 0; i < count; i++) {
    const placed = await placeOrder(t, s, { buyerId: learner.userId })
    // Booked by the real capture handler from a signed capture without a fee (the model's 0n).
    await captureByEvent(t, s.id, placed)
    const sale = ledger.capture('EUR', BigInt(PRICE), 0n, 0n)
    orders.push({ placed, sale, refunded: 0, lost: 0, disputes: [], grantRevoked: false })
  }
  const delivered: Delivered[] = []
  const deliver = async (event: Delivered) => {
    const outcome = await deliverSandboxEvent(t, s.id, event.order.placed, event.type, {
      id: event.id,
      amount: event.amount,
    })
    expect(outcome).toBe('processed')
    delivered.push(event)
  }
  const pick = <T>(list: readonly T[], n: number) => (list.length === 0 ? undefined : list[n % list.length])
  for (const step of ops) {
    if (step.type === 'refund' || step.type === 'dispute') {
      const order = pick(orders, step.order) as ModelOrder
      const refundable = Number(ledger.refundable(order.sale))
      if (refundable === 0) continue
      const amount =
        step.type === 'refund' && step.full ? refundable : Math.max(1, Math.floor((refundable * step.fraction) / 1000))
      if (step.type === 'refund') {
        await deliver({ order, type: 'refund.succeeded', id: `re_${randomUUID()}`, amount })
        ledger.refund(order.sale, BigInt(amount), 0n)
        order.refunded += amount
        if (order.refunded + order.lost === PRICE || policy === 'revoke') order.grantRevoked = true
      } else {
        const id = `dp_${randomUUID()}`
        await deliver({ order, type: 'dispute.opened', id, amount })
        const index = ledger.openDispute(order.sale, BigInt(amount), 0n)
        order.disputes.push({ id, amount, open: true, index })
      }
    } else if (step.type === 'win' || step.type === 'lose') {
      const open = orders.flatMap((order) =>
        order.disputes.filter((d) => d.open).map((dispute) => ({ order, dispute })),
      )
      const chosen = pick(open, step.dispute)
      if (!chosen) continue
      const { order, dispute } = chosen
      await deliver({
        order,
        type: step.type === 'win' ? 'dispute.won' : 'dispute.lost',
        id: dispute.id,
        amount: dispute.amount,
      })
      if (step.type === 'win') ledger.winDispute(dispute.index, 0n)
      else {
        ledger.loseDispute(dispute.index)
        order.lost += dispute.amount
        order.grantRevoked = true
      }
      dispute.open = false
    } else {
      const again = pick(delivered, step.event)
      if (!again) continue
      // Another event of the same refund or dispute: booked already, nothing moves.
      const outcome = await deliverSandboxEvent(t, s.id, again.order.placed, again.type, {
        id: again.id,
        amount: again.amount,
      })
      expect(outcome).toBe('processed')
    }
  }

  expect(delta(before, await balances(t, s.id))).toEqual(ledger.snapshot())
  expect(await ledgerBalanced(t, s.id)).toBe(true)
  for (const order of orders)
    expect([order.placed.orderId, (await orderOf(t, s.id, order.placed.orderId))?.status]).toEqual([
      order.placed.orderId,
      expectedStatus(order),
    ])
  expect(await hasAccess(t, s.id, learner.userId, s.courseId)).toBe(orders.some((order) => !order.grantRevoked))
}

describe('refunds and disputes against independent models', () => {
  it('keep the ledger balanced and equal to its model, and access equal to "some grant remains"', async () => {
    await fc.assert(fc.asyncProperty(scenario, run), { numRuns: 12 })
  })
})
