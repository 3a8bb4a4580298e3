/**
 * The sandbox's side of the wire: its rows, the events it emits (each with a delivery job, in
 * the same transaction), and its idempotency keys with Stripe's semantics: the first answer to a
 * key is returned for every repeat of the same request within 24 hours; the same key with a
 * different request is refused (idempotency_error).
 */
import { createHash, randomBytes } from 'node:crypto'
import { and, eq, lt, sql } from 'drizzle-orm'
import type { Tx } from '../../../../platform/db/database.ts'
import type { Jobs } from '../../../../platform/jobs/index.ts'
import { ProviderError, type PaymentStatus, type ProviderPayment } from '../port.ts'
import { metadataFromWire } from '../metadata.ts'
import type { SandboxEventBody, SandboxPaymentObject } from './sandbox-events.ts'
import type { SandboxEventType, SandboxState } from './sandbox-scenarios.ts'
import { sandboxEvents, sandboxIdempotencyKeys, sandboxPayments } from './sandbox.tables.ts'

export const SANDBOX_DELIVERY_QUEUE = 'commerce.deliver_sandbox_webhook'

export type SandboxPaymentRow = typeof sandboxPayments.$inferSelect

export const sandboxId = (prefix: 'sbpi' | 'sbre' | 'sbdp' | 'sbev' | 'sbtxn') =>
  `${prefix}_${randomBytes(12).toString('hex')}`

export function stateOf(row: SandboxPaymentRow): SandboxState {
  return {
    status: row.status as PaymentStatus,
    amount: row.amount,
    currency: row.currency,
    captureMethod: row.captureMethod === 'manual' ? 'manual' : 'automatic',
    paymentMethod: row.paymentMethod,
    amountCapturable: row.amountCapturable,
    amountReceived: row.amountReceived,
    amountRefunded: row.amountRefunded,
    failureCode: row.failureCode,
    failureMessage: row.failureMessage,
    fee: row.fee,
    cardCountry: row.cardCountry,
  }
}

export function paymentOf(row: SandboxPaymentRow): ProviderPayment {
  return {
    provider: 'sandbox',
    providerPaymentId: row.id,
    status: row.status as PaymentStatus,
    amount: row.amount,
    currency: row.currency,
    captureMethod: row.captureMethod === 'manual' ? 'manual' : 'automatic',
    amountCapturable: row.amountCapturable,
    amountCaptured: row.amountReceived,
    clientSecret: row.clientSecret,
    // The sandbox's "client SDK" is the documented authentication call with the client secret.
    nextAction: row.status === 'requires_action' ? { type: 'client_sdk' } : null,
    failure: row.failureCode ? { code: row.failureCode, message: row.failureMessage ?? row.failureCode } : null,
    metadata: metadataFromWire(row.metadata),
  }
}

function wireObject(row: SandboxPaymentRow): SandboxPaymentObject {
  return {
    id: row.id,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    amount_capturable: row.amountCapturable,
    amount_received: row.amountReceived,
    metadata: row.metadata,
    failure: row.failureCode ? { code: row.failureCode, message: row.failureMessage ?? row.failureCode } : null,
    fee: row.fee,
    card_country: row.cardCountry,
  }
}

export async function loadPayment(tx: Tx, id: string, forUpdate = false): Promise<SandboxPaymentRow> {
  const query = tx.select().from(sandboxPayments).where(eq(sandboxPayments.id, id))
  const [row] = forUpdate ? await query.for('update') : await query
  if (!row) throw new ProviderError('sandbox', 'not_found', 'resource_missing', `No sandbox payment ${id}`)
  return row
}

export async function saveState(tx: Tx, id: string, state: SandboxState): Promise<SandboxPaymentRow> {
  const [row] = await tx
    .update(sandboxPayments)
    .set({ ...state, updatedAt: sql`now()` })
    .where(eq(sandboxPayments.id, id))
    .returning()
  if (!row) throw new ProviderError('sandbox', 'not_found', 'resource_missing', `No sandbox payment ${id}`)
  return row
}

export interface EventExtras {
  refund?: { id: string; amount: number; status: string }
  dispute?: { id: string; amount: number; reason: string; status: string }
}

/** Records an event and enqueues its delivery, in the caller's transaction. */
export async function emit(
  tx: Tx,
  jobs: Jobs,
  type: SandboxEventType,
  row: SandboxPaymentRow,
  extras: EventExtras = {},
): Promise<SandboxEventBody> {
  const body: SandboxEventBody = {
    id: sandboxId('sbev'),
    object: 'event',
    type,
    created: Math.floor(Date.now() / 1000),
    data: { payment: wireObject(row), ...extras },
  }
  await tx.insert(sandboxEvents).values({ id: body.id, type, body })
  await jobs.send(tx, SANDBOX_DELIVERY_QUEUE, { eventId: body.id })
  return body
}

const DAY_MS = 24 * 3600 * 1000

/**
 * Runs `work` once per (operation, key, request): a repeat returns the stored answer. The key row
 * is claimed before the work, so a concurrent repeat waits for this transaction and then reads
 * its answer instead of doing the work twice.
 */
export async function idempotent<T extends object>(
  tx: Tx,
  operation: string,
  idempotencyKey: string,
  request: unknown,
  work: () => Promise<T>,
): Promise<T> {
  const key = `${operation}:${idempotencyKey}`
  const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('hex')
  const claimed = await tx
    .insert(sandboxIdempotencyKeys)
    .values({ key, requestHash, response: {} })
    .onConflictDoNothing()
    .returning({ key: sandboxIdempotencyKeys.key })
  if (claimed.length === 0) {
    const expiry = new Date(Date.now() - DAY_MS)
    const renewed = await tx
      .update(sandboxIdempotencyKeys)
      .set({ requestHash, response: {}, createdAt: sql`now()` })
      .where(and(eq(sandboxIdempotencyKeys.key, key), lt(sandboxIdempotencyKeys.createdAt, expiry)))
      .returning({ key: sandboxIdempotencyKeys.key })
    if (renewed.length === 0) {
      const [stored] = await tx.select().from(sandboxIdempotencyKeys).where(eq(sandboxIdempotencyKeys.key, key))
      if (!stored || stored.requestHash !== requestHash)
        throw new ProviderError(
          'sandbox',
          'conflict',
          'idempotency_error',
          `Idempotency key ${idempotencyKey} was used for a different ${operation} request`,
        )
      return stored.response as T
    }
  }
  const result = await work()
  await tx
    .update(sandboxIdempotencyKeys)
    .set({ response: result as Record<string, unknown> })
    .where(eq(sandboxIdempotencyKeys.key, key))
  return result
}
