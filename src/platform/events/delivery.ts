/**
 * Delivering one event to one subscriber: shared by the dispatch job and the catch-up job.
 */
import { eq } from 'drizzle-orm'
import { platformScope, tenantScope, type Scope, type Tx } from '../db/database.ts'
import { domainEvents, eventDeliveries } from './events.tables.ts'
import type { DomainEvent, EventHandler } from './events.ts'

export interface Subscription {
  name: string
  handler: EventHandler
}

export const scopeOf = (tenantId: string | null): Scope => (tenantId ? tenantScope(tenantId) : platformScope)

export async function loadEvent(tx: Tx, id: string): Promise<DomainEvent | undefined> {
  const [row] = await tx.select().from(domainEvents).where(eq(domainEvents.id, id))
  return (
    row && {
      id: row.id,
      type: row.type,
      tenantId: row.tenantId,
      payload: row.payload,
      requestId: row.requestId,
      occurredAt: row.occurredAt,
    }
  )
}

/** Runs one subscriber unless it already handled the event; false when it had. */
export async function deliver(tx: Tx, event: DomainEvent, subscription: Subscription): Promise<boolean> {
  // The insert takes the row first: a concurrent delivery of the same event waits on it, then
  // sees the conflict once this one commits (or inserts itself if this one rolled back).
  const claimed = await tx
    .insert(eventDeliveries)
    .values({ eventId: event.id, subscriber: subscription.name, tenantId: event.tenantId })
    .onConflictDoNothing()
    .returning({ subscriber: eventDeliveries.subscriber })
  if (claimed.length === 0) return false
  await subscription.handler(event, tx)
  return true
}
