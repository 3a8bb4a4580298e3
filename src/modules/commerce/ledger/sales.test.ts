/**
 * A sale's events after its capture: refunds never exceed what is left (also concurrently),
 * out-of-order refunds, disputes opened, won, lost and reopened by reversal, provider fees.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/build-test-app.ts'
import { balances, inTenant, tenantWithCourse } from './ledger.testing.ts'
import { saleStatus } from './queries.ts'
import { reverse } from './reversal.ts'
import {
  postCapture,
  postDisputeLost,
  postDisputeOpened,
  postDisputeWon,
  postProviderFee,
  postRefund,
  type CaptureInput,
} from './sales.ts'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => t?.close())

const capture = (tenantId: string, courseId: string | null): CaptureInput => ({
  tenantId,
  externalReference: `ch_${randomUUID()}`,
  provider: 'sandbox',
  currency: 'EUR',
  amount: 1190,
  tax: 190,
  providerFee: 59,
  lines: [{ amount: 1000, courseId }],
})

describe('refunds and disputes', () => {
  const ref = (prefix: string) => `${prefix}_${randomUUID()}`

  it('never refunds more than was captured, also under 20 concurrent refunds of one sale', async () => {
    const { tenant, courseId } = await tenantWithCourse(t)
    const sale = capture(tenant.id, courseId)
    await inTenant(t, tenant.id, (tx) => postCapture(tx, sale))
    const refund = (amount: number, extra: object = {}) =>
      inTenant(t, tenant.id, (tx) =>
        postRefund(tx, {
          tenantId: tenant.id,
          externalReference: ref('re'),
          captureReference: sale.externalReference,
          amount,
          ...extra,
        }),
      )
    await expect(refund(1191)).rejects.toMatchObject({
      code: 'LEDGER_AMOUNT_EXCEEDS_SALE',
      extensions: { available: 1190 },
    })
    await expect(refund(10, { providerFeeReturned: 60 })).rejects.toMatchObject({
      code: 'LEDGER_FEE_RETURN_EXCEEDS_FEE',
    })
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => refund(100)))
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(11)
    for (const o of outcomes)
      if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'LEDGER_AMOUNT_EXCEEDS_SALE' })
    const status = await inTenant(t, tenant.id, (tx) => saleStatus(tx, tenant.id, sale.externalReference))
    expect(status).toMatchObject({ captured: 1190, refunded: 1100, refundable: 90 })
  })

  it('waits for the capture of a refund that arrives first (LEDGER_CAPTURE_NOT_FOUND), then posts it', async () => {
    const { tenant, courseId } = await tenantWithCourse(t)
    const sale = capture(tenant.id, courseId)
    const refund = {
      tenantId: tenant.id,
      externalReference: ref('re'),
      captureReference: sale.externalReference,
      amount: 1190,
    }
    await expect(inTenant(t, tenant.id, (tx) => postRefund(tx, refund))).rejects.toMatchObject({
      code: 'LEDGER_CAPTURE_NOT_FOUND',
    })
    await inTenant(t, tenant.id, (tx) => postCapture(tx, sale))
    expect((await inTenant(t, tenant.id, (tx) => postRefund(tx, refund))).created).toBe(true)
    // Everything refunded: the provider keeps its fee, the rest nets to zero.
    expect(await balances(t, tenant.id)).toEqual({
      'provider_clearing:sandbox:EUR': -59,
      'provider_fees:sandbox:EUR': 59,
      'platform_revenue:EUR': 300,
      'refunds:EUR': 300,
    })
  })

  it('holds disputed funds apart, closes a dispute once, and reopens it when its outcome is reversed', async () => {
    const { tenant, courseId } = await tenantWithCourse(t)
    const sale = capture(tenant.id, courseId)
    await inTenant(t, tenant.id, (tx) => postCapture(tx, sale))
    const dispute = ref('dp')
    await inTenant(t, tenant.id, (tx) =>
      postDisputeOpened(tx, {
        tenantId: tenant.id,
        externalReference: dispute,
        captureReference: sale.externalReference,
        amount: 1000,
        disputeFee: 1500,
      }),
    )
    const status = () => inTenant(t, tenant.id, (tx) => saleStatus(tx, tenant.id, sale.externalReference))
    expect(await status()).toMatchObject({ disputed: 1000, refundable: 190 })
    const won = await inTenant(t, tenant.id, (tx) =>
      postDisputeWon(tx, {
        tenantId: tenant.id,
        externalReference: ref('won'),
        disputeReference: dispute,
        disputeFeeReturned: 1500,
      }),
    )
    await expect(
      inTenant(t, tenant.id, (tx) =>
        postDisputeLost(tx, { tenantId: tenant.id, externalReference: ref('lost'), disputeReference: dispute }),
      ),
    ).rejects.toMatchObject({ code: 'LEDGER_DISPUTE_CLOSED' })
    await expect(
      inTenant(t, tenant.id, (tx) => reverse(tx, won.transaction.disputeTransactionId ?? '', 'x')),
    ).rejects.toMatchObject({
      code: 'LEDGER_NOT_REVERSIBLE',
    })
    await inTenant(t, tenant.id, (tx) => reverse(tx, won.transaction.id, 'the provider corrected the outcome'))
    expect(await status()).toMatchObject({ disputed: 1000, refundable: 190 })
    await inTenant(t, tenant.id, (tx) =>
      postDisputeLost(tx, { tenantId: tenant.id, externalReference: ref('lost'), disputeReference: dispute }),
    )
    expect(await status()).toMatchObject({ disputed: 0, lost: 1000, refundable: 190 })
    const all = await balances(t, tenant.id)
    expect(all['buyer_receivable:EUR']).toBeUndefined()
    expect(all['provider_fees:sandbox:EUR']).toBe(59 + 1500)
    expect(all['dispute_losses:EUR']).toBeGreaterThan(0)
  })

  it('posts provider fees charged and returned outside a sale', async () => {
    const { tenant } = await tenantWithCourse(t)
    const post = (amount: number) =>
      inTenant(t, tenant.id, (tx) =>
        postProviderFee(tx, {
          tenantId: tenant.id,
          externalReference: ref('fee'),
          provider: 'stripe',
          currency: 'USD',
          amount,
        }),
      )
    await post(250)
    await post(-100)
    await expect(post(0)).rejects.toMatchObject({ code: 'LEDGER_POSTING_INVALID' })
    expect(await balances(t, tenant.id)).toEqual({
      'provider_clearing:stripe:USD': -150,
      'provider_fees:stripe:USD': 150,
    })
  })

  it('refuses a capture naming a course of another tenant, or lines that do not add up', async () => {
    const a = await tenantWithCourse(t)
    const b = await tenantWithCourse(t)
    const post = (input: CaptureInput) => inTenant(t, a.tenant.id, (tx) => postCapture(tx, input))
    await expect(post(capture(a.tenant.id, b.courseId))).rejects.toMatchObject({ code: 'LEDGER_POSTING_INVALID' })
    await expect(post({ ...capture(a.tenant.id, a.courseId), amount: 1191 })).rejects.toMatchObject({
      code: 'LEDGER_POSTING_INVALID',
    })
    await expect(post({ ...capture(a.tenant.id, a.courseId), providerFee: 1191 })).rejects.toMatchObject({
      code: 'LEDGER_POSTING_INVALID',
    })
    await expect(post({ ...capture(a.tenant.id, a.courseId), amount: 1190.5, tax: 190.5 })).rejects.toMatchObject({
      code: 'LEDGER_POSTING_INVALID',
    })
    expect(await balances(t, a.tenant.id)).toEqual({})
  })
})
