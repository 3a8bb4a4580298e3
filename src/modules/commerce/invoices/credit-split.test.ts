import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseCurrencyCode } from '../money/index.ts'
import { CreditExceedsInvoice, splitCredit, type CreditableLine, type CreditPart } from './credit-split.ts'

const EUR = parseCurrencyCode('EUR')
const line = (lineId: string, net: number, tax: number): CreditableLine => ({ lineId, net, tax })
const total = (parts: readonly CreditPart[]) => parts.reduce((sum, part) => sum + part.gross, 0)

/** What is left of each line after the parts are credited. */
const after = (lines: readonly CreditableLine[], parts: readonly CreditPart[]) =>
  lines.map((l) => {
    const part = parts.find((p) => p.lineId === l.lineId)
    return line(l.lineId, l.net - (part?.net ?? 0), l.tax - (part?.tax ?? 0))
  })

describe('splitCredit', () => {
  it('spreads a partial refund over the lines by what they still owe, then each part into net and tax', () => {
    // 90.00 + 17.10 VAT and 50.00 + 9.50 VAT; refund 50.00 of 166.60.
    const parts = splitCredit(EUR, 5_000, [line('a', 9_000, 1_710), line('b', 5_000, 950)])
    // 5000 × 10710/16660 = 3214.28 → 3214 and 5000 × 5950/16660 = 1785.71 → 1785; the unit left goes
    // to the larger ratio (a), not the larger remainder (b). Then a's 3215: 3215 × 9000/10710 = 2701.68
    // → 2701 net and 513.32 → 513 tax, the unit left to the larger ratio (net); b's 1785 splits exactly.
    expect(parts).toEqual([
      { lineId: 'a', net: 2_702, tax: 513, gross: 3_215 },
      { lineId: 'b', net: 1_500, tax: 285, gross: 1_785 },
    ])
  })

  it('leaves out lines it takes nothing from and takes exactly what is left on a full refund', () => {
    expect(splitCredit(EUR, 1, [line('a', 0, 0), line('b', 100, 19)])).toEqual([
      { lineId: 'b', net: 1, tax: 0, gross: 1 },
    ])
    expect(splitCredit(EUR, 119, [line('a', 0, 0), line('b', 100, 19)])).toEqual([
      { lineId: 'b', net: 100, tax: 19, gross: 119 },
    ])
  })

  it('refuses more than is left, and amounts that are not positive whole minor units', () => {
    expect(() => splitCredit(EUR, 120, [line('b', 100, 19)])).toThrow(CreditExceedsInvoice)
    expect(() => splitCredit(EUR, 0, [line('b', 100, 19)])).toThrow(RangeError)
    expect(() => splitCredit(EUR, 1.5, [line('b', 100, 19)])).toThrow(RangeError)
  })

  it('never takes more from a line than it has left, over any sequence of partial refunds, and a refund of the rest empties every line', () => {
    const lines = fc.array(
      fc.record({ net: fc.integer({ min: 0, max: 1_000_000 }), tax: fc.integer({ min: 0, max: 200_000 }) }),
      { minLength: 1, maxLength: 8 },
    )
    fc.assert(
      fc.property(lines, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), (raw, shares) => {
        let left = raw.map((l, i) => line(`l${i}`, l.net, l.tax))
        const remaining = () => left.reduce((sum, l) => sum + l.net + l.tax, 0)
        if (remaining() === 0) return
        for (const share of shares) {
          const amount = Math.floor(remaining() * share)
          if (amount === 0) continue
          const parts = splitCredit(EUR, amount, left)
          expect(total(parts)).toBe(amount)
          for (const part of parts) expect(part.net + part.tax).toBe(part.gross)
          left = after(left, parts)
          for (const l of left) expect(Math.min(l.net, l.tax)).toBeGreaterThanOrEqual(0)
          if (remaining() === 0) return
        }
        left = after(left, splitCredit(EUR, remaining(), left))
        expect(left.every((l) => l.net === 0 && l.tax === 0)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})
