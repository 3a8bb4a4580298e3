import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { orderPaid, paymentRefunded, taxedLine } from './invoices.testing.ts'
import { InvalidEventPayload, parseOrderPaid, parsePaymentRefunded } from './order-events.ts'

const problemsOf = (parse: () => unknown): string[] => {
  try {
    parse()
    return []
  } catch (error) {
    if (error instanceof InvalidEventPayload) return error.problems
    throw error
  }
}

describe('the order.paid contract', () => {
  it('takes a payload whose lines add up to its totals', () => {
    const order = orderPaid(randomUUID())
    expect(parseOrderPaid(JSON.parse(JSON.stringify(order)))).toEqual(order)
  })

  it('refuses other shapes: missing or extra fields, fractions, negative amounts, unknown product types', () => {
    const order = orderPaid(randomUUID())
    const { paidAt: _, ...missing } = order
    expect(problemsOf(() => parseOrderPaid(missing))).toContain('/ must have required properties paidAt')
    expect(problemsOf(() => parseOrderPaid({ ...order, price: 1 }))).toContain('/ must not have additional properties')
    expect(problemsOf(() => parseOrderPaid({ ...order, total: 16_660.5 }))).toContain('/total must be integer')
    const line = order.lines[0]!
    expect(problemsOf(() => parseOrderPaid({ ...order, lines: [{ ...line, tax: -1 }] }))).toContain(
      '/lines/0/tax must be >= 0',
    )
    expect(problemsOf(() => parseOrderPaid({ ...order, lines: [{ ...line, productType: 'ebook' }] }))).not.toEqual([])
    expect(problemsOf(() => parseOrderPaid({ ...order, lines: [] }))).not.toEqual([])
    expect(problemsOf(() => parseOrderPaid(null))).not.toEqual([])
  })

  it('refuses amounts that contradict each other', () => {
    const buyer = randomUUID()
    const order = orderPaid(buyer)
    expect(problemsOf(() => parseOrderPaid({ ...order, total: order.total + 1 }))).toEqual([
      `total ${order.total + 1} is not the sum of the lines (${order.total})`,
    ])
    const line = order.lines[0]!
    expect(problemsOf(() => parseOrderPaid(orderPaid(buyer, { lines: [{ ...line, gross: line.gross + 1 }] })))).toEqual(
      expect.arrayContaining(['/lines/0: net + tax must equal gross']),
    )
    expect(
      problemsOf(() => parseOrderPaid(orderPaid(buyer, { lines: [{ ...line, discount: line.listPrice + 1 }] }))),
    ).toEqual(expect.arrayContaining(['/lines/0: discount exceeds the list price']))
    expect(problemsOf(() => parseOrderPaid(orderPaid(buyer, { lines: [{ ...line, taxRate: '1.5' }] })))).toEqual([
      '/lines/0/taxRate must be below 1',
    ])
    expect(problemsOf(() => parseOrderPaid(orderPaid(buyer, { lines: [{ ...line, taxRate: '0.1234567' }] })))).toEqual([
      '/lines/0/taxRate must have at most 6 decimal places',
    ])
    expect(problemsOf(() => parseOrderPaid(orderPaid(buyer, { lines: [{ ...line, taxName: null }] })))).toEqual([
      '/lines/0: taxRate and taxName go together',
    ])
    expect(problemsOf(() => parseOrderPaid(orderPaid(buyer, { currency: 'XYZ' })))).toEqual([
      '/currency XYZ is not an ISO 4217 currency',
    ])
    expect(problemsOf(() => parseOrderPaid(orderPaid(buyer, { taxTreatment: 'not-registered' })))).toEqual([
      '/taxTotal must be 0 under the not-registered treatment',
    ])
    const untaxed = [taxedLine('A', 100, 0, null)]
    expect(
      problemsOf(() => parseOrderPaid(orderPaid(buyer, { taxTreatment: 'reverse-charge', lines: untaxed }))),
    ).toEqual(['/billing/vatId is required for a reverse-charge sale'])
  })
})

describe('the payment.refunded contract', () => {
  it('takes a refund and refuses a zero amount, a total below it, or an unknown currency', () => {
    const order = orderPaid(randomUUID())
    const refund = paymentRefunded(order, 500)
    expect(parsePaymentRefunded({ ...refund })).toEqual(refund)
    expect(problemsOf(() => parsePaymentRefunded({ ...refund, amount: 0 }))).toEqual(['/amount must be >= 1'])
    expect(problemsOf(() => parsePaymentRefunded({ ...refund, refundedTotal: 499 }))).toEqual([
      '/refundedTotal is less than this refund',
    ])
    expect(problemsOf(() => parsePaymentRefunded({ ...refund, currency: 'ABC' }))).toEqual([
      '/currency ABC is not an ISO 4217 currency',
    ])
  })
})
