/**
 * Queries behind the webhook routes: the lists (keyset pages) and the health figures. Every
 * statement runs in a tenant transaction, so RLS confines it to the caller's tenant.
 */
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../platform/db/database.ts'
import { instant, instantText, keysetCursor, uuid, type PositionOf } from '../../platform/http/pagination.ts'
import {
  attempts,
  deliveries,
  endpointHealth,
  endpoints,
  messages,
  replays,
  type AttemptRow,
  type DeliveryRow,
  type EndpointRow,
  type ReplayRow,
} from './webhooks.tables.ts'
import type { DeliveryStatus } from './webhooks.vocabulary.ts'

/** Endpoints oldest first; deliveries, attempts, replays and messages newest first. */
export const endpointsCursor = keysetCursor(instant, uuid)
export const deliveriesCursor = keysetCursor(instant, uuid)
export const attemptsCursor = keysetCursor(instant, uuid)
export const replaysCursor = keysetCursor(instant, uuid)
export const messagesCursor = keysetCursor(instant, uuid)

type Page<C> = { limit: number; after: PositionOf<C> | undefined }

export const webhooksRepository = {
  listEndpoints(tx: Tx, page: Page<typeof endpointsCursor>) {
    return tx
      .select({ row: endpoints, position: instantText(endpoints.createdAt) })
      .from(endpoints)
      .where(endpointsCursor.after(page.after, [endpoints.createdAt, endpoints.id], 'asc'))
      .orderBy(asc(endpoints.createdAt), asc(endpoints.id))
      .limit(page.limit + 1)
  },

  async findEndpoint(tx: Tx, id: string, options: { lock?: boolean } = {}): Promise<EndpointRow | undefined> {
    const query = tx.select().from(endpoints).where(eq(endpoints.id, id))
    const [row] = options.lock ? await query.for('update') : await query
    return row
  },

  async countEndpoints(tx: Tx): Promise<number> {
    const [row] = await tx.select({ count: sql<number>`count(*)::int` }).from(endpoints)
    return row?.count ?? 0
  },

  listDeliveries(
    tx: Tx,
    endpointId: string,
    filter: { status?: DeliveryStatus | undefined },
    page: Page<typeof deliveriesCursor>,
  ): Promise<Array<{ row: DeliveryRow; eventType: string; position: string }>> {
    return tx
      .select({ row: deliveries, eventType: messages.type, position: instantText(deliveries.createdAt) })
      .from(deliveries)
      .innerJoin(messages, eq(messages.id, deliveries.messageId))
      .where(
        and(
          eq(deliveries.endpointId, endpointId),
          filter.status ? eq(deliveries.status, filter.status) : undefined,
          deliveriesCursor.after(page.after, [deliveries.createdAt, deliveries.id], 'desc'),
        ),
      )
      .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
      .limit(page.limit + 1)
  },

  async findDelivery(tx: Tx, id: string): Promise<{ row: DeliveryRow; eventType: string } | undefined> {
    const [found] = await tx
      .select({ row: deliveries, eventType: messages.type })
      .from(deliveries)
      .innerJoin(messages, eq(messages.id, deliveries.messageId))
      .where(eq(deliveries.id, id))
    return found
  },

  listAttempts(
    tx: Tx,
    endpointId: string,
    filter: { deliveryId?: string | undefined },
    page: Page<typeof attemptsCursor>,
  ): Promise<Array<{ row: AttemptRow; position: string }>> {
    return tx
      .select({ row: attempts, position: instantText(attempts.startedAt) })
      .from(attempts)
      .where(
        and(
          eq(attempts.endpointId, endpointId),
          filter.deliveryId ? eq(attempts.deliveryId, filter.deliveryId) : undefined,
          attemptsCursor.after(page.after, [attempts.startedAt, attempts.id], 'desc'),
        ),
      )
      .orderBy(desc(attempts.startedAt), desc(attempts.id))
      .limit(page.limit + 1)
  },

  listReplays(
    tx: Tx,
    endpointId: string,
    page: Page<typeof replaysCursor>,
  ): Promise<Array<{ row: ReplayRow; position: string }>> {
    return tx
      .select({ row: replays, position: instantText(replays.createdAt) })
      .from(replays)
      .where(
        and(
          eq(replays.endpointId, endpointId),
          replaysCursor.after(page.after, [replays.createdAt, replays.id], 'desc'),
        ),
      )
      .orderBy(desc(replays.createdAt), desc(replays.id))
      .limit(page.limit + 1)
  },

  async findReplay(tx: Tx, endpointId: string, id: string): Promise<ReplayRow | undefined> {
    const [row] = await tx
      .select()
      .from(replays)
      .where(and(eq(replays.id, id), eq(replays.endpointId, endpointId)))
    return row
  },

  /** The tenant's messages of public events (test events are the endpoints' own), newest first. */
  listMessages(tx: Tx, filter: { type?: string | undefined }, page: Page<typeof messagesCursor>) {
    return tx
      .select({ row: messages, position: instantText(messages.occurredAt) })
      .from(messages)
      .where(
        and(
          isNull(messages.endpointId),
          filter.type ? eq(messages.type, filter.type) : undefined,
          messagesCursor.after(page.after, [messages.occurredAt, messages.id], 'desc'),
        ),
      )
      .orderBy(desc(messages.occurredAt), desc(messages.id))
      .limit(page.limit + 1)
  },

  async findMessage(tx: Tx, id: string) {
    const [row] = await tx.select().from(messages).where(eq(messages.id, id))
    return row
  },

  /** A delivery of the message to the endpoint that is still under way (pending or retrying). */
  async liveDelivery(tx: Tx, endpointId: string, messageId: string): Promise<boolean> {
    const [row] = await tx
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(
        and(
          eq(deliveries.endpointId, endpointId),
          eq(deliveries.messageId, messageId),
          inArray(deliveries.status, ['pending', 'retrying']),
        ),
      )
      .limit(1)
    return row !== undefined
  },

  async health(tx: Tx, endpointId: string) {
    const [state] = await tx.select().from(endpointHealth).where(eq(endpointHealth.endpointId, endpointId))
    const [figures] = await rowsOf<{
      attempts24h: number
      succeeded24h: number
      window: number
      succeededWindow: number
      backlog: number
    }>(
      tx,
      sql`SELECT
            (SELECT count(*)::int FROM webhooks.attempts WHERE endpoint_id = ${endpointId} AND started_at > now() - interval '24 hours') AS "attempts24h",
            (SELECT count(*)::int FROM webhooks.attempts WHERE endpoint_id = ${endpointId} AND started_at > now() - interval '24 hours' AND succeeded) AS "succeeded24h",
            (SELECT count(*)::int FROM (SELECT 1 FROM webhooks.attempts WHERE endpoint_id = ${endpointId} ORDER BY started_at DESC LIMIT 100) w) AS "window",
            (SELECT count(*) FILTER (WHERE succeeded)::int FROM (SELECT succeeded FROM webhooks.attempts WHERE endpoint_id = ${endpointId} ORDER BY started_at DESC LIMIT 100) w) AS "succeededWindow",
            (SELECT count(*)::int FROM webhooks.deliveries WHERE endpoint_id = ${endpointId} AND status IN ('pending', 'retrying')) AS backlog`,
    )
    const [lastError] = await tx
      .select({
        at: attempts.startedAt,
        error: attempts.error,
        responseStatus: attempts.responseStatus,
        deliveryId: attempts.deliveryId,
      })
      .from(attempts)
      .where(and(eq(attempts.endpointId, endpointId), eq(attempts.succeeded, false)))
      .orderBy(desc(attempts.startedAt), desc(attempts.id))
      .limit(1)
    return { state, figures, lastError }
  },
}
