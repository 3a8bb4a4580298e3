/** The one place money is handled (ADR 0021): currencies, amounts, exact decimals and rounding, splits, formatting. */
export {
  CURRENCY_CODES,
  currencyOf,
  exponentOf,
  isCurrencyCode,
  parseCurrencyCode,
  type Currency,
  type CurrencyCode,
} from './currencies.ts'
export {
  add,
  compare,
  equals,
  isNegative,
  isPositive,
  isZero,
  money,
  MoneyRangeError,
  multiplyBy,
  subtract,
  sum,
  type Money,
} from './money.ts'
export {
  convert,
  DECIMAL_PATTERN,
  divideByDecimal,
  multiplyByDecimal,
  parseDecimal,
  parseRate,
  type Decimal,
  type Rounding,
} from './decimal.ts'
export { allocate, splitEvenly, type Ratio } from './allocation.ts'
export { formatMoney, toDecimalString } from './format.ts'
