/**
 * What the sandbox does with a payment: the test payment methods (docs/commerce.md, "Payment
 * providers") and the transitions they lead to, as pure functions of the payment's state. Like
 * Stripe's test cards, the payment method decides the outcome; the amount, currency and capture
 * method are the caller's.
 */
import { ProviderError, type PaymentStatus } from '../port.ts'
import { sandboxProcessingFee } from './sandbox-fees.ts'

export type DisputeOutcome = 'won' | 'lost'

/** `cardCountry`: the issuing country of the test card (ISO 3166-1 alpha-2), reported at capture. */
export type MethodBehaviour =
  | { outcome: 'success'; cardCountry: string; dispute?: DisputeOutcome }
  | { outcome: 'decline'; code: string; message: string }
  | { outcome: 'authenticate'; cardCountry: string }

export const SANDBOX_PAYMENT_METHODS: Record<string, MethodBehaviour> = {
  pm_sandbox_visa: { outcome: 'success', cardCountry: 'US' },
  pm_sandbox_visa_de: { outcome: 'success', cardCountry: 'DE' },
  pm_sandbox_visa_fr: { outcome: 'success', cardCountry: 'FR' },
  pm_sandbox_declined: { outcome: 'decline', code: 'card_declined', message: 'Your card was declined.' },
  pm_sandbox_insufficient_funds: {
    outcome: 'decline',
    code: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  pm_sandbox_3ds: { outcome: 'authenticate', cardCountry: 'GB' },
  pm_sandbox_dispute_won: { outcome: 'success', cardCountry: 'US', dispute: 'won' },
  pm_sandbox_dispute_lost: { outcome: 'success', cardCountry: 'US', dispute: 'lost' },
}

/** The sandbox's event types: the neutral kinds, plus `payment.created`, which commerce does not act on. */
export type SandboxEventType =
  | 'payment.created'
  | 'payment.authorized'
  | 'payment.captured'
  | 'payment.failed'
  | 'payment.requires_action'
  | 'refund.succeeded'
  | 'dispute.opened'
  | 'dispute.won'
  | 'dispute.lost'

export interface SandboxState {
  status: PaymentStatus
  amount: number
  currency: string
  captureMethod: 'automatic' | 'manual'
  paymentMethod: string | null
  amountCapturable: number
  amountReceived: number
  amountRefunded: number
  failureCode: string | null
  failureMessage: string | null
  /** The processing fee, set at capture (sandbox-fees.ts). */
  fee: number | null
  /** The test card's country, known once the card is authorised. */
  cardCountry: string | null
}

export interface Transition {
  state: SandboxState
  events: SandboxEventType[]
}

const invalid = (code: string, message: string) => new ProviderError('sandbox', 'invalid', code, message)

export function behaviourOf(paymentMethod: string): MethodBehaviour {
  const behaviour = SANDBOX_PAYMENT_METHODS[paymentMethod]
  if (!behaviour)
    throw invalid(
      'payment_method_unknown',
      `No sandbox payment method ${paymentMethod}; use one of ${Object.keys(SANDBOX_PAYMENT_METHODS).join(', ')}`,
    )
  return behaviour
}

/** Authorised: held for a delayed capture, or captured at once. */
function authorise(state: SandboxState): Transition {
  const behaviour = state.paymentMethod ? behaviourOf(state.paymentMethod) : undefined
  const cardCountry = behaviour && behaviour.outcome !== 'decline' ? behaviour.cardCountry : null
  const cleared = { ...state, failureCode: null, failureMessage: null, cardCountry }
  if (state.captureMethod === 'manual')
    return {
      state: { ...cleared, status: 'requires_capture', amountCapturable: state.amount },
      events: ['payment.authorized'],
    }
  return captured(cleared, state.amount)
}

function captured(state: SandboxState, amount: number): Transition {
  const dispute = state.paymentMethod ? behaviourOf(state.paymentMethod) : undefined
  return {
    state: {
      ...state,
      status: 'succeeded',
      amountCapturable: 0,
      amountReceived: amount,
      fee: sandboxProcessingFee(amount, state.currency),
    },
    events: [
      'payment.captured',
      ...(dispute?.outcome === 'success' && dispute.dispute ? ['dispute.opened' as const] : []),
    ],
  }
}

export function confirm(state: SandboxState, paymentMethod: string | undefined): Transition {
  if (state.status !== 'requires_payment_method' && state.status !== 'requires_confirmation')
    throw invalid('payment_intent_unexpected_state', `A payment in status ${state.status} cannot be confirmed`)
  const method = paymentMethod ?? state.paymentMethod
  if (!method) throw invalid('payment_method_required', 'Confirming needs a payment method')
  const behaviour = behaviourOf(method)
  const withMethod = { ...state, paymentMethod: method }
  if (behaviour.outcome === 'decline')
    return {
      state: {
        ...withMethod,
        status: 'requires_payment_method',
        failureCode: behaviour.code,
        failureMessage: behaviour.message,
      },
      events: ['payment.failed'],
    }
  if (behaviour.outcome === 'authenticate')
    return { state: { ...withMethod, status: 'requires_action' }, events: ['payment.requires_action'] }
  return authorise(withMethod)
}

/** The buyer's 3-D Secure answer. */
export function authenticate(state: SandboxState, approve: boolean): Transition {
  if (state.status !== 'requires_action')
    throw new ProviderError(
      'sandbox',
      'conflict',
      'payment_intent_unexpected_state',
      `A payment in status ${state.status} awaits no authentication`,
    )
  if (approve) return authorise(state)
  return {
    state: {
      ...state,
      status: 'requires_payment_method',
      failureCode: 'authentication_failed',
      failureMessage: 'The buyer did not complete authentication.',
    },
    events: ['payment.failed'],
  }
}

export function capture(state: SandboxState, amount: number | undefined): Transition {
  if (state.status !== 'requires_capture')
    throw invalid('payment_intent_unexpected_state', `A payment in status ${state.status} cannot be captured`)
  const toCapture = amount ?? state.amountCapturable
  if (!Number.isSafeInteger(toCapture) || toCapture <= 0 || toCapture > state.amountCapturable)
    throw invalid('amount_too_large', `Capture between 1 and ${state.amountCapturable} minor units`)
  return captured(state, toCapture)
}

/** The statuses a payment can be canceled from: anything before its capture (as at Stripe). */
const CANCELABLE: readonly PaymentStatus[] = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'requires_capture',
]

/**
 * The payment canceled (an authorisation released), or undefined when there is nothing to change:
 * it was canceled already, or captured (the caller answers the payment as it stands). A canceled
 * payment cannot be confirmed, authenticated or captured afterwards.
 */
export function cancel(state: SandboxState): SandboxState | undefined {
  if (!CANCELABLE.includes(state.status)) return undefined
  return { ...state, status: 'canceled', amountCapturable: 0 }
}

export function refund(state: SandboxState, amount: number | undefined): { state: SandboxState; amount: number } {
  if (state.status !== 'succeeded')
    throw invalid('payment_intent_unexpected_state', `A payment in status ${state.status} has nothing to refund`)
  const remaining = state.amountReceived - state.amountRefunded
  if (remaining === 0) throw invalid('charge_already_refunded', 'The payment is already fully refunded')
  const toRefund = amount ?? remaining
  if (!Number.isSafeInteger(toRefund) || toRefund <= 0 || toRefund > remaining)
    throw invalid('amount_too_large', `Refund between 1 and ${remaining} minor units`)
  return { state: { ...state, amountRefunded: state.amountRefunded + toRefund }, amount: toRefund }
}
