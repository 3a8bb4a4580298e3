/** The order state machine, every status against every fact (order-state.ts). */
import { describe, expect, it } from 'vitest'
import { nextOrderStep, type OrderFact } from './order-state.ts'
import { ORDER_STATUSES, type OrderStatus } from './order-state.ts'

const step = (status: OrderStatus, fact: OrderFact) => {
  const next = nextOrderStep(status, fact)
  return next.kind === 'apply' ? next.status : next.kind
}

describe('nextOrderStep', () => {
  it('answers every status and fact as the table says', () => {
    const table = Object.fromEntries(
      ORDER_STATUSES.map((status) => [
        status,
        [step(status, 'captured'), step(status, 'payment_failed'), step(status, 'canceled')],
      ]),
    )
    expect(table).toEqual({
      awaiting_payment: ['paid', 'payment_failed', 'canceled'],
      // The buyer retried after a decline: the capture wins; a second failure changes nothing.
      payment_failed: ['paid', 'ignore', 'canceled'],
      // The money was taken after all: honoured.
      canceled: ['paid', 'ignore', 'ignore'],
      // Captured already: a replayed capture and a late failure change nothing, and it cannot be canceled.
      paid: ['ignore', 'ignore', 'refuse'],
      partially_refunded: ['ignore', 'ignore', 'refuse'],
      refunded: ['ignore', 'ignore', 'refuse'],
      disputed: ['ignore', 'ignore', 'refuse'],
    })
  })

  it('never leaves a captured status through a payment fact', () => {
    for (const status of ['paid', 'partially_refunded', 'refunded', 'disputed'] as const)
      for (const fact of ['captured', 'payment_failed'] as const)
        expect(nextOrderStep(status, fact).kind).toBe('ignore')
  })
})
