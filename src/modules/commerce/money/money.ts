/**
 * Money as the API and the database hold it: an integer amount of the currency's minor units
 * (cents, yen, fils) and an ISO 4217 code, `{ amount: 1999, currency: 'EUR' }` (ADR 0021).
 *
 * The amount is a JavaScript `number` restricted to safe integers (|n| ≤ 2^53 − 1): it is what
 * JSON carries without loss, PostgreSQL `bigint` holds it, and no price, fee or total reaches
 * 9 × 10^15 minor units. Arithmetic never happens on those numbers: every operation goes through
 * dinero.js with its bigint calculator, so intermediate products (an amount times a rate with
 * twelve decimals) are exact, and a result that would leave the safe range throws instead of
 * silently losing digits. Floats never hold money.
 */
import {
  add as addD,
  compare as compareD,
  dinero,
  subtract as subtractD,
  toSnapshot,
  type Dinero,
} from 'dinero.js/bigint'
import { dineroCurrency, exponentOf, type CurrencyCode } from './currencies.ts'

export interface Money {
  /** Integer minor units (a safe integer). */
  readonly amount: number
  readonly currency: CurrencyCode
}

/** A result outside the safe-integer range: a bug or a caller that skipped its input limits. */
export class MoneyRangeError extends RangeError {
  constructor(amount: bigint, currency: string) {
    super(`${amount} ${currency} minor units is outside the safe integer range of amounts`)
    this.name = 'MoneyRangeError'
  }
}

const MAX = BigInt(Number.MAX_SAFE_INTEGER)

function safeNumber(amount: bigint, currency: string): number {
  if (amount > MAX || amount < -MAX) throw new MoneyRangeError(amount, currency)
  return Number(amount)
}

/** Money from minor units; refuses a fraction, NaN, Infinity or an unsafe integer. */
export function money(amount: number | bigint, currency: CurrencyCode): Money {
  if (typeof amount === 'bigint') return { amount: safeNumber(amount, currency), currency }
  if (!Number.isSafeInteger(amount))
    throw new RangeError(`A money amount is a safe integer of minor units, not ${String(amount)}`)
  return { amount: Object.is(amount, -0) ? 0 : amount, currency }
}

/** The dinero.js object of an amount, at the currency's own exponent. */
export function toDinero(value: Money): Dinero<bigint> {
  return dinero({ amount: BigInt(value.amount), currency: dineroCurrency(value.currency) })
}

/**
 * Back from dinero.js. The object must be at the currency's exponent: a caller that computed at
 * a finer scale rounds first (transformScale with a named rounding), never here by accident.
 */
export function fromDinero(value: Dinero<bigint>): Money {
  const { amount, currency, scale } = toSnapshot(value)
  const code = currency.code as CurrencyCode
  if (Number(scale) !== exponentOf(code))
    throw new Error(`${code} amount at scale ${scale}: round it to exponent ${exponentOf(code)} first`)
  return { amount: safeNumber(amount, code), currency: code }
}

function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new Error(`Cannot combine ${a.currency} with ${b.currency}`)
}

export function add(a: Money, b: Money): Money {
  assertSameCurrency(a, b)
  return fromDinero(addD(toDinero(a), toDinero(b)))
}

export function subtract(a: Money, b: Money): Money {
  assertSameCurrency(a, b)
  return fromDinero(subtractD(toDinero(a), toDinero(b)))
}

/** The total of several amounts of one currency (zero for none). */
export function sum(currency: CurrencyCode, values: readonly Money[]): Money {
  return values.reduce((total, value) => add(total, value), money(0, currency))
}

/** The amount times an integer (a quantity); exact, so no rounding is involved. */
export function multiplyBy(value: Money, factor: number): Money {
  if (!Number.isSafeInteger(factor)) throw new RangeError(`A quantity is an integer, not ${String(factor)}`)
  return money(BigInt(value.amount) * BigInt(factor), value.currency)
}

/** -1, 0 or 1. */
export function compare(a: Money, b: Money): -1 | 0 | 1 {
  assertSameCurrency(a, b)
  return compareD(toDinero(a), toDinero(b)) as -1 | 0 | 1
}

export const equals = (a: Money, b: Money): boolean => a.currency === b.currency && a.amount === b.amount
export const isZero = (value: Money): boolean => value.amount === 0
export const isPositive = (value: Money): boolean => value.amount > 0
export const isNegative = (value: Money): boolean => value.amount < 0
