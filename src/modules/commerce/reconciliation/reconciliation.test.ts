/**
 * The comparison rules on their own: how provider movements and ledger transactions are matched
 * (payment, refund and dispute ids, a won dispute, a fee posted apart, reversals, repostings, a
 * sale booked under its order's id and its order's payments), what
 * each kind of difference looks like, and the per-day totals with the ledger's definitions.
 */
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { DailyTotalsRow, LedgerMovementRow } from '../ledger/index.ts'
import type { ProviderMovement } from '../payments/port.ts'
import { compare, ledgerSaleReferences, saleKeys, type ComparisonInput } from './reconciliation.ts'

const AT = '2026-12-02T10:00:00.000Z'

function movement(over: Partial<ProviderMovement> & Pick<ProviderMovement, 'kind' | 'amount'>): ProviderMovement {
  return {
    provider: 'stripe',
    id: `txn_${randomUUID().slice(0, 8)}`,
    sourceId: null,
    providerPaymentId: 'pi_1',
    currency: 'EUR',
    fee: 0,
    createdAt: AT,
    ...over,
  }
}

function posted(over: Partial<LedgerMovementRow> & Pick<LedgerMovementRow, 'kind' | 'reference' | 'amount'>) {
  return {
    transactionId: randomUUID(),
    reversal: false,
    captureReference: null,
    disputeReference: null,
    currency: 'EUR',
    occurredAt: new Date(AT),
    fee: 0,
    ...over,
  } satisfies LedgerMovementRow
}

const charge = movement({ kind: 'charge', sourceId: 'ch_1', amount: 10_000, fee: 320 })
const refund = movement({ kind: 'refund', sourceId: 're_1', amount: -4_000 })
const dispute = movement({ kind: 'dispute', sourceId: 'dp_1', amount: -6_000, fee: 1_500 })
const won = movement({ kind: 'dispute_reversal', sourceId: 'dp_1', amount: 6_000, fee: -1_500 })

const capture = posted({ kind: 'capture', reference: 'pi_1', amount: 10_000, fee: 320 })
const refunded = posted({ kind: 'refund', reference: 're_1', captureReference: 'pi_1', amount: -4_000 })
const opened = posted({
  kind: 'dispute_opened',
  reference: 'dp_1',
  captureReference: 'pi_1',
  amount: -6_000,
  fee: 1_500,
})
const closed = posted({
  kind: 'dispute_won',
  reference: 'dp_1:won',
  disputeReference: 'dp_1',
  amount: 6_000,
  fee: -1_500,
})

/** The ledger's daily totals of the rows given (what dailyTotals would answer). */
function totalsOf(rows: LedgerMovementRow[]): DailyTotalsRow[] {
  const sum = (kind: string) => rows.filter((r) => r.kind === kind).reduce((s, r) => s + r.amount, 0)
  if (rows.length === 0) return []
  const fees = rows.reduce((s, r) => s + r.fee, 0)
  return [
    {
      day: '2026-12-02',
      currency: 'EUR',
      provider: 'stripe',
      captured: sum('capture'),
      refunded: -sum('refund'),
      disputed: -sum('dispute_opened'),
      reinstated: sum('dispute_won'),
      fees,
      net: rows.reduce((s, r) => s + r.amount, 0) - fees,
    },
  ]
}

function input(movements: ProviderMovement[], ledger: LedgerMovementRow[], over: Partial<ComparisonInput> = {}) {
  return {
    provider: 'stripe',
    from: '2026-12-01',
    to: '2026-12-03',
    movements,
    ledger,
    ledgerTotals: totalsOf(ledger),
    ...over,
  }
}

