/**
 * A local HTTP fake of the few Stripe endpoints the adapter uses, for tests: it speaks Stripe's
 * wire protocol (form-encoded bodies with bracketed keys, Bearer secret key, JSON objects and
 * error envelopes) and its Idempotency-Key semantics: the first result of a key that reached an
 * endpoint is replayed for the same request (with `Idempotent-Replayed: true`), the same key with
 * other parameters is 400 idempotency_error, and a request that never started (an edge 503)
 * stores nothing. The real SDK is pointed at it through its host/port/protocol options.
 *
 * Test payment methods follow Stripe's: pm_card_visa (and pm_card_us, pm_card_de, pm_card_fr: a
 * card of that country), pm_card_chargeDeclined, pm_card_authenticationRequired. Charges, their
 * balance transactions (fees), refunds and disputes are kept as Stripe keeps them
 * (stripe-fake-balance.testing.ts): GET /v1/balance_transactions lists them, and a PaymentIntent
 * expands its latest charge with its balance transaction. An intent may be canceled until it is
 * captured (POST …/cancel); canceling a succeeded or canceled one, and confirming or capturing a
 * canceled one, is 400 payment_intent_unexpected_state, as at Stripe. Fault injection: `failNext`
 * (503 before execution), `hangNext` (no answer until the client gives up), `dropAfterExecute`
 * (the request executes, then the connection dies before the answer: the case idempotency keys
 * exist for).
 */
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  closeDispute,
  createBalanceState,
  fakeId as id,
  nowSeconds as now,
  openDispute,
  type Json,
} from './stripe-fake-balance.testing.ts'
import { execute, StripeFailure, type IntentStore } from './stripe-fake-intents.testing.ts'

export interface StripeFakeRequest {
  method: string
  path: string
  idempotencyKey: string | undefined
  params: Json
  replayed: boolean
}

export interface StripeFake {
  host: string
  port: number
  /** Every request that reached the fake, in order. */
  requests: StripeFakeRequest[]
  intents: Map<string, Json>
  refunds: Map<string, Json>
  charges: Map<string, Json>
  /** Every balance transaction, oldest first (a test may move one's `created`). */
  balanceTransactions: Json[]
  /** The fee of a charge in Stripe's units (default: 2.9 % + 30, half up). */
  setFee(feeOf: (amount: number, currency: string) => number): void
  /** Settle charges in another currency at `rate` (Stripe's exchange_rate), or undefined for the charge's own. */
  settleIn(settlement: { currency: string; rate: number } | undefined): void
  /** The buyer's bank disputes the intent's charge: the amount and `fee` are withdrawn. Returns the dispute. */
  dispute(paymentIntentId: string, fee?: number): Json
  /** Closes a dispute; won gives the amount and `feeReturned` back. Returns the dispute. */
  closeDispute(disputeId: string, outcome: 'won' | 'lost', feeReturned?: number): Json
  /** The next `count` requests get 503 without executing (or storing an idempotent result). */
  failNext(count: number): void
  /** The next `count` requests get no answer at all (the client's timeout ends them). */
  hangNext(count: number): void
  /** The next `count` requests execute, then their connection is destroyed before any answer. */
  dropAfterExecute(count: number): void
  close(): Promise<void>
}

/** `metadata[tenant_id]=x&automatic_payment_methods[enabled]=true` → nested objects, as Stripe reads them. */
export function parseStripeForm(body: string): Json {
  const result: Json = {}
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split(/\[|\]\[|\]/).filter((part) => part !== '')
    let target = result
    for (const part of parts.slice(0, -1)) target = (target[part] ??= {}) as Json
    target[parts.at(-1) ?? key] = value
  }
  return result
}

interface FakeState extends IntentStore {
  secretKey: string
  requests: StripeFakeRequest[]
  keys: Map<string, { hash: string; status: number; body: Json }>
  faults: { fail: number; hang: number; drop: number }
  hung: Set<ServerResponse>
}

