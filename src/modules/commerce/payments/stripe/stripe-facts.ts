/**
 * What Stripe knows of a captured charge that its payment_intent.succeeded webhook does not say:
 * the processing fee (on the charge's balance transaction) and the card's issuing country (on
 * the charge's payment method details). Read by retrieving the PaymentIntent with
 * `expand: ['latest_charge.balance_transaction']` (ADR 0023, "Capture facts").
 */
import type Stripe from 'stripe'
import type { CaptureFacts } from '../payment-events.ts'
import { fromStripeAmount } from './stripe-amounts.ts'

const COUNTRY = /^[A-Z]{2}$/

/** The PaymentIntent's expansion that carries both facts. */
export const CAPTURE_FACTS_EXPAND = ['latest_charge.balance_transaction']

/**
 * The facts of an intent retrieved with CAPTURE_FACTS_EXPAND; undefined while Stripe has not
 * settled the charge (no charge yet, or its balance transaction not created yet). The fee is null
 * when Stripe settles the charge in another currency than the payment's: it then states the fee
 * only in the settlement currency, and converting it back would invent an amount.
 */
export function captureFactsOf(intent: Stripe.PaymentIntent): CaptureFacts | undefined {
  const charge = intent.latest_charge
  if (!charge || typeof charge === 'string') return undefined
  const settled = charge.balance_transaction
  if (!settled || typeof settled === 'string') return undefined
  const country = charge.payment_method_details?.card?.country ?? null
  return {
    fee: settled.currency === intent.currency ? fromStripeAmount(settled.fee, settled.currency) : null,
    cardCountry: country !== null && COUNTRY.test(country) ? country : null,
  }
}
