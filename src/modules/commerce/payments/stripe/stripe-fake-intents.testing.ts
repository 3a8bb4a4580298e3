/**
 * The Stripe fake's operations on PaymentIntents and refunds: create, confirm (the test payment
 * method decides the outcome: success, decline, 3-D Secure), capture in full or in part, cancel
 * until captured, refund; and the dispatch of a request's method and path to them. Money moves
 * through stripe-fake-balance.testing.ts; HTTP, idempotency and fault injection are in
 * stripe-fake.testing.ts.
 */
import { randomBytes } from 'node:crypto'
import {
  authoriseCharge,
  CARD_COUNTRIES,
  expandIntent,
  fakeId as id,
  listBalance,
  nowSeconds as now,
  settleCharge,
  settleRefund,
  type BalanceState,
  type Json,
} from './stripe-fake-balance.testing.ts'

/** What the operations read and change: the fake's intents, refunds and balance. */
export interface IntentStore {
  intents: Map<string, Json>
  refunds: Map<string, Json>
  balance: BalanceState
}

/** An error answer of the fake, with Stripe's status and body. */
export class StripeFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(String(body.message))
  }
}

export const fail = (status: number, type: string, message: string, extra: Json = {}) =>
  new StripeFailure(status, { type, message, ...extra })

function outcome(state: IntentStore, intent: Json, method: string): void {
  intent.payment_method = method
  if (method === 'pm_card_chargeDeclined') {
    intent.status = 'requires_payment_method'
    intent.last_payment_error = {
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
      message: 'Your card was declined.',
    }
    throw fail(402, 'card_error', 'Your card was declined.', {
      code: 'card_declined',
      decline_code: 'generic_decline',
      payment_intent: intent,
    })
  }
  intent.last_payment_error = null
  if (method === 'pm_card_authenticationRequired') {
    intent.status = 'requires_action'
    intent.next_action = { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } }
    return
  }
  if (!(method in CARD_COUNTRIES))
    throw fail(400, 'invalid_request_error', `No such PaymentMethod: '${method}'`, { code: 'resource_missing' })
  intent.next_action = null
  authoriseCharge(state.balance, intent, method)
  if (intent.capture_method === 'manual') {
    intent.status = 'requires_capture'
    intent.amount_capturable = intent.amount
  } else {
    intent.status = 'succeeded'
    intent.amount_received = intent.amount
    settleCharge(state.balance, intent, intent.amount as number)
  }
}

function intentAt(state: IntentStore, path: string): Json {
  const intentId = path.split('/')[3] ?? ''
  const intent = state.intents.get(intentId)
  if (!intent)
    throw fail(404, 'invalid_request_error', `No such payment_intent: '${intentId}'`, { code: 'resource_missing' })
  return intent
}

function createIntent(state: IntentStore, params: Json): Json {
  const intent: Json = {
    id: id('pi'),
    object: 'payment_intent',
    amount: Number(params.amount),
    currency: String(params.currency),
    capture_method: params.capture_method ?? 'automatic',
    status: 'requires_payment_method',
    amount_capturable: 0,
    amount_received: 0,
    client_secret: `${id('pi')}_secret_${randomBytes(8).toString('hex')}`,
    metadata: params.metadata ?? {},
    next_action: null,
    last_payment_error: null,
    latest_charge: null,
    created: now(),
    livemode: false,
  }
  if (!Number.isSafeInteger(intent.amount) || (intent.amount as number) < 1)
    throw fail(400, 'invalid_request_error', 'Invalid positive integer', { param: 'amount' })
  state.intents.set(intent.id as string, intent)
  if (params.confirm === 'true' && typeof params.payment_method === 'string')
    outcome(state, intent, params.payment_method)
  return intent
}

