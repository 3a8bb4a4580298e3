/**
 * Which deliveries hold a `webhooks.deliver` job (ADR 0034, point 4). pg-boss's fetch reads past
 * every ready job of a group that is at its concurrency cap, so a burst of 1,000 ready jobs for one
 * endpoint made each fetch, of every endpoint, read those 1,000 rows. A live delivery therefore
 * holds a job only when:
 *
 * - it is due and one of the endpoint's window slots is free (the window is twice the endpoint's
 *   concurrency cap: the cap in flight and as many ready behind them, so a slot never idles while
 *   the next job is fetched), or
 * - it is timed: a retry on the schedule, or the one delivery that wakes the endpoint when its
 *   circuit breaker lets a probe through.
 *
 * Every other live delivery waits without a job (`next_attempt_at` null), oldest first. Each
 * transaction that starts a delivery or frees a slot (an attempt recorded, a deferral) tops the
 * window up in the same transaction, so the chain of an endpoint's jobs carries its backlog and
 * no job is left to find. The window is a soft bound (two concurrent top-ups may both fill the
 * last slot); the cap itself is pg-boss's group concurrency.
 */
import { randomUUID } from 'node:crypto'
import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm'
import type { Tx } from '../../platform/db/database.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { scheduleEndsAt, type RetryTiming } from './schedule.ts'
import type { WebhookMetrics } from './webhooks.metrics.ts'
import { deliveries, endpointHealth, type DeliveryRow } from './webhooks.tables.ts'

export const DELIVER_QUEUE = 'webhooks.deliver'

export interface DeliverJob {
  tenantId: string
  deliveryId: string
  /** The delivery's job token when this job was sent; a job whose token moved on does nothing. */
  token: string
}

/** What starting and scheduling deliveries needs: the job platform, the window's size, the schedule. */
export interface DeliveryQueue {
  jobs: Jobs
  /** Due jobs an endpoint may hold at once (twice WEBHOOK_ENDPOINT_CONCURRENCY). */
  window: number
  timing: RetryTiming
  metrics: WebhookMetrics
}

export const windowOf = (endpointConcurrency: number) => endpointConcurrency * 2

const LIVE = inArray(deliveries.status, ['pending', 'retrying'])

/** Spread of the deliveries that go when a breaker lets a probe through. */
const WAKE_SPREAD_MS = 1000
/** Waiting deliveries checked for the end of their schedule each time a held-back endpoint is topped up. */
const EXPIRY_BATCH = 100

/**
 * Sends the delivery's next job for `at` under a new token (older jobs of it turn stale), unless
 * the delivery ended meanwhile (its endpoint was disabled while an attempt was in flight).
 */
export async function scheduleDelivery(
  queue: DeliveryQueue,
  tx: Tx,
  delivery: Pick<DeliveryRow, 'id' | 'tenantId' | 'endpointId'>,
  at: Date,
  set: Partial<DeliveryRow> = {},
): Promise<void> {
  const token = randomUUID()
  const moved = await tx
    .update(deliveries)
    .set({ ...set, jobToken: token, nextAttemptAt: at })
    .where(and(eq(deliveries.id, delivery.id), LIVE))
    .returning({ id: deliveries.id })
  if (moved.length === 0) return
  await queue.jobs.send<DeliverJob>(
    tx,
    DELIVER_QUEUE,
    { tenantId: delivery.tenantId, deliveryId: delivery.id, token },
    { startAfter: at, group: delivery.endpointId },
  )
}

/** The delivery gives its job up and waits for a slot (its token moves on, so no job acts on it). */
export async function waitForSlot(tx: Tx, deliveryId: string, set: Partial<DeliveryRow> = {}): Promise<void> {
  await tx
    .update(deliveries)
    .set({ ...set, jobToken: randomUUID(), nextAttemptAt: null })
    .where(and(eq(deliveries.id, deliveryId), LIVE))
}

