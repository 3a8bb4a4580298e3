import { describe, expect, it } from 'vitest'
import {
  applyDisputeLost,
  applyDisputeOpened,
  applyDisputeWon,
  applyRefund,
  capturedMoney,
  refundableOf,
  refundRevokesAccess,
  RefundStateError,
  statusOf,
} from './refund-state.ts'

describe('refunds of a captured order', () => {
  it('a partial refund makes it partially_refunded, the rest makes it refunded', () => {
    const first = applyRefund(capturedMoney(10_000), 2_500)
    expect(first).toMatchObject({ status: 'partially_refunded', fullyRefunded: false })
    expect(refundableOf(first.money)).toBe(7_500)
    const rest = applyRefund(first.money, 7_500)
    expect(rest).toMatchObject({ status: 'refunded', fullyRefunded: true })
    expect(refundableOf(rest.money)).toBe(0)
  })

  it('a refund of everything at once is full', () => {
    expect(applyRefund(capturedMoney(999), 999)).toMatchObject({ status: 'refunded', fullyRefunded: true })
  })

  it('refuses more than is refundable, zero, negatives and fractions', () => {
    const money = applyRefund(capturedMoney(1_000), 600).money
    expect(() => applyRefund(money, 401)).toThrow(RefundStateError)
    for (const amount of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => applyRefund(money, amount)).toThrow(RefundStateError)
  })
})

describe('disputes of a captured order', () => {
  it('an open dispute makes it disputed and withdraws its amount from what may be refunded', () => {
    const opened = applyDisputeOpened(capturedMoney(5_000), 5_000)
    expect(statusOf(opened)).toBe('disputed')
    expect(refundableOf(opened)).toBe(0)
    expect(() => applyRefund(opened, 1)).toThrow(RefundStateError)
  })

  it('won: back to the status before the dispute (paid, or partially refunded)', () => {
    expect(statusOf(applyDisputeWon(applyDisputeOpened(capturedMoney(5_000), 5_000), 5_000))).toBe('paid')
    const partly = applyRefund(capturedMoney(5_000), 1_000).money
    const won = applyDisputeWon(applyDisputeOpened(partly, 4_000), 4_000)
    expect(statusOf(won)).toBe('partially_refunded')
    expect(refundableOf(won)).toBe(4_000)
  })

  it('a refund of the undisputed rest during a dispute keeps it disputed until the dispute closes', () => {
    const opened = applyDisputeOpened(capturedMoney(5_000), 3_000)
    const refunded = applyRefund(opened, 2_000)
    expect(refunded.status).toBe('disputed')
    expect(refunded.fullyRefunded).toBe(false)
    expect(statusOf(applyDisputeWon(refunded.money, 3_000))).toBe('partially_refunded')
    expect(statusOf(applyDisputeLost(refunded.money, 3_000))).toBe('refunded')
  })

  it('lost: the amount is gone for good; all of it lost is refunded', () => {
    const lost = applyDisputeLost(applyDisputeOpened(capturedMoney(5_000), 5_000), 5_000)
    expect(statusOf(lost)).toBe('refunded')
    expect(refundableOf(lost)).toBe(0)
    const part = applyDisputeLost(applyDisputeOpened(capturedMoney(5_000), 1_000), 1_000)
    expect(statusOf(part)).toBe('partially_refunded')
    expect(refundableOf(part)).toBe(4_000)
  })

  it('stays disputed while any of two disputes is open', () => {
    const two = applyDisputeOpened(applyDisputeOpened(capturedMoney(5_000), 1_000), 2_000)
    expect(statusOf(applyDisputeWon(two, 1_000))).toBe('disputed')
    expect(statusOf(applyDisputeWon(applyDisputeWon(two, 1_000), 2_000))).toBe('paid')
  })

  it('refuses a dispute above what is left and closing a dispute that is not open', () => {
    const refunded = applyRefund(capturedMoney(5_000), 4_000).money
    expect(() => applyDisputeOpened(refunded, 1_001)).toThrow(RefundStateError)
    expect(() => applyDisputeWon(capturedMoney(5_000), 1)).toThrow(RefundStateError)
    expect(() => applyDisputeLost(applyDisputeOpened(capturedMoney(5_000), 100), 101)).toThrow(RefundStateError)
  })
})

describe('access after a refund', () => {
  it('a full refund revokes; a partial one only under the revoke policy', () => {
    expect(refundRevokesAccess(true, 'keep')).toBe(true)
    expect(refundRevokesAccess(true, 'revoke')).toBe(true)
    expect(refundRevokesAccess(false, 'keep')).toBe(false)
    expect(refundRevokesAccess(false, 'revoke')).toBe(true)
  })
})
