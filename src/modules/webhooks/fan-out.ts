/**
 * From public events to messages and deliveries. For every type of the public event catalogue,
 * the `webhooks.fan_out` subscriber runs in the event's tenant transaction: it writes the message
 * (the envelope with `toPublic(payload)` and the resource's next sequence number) whatever
 * endpoints exist, so a later replay can send it, and starts one delivery per enabled endpoint
 * whose filter takes the type. The subscriber's delivery row (platform/events) makes a redelivered
 * event a no-op; the message id is the event id, so it could not be written twice anyway.
 */
import { and, arrayContains, eq, sql } from 'drizzle-orm'
import type { Events } from '../../platform/events/events.ts'
import type { PublicEventCatalogue, PublicEventDefinition } from '../../platform/events/public-events.ts'
import type { Tx } from '../../platform/db/database.ts'
import { createMessage, startDelivery } from './messages.ts'
import { endpoints } from './webhooks.tables.ts'
import type { DeliveryQueue } from './window.ts'

export const FAN_OUT_SUBSCRIBER = 'webhooks.fan_out'

/** Enabled endpoints that take `type`: an empty filter takes every type. */
export function endpointsTaking(tx: Tx, type: string) {
  return tx
    .select({ id: endpoints.id })
    .from(endpoints)
    .where(
      and(
        eq(endpoints.enabled, true),
        sql`(cardinality(${endpoints.eventTypes}) = 0 OR ${arrayContains(endpoints.eventTypes, [type])})`,
      ),
    )
}

export function subscribeFanOut(events: Events, catalogue: PublicEventCatalogue, queue: DeliveryQueue): void {
  for (const definition of catalogue.list()) {
    events.subscribe(definition.type, FAN_OUT_SUBSCRIBER, async (event, tx) => {
      // Platform events (no tenant) have no tenant endpoints to go to.
      if (!event.tenantId) return
      await fanOut(tx, queue, definition, { ...event, tenantId: event.tenantId })
    })
  }
}

async function fanOut(
  tx: Tx,
  queue: DeliveryQueue,
  definition: PublicEventDefinition,
  event: { id: string; tenantId: string; payload: Record<string, unknown>; occurredAt: Date },
): Promise<void> {
  const created = await createMessage(tx, {
    id: event.id,
    tenantId: event.tenantId,
    type: definition.type,
    version: definition.version,
    resource: definition.resourceOf(event.payload),
    data: definition.toPublic(event.payload),
    occurredAt: event.occurredAt,
    eventId: event.id,
    endpointId: null,
  })
  if (!created) return
  for (const endpoint of await endpointsTaking(tx, definition.type))
    await startDelivery(tx, queue, {
      tenantId: event.tenantId,
      endpointId: endpoint.id,
      messageId: event.id,
      trigger: 'event',
    })
}
