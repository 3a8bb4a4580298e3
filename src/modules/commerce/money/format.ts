/**
 * Money as people read it (receipts, invoices, emails). Formatting only: nothing parses these
 * strings back. The digits come from dinero.js as an exact decimal string and Intl formats that
 * string (not a float), always with the currency's ISO exponent as the number of decimals: CLDR
 * shows some currencies with fewer digits than ISO (IQD with 0, ISO 3), and a receipt must show
 * the amount that was charged.
 */
import { toDecimal } from 'dinero.js/bigint'
import { exponentOf } from './currencies.ts'
import { toDinero, type Money } from './money.ts'

/** "19.99", "-0.005", "1000": the amount in major units, exactly, with the exponent's digits. */
export function toDecimalString(value: Money): string {
  return toDecimal(toDinero(value))
}

/** For receipts: "$19.99" (en-US), "19,99 €" (de-DE), "￥1,000" (ja-JP), "BHD 1.250" (en). */
export function formatMoney(value: Money, locale = 'en'): string {
  const digits = exponentOf(value.currency)
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: value.currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  })
  return format.format(toDecimalString(value) as Intl.StringNumericLiteral)
}
