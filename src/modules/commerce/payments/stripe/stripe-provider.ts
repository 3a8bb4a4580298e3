/**
 * The Stripe adapter: PaymentIntents (created, confirmed, captured, canceled) and Refunds through the official SDK, webhooks verified by
 * the SDK's `webhooks.constructEvent` over the raw bytes. The SDK's own retries are off: the
 * resilience layer retries (with the same idempotency key) and counts failures for the breaker.
 * A decline is not an exception here: Stripe answers 402 with the PaymentIntent, which we return
 * with its `failure`.
 */
import Stripe from 'stripe'
import type { StripeSettings } from '../../../../config.ts'
import { metadataFromWire, metadataToWire } from '../metadata.ts'
import {
  ProviderError,
  WebhookSignatureError,
  type CallOptions,
  type CancelPaymentInput,
  type CreatePaymentInput,
  type NextAction,
  type PaymentProvider,
  type PaymentStatus,
  type ProviderPayment,
  type ProviderRefund,
  type VerifiedWebhook,
  type WebhookDelivery,
} from '../port.ts'
import { fromStripeAmount, toStripeAmount } from './stripe-amounts.ts'
import { normaliseStripeEvent } from './stripe-events.ts'
import { CAPTURE_FACTS_EXPAND, captureFactsOf } from './stripe-facts.ts'
import { listParams, movementsPage } from './stripe-balance.ts'

const STATUSES: Record<string, PaymentStatus> = {
  requires_payment_method: 'requires_payment_method',
  requires_confirmation: 'requires_confirmation',
  requires_action: 'requires_action',
  processing: 'processing',
  requires_capture: 'requires_capture',
  succeeded: 'succeeded',
  canceled: 'canceled',
}

function nextActionOf(intent: Stripe.PaymentIntent): NextAction | null {
  const action = intent.next_action
  if (!action) return null
  const url = action.redirect_to_url?.url
  return action.type === 'redirect_to_url' && url ? { type: 'redirect', url } : { type: 'client_sdk' }
}

export function paymentFromIntent(intent: Stripe.PaymentIntent): ProviderPayment {
  const amount = (value: number) => fromStripeAmount(value, intent.currency)
  const error = intent.last_payment_error
  return {
    provider: 'stripe',
    providerPaymentId: intent.id,
    status: STATUSES[intent.status] ?? 'processing',
    amount: amount(intent.amount),
    currency: intent.currency.toUpperCase(),
    captureMethod: intent.capture_method === 'manual' ? 'manual' : 'automatic',
    amountCapturable: amount(intent.amount_capturable),
    amountCaptured: amount(intent.amount_received),
    clientSecret: intent.client_secret,
    nextAction: nextActionOf(intent),
    failure:
      error && intent.status === 'requires_payment_method'
        ? { code: error.decline_code ?? error.code ?? 'payment_failed', message: error.message ?? 'The payment failed' }
        : null,
    metadata: metadataFromWire(intent.metadata),
  }
}

function refundFrom(refund: Stripe.Refund, providerPaymentId: string): ProviderRefund {
  const status = refund.status
  return {
    provider: 'stripe',
    providerRefundId: refund.id,
    providerPaymentId,
    status: status === 'succeeded' || status === 'failed' || status === 'canceled' ? status : 'pending',
    amount: fromStripeAmount(refund.amount, refund.currency),
    currency: refund.currency.toUpperCase(),
  }
}

/** The SDK's errors as the port's: who is at fault decides retries and the breaker. */
export function stripeFailure(error: unknown): unknown {
  if (!(error instanceof Stripe.errors.StripeError)) return error
  const code = error.code ?? error.rawType ?? 'stripe_error'
  const status = error.statusCode ?? 0
  const fail = (kind: ConstructorParameters<typeof ProviderError>[1]) =>
    new ProviderError('stripe', kind, code, error.message, { cause: error })
  if (error instanceof Stripe.errors.StripeConnectionError)
    return fail(/timeout/i.test(error.message) ? 'timeout' : 'unavailable')
  if (error instanceof Stripe.errors.StripeRateLimitError || status === 429) return fail('rate_limited')
  // A concurrent request with the same idempotency key is still running: worth asking again.
  if (status === 409) return fail('rate_limited')
  if (error instanceof Stripe.errors.StripeIdempotencyError) return fail('conflict')
  if (status === 404 || error.code === 'resource_missing') return fail('not_found')
  // A wrong or revoked key fails every call alike: the provider is unusable, not the request wrong.
  if (status === 401 || status === 403 || status >= 500 || status === 0) return fail('unavailable')
  return fail('invalid')
}

async function sdk<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw stripeFailure(error)
  }
}

/** A 402 carries the declined PaymentIntent: that is the answer, not an error. */
async function intentCall(work: () => Promise<Stripe.PaymentIntent>): Promise<ProviderPayment> {
  try {
    return paymentFromIntent(await work())
  } catch (error) {
    if (error instanceof Stripe.errors.StripeCardError && error.payment_intent)
      return paymentFromIntent(error.payment_intent)
    throw stripeFailure(error)
  }
}

/**
 * Stripe refuses to cancel an intent that is canceled already or was captured
 * (payment_intent_unexpected_state): where it stands then is the answer (port.ts, cancelPayment).
 */
