/**
 * The sandbox's simulated processing fee (docs/commerce.md, "Sandbox fees"): 2.9 % of the amount
 * captured, rounded half-even to the currency's minor unit, plus a fixed 0.30 of one major unit
 * of the currency, also rounded half-even at its exponent (30 cents, 0.300 BHD, nothing in JPY,
 * whose 0.3 yen rounds to 0); never more than the amount captured. Refunds return no fee and
 * disputes cost none, so a sandbox sale's only fee is this one. Computed with the money module,
 * like every amount (ADR 0021).
 */
import {
  add,
  exponentOf,
  isCurrencyCode,
  money,
  multiplyByDecimal,
  parseDecimal,
  type CurrencyCode,
} from '../../money/index.ts'
import { ProviderError } from '../port.ts'

export const SANDBOX_FEE_PERCENT = parseDecimal('0.029')
/** Of one major unit of the currency. */
export const SANDBOX_FEE_FIXED = parseDecimal('0.30')

/** The payment's currency, which the sandbox (like a real processor) must know to charge in it. */
export function sandboxCurrency(code: string): CurrencyCode {
  if (!isCurrencyCode(code))
    throw new ProviderError('sandbox', 'invalid', 'currency_unknown', `${code} is not an ISO 4217 currency`)
  return code
}

/** The fee of capturing `amount` minor units of `currency`. */
export function sandboxProcessingFee(amount: number, currency: string): number {
  const code = sandboxCurrency(currency)
  const percent = multiplyByDecimal(money(amount, code), SANDBOX_FEE_PERCENT, 'half-even')
  const fixed = multiplyByDecimal(money(10 ** exponentOf(code), code), SANDBOX_FEE_FIXED, 'half-even')
  return Math.min(add(percent, fixed).amount, amount)
}
