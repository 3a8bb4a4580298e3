/**
 * The payment-provider port: what commerce asks of any provider (Stripe, the built-in sandbox,
 * PayPal later; ADR 0023). Amounts are integer minor units of ISO 4217 currencies; each adapter
 * translates to its provider's units. Every call that changes money carries an idempotency key
 * that the provider itself deduplicates, so a retried call never charges or refunds twice.
 * Webhooks are verified over the raw bytes and normalised into provider-neutral events.
 */
import type { PaymentProviderName } from '../../../config.ts'
import type { CaptureFacts, InboundPaymentEvent } from './payment-events.ts'

export type { PaymentProviderName } from '../../../config.ts'

/**
 * What every provider carries back to us on its objects and events, and nothing else: three
 * UUIDs (PayPal's custom_id holds 127 characters). Set by the server from the caller's tenant,
 * never from client input; the inbound pipeline checks it against our own payment record.
 */
export interface PaymentMetadata {
  tenantId: string
  orderId: string
  /** Our payment record (commerce.payments.id). */
  paymentId: string
}

/** `automatic`: captured when authorised. `manual`: authorised now, captured later (delayed capture). */
export type CaptureMethod = 'automatic' | 'manual'

/**
 * Where a payment stands at the provider, in one vocabulary:
 * requires_payment_method (none yet, or the last one failed: see `failure`), requires_action
 * (the buyer must authenticate, e.g. 3-D Secure: see `nextAction`), processing, requires_capture
 * (authorised, awaiting a delayed capture), succeeded (captured), canceled.
 */
export type PaymentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'succeeded'
  | 'canceled'

/**
 * What the buyer's client must do next. `redirect`: open `url` (PayPal's approval link, a bank's
 * page). `client_sdk`: hand `clientSecret` to the provider's client library (Stripe.js; the
 * sandbox's documented authentication call).
 */
export type NextAction = { type: 'redirect'; url: string } | { type: 'client_sdk' }

export interface PaymentFailure {
  /** The provider's reason, e.g. card_declined, insufficient_funds, authentication_failed. */
  code: string
  message: string
}

export interface ProviderPayment {
  provider: PaymentProviderName
  providerPaymentId: string
  status: PaymentStatus
  amount: number
  currency: string
  captureMethod: CaptureMethod
  /** Authorised and not yet captured. */
  amountCapturable: number
  amountCaptured: number
  /** For the buyer's client only (never stored by us); null when the provider has none. */
  clientSecret: string | null
  nextAction: NextAction | null
  failure: PaymentFailure | null
  /** Ours as we sent it; null when the object carries none (created outside Lyceum). */
  metadata: PaymentMetadata | null
}

export interface ProviderRefund {
  provider: PaymentProviderName
  providerRefundId: string
  providerPaymentId: string
  status: 'pending' | 'succeeded' | 'failed' | 'canceled'
  amount: number
  currency: string
}

export interface CreatePaymentInput {
  amount: number
  currency: string
  captureMethod: CaptureMethod
  /** A payment method to confirm with at once; without one the payment waits for the buyer's client. */
  paymentMethod?: string
  /** Where a redirecting action returns the buyer. */
  returnUrl?: string
  description?: string
  metadata: PaymentMetadata
  idempotencyKey: string
}

export interface ConfirmPaymentInput {
  providerPaymentId: string
  paymentMethod?: string
  returnUrl?: string
  idempotencyKey: string
}

export interface CapturePaymentInput {
  providerPaymentId: string
  /** Less than authorised: the rest is released. Default: everything authorised. */
  amount?: number
  /** The payment's currency (the unit of `amount`). */
  currency: string
  idempotencyKey: string
}

export type RefundReason = 'requested_by_customer' | 'duplicate' | 'fraudulent'

/** Why a payment is canceled: the buyer (or staff) asked, or its order expired unpaid (Stripe's own words). */
export type CancelReason = 'requested_by_customer' | 'abandoned'

export interface CancelPaymentInput {
  providerPaymentId: string
  reason: CancelReason
  idempotencyKey: string
}

export interface RefundPaymentInput {
  providerPaymentId: string
  /** Default: everything captured and not yet refunded. */
  amount?: number
  /** The payment's currency (the unit of `amount`). */
  currency: string
  reason: RefundReason
  metadata: PaymentMetadata
  idempotencyKey: string
}

/** A webhook delivery exactly as it arrived: the raw bytes (signatures cover them) and the headers. */
export interface WebhookDelivery {
  rawBody: Buffer
  headers: Record<string, string | string[] | undefined>
}

export interface VerifiedWebhook {
  providerEventId: string
  /** The provider's own event type, e.g. payment_intent.succeeded. */
  type: string
  /** Normalised, or null for a type commerce does not act on (acknowledged and logged). */
  event: InboundPaymentEvent | null
}

/**
 * What a movement of money at the provider was: a charge (a capture), a refund (or its failure,
 * giving the money back), a dispute withdrawing the disputed amount, a won dispute returning it,
 * or anything else (account fees, payouts, transfers).
 */