function captureIntent(state: IntentStore, intent: Json, params: Json): Json {
  if (intent.status !== 'requires_capture')
    throw fail(
      400,
      'invalid_request_error',
      `This PaymentIntent could not be captured because it has a status of ${String(intent.status)}.`,
      { code: 'payment_intent_unexpected_state' },
    )
  const capturable = intent.amount_capturable as number
  const amount = params.amount_to_capture === undefined ? capturable : Number(params.amount_to_capture)
  if (amount > capturable)
    throw fail(400, 'invalid_request_error', 'The amount to capture exceeds the capturable amount', {
      code: 'amount_too_large',
    })
  Object.assign(intent, { status: 'succeeded', amount_received: amount, amount_capturable: 0 })
  settleCharge(state.balance, intent, amount)
  return intent
}

/** Stripe cancels an intent until it is captured; a succeeded or canceled one is refused. */
const CANCELABLE = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action']

function cancelIntent(intent: Json, params: Json): Json {
  if (!CANCELABLE.includes(String(intent.status)))
    throw fail(
      400,
      'invalid_request_error',
      `You cannot cancel this PaymentIntent because it has a status of ${String(intent.status)}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
      { code: 'payment_intent_unexpected_state', payment_intent: structuredClone(intent) },
    )
  Object.assign(intent, {
    status: 'canceled',
    amount_capturable: 0,
    next_action: null,
    canceled_at: now(),
    cancellation_reason: params.cancellation_reason ?? null,
  })
  return intent
}

function createRefund(state: IntentStore, params: Json): Json {
  const intent = state.intents.get(String(params.payment_intent))
  if (!intent) throw fail(400, 'invalid_request_error', 'No such payment_intent', { code: 'resource_missing' })
  const refunded = [...state.refunds.values()]
    .filter((refund) => refund.payment_intent === intent.id)
    .reduce((sum, refund) => sum + (refund.amount as number), 0)
  const remaining = (intent.amount_received as number) - refunded
  const amount = params.amount === undefined ? remaining : Number(params.amount)
  if (intent.status !== 'succeeded' || amount < 1 || amount > remaining)
    throw fail(
      400,
      'invalid_request_error',
      `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
      { code: 'amount_too_large' },
    )
  const refund: Json = {
    id: id('re'),
    object: 'refund',
    amount,
    currency: intent.currency,
    payment_intent: intent.id,
    status: 'succeeded',
    reason: params.reason ?? null,
    metadata: params.metadata ?? {},
    created: now(),
  }
  state.refunds.set(refund.id as string, refund)
  settleRefund(state.balance, refund)
  return refund
}

/** Runs one request against the store: Stripe's answer, or a StripeFailure. */
export function execute(state: IntentStore, method: string, path: string, params: Json): Json {
  if (method === 'POST' && path === '/v1/payment_intents') return createIntent(state, params)
  if (method === 'POST' && /^\/v1\/payment_intents\/[^/]+\/confirm$/.test(path)) {
    const intent = intentAt(state, path)
    if (intent.status === 'canceled')
      throw fail(
        400,
        'invalid_request_error',
        'You cannot confirm this PaymentIntent because it has a status of canceled.',
        { code: 'payment_intent_unexpected_state' },
      )
    const methodId = (params.payment_method as string | undefined) ?? (intent.payment_method as string | undefined)
    if (!methodId) throw fail(400, 'invalid_request_error', 'You must provide a payment method')
    outcome(state, intent, methodId)
    return intent
  }
  if (method === 'POST' && /^\/v1\/payment_intents\/[^/]+\/capture$/.test(path))
    return captureIntent(state, intentAt(state, path), params)
  if (method === 'POST' && /^\/v1\/payment_intents\/[^/]+\/cancel$/.test(path))
    return cancelIntent(intentAt(state, path), params)
  if (method === 'GET' && /^\/v1\/payment_intents\/[^/]+$/.test(path))
    return expandIntent(state.balance, intentAt(state, path), params)
  if (method === 'GET' && path === '/v1/balance_transactions') return listBalance(state.balance, state.refunds, params)
  if (method === 'POST' && path === '/v1/refunds') return createRefund(state, params)
  throw fail(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path})`)
}
