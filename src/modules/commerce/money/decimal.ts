/**
 * Exact decimals for what multiplies money: exchange rates, tax rates, percentages, shares. They
 * travel as decimal strings ("1.0842", "0.2"), never as JavaScript numbers, and are held as a
 * scaled integer (units × 10^-scale), which is what dinero.js multiplies by. Then the one place
 * a result is rounded: to the currency's exponent, with a rounding the caller names.
 */
import { convert as convertD, halfAwayFromZero, halfEven, down, up, multiply, transformScale } from 'dinero.js/bigint'
import { AppError } from '../../../platform/errors.ts'
import { dineroCurrency, type CurrencyCode } from './currencies.ts'
import { fromDinero, money, toDinero, type Money } from './money.ts'

export interface Decimal {
  /** Canonical text: no leading zeros but one before the point, no trailing fractional zeros ("1.5", "2", "0.0842"). */
  readonly text: string
  /** The digits as an integer: "1.0842" is 10842n at scale 4. */
  readonly units: bigint
  readonly scale: number
}

/** Digits a decimal may carry: up to 15 before the point and 12 after (FX quotes use 6 to 10). */
export const DECIMAL_PATTERN = '^(0|[1-9][0-9]{0,14})(\\.[0-9]{1,12})?$'
const DECIMAL = new RegExp(DECIMAL_PATTERN)

const invalidDecimal = (path: string, message: string) =>
  new AppError('invalid', 'INVALID_DECIMAL', `${path} ${message}`, { errors: [{ path, message, code: 'decimal' }] })

/** A non-negative decimal string as an exact Decimal, or 400 INVALID_DECIMAL naming the field. */
export function parseDecimal(text: string, path = 'value'): Decimal {
  if (!DECIMAL.test(text))
    throw invalidDecimal(path, 'must be a decimal number written with digits and at most one point, e.g. 1.0842')
  const [whole = '0', fraction = ''] = text.split('.')
  const trimmed = fraction.replace(/0+$/, '')
  return { text: trimmed ? `${whole}.${trimmed}` : whole, units: BigInt(whole + trimmed), scale: trimmed.length }
}

/** An exchange rate (units of the quote currency for one unit of the base): a decimal above zero. */
export function parseRate(text: string, path = 'rate'): Decimal {
  const rate = parseDecimal(text, path)
  if (rate.units === 0n) throw invalidDecimal(path, 'must be greater than zero')
  return rate
}

/**
 * How a result with more digits than the currency's exponent is brought back to it.
 * - `half-even` (banker's rounding): to the nearest minor unit, ties to the even one
 *   (0.025 → 0.02, 0.035 → 0.04, -0.025 → -0.02). Unbiased over many amounts: the default.
 * - `half-away-from-zero` (commercial rounding): ties away from zero (0.025 → 0.03, -0.025 → -0.03).
 * - `floor` / `ceiling`: towards negative / positive infinity.
 */
export type Rounding = 'half-even' | 'half-away-from-zero' | 'floor' | 'ceiling'

const DIVIDE = { 'half-even': halfEven, 'half-away-from-zero': halfAwayFromZero, floor: down, ceiling: up } as const

/** The amount times a decimal (a tax rate, a percentage as 0.15), rounded to the currency's exponent. */
export function multiplyByDecimal(value: Money, factor: Decimal, rounding: Rounding): Money {
  const exact = multiply(toDinero(value), { amount: factor.units, scale: BigInt(factor.scale) })
  return fromDinero(transformScale(exact, dineroCurrency(value.currency).exponent, DIVIDE[rounding]))
}

/**
 * The amount in another currency at `rate` (units of `to` per unit of the amount's currency),
 * computed exactly and rounded once, at `to`'s exponent (default half-even): 19.99 USD at
 * 150.25 JPY/USD is 3003.4975 JPY, which is 3003 JPY. Exponents are the currencies' own, so
 * 1.000 BHD at 2.65 USD/BHD is 2.65 USD and 10 USD at 0.376 BHD/USD is 3.760 BHD.
 */
export function convert(value: Money, to: CurrencyCode, rate: Decimal, rounding: Rounding = 'half-even'): Money {
  const target = dineroCurrency(to)
  const exact = convertD(toDinero(value), target, { [to]: { amount: rate.units, scale: BigInt(rate.scale) } })
  return fromDinero(transformScale(exact, target.exponent, DIVIDE[rounding]))
}

/**
 * The amount divided by a decimal above zero, rounded to the currency's exponent: a price that
 * includes 20 % tax is `gross ÷ 1.2` net. dinero.js has no division, so this is the one exact
 * integer division of the module: numerator and divisor are scaled to integers and the quotient
 * is rounded once with the named rounding (0.025 half-even → 0.02, as in multiplyByDecimal).
 */
export function divideByDecimal(value: Money, divisor: Decimal, rounding: Rounding): Money {
  if (divisor.units === 0n) throw new RangeError('Cannot divide an amount by zero')
  const numerator = BigInt(value.amount) * 10n ** BigInt(divisor.scale)
  return money(roundedQuotient(numerator, divisor.units, rounding), value.currency)
}

/** n ÷ d (d > 0) rounded to an integer. */
function roundedQuotient(n: bigint, d: bigint, rounding: Rounding): bigint {
  const quotient = n / d // truncates towards zero
  const remainder = n % d
  if (remainder === 0n) return quotient
  const sign = n < 0n ? -1n : 1n
  const twice = 2n * (remainder < 0n ? -remainder : remainder)
  switch (rounding) {
    case 'floor':
      return sign < 0n ? quotient - 1n : quotient
    case 'ceiling':
      return sign > 0n ? quotient + 1n : quotient
    case 'half-away-from-zero':
      return twice >= d ? quotient + sign : quotient
    case 'half-even':
      if (twice > d) return quotient + sign
      if (twice < d) return quotient
      return quotient % 2n === 0n ? quotient : quotient + sign
  }
}
