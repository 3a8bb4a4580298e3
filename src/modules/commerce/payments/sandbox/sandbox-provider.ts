/**
 * The built-in sandbox provider: simulates a card processor for development and tests, keeps its
 * state in its own tables (as the platform role: it stands for a provider, not a tenant) and
 * sends signed webhooks through the same inbound path as Stripe, from a job, so every effect of
 * a sandbox payment reaches commerce exactly as a real provider's would. The outcome of a payment
 * is chosen by its test payment method (sandbox-scenarios.ts).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { platformScope, type Database, type Tx } from '../../../../platform/db/database.ts'
import type { Jobs } from '../../../../platform/jobs/index.ts'
import { metadataToWire } from '../metadata.ts'
import type { CaptureFacts } from '../payment-events.ts'
import {
  WebhookSignatureError,
  type CancelPaymentInput,
  type ConfirmPaymentInput,
  type CreatePaymentInput,
  type PaymentProvider,
  type ProviderPayment,
  type ProviderRefund,
  type RefundPaymentInput,
  type VerifiedWebhook,
  type WebhookDelivery,
} from '../port.ts'
import { listMovements, recordMovement } from './sandbox-balance.ts'
import { isSandboxEventBody, normaliseSandboxEvent, type SandboxEventBody } from './sandbox-events.ts'
import { sandboxCurrency, sandboxProcessingFee } from './sandbox-fees.ts'
import * as scenario from './sandbox-scenarios.ts'
import { SANDBOX_SIGNATURE_HEADER, sandboxSignatureProblem } from './sandbox-signature.ts'
import {
  emit,
  idempotent,
  loadPayment,
  paymentOf,
  sandboxId,
  saveState,
  stateOf,
  type SandboxPaymentRow,
} from './sandbox-store.ts'
import { sandboxPayments, sandboxRefunds } from './sandbox.tables.ts'

export interface SandboxDeps {
  database: Database
  jobs: Jobs
  webhookSecret: string
  toleranceSeconds: number
}

export interface SandboxProvider extends PaymentProvider {
  /** The buyer's 3-D Secure answer, authorised by the payment's client secret (POST /v1/sandbox/payments/{id}/authenticate). */
  /** Null when no payment has this id and client secret. */
  authenticate(providerPaymentId: string, clientSecret: string, approve: boolean): Promise<ProviderPayment | null>
  /** After a delivered dispute.opened: the dispute is decided as its payment method says, and that event sent. */
  resolveDispute(tx: Tx, opened: SandboxEventBody): Promise<void>
}

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

/** Applies a transition: saves the state and emits its events, then answers with the payment. */
async function apply(tx: Tx, jobs: Jobs, row: SandboxPaymentRow, transition: scenario.Transition) {
  const saved = await saveState(tx, row.id, transition.state)
  for (const type of transition.events) {
    const dispute =
      type === 'dispute.opened'
        ? { id: sandboxId('sbdp'), amount: saved.amountReceived, reason: 'fraudulent', status: 'needs_response' }
        : undefined
    const sent = await emit(tx, jobs, type, saved, dispute ? { dispute } : {})
    // The money moves with the capture and with the dispute's withdrawal (the sandbox charges no dispute fee).
    if (type === 'payment.captured')
      await recordMovement(tx, saved, sent, {
        kind: 'charge',
        sourceId: saved.id,
        amount: saved.amountReceived,
        fee: saved.fee ?? 0,
      })
    if (dispute)
      await recordMovement(tx, saved, sent, { kind: 'dispute', sourceId: dispute.id, amount: -dispute.amount, fee: 0 })
  }
  return paymentOf(saved)
}

/** The request as its idempotency key remembers it (the key itself aside). */
const requestOf = <T extends { idempotencyKey: string }>(input: T) => ({ ...input, idempotencyKey: undefined })

