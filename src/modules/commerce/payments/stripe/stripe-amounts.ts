/**
 * ISO 4217 minor units ↔ Stripe's "smallest currency unit". They agree except for Stripe's
 * documented special cases: ISK and UGX are zero-decimal in ISO 4217 but Stripe takes them as
 * two-decimal amounts (a multiple of 100), and in three-decimal currencies Stripe charges only
 * multiples of 10 (the last digit must be 0). See docs.stripe.com/currencies#special-cases.
 */
import { ProviderError } from '../port.ts'

const TWO_DECIMAL_AT_STRIPE = new Set(['ISK', 'UGX'])
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND'])

/** Our amount as Stripe expects it; refuses what Stripe cannot charge, before any call. */
export function toStripeAmount(amount: number, currency: string): number {
  const code = currency.toUpperCase()
  if (!Number.isSafeInteger(amount) || amount < 0)
    throw new ProviderError(
      'stripe',
      'invalid',
      'amount_invalid',
      `Amount ${amount} is not a whole number of minor units`,
    )
  if (THREE_DECIMAL.has(code) && amount % 10 !== 0)
    throw new ProviderError(
      'stripe',
      'invalid',
      'amount_precision',
      `Stripe charges ${code} only in multiples of 10 minor units (the last digit must be 0); got ${amount}`,
    )
  return TWO_DECIMAL_AT_STRIPE.has(code) ? amount * 100 : amount
}

/** Stripe's amount in our minor units. */
export function fromStripeAmount(amount: number, currency: string): number {
  return TWO_DECIMAL_AT_STRIPE.has(currency.toUpperCase()) ? Math.round(amount / 100) : amount
}
