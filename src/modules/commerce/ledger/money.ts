/**
 * The little money arithmetic the ledger needs, on dinero.js (bigint amounts, so a product of an
 * amount and a ratio never leaves exact integers). The commerce money wrapper (money/) will
 * offer the same; this file is the one place to switch to it.
 */
import { allocate, dinero, toSnapshot, type DineroCurrency } from 'dinero.js/bigint'
import * as currencies from 'dinero.js/bigint/currencies'

const ISO_4217 = currencies as unknown as Record<string, DineroCurrency<bigint> | undefined>

/** Largest amount one posting carries (10^15 minor units: above any sale, below 2^53). */
export const MAX_POSTING_AMOUNT = 1_000_000_000_000_000

export function currencyOf(code: string): DineroCurrency<bigint> | undefined {
  return /^[A-Z]{3}$/.test(code) ? ISO_4217[code] : undefined
}

/** The ISO 4217 exponent (JPY 0, EUR 2, BHD 3), or undefined for a code that is not a currency. */
export function currencyExponent(code: string): number | undefined {
  const currency = currencyOf(code)
  return currency === undefined ? undefined : Number(currency.exponent)
}

/**
 * Splits `amount` minor units of `currency` by `ratios` (non-negative integers, at least one
 * positive) so that the parts add up to `amount` exactly: each part is rounded down and the units
 * left over go one at a time to the largest ratios first (dinero's allocate). A zero ratio gets
 * nothing.
 */
export function allocateMinor(amount: number, currency: string, ratios: readonly number[]): number[] {
  const iso = currencyOf(currency)
  if (!iso) throw new Error(`allocateMinor: ${currency} is not an ISO 4217 currency`)
  return allocateWith(iso, amount, ratios)
}

/** ISO 4217's code for "no currency": whole units split by weights (basis points among instructors). */
const NO_CURRENCY: DineroCurrency<bigint> = { code: 'XXX', base: 10n, exponent: 0n }

/** allocateMinor for counts that are not money (10,000 basis points over n instructors). */
export const allocateUnits = (amount: number, ratios: readonly number[]): number[] =>
  allocateWith(NO_CURRENCY, amount, ratios)

function allocateWith(currency: DineroCurrency<bigint>, amount: number, ratios: readonly number[]): number[] {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new Error(`allocate: bad amount ${amount}`)
  if (amount === 0) return ratios.map(() => 0)
  const parts = allocate(
    dinero({ amount: BigInt(amount), currency }),
    ratios.map((ratio) => BigInt(ratio)),
  )
  return parts.map((part) => Number(toSnapshot(part).amount))
}