async function create(tx: Tx, jobs: Jobs, input: CreatePaymentInput): Promise<ProviderPayment> {
  sandboxCurrency(input.currency)
  if (input.paymentMethod) scenario.behaviourOf(input.paymentMethod)
  const id = sandboxId('sbpi')
  const [row] = await tx
    .insert(sandboxPayments)
    .values({
      id,
      clientSecret: `${id}_secret_${randomBytes(16).toString('base64url')}`,
      amount: input.amount,
      currency: input.currency,
      captureMethod: input.captureMethod,
      status: 'requires_payment_method',
      metadata: metadataToWire(input.metadata),
      description: input.description ?? null,
    })
    .returning()
  if (!row) throw new Error('inserting the sandbox payment returned no row')
  await emit(tx, jobs, 'payment.created', row)
  if (!input.paymentMethod) return paymentOf(row)
  return apply(tx, jobs, row, scenario.confirm(stateOf(row), input.paymentMethod))
}

async function confirm(tx: Tx, jobs: Jobs, input: ConfirmPaymentInput): Promise<ProviderPayment> {
  const row = await loadPayment(tx, input.providerPaymentId, true)
  // Confirming again after the buyer authenticated is a no-op that reports where it stands; a
  // canceled payment is refused (scenario.confirm), as Stripe refuses it.
  const confirmable = row.status === 'requires_payment_method' || row.status === 'requires_confirmation'
  if (!confirmable && row.status !== 'canceled') return paymentOf(row)
  return apply(tx, jobs, row, scenario.confirm(stateOf(row), input.paymentMethod))
}

async function refund(tx: Tx, jobs: Jobs, input: RefundPaymentInput): Promise<ProviderRefund> {
  const row = await loadPayment(tx, input.providerPaymentId, true)
  const { state, amount } = scenario.refund(stateOf(row), input.amount)
  const saved = await saveState(tx, row.id, state)
  const refunded: ProviderRefund = {
    provider: 'sandbox',
    providerRefundId: sandboxId('sbre'),
    providerPaymentId: row.id,
    status: 'succeeded',
    amount,
    currency: row.currency,
  }
  await tx.insert(sandboxRefunds).values({
    id: refunded.providerRefundId,
    paymentId: row.id,
    amount,
    status: refunded.status,
    reason: input.reason,
    metadata: metadataToWire(input.metadata),
  })
  const sent = await emit(tx, jobs, 'refund.succeeded', saved, {
    refund: { id: refunded.providerRefundId, amount, status: refunded.status },
  })
  // Refunds return no part of the processing fee.
  await recordMovement(tx, saved, sent, {
    kind: 'refund',
    sourceId: refunded.providerRefundId,
    amount: -amount,
    fee: 0,
  })
  return refunded
}

/** Canceled once; a canceled or captured payment is answered as it stands (port.ts, cancelPayment). */
async function cancel(tx: Tx, input: CancelPaymentInput): Promise<ProviderPayment> {
  const row = await loadPayment(tx, input.providerPaymentId, true)
  const canceled = scenario.cancel(stateOf(row))
  return paymentOf(canceled ? await saveState(tx, row.id, canceled) : row)
}

async function authenticate(tx: Tx, jobs: Jobs, id: string, clientSecret: string, approve: boolean) {
  const [found] = await tx.select().from(sandboxPayments).where(eq(sandboxPayments.id, id)).for('update')
  // A wrong secret looks exactly like an unknown payment: the id alone proves nothing.
  if (!found || !sameSecret(found.clientSecret, clientSecret)) return null
  return apply(tx, jobs, found, scenario.authenticate(stateOf(found), approve))
}