/** The answer to a request that reached an endpoint: the stored one for a repeated key, else a fresh one. */
function answer(state: FakeState, method: string, path: string, params: Json, key: string | undefined, hash: string) {
  const stored = key ? state.keys.get(key) : undefined
  if (stored) return { ...stored, replayed: true }
  let status = 200
  let body: Json
  try {
    body = structuredClone(execute(state, method, path, params))
  } catch (error) {
    if (!(error instanceof StripeFailure)) throw error
    status = error.status
    body = { error: structuredClone(error.body) }
  }
  if (key && method === 'POST') state.keys.set(key, { hash, status, body })
  return { status, body, replayed: false }
}

async function handle(state: FakeState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  const method = request.method ?? 'GET'
  const [path = '/', query = ''] = (request.url ?? '/').split('?')
  // The SDK sends a GET's parameters in the query string, a POST's in the form body.
  const params = parseStripeForm(method === 'GET' ? query : Buffer.concat(chunks).toString('utf8'))
  const header = request.headers['idempotency-key']
  const key = typeof header === 'string' ? header : undefined
  const send = (status: number, body: Json, replayed = false) => {
    response.writeHead(status, {
      'content-type': 'application/json',
      'request-id': id('req'),
      ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
      ...(key ? { 'idempotency-key': key } : {}),
    })
    response.end(JSON.stringify(body))
  }
  const stored = key ? state.keys.get(key) : undefined
  const hash = createHash('sha256')
    .update(JSON.stringify([method, path, params]))
    .digest('hex')
  state.requests.push({ method, path, idempotencyKey: key, params, replayed: stored?.hash === hash })
  if (request.headers.authorization !== `Bearer ${state.secretKey}`)
    return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } })
  const { faults } = state
  if (faults.hang > 0) {
    faults.hang--
    state.hung.add(response)
    return
  }
  if (faults.fail > 0) {
    faults.fail--
    return send(503, { error: { type: 'api_error', message: 'Stripe is temporarily unavailable' } })
  }
  if (stored && stored.hash !== hash)
    return send(400, {
      error: {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      },
    })
  const result = answer(state, method, path, params, key, hash)
  if (faults.drop > 0) {
    faults.drop--
    request.socket.destroy()
    return
  }
  send(result.status, result.body, result.replayed)
}

export async function startStripeFake(secretKey: string): Promise<StripeFake> {
  const state: FakeState = {
    secretKey,
    intents: new Map(),
    refunds: new Map(),
    balance: createBalanceState(),
    requests: [],
    keys: new Map(),
    faults: { fail: 0, hang: 0, drop: 0 },
    hung: new Set(),
  }
  const server = createServer((request, response) => {
    handle(state, request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ error: { type: 'api_error', message: String(error) } }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    host: '127.0.0.1',
    port,
    requests: state.requests,
    intents: state.intents,
    refunds: state.refunds,
    charges: state.balance.charges,
    balanceTransactions: state.balance.balance,
    setFee: (feeOf) => void (state.balance.feeOf = feeOf),
    settleIn: (settlement) => void (state.balance.settlement = settlement),
    dispute: (intentId, fee = 1500) => {
      const intent = state.intents.get(intentId)
      if (!intent) throw new Error(`the fake has no intent ${intentId}`)
      return structuredClone(openDispute(state.balance, intent, fee))
    },
    closeDispute: (disputeId, outcome, feeReturned) =>
      structuredClone(closeDispute(state.balance, disputeId, outcome, feeReturned)),
    failNext: (count) => void (state.faults.fail = count),
    hangNext: (count) => void (state.faults.hang = count),
    dropAfterExecute: (count) => void (state.faults.drop = count),
    async close() {
      for (const response of state.hung) response.socket?.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A Stripe event wrapping `object`, as Stripe would post it. */
export function stripeEvent(type: string, object: Json, eventId = id('evt')): Json {
  return {
    id: eventId,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: now(),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  }
}