describe('matching items', () => {
  it('matches a charge, a refund, a dispute and its reversal with the ledger: no difference, days equal', () => {
    const result = compare(input([charge, refund, dispute, won], [capture, refunded, opened, closed]))
    expect(result.differences).toEqual([])
    expect(result.days).toEqual([
      {
        day: '2026-12-02',
        currency: 'EUR',
        provider: 'stripe',
        atProvider: { captured: 10_000, refunded: 4_000, disputed: 6_000, reinstated: 6_000, fees: 320, net: 5_680 },
        inLedger: { captured: 10_000, refunded: 4_000, disputed: 6_000, reinstated: 6_000, fees: 320, net: 5_680 },
        matches: true,
      },
    ])
  })

  it('names the provider movement the ledger lacks, and the ledger transaction the provider lacks', () => {
    const stray = posted({ kind: 'refund', reference: 're_ghost', captureReference: 'pi_1', amount: -100 })
    const result = compare(input([charge, refund], [capture, stray]))
    expect(result.differences).toEqual([
      expect.objectContaining({
        type: 'missing_in_ledger',
        reference: 're_1',
        providerTransactionIds: [refund.id],
        ledgerTransactionIds: [],
        atProvider: { currency: 'EUR', amount: -4_000, fee: 0, day: '2026-12-02' },
        inLedger: null,
      }),
      expect.objectContaining({
        type: 'missing_at_provider',
        reference: 're_ghost',
        providerTransactionIds: [],
        ledgerTransactionIds: [stray.transactionId],
      }),
    ])
    expect(result.days[0]).toMatchObject({
      matches: false,
      atProvider: { refunded: 4_000 },
      inLedger: { refunded: 100 },
    })
  })

  it('reports a fee or an amount that differs, and an item dated on another day', () => {
    const late = posted({
      kind: 'capture',
      reference: 'pi_2',
      amount: 500,
      occurredAt: new Date('2026-12-03T00:00:01Z'),
    })
    const result = compare(
      input(
        [charge, movement({ kind: 'charge', providerPaymentId: 'pi_2', sourceId: 'ch_2', amount: 500 })],
        [{ ...capture, fee: 300 }, late],
      ),
    )
    expect(result.differences.map((d) => [d.type, d.reference])).toEqual([
      ['amount_mismatch', 'pi_1'],
      ['day_mismatch', 'pi_2'],
    ])
    expect(result.differences[1]).toMatchObject({ atProvider: { day: '2026-12-02' }, inLedger: { day: '2026-12-03' } })
  })

  it('counts a fee posted apart with its sale, and a reversal against what it reverses', () => {
    const zeroFee = { ...capture, fee: 0, amount: 10_000 }
    // A fee transaction moves nothing before fees (+ fees, − clearing): amount 0, fee 320.
    const fee = posted({ kind: 'fee', reference: 'fee:pi_1', captureReference: 'pi_1', amount: 0, fee: 320 })
    expect(compare(input([charge], [zeroFee, fee])).differences).toEqual([])
    // Refund posted, reversed (the ledger no longer has it), posted again under a '#' reference.
    const reversal = { ...refunded, transactionId: randomUUID(), reversal: true, amount: 4_000 }
    expect(compare(input([charge, refund], [capture, refunded, reversal])).differences).toMatchObject([
      { type: 'missing_in_ledger', reference: 're_1' },
    ])
    const again = posted({ kind: 'refund', reference: 're_1#2', captureReference: 'pi_1', amount: -4_000 })
    expect(compare(input([charge, refund], [capture, refunded, reversal, again])).differences).toEqual([])
  })

  it('looks at items of the window only: a day either side is context, not a difference', () => {
    const before = movement({
      kind: 'charge',
      providerPaymentId: 'pi_0',
      amount: 900,
      createdAt: '2026-11-30T23:00:00Z',
    })
    expect(compare(input([charge, before], [capture])).differences).toEqual([])
    // An item on the window's edge whose other half lies just outside it is a day mismatch, not missing.
    const edge = movement({ kind: 'charge', providerPaymentId: 'pi_3', amount: 50, createdAt: '2026-12-03T23:59:59Z' })
    const next = posted({
      kind: 'capture',
      reference: 'pi_3',
      amount: 50,
      occurredAt: new Date('2026-12-04T00:00:00Z'),
    })
    expect(compare(input([edge], [next])).differences).toMatchObject([{ type: 'day_mismatch', reference: 'pi_3' }])
  })
})

