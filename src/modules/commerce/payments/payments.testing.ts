/**
 * Test support for payments: a recorder of processed payment events (a handler on every kind),
 * and reads of the stored webhook events as the platform role.
 */
import { randomUUID } from 'node:crypto'
import { eq, inArray } from 'drizzle-orm'
import { platformScope, type Database } from '../../../platform/db/database.ts'
import { waitUntil } from '../../../platform/jobs/testing.ts'
import { PAYMENT_EVENT_KINDS, type PaymentEventEnvelope } from './payment-events.ts'
import type { PaymentsApi } from './payments.module.ts'
import { paymentWebhookEvents, payments } from './payments.tables.ts'

export interface EventRecorder {
  /** Envelopes every handler accepted, in order (their transaction may still be committing). */
  seen: PaymentEventEnvelope[]
  /** Waits until the payment has seen these kinds (in any order) and their processing committed. */
  waitFor(paymentId: string, kinds: string[], timeoutMs?: number): Promise<PaymentEventEnvelope[]>
}

/**
 * Registers a handler of every kind. Register it after the handlers under test: it runs last, so
 * an envelope it records is one every other handler accepted (a `notYet` earlier never reaches it).
 */
export function recordPaymentEvents(api: PaymentsApi, database: Database): EventRecorder {
  const seen: PaymentEventEnvelope[] = []
  for (const kind of PAYMENT_EVENT_KINDS)
    api.onPaymentEvent(kind, async (envelope) => {
      seen.push(envelope)
    })
  return {
    seen,
    async waitFor(paymentId, kinds, timeoutMs = 30_000) {
      return waitUntil(
        `payment ${paymentId} to see ${kinds.join(', ')}`,
        async () => {
          const mine = seen.filter((envelope) => envelope.paymentId === paymentId)
          const have = mine.map((envelope) => envelope.event.kind)
          if (!kinds.every((kind) => have.includes(kind as never))) return undefined
          const ids = mine.map((envelope) => envelope.receivedEventId)
          const rows = await database.transaction(platformScope, (tx) =>
            tx
              .select({ status: paymentWebhookEvents.status })
              .from(paymentWebhookEvents)
              .where(inArray(paymentWebhookEvents.id, ids)),
          )
          return rows.length === ids.length && rows.every((row) => row.status === 'processed') ? mine : undefined
        },
        timeoutMs,
      )
    },
  }
}

export async function storedWebhookEvents(database: Database, providerPaymentId: string) {
  return database.transaction(platformScope, (tx) =>
    tx.select().from(paymentWebhookEvents).where(eq(paymentWebhookEvents.providerPaymentId, providerPaymentId)),
  )
}

export async function storedPayment(database: Database, id: string) {
  const [row] = await database.transaction(platformScope, (tx) => tx.select().from(payments).where(eq(payments.id, id)))
  return row
}

export const orderId = () => randomUUID()
