/**
 * The money module as pure functions: ISO 4217 exponents, exact arithmetic in minor units, the
 * one rounding step of conversions and decimal multiplications, allocations that sum exactly,
 * and receipt formatting.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isAppError } from '../../../platform/errors.ts'
import {
  add,
  allocate,
  compare,
  convert,
  CURRENCY_CODES,
  exponentOf,
  formatMoney,
  isCurrencyCode,
  money,
  MoneyRangeError,
  multiplyBy,
  multiplyByDecimal,
  parseCurrencyCode,
  parseDecimal,
  parseRate,
  splitEvenly,
  subtract,
  sum,
  toDecimalString,
  type CurrencyCode,
} from './index.ts'

const c = (code: string) => parseCurrencyCode(code)
const [USD, EUR, JPY, BHD, CLF] = ['USD', 'EUR', 'JPY', 'BHD', 'CLF'].map(c) as [
  CurrencyCode,
  CurrencyCode,
  CurrencyCode,
  CurrencyCode,
  CurrencyCode,
]

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return isAppError(error) ? error.code : (error as Error).name
  }
  return undefined
}

describe('currencies', () => {
  it('knows ISO 4217 exponents: JPY 0, USD and EUR 2, BHD 3, CLF 4', () => {
    expect([JPY, USD, EUR, BHD, CLF].map(exponentOf)).toEqual([0, 2, 2, 3, 4])
    expect(CURRENCY_CODES.length).toBeGreaterThan(150)
    expect(CURRENCY_CODES).toContain('GBP')
    expect([...CURRENCY_CODES].sort()).toEqual(CURRENCY_CODES)
  })

  it('accepts codes only as ISO writes them, and names the field of one it refuses', () => {
    expect(isCurrencyCode('EUR')).toBe(true)
    for (const bad of ['eur', 'EURO', 'XXX', 'ABC', '', ' EUR', 'US'])
      expect([bad, codeOf(() => parseCurrencyCode(bad, 'body.currency'))]).toEqual([bad, 'UNKNOWN_CURRENCY'])
    try {
      parseCurrencyCode('usd', 'body.currency')
    } catch (error) {
      expect(isAppError(error) && error.status).toBe(400)
      expect(isAppError(error) && error.errors).toEqual([expect.objectContaining({ path: 'body.currency' })])
    }
  })
})

describe('amounts', () => {
  it('are safe integers of minor units: fractions, NaN, Infinity and unsafe integers are refused', () => {
    expect(money(1999, USD)).toEqual({ amount: 1999, currency: 'USD' })
    expect(money(-0, USD).amount).toBe(0)
    expect(Object.is(money(-0, USD).amount, 0)).toBe(true)
    for (const bad of [19.99, Number.NaN, Infinity, -Infinity, 2 ** 53])
      expect(codeOf(() => money(bad, USD))).toBe('RangeError')
    expect(codeOf(() => money(2n ** 53n, USD))).toBe('MoneyRangeError')
  })

  it('add, subtract, sum and multiply exactly, and refuse to mix currencies', () => {
    expect(add(money(1999, USD), money(1, USD))).toEqual(money(2000, USD))
    expect(subtract(money(100, JPY), money(250, JPY))).toEqual(money(-150, JPY))
    expect(sum(BHD, [money(1, BHD), money(2, BHD), money(3, BHD)])).toEqual(money(6, BHD))
    expect(sum(EUR, [])).toEqual(money(0, EUR))
    expect(multiplyBy(money(1999, USD), 3)).toEqual(money(5997, USD))
    expect(compare(money(1, USD), money(2, USD))).toBe(-1)
    expect(codeOf(() => add(money(1, USD), money(1, EUR)))).toBe('Error')
    expect(codeOf(() => multiplyBy(money(1, USD), 1.5))).toBe('RangeError')
  })

  it('throw instead of losing digits when a result leaves the safe range', () => {
    const big = money(Number.MAX_SAFE_INTEGER, USD)
    expect(() => add(big, money(1, USD))).toThrow(MoneyRangeError)
    expect(() => multiplyBy(big, 2)).toThrow(MoneyRangeError)
  })
})

describe('decimals', () => {
  it('parse exactly and canonically, and refuse anything but plain digits', () => {
    expect(parseDecimal('1.0842')).toEqual({ text: '1.0842', units: 10842n, scale: 4 })
    expect(parseDecimal('2.500')).toEqual({ text: '2.5', units: 25n, scale: 1 })
    expect(parseDecimal('3.000').text).toBe('3')
    expect(parseDecimal('0.000000000001').units).toBe(1n)
    for (const bad of ['1e3', '-1', '+1', '01.5', '.5', '5.', '1,5', 'NaN', 'Infinity', '1.0000000000001', ''])
      expect([bad, codeOf(() => parseDecimal(bad, 'body.rate'))]).toEqual([bad, 'INVALID_DECIMAL'])
    expect(codeOf(() => parseRate('0.000'))).toBe('INVALID_DECIMAL')
  })

  it('round a product once, at the exponent, with the named rounding', () => {
    const price = money(1999, USD)
    // 19.99 × 0.2 = 3.998 → 4.00
    expect(multiplyByDecimal(price, parseDecimal('0.2'), 'half-even')).toEqual(money(400, USD))
    // 0.25 × 0.1 = 0.025: a tie
    const tie = money(25, USD)
    const tenth = parseDecimal('0.1')
    expect(multiplyByDecimal(tie, tenth, 'half-even').amount).toBe(2)
    expect(multiplyByDecimal(tie, tenth, 'half-away-from-zero').amount).toBe(3)
    expect(multiplyByDecimal(money(35, USD), tenth, 'half-even').amount).toBe(4)
    expect(multiplyByDecimal(money(-25, USD), tenth, 'half-even').amount).toBe(-2)
    expect(multiplyByDecimal(money(-25, USD), tenth, 'half-away-from-zero').amount).toBe(-3)
    expect(multiplyByDecimal(money(21, USD), tenth, 'floor').amount).toBe(2)
    expect(multiplyByDecimal(money(21, USD), tenth, 'ceiling').amount).toBe(3)
    expect(multiplyByDecimal(money(-21, USD), tenth, 'floor').amount).toBe(-3)
  })
})

describe('conversion', () => {
  it('converts between exponents and rounds half-even at the target exponent', () => {
    // 19.99 USD × 150.25 = 3003.4975 JPY → 3003
    expect(convert(money(1999, USD), JPY, parseRate('150.25'))).toEqual(money(3003, JPY))
    // 1000 JPY × 0.006655 = 6.655 USD, a tie → 6.66 (6 is even)
    expect(convert(money(1000, JPY), USD, parseRate('0.006655'))).toEqual(money(666, USD))
    // 1000 JPY × 0.006645 = 6.645 → tie → 6.64 (4 is even)
    expect(convert(money(1000, JPY), USD, parseRate('0.006645'))).toEqual(money(664, USD))
    expect(convert(money(1000, JPY), USD, parseRate('0.006645'), 'half-away-from-zero')).toEqual(money(665, USD))
    // 10.00 USD × 0.376 = 3.760 BHD; 1.000 BHD × 2.65 = 2.65 USD
    expect(convert(money(1000, USD), BHD, parseRate('0.376'))).toEqual(money(3760, BHD))
    expect(convert(money(1000, BHD), USD, parseRate('2.65'))).toEqual(money(265, USD))
    // 99.99 EUR at 1.0842 = 108.409158 USD → 108.41
    expect(convert(money(9999, EUR), USD, parseRate('1.0842'))).toEqual(money(10841, USD))
  })

  it('is within half a minor unit of the exact product for any amount and rate, or refuses past the safe range (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000_000_000 }),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.integer({ min: 0, max: 12 }),
        fc.constantFrom(USD, JPY, BHD),
        fc.constantFrom(USD, JPY, BHD, EUR),
        (amount, units, scale, from, to) => {
          const rate = parseRate(scaleText(units, scale))
          // exact = amount × units × 10^(exp(to) − exp(from) − scale) = numerator / denominator
          const shift = exponentOf(to) - exponentOf(from) - rate.scale
          const numerator = BigInt(amount) * rate.units * (shift > 0 ? 10n ** BigInt(shift) : 1n)
          const denominator = shift < 0 ? 10n ** BigInt(-shift) : 1n
          const whole = numerator / denominator
          const max = BigInt(Number.MAX_SAFE_INTEGER)
          if (whole > max) return codeOf(() => convert(money(amount, from), to, rate)) === 'MoneyRangeError'
          // Exactly at the limit, rounding decides which side it lands on.
          if (whole === max) return true
          const result = convert(money(amount, from), to, rate)
          const distance = BigInt(result.amount) * denominator * 2n - numerator * 2n
          return (distance < 0n ? -distance : distance) <= denominator
        },
      ),
      { numRuns: 500 },
    )
  })
})

function scaleText(units: bigint, scale: number): string {
  const digits = units.toString().padStart(scale + 1, '0')
  return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`
}

describe('allocation', () => {
  it('hands the leftover minor units to the largest ratios first, earlier parts among equals', () => {
    expect(splitEvenly(money(100, USD), 3).map((m) => m.amount)).toEqual([34, 33, 33])
    expect(allocate(money(7, USD), [1, 2, 1, 2]).map((m) => m.amount)).toEqual([1, 3, 1, 2])
    expect(allocate(money(-100, USD), [1, 1, 1]).map((m) => m.amount)).toEqual([-34, -33, -33])
    expect(allocate(money(1000, JPY), [parseDecimal('33.5'), parseDecimal('66.5')]).map((m) => m.amount)).toEqual([
      335, 665,
    ])
    expect(allocate(money(5, BHD), [0, 1]).map((m) => m.amount)).toEqual([0, 5])
    expect(codeOf(() => allocate(money(5, BHD), [0, 0]))).toBe('RangeError')
    expect(codeOf(() => allocate(money(5, BHD), [-1, 2]))).toBe('RangeError')
    expect(codeOf(() => splitEvenly(money(5, BHD), 0))).toBe('RangeError')
  })

  it('always sums exactly to the amount, each part within one minor unit of its exact share (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000_000_000, max: 1_000_000_000_000 }),
        fc
          .array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 12 })
          .filter((r) => r.some((x) => x > 0)),
        (amount, ratios) => {
          const parts = allocate(money(amount, USD), ratios)
          const total = ratios.reduce((a, b) => a + b, 0)
          const exact = ratios.map((r) => (amount * r) / total)
          return (
            parts.reduce((a, p) => a + p.amount, 0) === amount &&
            parts.every((p, i) => Math.abs(p.amount - exact[i]!) < 1 + 1e-6)
          )
        },
      ),
    )
  })
})

describe('formatting', () => {
  it('shows exactly the ISO exponent’s digits, from an exact decimal string', () => {
    expect(toDecimalString(money(1999, USD))).toBe('19.99')
    expect(toDecimalString(money(-5, BHD))).toBe('-0.005')
    expect(toDecimalString(money(1000, JPY))).toBe('1000')
    expect(formatMoney(money(1999, USD), 'en-US')).toBe('$19.99')
    expect(formatMoney(money(1999, EUR), 'de-DE')).toBe('19,99\u00a0€')
    expect(formatMoney(money(1000, JPY), 'ja-JP')).toBe('￥1,000')
    expect(formatMoney(money(1250, BHD), 'en')).toBe('BHD\u00a01.250')
    // Beyond float precision: 90,071,992,547,409.91 is not a double.
    expect(formatMoney(money(Number.MAX_SAFE_INTEGER, USD), 'en-US')).toBe('$90,071,992,547,409.91')
  })
})