async function resolveDispute(tx: Tx, jobs: Jobs, opened: SandboxEventBody): Promise<void> {
  const dispute = opened.data.dispute
  if (!dispute) return
  const row = await loadPayment(tx, opened.data.payment.id)
  const behaviour = row.paymentMethod ? scenario.behaviourOf(row.paymentMethod) : undefined
  const outcome = behaviour?.outcome === 'success' ? behaviour.dispute : undefined
  if (!outcome) return
  const sent = await emit(tx, jobs, outcome === 'won' ? 'dispute.won' : 'dispute.lost', row, {
    dispute: { ...dispute, status: outcome },
  })
  // A won dispute gives the amount back; a lost one moves nothing more.
  if (outcome === 'won')
    await recordMovement(tx, row, sent, {
      kind: 'dispute_reversal',
      sourceId: dispute.id,
      amount: dispute.amount,
      fee: 0,
    })
}

/**
 * A captured payment's fee and card country. A payment captured before the sandbox simulated fees
 * has neither stored: both follow from the schedule and the test card, as they would have then.
 */
function factsOf(row: SandboxPaymentRow): CaptureFacts | undefined {
  if (row.status !== 'succeeded') return undefined
  const behaviour = row.paymentMethod ? scenario.behaviourOf(row.paymentMethod) : undefined
  return {
    fee: row.fee ?? sandboxProcessingFee(row.amountReceived, row.currency),
    cardCountry: row.cardCountry ?? (behaviour && behaviour.outcome !== 'decline' ? behaviour.cardCountry : null),
  }
}

function verify(deps: SandboxDeps, delivery: WebhookDelivery): VerifiedWebhook {
  const header = delivery.headers[SANDBOX_SIGNATURE_HEADER]
  if (typeof header !== 'string' || header.length === 0)
    throw new WebhookSignatureError('sandbox', `no ${SANDBOX_SIGNATURE_HEADER} header`)
  const problem = sandboxSignatureProblem(delivery.rawBody, header, deps.webhookSecret, deps.toleranceSeconds)
  if (problem) throw new WebhookSignatureError('sandbox', problem)
  let body: unknown
  try {
    body = JSON.parse(delivery.rawBody.toString('utf8'))
  } catch {
    throw new WebhookSignatureError('sandbox', 'the signed body is not JSON')
  }
  if (!isSandboxEventBody(body)) throw new WebhookSignatureError('sandbox', 'the signed body is not a sandbox event')
  return { providerEventId: body.id, type: body.type, event: normaliseSandboxEvent(body) }
}

export function createSandboxProvider(deps: SandboxDeps): SandboxProvider {
  const { database, jobs } = deps
  const platform = <T>(work: (tx: Tx) => Promise<T>) => database.transaction(platformScope, work)
  const once = <T extends object>(operation: string, input: { idempotencyKey: string }, work: (tx: Tx) => Promise<T>) =>
    platform((tx) => idempotent(tx, operation, input.idempotencyKey, requestOf(input), () => work(tx)))
  return {
    name: 'sandbox',
    webhookVerification: 'local',
    createPayment: (input) => once('create', input, (tx) => create(tx, jobs, input)),
    confirmPayment: (input) => once('confirm', input, (tx) => confirm(tx, jobs, input)),
    capturePayment: (input) =>
      once('capture', input, async (tx) => {
        const row = await loadPayment(tx, input.providerPaymentId, true)
        return apply(tx, jobs, row, scenario.capture(stateOf(row), input.amount))
      }),
    refundPayment: (input) => once('refund', input, (tx) => refund(tx, jobs, input)),
    cancelPayment: (input) => once('cancel', input, (tx) => cancel(tx, input)),
    retrievePayment: (id) => platform(async (tx) => paymentOf(await loadPayment(tx, id))),
    captureFacts: (id) => platform(async (tx) => factsOf(await loadPayment(tx, id))),
    listMovements: (request) => platform((tx) => listMovements(tx, request)),
    verifyWebhook: async (delivery) => verify(deps, delivery),
    authenticate: (id, clientSecret, approve) => platform((tx) => authenticate(tx, jobs, id, clientSecret, approve)),
    resolveDispute: (tx, opened) => resolveDispute(tx, jobs, opened),
  }
}