export type MovementKind = 'charge' | 'refund' | 'dispute' | 'dispute_reversal' | 'other'

/**
 * One movement of the provider's balance as the provider itself records it (Stripe: a balance
 * transaction), for reconciliation with the ledger. Amounts are signed minor units of `currency`
 * (the currency the provider settled in): `amount` before fees (a charge positive, a refund
 * negative), `fee` what the provider took with it (negative when it gave a fee back).
 */
export interface ProviderMovement {
  provider: PaymentProviderName
  /** The provider's id of the movement (Stripe txn_…, sandbox sbtxn_…). */
  id: string
  kind: MovementKind
  /** The provider object it comes from: the charge, refund or dispute id; null when none. */
  sourceId: string | null
  /** The payment it concerns (our records' provider payment id); null for account-level movements. */
  providerPaymentId: string | null
  currency: string
  amount: number
  fee: number
  /** When the provider recorded it (RFC 3339). */
  createdAt: string
}

export interface MovementsRequest {
  /** First instant (inclusive). */
  from: Date
  /** Last instant (exclusive). */
  to: Date
  /** The last movement id of the previous page. */
  startingAfter?: string
  /** Page size, 1-100 (default 100). */
  limit?: number
}

export interface MovementsPage {
  data: ProviderMovement[]
  /** Pass as `startingAfter` for the next page; null after the last. */
  next: string | null
}

/** Options of one call, set by the resilience layer. */
export interface CallOptions {
  /** The provider's own request deadline (the resilience layer enforces it as well). */
  timeoutMs: number
}

export interface PaymentProvider {
  readonly name: PaymentProviderName
  /**
   * `local`: a signature checked with a shared secret (Stripe, the sandbox): it needs the provider
   * in no way, so it bypasses the breaker and keeps working while the provider's API is down.
   * `remote`: the provider confirms each event by an API call (PayPal), a call like any other.
   */
  readonly webhookVerification: 'local' | 'remote'
  createPayment(input: CreatePaymentInput, options: CallOptions): Promise<ProviderPayment>
  /** Confirms with a payment method, or continues after the buyer completed the required action. */
  confirmPayment(input: ConfirmPaymentInput, options: CallOptions): Promise<ProviderPayment>
  capturePayment(input: CapturePaymentInput, options: CallOptions): Promise<ProviderPayment>
  refundPayment(input: RefundPaymentInput, options: CallOptions): Promise<ProviderRefund>
  /**
   * Cancels a payment that is not captured (awaiting a payment method, a confirmation, the
   * buyer's authentication or a delayed capture): it can never be captured afterwards. Answers
   * the payment as it then stands: `canceled`, also when it was canceled already (idempotent),
   * or its own status when it can no longer be canceled (`succeeded`: the money was taken, and
   * its capture event will pay the order; `processing`). That is an answer, not an error.
   */
  cancelPayment(input: CancelPaymentInput, options: CallOptions): Promise<ProviderPayment>
  retrievePayment(providerPaymentId: string, options: CallOptions): Promise<ProviderPayment>
  /**
   * The fee and card country of a captured payment (a read), for events that do not carry them;
   * undefined while the provider has not settled the charge yet (asked again later).
   */
  captureFacts(providerPaymentId: string, options: CallOptions): Promise<CaptureFacts | undefined>
  /** One page (at most 100) of the provider's balance movements created in a window (a read). */
  listMovements(request: MovementsRequest, options: CallOptions): Promise<MovementsPage>
  /**
   * Checks the signature (and its age) over the raw bytes, then normalises. Throws
   * WebhookSignatureError when it does not hold. Asynchronous because some providers verify
   * by an API call (PayPal's verify-webhook-signature).
   */
  verifyWebhook(delivery: WebhookDelivery, options: CallOptions): Promise<VerifiedWebhook>
}

/**
 * How a provider call failed. `declined` never reaches here for payments (a decline is a payment
 * outcome: `failure` on the payment); `unavailable` and `timeout` are the provider's trouble and
 * count against its circuit breaker; the others are ours (a bad request) and do not.
 */
export type ProviderErrorKind = 'invalid' | 'not_found' | 'conflict' | 'unavailable' | 'timeout' | 'rate_limited'

export class ProviderError extends Error {
  constructor(
    readonly provider: PaymentProviderName,
    readonly kind: ProviderErrorKind,
    /** The provider's code, e.g. resource_missing, idempotency_error, amount_too_large. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'ProviderError'
  }

  /** Worth another attempt (with the same idempotency key): the provider may answer differently. */
  get transient(): boolean {
    return this.kind === 'unavailable' || this.kind === 'timeout' || this.kind === 'rate_limited'
  }
}

export class WebhookSignatureError extends Error {
  constructor(
    readonly provider: PaymentProviderName,
    /** Why, for the log only (never the secret or the expected signature). */
    readonly reason: string,
  ) {
    super(`The ${provider} webhook signature does not verify: ${reason}`)
    this.name = 'WebhookSignatureError'
  }
}