async function cancelIntent(stripe: Stripe, input: CancelPaymentInput, options: CallOptions) {
  try {
    return paymentFromIntent(
      await stripe.paymentIntents.cancel(
        input.providerPaymentId,
        { cancellation_reason: input.reason },
        request(input.idempotencyKey, options),
      ),
    )
  } catch (error) {
    const failure = stripeFailure(error)
    if (!(failure instanceof ProviderError) || failure.code !== 'payment_intent_unexpected_state') throw failure
    return intentCall(() => stripe.paymentIntents.retrieve(input.providerPaymentId, {}, request(undefined, options)))
  }
}

const request = (key: string | undefined, options: CallOptions) => ({
  timeout: options.timeoutMs,
  ...(key ? { idempotencyKey: key } : {}),
})

/** With a payment method: confirmed at once (no redirecting methods unless a return URL is given). */
function createParams(input: CreatePaymentInput): Stripe.PaymentIntentCreateParams {
  const confirmation: Partial<Stripe.PaymentIntentCreateParams> = input.paymentMethod
    ? {
        payment_method: input.paymentMethod,
        confirm: true,
        ...(input.returnUrl
          ? { return_url: input.returnUrl }
          : { automatic_payment_methods: { enabled: true, allow_redirects: 'never' } }),
      }
    : { automatic_payment_methods: { enabled: true } }
  return {
    amount: toStripeAmount(input.amount, input.currency),
    currency: input.currency.toLowerCase(),
    capture_method: input.captureMethod,
    metadata: metadataToWire(input.metadata),
    ...(input.description ? { description: input.description } : {}),
    ...confirmation,
  }
}

function verify(stripe: Stripe, secret: string, toleranceSeconds: number, delivery: WebhookDelivery): VerifiedWebhook {
  const header = delivery.headers['stripe-signature']
  if (typeof header !== 'string' || header.length === 0)
    throw new WebhookSignatureError('stripe', 'no Stripe-Signature header')
  let event: Stripe.Event
  try {
    event = stripe.webhooks.constructEvent(delivery.rawBody, header, secret, toleranceSeconds)
  } catch (error) {
    throw new WebhookSignatureError('stripe', error instanceof Error ? error.message : String(error))
  }
  if (typeof event?.id !== 'string' || typeof event.type !== 'string' || typeof event.data?.object !== 'object')
    throw new WebhookSignatureError('stripe', 'the signed body is not a Stripe event')
  return { providerEventId: event.id, type: event.type, event: normaliseStripeEvent(event) }
}

export function createStripeProvider(settings: StripeSettings, toleranceSeconds: number): PaymentProvider {
  // The SDK's own retries are off: ours are keyed, jittered and counted by the breaker.
  const stripe = new Stripe(settings.secretKey, { maxNetworkRetries: 0, telemetry: false, ...settings.api })
  const amountOf = (amount: number | undefined, currency: string) =>
    amount === undefined ? undefined : toStripeAmount(amount, currency)
  return {
    name: 'stripe',
    webhookVerification: 'local',
    createPayment: (input, options) =>
      intentCall(() => stripe.paymentIntents.create(createParams(input), request(input.idempotencyKey, options))),
    confirmPayment: (input, options) =>
      intentCall(() =>
        stripe.paymentIntents.confirm(
          input.providerPaymentId,
          {
            ...(input.paymentMethod ? { payment_method: input.paymentMethod } : {}),
            ...(input.returnUrl ? { return_url: input.returnUrl } : {}),
          },
          request(input.idempotencyKey, options),
        ),
      ),
    capturePayment: (input, options) => {
      const amount = amountOf(input.amount, input.currency)
      return intentCall(() =>
        stripe.paymentIntents.capture(
          input.providerPaymentId,
          amount === undefined ? {} : { amount_to_capture: amount },
          request(input.idempotencyKey, options),
        ),
      )
    },
    refundPayment: async (input, options) => {
      const amount = amountOf(input.amount, input.currency)
      const params: Stripe.RefundCreateParams = {
        payment_intent: input.providerPaymentId,
        reason: input.reason,
        metadata: metadataToWire(input.metadata),
        ...(amount === undefined ? {} : { amount }),
      }
      const refund = await sdk(() => stripe.refunds.create(params, request(input.idempotencyKey, options)))
      return refundFrom(refund, input.providerPaymentId)
    },
    cancelPayment: (input, options) => cancelIntent(stripe, input, options),
    retrievePayment: (id, options) =>
      intentCall(() => stripe.paymentIntents.retrieve(id, {}, request(undefined, options))),
    captureFacts: async (id, options) =>
      captureFactsOf(
        await sdk(() =>
          stripe.paymentIntents.retrieve(id, { expand: CAPTURE_FACTS_EXPAND }, request(undefined, options)),
        ),
      ),
    listMovements: async (movements, options) =>
      movementsPage(
        await sdk(() => stripe.balanceTransactions.list(listParams(movements), request(undefined, options))),
      ),
    verifyWebhook: async (delivery) => verify(stripe, settings.webhookSecret, toleranceSeconds, delivery),
  }
}
