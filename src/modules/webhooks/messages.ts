/**
 * Messages and the start of their deliveries. A message is the envelope of one public event (or of
 * a test event), with the next sequence number of its resource, written once: every attempt, a
 * redelivery and a replay send the very same body under the same webhook-id.
 */
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import { deliveries, messages, resourceSequences } from './webhooks.tables.ts'
import type { DeliveryTrigger } from './webhooks.vocabulary.ts'
import { fillWindow, type DeliveryQueue } from './window.ts'

export { DELIVER_QUEUE, type DeliverJob } from './window.ts'

/** The envelope every receiver gets (docs/webhooks.md). */
export interface Envelope {
  id: string
  type: string
  version: number
  timestamp: string
  sequence: number
  resource: string
  data: Record<string, unknown>
}

export interface NewMessage {
  id: string
  tenantId: string
  type: string
  version: number
  resource: string
  data: Record<string, unknown>
  occurredAt: Date
  eventId: string | null
  /** A test event's endpoint; null for a public event. */
  endpointId: string | null
}

/** The next sequence number of a resource: its counter row is locked until the transaction ends. */
async function nextSequence(tx: Tx, tenantId: string, resource: string): Promise<number> {
  const [row] = await tx
    .insert(resourceSequences)
    .values({ tenantId, resource, lastSequence: 1 })
    .onConflictDoUpdate({
      target: [resourceSequences.tenantId, resourceSequences.resource],
      set: { lastSequence: sql`${resourceSequences.lastSequence} + 1` },
    })
    .returning({ sequence: resourceSequences.lastSequence })
  if (!row) throw new Error('the resource sequence returned no row')
  return row.sequence
}

/**
 * Writes the message; false when one with this id exists (a domain event's message is written by
 * its fan-out once: the events platform runs each subscriber once per event).
 */
export async function createMessage(tx: Tx, input: NewMessage): Promise<boolean> {
  const sequence = await nextSequence(tx, input.tenantId, input.resource)
  const envelope: Envelope = {
    id: input.id,
    type: input.type,
    version: input.version,
    timestamp: input.occurredAt.toISOString(),
    sequence,
    resource: input.resource,
    data: input.data,
  }
  const inserted = await tx
    .insert(messages)
    .values({
      id: input.id,
      tenantId: input.tenantId,
      type: input.type,
      version: input.version,
      resource: input.resource,
      sequence,
      eventId: input.eventId,
      endpointId: input.endpointId,
      body: JSON.stringify(envelope),
      occurredAt: input.occurredAt,
    })
    .onConflictDoNothing()
    .returning({ id: messages.id })
  return inserted.length > 0
}

/**
 * Starts a delivery of a message to an endpoint, in `tx`: its row waits for a slot of the
 * endpoint's window and gets its job at once if one is free (window.ts).
 */
export async function startDelivery(
  tx: Tx,
  queue: DeliveryQueue,
  input: { tenantId: string; endpointId: string; messageId: string; trigger: DeliveryTrigger; replayId?: string },
) {
  const [row] = await tx
    .insert(deliveries)
    .values({
      tenantId: input.tenantId,
      endpointId: input.endpointId,
      messageId: input.messageId,
      trigger: input.trigger,
      replayId: input.replayId ?? null,
      nextAttemptAt: null,
    })
    .returning({ id: deliveries.id })
  if (!row) throw new Error('inserting the delivery returned no row')
  await fillWindow(queue, tx, input.endpointId)
  const [started] = await tx.select().from(deliveries).where(eq(deliveries.id, row.id))
  if (!started) throw new Error('the delivery just inserted is missing')
  return started
}

/**
 * An endpoint was disabled: its deliveries under way end dead now (their jobs find them settled),
 * so the log says so at once and a replay or redelivery after re-enabling sends them again.
 */
export async function endLiveDeliveries(tx: Tx, endpointId: string, why: string, now: Date): Promise<number> {
  const ended = await tx
    .update(deliveries)
    .set({ status: 'dead', settledAt: now, nextAttemptAt: null, lastError: `endpoint disabled (${why})` })
    .where(and(eq(deliveries.endpointId, endpointId), inArray(deliveries.status, ['pending', 'retrying'])))
    .returning({ id: deliveries.id })
  return ended.length
}
