/**
 * Property: any sequence of captures, partial and full refunds, refund reversals, disputes
 * opened, won and lost, and replays of earlier postings leaves a balanced ledger whose every
 * account equals an independent model (ledger.model.ts), whose sales report what the model
 * says is still refundable, and whose per-day totals are the model's captured, refunded,
 * disputed, reinstated and fees. Runs on a fresh tenant per case, with a random platform fee and
 * random (or default) instructor shares.
 */
import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { LedgerModel } from './ledger.model.ts'
import { balances, inTenant, tenantWithCourse } from './ledger.testing.ts'
import { accountBalances, dailyTotals, saleStatus } from './queries.ts'
import { revenueSettings, revenueShares } from './revenue.tables.ts'
import { reverse } from './reversal.ts'
import { postCapture, postDisputeLost, postDisputeOpened, postDisputeWon, postRefund } from './sales.ts'
import type { Posted } from './posting.ts'
import type { Tx } from '../../../platform/db/database.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

const OCCURRED = new Date('2026-11-20T12:00:00.000Z')
const permille = fc.integer({ min: 1, max: 1000 })
const op = fc.oneof(
  {
    arbitrary: fc.record({
      type: fc.constant('capture' as const),
      currency: fc.constantFrom('EUR', 'JPY', 'BHD'),
      line: fc.integer({ min: 1, max: 200_000 }),
      tax: fc.integer({ min: 0, max: 50_000 }),
      feePermille: fc.integer({ min: 0, max: 100 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      type: fc.constant('refund' as const),
      sale: fc.nat(),
      full: fc.boolean(),
      fraction: permille,
      feeReturned: fc.integer({ min: 0, max: 1000 }),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ type: fc.constant('reverseRefund' as const), refund: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({
      type: fc.constant('dispute' as const),
      sale: fc.nat(),
      fraction: permille,
      fee: fc.integer({ min: 0, max: 1500 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      type: fc.constant('win' as const),
      dispute: fc.nat(),
      feeReturned: fc.integer({ min: 0, max: 1000 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ type: fc.constant('lose' as const), dispute: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant('replay' as const), posting: fc.nat() }), weight: 1 },
)
const scenario = fc.record({
  platformFeeBps: fc.oneof(fc.constant(3000), fc.integer({ min: 0, max: 10_000 })),
  /** Two cuts of 10,000 into three configured shares, or the default equal split. */
  cuts: fc.option(fc.tuple(fc.integer({ min: 1, max: 9_998 }), fc.integer({ min: 1, max: 9_998 }))),
  ops: fc.array(op, { minLength: 1, maxLength: 14 }),
})

type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never

async function run({ platformFeeBps, cuts, ops }: Scenario) {
  const { tenant, courseId, instructors } = await tenantWithCourse(t, 3)
  const tenantId = tenant.id
  const ids = instructors.map((i) => i.userId).sort()
  let shares = ids.map((userId, i) => ({ userId, bps: [3334n, 3333n, 3333n][i] ?? 0n }))
  if (cuts) {
    const [low, high] = cuts[0] === cuts[1] ? [cuts[0], cuts[0] + 1] : [Math.min(...cuts), Math.max(...cuts)]
    shares = ids.map((userId, i) => ({ userId, bps: BigInt([low, high - low, 10_000 - high][i] ?? 0) }))
  }
  await inTenant(t, tenantId, async (tx) => {
    await tx.insert(revenueSettings).values({ tenantId, platformFeeBps })
    if (cuts)
      await tx
        .insert(revenueShares)
        .values(shares.map((s) => ({ tenantId, courseId, userId: s.userId, shareBps: Number(s.bps) })))
  })
  const model = new LedgerModel(BigInt(platformFeeBps), shares)
  const saleRefs: string[] = []
  const feeLeft: bigint[] = []
  const disputeRefs: string[] = []
  const refundIds: string[] = []
  const postings: Array<(tx: Tx) => Promise<Posted>> = []
  const posting = async (work: (tx: Tx) => Promise<Posted>) => {
    postings.push(work)
    const posted = await inTenant(t, tenantId, work)
    expect(posted.created).toBe(true)
    return posted
  }
  for (const step of ops) {
    const pick = <T>(list: readonly T[], n: number) => (list.length === 0 ? undefined : list[n % list.length])
    if (step.type === 'capture') {
      const fee = ((BigInt(step.line) + BigInt(step.tax)) * BigInt(step.feePermille)) / 1000n
      const ref = `ch_${randomUUID()}`
      const input = {
        tenantId,
        externalReference: ref,
        provider: 'sandbox',
        currency: step.currency,
        amount: step.line + step.tax,
      }
      await posting((tx) =>
        postCapture(tx, {
          ...input,
          tax: step.tax,
          providerFee: Number(fee),
          lines: [{ amount: step.line, courseId }],
          occurredAt: OCCURRED,
        }),
      )
      model.capture(step.currency, BigInt(step.line), BigInt(step.tax), fee)
      saleRefs.push(ref)
      feeLeft.push(fee)
    } else if (step.type === 'refund') {
      const sale = saleRefs.length === 0 ? -1 : step.sale % saleRefs.length
      const refundable = model.refundable(sale)
      if (refundable === 0n) continue
      const amount = step.full ? refundable : (refundable * BigInt(step.fraction)) / 1000n || 1n
      const feeReturned = BigInt(Math.min(step.feeReturned, Number(feeLeft[sale] ?? 0n)))
      const ref = `re_${randomUUID()}`
      const posted = await posting((tx) =>
        postRefund(tx, {
          tenantId,
          externalReference: ref,
          captureReference: saleRefs[sale] ?? '',
          amount: Number(amount),
          providerFeeReturned: Number(feeReturned),
          occurredAt: OCCURRED,
        }),
      )
      model.refund(sale, amount, feeReturned)
      feeLeft[sale] = (feeLeft[sale] ?? 0n) - feeReturned
      refundIds.push(posted.transaction.id)
    } else if (step.type === 'reverseRefund') {
      const live = model.refunds.map((r, i) => ({ r, i })).filter(({ r }) => !r.reversed)
      const chosen = pick(live, step.refund)
      if (!chosen) continue
      await posting((tx) => reverse(tx, refundIds[chosen.i] ?? '', 'the bank returned the refund'))
      model.reverseRefund(chosen.i)
      feeLeft[chosen.r.sale] = (feeLeft[chosen.r.sale] ?? 0n) + chosen.r.feeReturned
    } else if (step.type === 'dispute') {
      const sale = saleRefs.length === 0 ? -1 : step.sale % saleRefs.length
      const refundable = model.refundable(sale)
      if (refundable === 0n) continue
      const amount = (refundable * BigInt(step.fraction)) / 1000n || 1n
      const ref = `dp_${randomUUID()}`
      await posting((tx) =>
        postDisputeOpened(tx, {
          tenantId,
          externalReference: ref,
          captureReference: saleRefs[sale] ?? '',
          amount: Number(amount),
          disputeFee: step.fee,
          occurredAt: OCCURRED,
        }),
      )
      model.openDispute(sale, amount, BigInt(step.fee))
      disputeRefs.push(ref)
    } else if (step.type === 'win' || step.type === 'lose') {
      const open = model.disputes.map((d, i) => ({ d, i })).filter(({ d }) => d.open)
      const chosen = pick(open, step.dispute)
      if (!chosen) continue
      const base = {
        tenantId,
        externalReference: `${step.type}_${randomUUID()}`,
        disputeReference: disputeRefs[chosen.i] ?? '',
        occurredAt: OCCURRED,
      }
      if (step.type === 'win') {
        const feeReturned = Math.min(step.feeReturned, Number(chosen.d.fee))
        await posting((tx) => postDisputeWon(tx, { ...base, disputeFeeReturned: feeReturned }))
        model.winDispute(chosen.i, BigInt(feeReturned))
      } else {
        await posting((tx) => postDisputeLost(tx, base))
        model.loseDispute(chosen.i)
      }
    } else {
      const again = pick(postings, step.posting)
      if (!again) continue
      const replayed = await inTenant(t, tenantId, again)
      expect(replayed.created).toBe(false)
    }
  }
  expect(await balances(t, tenantId)).toEqual(model.snapshot())
  await inTenant(t, tenantId, async (tx) => {
    // Double entry: the signed balances of every currency sum to zero.
    const signed = new Map<string, number>()
    for (const a of await accountBalances(tx, tenantId))
      signed.set(a.currency, (signed.get(a.currency) ?? 0) + a.debits - a.credits)
    for (const [currency, sum] of signed) expect([currency, sum]).toEqual([currency, 0])
    for (const [i, ref] of saleRefs.entries())
      expect((await saleStatus(tx, tenantId, ref)).refundable).toBe(Number(model.refundable(i)))
    // Reversals happen now; the other postings on OCCURRED's day: the range covers both.
    const rows = await dailyTotals(tx, { tenantId, from: '2026-11-20', to: new Date().toISOString().slice(0, 10) })
    const reported = new Map<string, Record<string, number>>()
    for (const row of rows) {
      const sum = reported.get(row.currency) ?? { captured: 0, refunded: 0, disputed: 0, reinstated: 0, fees: 0 }
      for (const key of ['captured', 'refunded', 'disputed', 'reinstated', 'fees'] as const)
        sum[key] = (sum[key] ?? 0) + row[key]
      reported.set(row.currency, sum)
    }
    for (const [currency, expected] of model.totals)
      expect(reported.get(currency)).toEqual(
        Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, Number(v)])),
      )
  })
}

describe('ledger against an independent model', () => {
  it('balances and matches the model for random sequences of sale events', async () => {
    await fc.assert(fc.asyncProperty(scenario, run), { numRuns: 25 })
  })
})
