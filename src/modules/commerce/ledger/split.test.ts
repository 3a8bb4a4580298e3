import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { modelAllocate } from './ledger.model.ts'
import { allocateMinor, equalShares, splitCapture, splitReturn, type PartAmount } from './split.ts'

const [A, B, C] = [
  'a0000000-0000-4000-8000-000000000000',
  'b0000000-0000-4000-8000-000000000000',
  'c0000000-0000-4000-8000-000000000000',
]
const sum = (parts: readonly PartAmount[]) => parts.reduce((total, p) => total + p.amount, 0)

describe('splitCapture', () => {
  it('splits an odd amount among three instructors without losing a unit, leftovers to the larger ratios', () => {
    const parts = splitCapture('EUR', {
      tax: 19,
      platformFeeBps: 2500,
      lines: [{ amount: 1001, sellers: equalShares([C, A, B]) }],
    })
    // 1001 × 25 % = 250.25 → 250; 751 over 3334/3333/3333 → 250, 250, 250 and the unit left to A (largest share).
    expect(parts).toEqual([
      { part: { kind: 'tax' }, amount: 19 },
      { part: { kind: 'platform' }, amount: 250 },
      { part: { kind: 'seller', userId: A }, amount: 251 },
      { part: { kind: 'seller', userId: B }, amount: 250 },
      { part: { kind: 'seller', userId: C }, amount: 250 },
    ])
  })

  it('gives a line without instructors wholly to the platform and sums lines per instructor', () => {
    const parts = splitCapture('JPY', {
      tax: 0,
      platformFeeBps: 10_000,
      lines: [
        { amount: 500, sellers: [] },
        { amount: 301, sellers: [{ userId: A, shareBps: 10_000 }] },
      ],
    })
    expect(parts).toEqual([{ part: { kind: 'platform' }, amount: 801 }])
  })

  it('never loses or invents a unit, for any amounts, fee and shares', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 12 }),
        fc.integer({ min: 0, max: 10 ** 9 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 0, maxLength: 5 }),
        (amount, tax, bps, weights) => {
          const sellers = weights.map((shareBps, i) => ({
            userId: `${i}0000000-0000-4000-8000-000000000000`,
            shareBps,
          }))
          const parts = splitCapture('BHD', { tax, platformFeeBps: bps, lines: [{ amount, sellers }] })
          expect(sum(parts)).toBe(amount + tax)
          expect(parts.every((p) => p.amount > 0)).toBe(true)
        },
      ),
    )
  })
})

describe('splitReturn', () => {
  const open: PartAmount[] = [
    { part: { kind: 'tax' }, amount: 190 },
    { part: { kind: 'platform' }, amount: 300 },
    { part: { kind: 'seller', userId: A }, amount: 351 },
    { part: { kind: 'seller', userId: B }, amount: 350 },
  ]

  it('takes in proportion to what is left, and everything left empties every part exactly', () => {
    expect(splitReturn('EUR', 1191, open)).toEqual(open)
    const half = splitReturn('EUR', 595, open)
    expect(sum(half)).toBe(595)
    // 94.9, 149.9, 175.4, 174.9 rounded down leave 3 units: to the largest parts (351, 350, 300).
    expect(half.map((p) => p.amount)).toEqual([94, 150, 176, 175])
    expect(() => splitReturn('EUR', 1192, open)).toThrow(/exceeds/)
  })

  it('never takes more than a part holds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10 ** 9 }), { minLength: 1, maxLength: 6 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (amounts, fraction) => {
          const parts = amounts.map((amount, i) => ({ part: { kind: 'seller' as const, userId: `${i}` }, amount }))
          const total = amounts.reduce((s, a) => s + a, 0)
          const taken = splitReturn('EUR', Math.floor(total * fraction), parts)
          expect(sum(taken)).toBe(Math.floor(total * fraction))
          for (const p of taken)
            expect(p.amount).toBeLessThanOrEqual(amounts[Number(p.part.kind === 'seller' ? p.part.userId : -1)] ?? -1)
        },
      ),
    )
  })
})

describe('the allocation rule', () => {
  it("is dinero's allocate exactly as the ADR states it (rounded down, leftovers to the largest ratios, ties in order)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 12 }),
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 8 }),
        (amount, ratios) => {
          fc.pre(ratios.some((r) => r > 0))
          expect(allocateMinor(amount, 'EUR', ratios)).toEqual(
            modelAllocate(BigInt(amount), ratios.map(BigInt)).map(Number),
          )
        },
      ),
    )
  })

  it('splits 10,000 basis points equally in user-id order', () => {
    expect(equalShares([C, B, A])).toEqual([
      { userId: A, shareBps: 3334 },
      { userId: B, shareBps: 3333 },
      { userId: C, shareBps: 3333 },
    ])
    expect(equalShares([])).toEqual([])
  })
})
