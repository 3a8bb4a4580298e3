/**
 * ISO 4217 currencies as dinero.js v2 ships them (`dinero.js/bigint/currencies`: one named export
 * per active code, each `{ code, base: 10n, exponent }`). The exponent is the number of minor-unit
 * digits: JPY 0, USD 2, BHD 3, CLF 4. The table is the library's, so an ISO amendment arrives with
 * a dinero.js release rather than a hand edit here.
 */
import type { DineroCurrency } from 'dinero.js/bigint'
import * as iso4217 from 'dinero.js/bigint/currencies'
import { AppError } from '../../../platform/errors.ts'

/** A code known to the table; only `parseCurrencyCode` and `isCurrencyCode` make one. */
export type CurrencyCode = string & { readonly __currencyCode: unique symbol }

export interface Currency {
  code: CurrencyCode
  /** Minor-unit digits (ISO 4217 "E"). */
  exponent: number
}

const TABLE = new Map<string, DineroCurrency<bigint>>(
  Object.values(iso4217 as Record<string, DineroCurrency<bigint>>)
    // Every code here is decimal (base 10); a multi-base currency could not be held in minor units.
    .filter((currency) => currency.base === 10n)
    .map((currency) => [currency.code, currency]),
)

/** Every known code, sorted. */
export const CURRENCY_CODES: readonly CurrencyCode[] = Object.freeze([...TABLE.keys()].sort() as CurrencyCode[])

export const isCurrencyCode = (code: string): code is CurrencyCode => TABLE.has(code)

/** The dinero.js currency of a known code (the money module's own arithmetic). */
export function dineroCurrency(code: CurrencyCode): DineroCurrency<bigint> {
  const currency = TABLE.get(code)
  if (!currency) throw new Error(`${code} is not an ISO 4217 currency code`)
  return currency
}

export function exponentOf(code: CurrencyCode): number {
  return Number(dineroCurrency(code).exponent)
}

export function currencyOf(code: CurrencyCode): Currency {
  return { code, exponent: exponentOf(code) }
}

export const unknownCurrency = (input: string, path: string) =>
  new AppError('invalid', 'UNKNOWN_CURRENCY', `"${input}" is not an ISO 4217 currency code`, {
    errors: [
      { path, message: 'is not an ISO 4217 currency code (three upper-case letters, e.g. EUR)', code: 'currency' },
    ],
  })

/**
 * A client's currency code, exactly as ISO 4217 writes it (upper case; "usd" is refused rather
 * than guessed), or 400 UNKNOWN_CURRENCY naming the field.
 */
export function parseCurrencyCode(input: string, path = 'currency'): CurrencyCode {
  if (!isCurrencyCode(input)) throw unknownCurrency(input.slice(0, 16), path)
  return input
}