/** Until when the breaker holds the endpoint's attempts back, if it does. */
async function heldUntil(tx: Tx, endpointId: string, now: Date): Promise<Date | undefined> {
  const [health] = await tx
    .select({
      state: endpointHealth.breakerState,
      openUntil: endpointHealth.openUntil,
      probeUntil: endpointHealth.probeUntil,
    })
    .from(endpointHealth)
    .where(eq(endpointHealth.endpointId, endpointId))
  if (health?.state === 'open' && health.openUntil && health.openUntil > now) return health.openUntil
  if (health?.state === 'half_open' && health.probeUntil && health.probeUntil > now) return health.probeUntil
  return undefined
}

/** The oldest deliveries of the endpoint waiting for a slot, locked (others topping up skip them). */
function oldestWaiting(tx: Tx, endpointId: string, limit: number) {
  return tx
    .select({ id: deliveries.id, tenantId: deliveries.tenantId, endpointId: deliveries.endpointId })
    .from(deliveries)
    .where(and(eq(deliveries.endpointId, endpointId), LIVE, isNull(deliveries.nextAttemptAt)))
    .orderBy(asc(deliveries.createdAt), asc(deliveries.id))
    .limit(limit)
    .for('update', { skipLocked: true })
}

/** How many of the endpoint's live deliveries hold a job that is due by `at` (at most `limit`). */
async function holdingBy(tx: Tx, endpointId: string, at: Date, limit: number): Promise<number> {
  const [row] = await tx.select({ count: sql<number>`count(*)::int` }).from(
    tx
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(and(eq(deliveries.endpointId, endpointId), LIVE, lte(deliveries.nextAttemptAt, at)))
      .limit(limit)
      .as('holding'),
  )
  return row?.count ?? 0
}

/**
 * While the breaker holds the endpoint back, its waiting deliveries spend no attempt; one whose
 * schedule would have ended by now is dead (the oldest are checked, a batch each time).
 */
async function expireHeldBack(queue: DeliveryQueue, tx: Tx, endpointId: string, now: Date): Promise<void> {
  const waiting = await tx
    .select({
      id: deliveries.id,
      attempts: deliveries.attempts,
      lastAttemptAt: deliveries.lastAttemptAt,
      createdAt: deliveries.createdAt,
    })
    .from(deliveries)
    .where(and(eq(deliveries.endpointId, endpointId), LIVE, isNull(deliveries.nextAttemptAt)))
    .orderBy(asc(deliveries.createdAt), asc(deliveries.id))
    .limit(EXPIRY_BATCH)
  const expired = waiting
    .filter((d) => now > scheduleEndsAt(d.attempts, d.lastAttemptAt ?? d.createdAt, queue.timing))
    .map((d) => d.id)
  if (expired.length === 0) return
  const ended = await tx
    .update(deliveries)
    .set({
      status: 'dead',
      settledAt: now,
      lastError: "the endpoint's circuit breaker stayed open past the retry schedule",
    })
    .where(and(inArray(deliveries.id, expired), LIVE))
    .returning({ id: deliveries.id })
  queue.metrics.deliveriesEnded.inc({ status: 'dead', reason: 'breaker' }, ended.length)
}

/**
 * Tops the endpoint's window up: while its breaker is closed (or lets a probe through), the oldest
 * waiting deliveries get jobs for now until the window is full; while it holds attempts back, one
 * delivery at least is timed for when the breaker lets a probe through, so the endpoint wakes.
 */
export async function fillWindow(queue: DeliveryQueue, tx: Tx, endpointId: string, now = new Date()): Promise<void> {
  const held = await heldUntil(tx, endpointId, now)
  if (held) {
    await expireHeldBack(queue, tx, endpointId, now)
    const wakeBy = new Date(held.getTime() + WAKE_SPREAD_MS)
    if ((await holdingBy(tx, endpointId, wakeBy, 1)) > 0) return
    const [first] = await oldestWaiting(tx, endpointId, 1)
    if (first)
      await scheduleDelivery(queue, tx, first, new Date(held.getTime() + Math.round(Math.random() * WAKE_SPREAD_MS)))
    return
  }
  const free = queue.window - (await holdingBy(tx, endpointId, now, queue.window))
  if (free <= 0) return
  for (const delivery of await oldestWaiting(tx, endpointId, free)) await scheduleDelivery(queue, tx, delivery, now)
}