describe("sales booked under their order's id (ADR 0025)", () => {
  const ORDER = randomUUID()
  const sale = posted({ kind: 'capture', reference: ORDER, amount: 10_000, fee: 320 })
  const saleRefunded = posted({ kind: 'refund', reference: 're_1', captureReference: ORDER, amount: -4_000 })
  const saleDisputed = { ...opened, captureReference: ORDER }

  it("matches the charge of the order's one payment, with its refund, dispute and a fee posted apart", () => {
    const sales = saleKeys([{ orderId: ORDER, providerPaymentId: 'pi_1' }])
    const all = [sale, saleRefunded, saleDisputed, closed]
    expect(compare(input([charge, refund, dispute, won], all, { sales })).differences).toEqual([])
    const zeroFee = { ...sale, fee: 0 }
    const fee = posted({ kind: 'fee', reference: 'fee:1', captureReference: ORDER, amount: 0, fee: 320 })
    expect(compare(input([charge], [zeroFee, fee], { sales })).differences).toEqual([])
    // Without the payments records' link the two sides name different things: both reported.
    expect(compare(input([charge], [sale])).differences.map((d) => [d.type, d.reference])).toEqual([
      ['missing_in_ledger', 'pi_1'],
      ['missing_at_provider', ORDER],
    ])
    // Reversed and booked again under '#2': still the same sale.
    const reversal = { ...sale, transactionId: randomUUID(), reversal: true, amount: -10_000, fee: -320 }
    const again = posted({ kind: 'capture', reference: `${ORDER}#2`, amount: 10_000, fee: 320 })
    expect(compare(input([charge], [sale, reversal, again], { sales })).differences).toEqual([])
    expect(ledgerSaleReferences([sale, again, fee, saleRefunded])).toEqual([ORDER])
  })

  it("names a difference of the order's sale by the provider's payment id", () => {
    const sales = saleKeys([{ orderId: ORDER, providerPaymentId: 'pi_7' }])
    expect(compare(input([], [sale], { sales })).differences).toMatchObject([
      { type: 'missing_at_provider', reference: 'pi_7', ledgerTransactionIds: [sale.transactionId] },
    ])
    expect(compare(input([charge], [{ ...sale, fee: 0 }], { sales: saleKeys([]) })).differences).toHaveLength(2)
  })

  it('counts every charge of an order with several payments against its one sale, by the order id', () => {
    const sales = saleKeys([
      { orderId: ORDER, providerPaymentId: 'pi_1' },
      { orderId: ORDER, providerPaymentId: 'pi_2' },
      { orderId: ORDER, providerPaymentId: 'pi_1' },
    ])
    expect(sales).toEqual(
      new Map([
        ['pi_1', ORDER],
        ['pi_2', ORDER],
      ]),
    )
    // The second payment failed: no charge, nothing to report.
    expect(compare(input([charge], [sale], { sales })).differences).toEqual([])
    // A second payment captured for the order (held for review, never booked): the excess is reported.
    const second = movement({ kind: 'charge', providerPaymentId: 'pi_2', sourceId: 'ch_2', amount: 10_000, fee: 320 })
    expect(compare(input([charge, second], [sale], { sales })).differences).toEqual([
      expect.objectContaining({
        type: 'amount_mismatch',
        reference: ORDER,
        providerTransactionIds: [charge.id, second.id],
        ledgerTransactionIds: [sale.transactionId],
        atProvider: { currency: 'EUR', amount: 20_000, fee: 640, day: '2026-12-02' },
        inLedger: { currency: 'EUR', amount: 10_000, fee: 320, day: '2026-12-02' },
      }),
    ])
  })
})

describe('daily totals', () => {
  it('compares each day and currency with the ledger totals, field by field', () => {
    const usd = movement({ kind: 'charge', providerPaymentId: 'pi_9', currency: 'USD', amount: 2_000, fee: 88 })
    const result = compare(input([charge, usd], [capture]))
    expect(result.days.map((d) => [d.day, d.currency, d.matches])).toEqual([
      ['2026-12-02', 'EUR', true],
      ['2026-12-02', 'USD', false],
    ])
    expect(result.days[1]?.atProvider).toEqual({
      captured: 2_000,
      refunded: 0,
      disputed: 0,
      reinstated: 0,
      fees: 88,
      net: 1_912,
    })
  })
})
