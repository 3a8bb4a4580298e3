/**
 * Bulk replay (`webhooks.replay_batch`): the messages of a window that the endpoint takes (its
 * filter, narrowed by the replay's types) are delivered again, a batch per job and transaction, in
 * the order they occurred. The replay row holds the position of the last message enqueued and is
 * moved in the batch's transaction, so a retried job never sends a message twice; a message still
 * on its way to the endpoint (pending or retrying) is left alone and counted as skipped. Messages
 * stay whatever endpoints existed, so a replay covers events of a time the endpoint was disabled.
 */
import { and, asc, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm'
import { tenantScope, type Database, type Tx } from '../../platform/db/database.ts'
import { instantText } from '../../platform/http/pagination.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { startDelivery } from './messages.ts'
import { webhooksRepository as repo } from './webhooks.repository.ts'
import { endpoints, messages, replays, type EndpointRow, type ReplayRow } from './webhooks.tables.ts'
import { REPLAY_BATCH } from './webhooks.vocabulary.ts'
import type { DeliveryQueue } from './window.ts'

export const REPLAY_QUEUE = 'webhooks.replay_batch'

export interface ReplayJob {
  tenantId: string
  replayId: string
}

/** Types of the window: the endpoint's filter (empty = all), narrowed to the replay's own list. */
function typeCondition(endpoint: EndpointRow, replay: ReplayRow) {
  const conditions = [
    endpoint.eventTypes.length > 0 ? inArray(messages.type, endpoint.eventTypes) : undefined,
    replay.eventTypes.length > 0 ? inArray(messages.type, replay.eventTypes) : undefined,
  ]
  return and(...conditions)
}

async function nextBatch(tx: Tx, endpoint: EndpointRow, replay: ReplayRow) {
  const position =
    replay.positionAt && replay.positionId
      ? sql`(${messages.occurredAt}, ${messages.id}) > (${replay.positionAt}::timestamptz, ${replay.positionId}::uuid)`
      : undefined
  return tx
    .select({ id: messages.id, position: instantText(messages.occurredAt) })
    .from(messages)
    .where(
      and(
        isNull(messages.endpointId),
        gte(messages.occurredAt, replay.since),
        lt(messages.occurredAt, replay.until),
        typeCondition(endpoint, replay),
        position,
      ),
    )
    .orderBy(asc(messages.occurredAt), asc(messages.id))
    .limit(REPLAY_BATCH)
}

/** One batch of a replay, in one transaction; sends the job of the next batch when there may be more. */
export async function runReplayBatch(
  deps: { database: Database; jobs: Jobs; queue: DeliveryQueue },
  job: ReplayJob,
): Promise<void> {
  await deps.database.transaction(tenantScope(job.tenantId), async (tx) => {
    const [replay] = await tx.select().from(replays).where(eq(replays.id, job.replayId)).for('update')
    if (!replay || replay.status !== 'running') return
    const [endpoint] = await tx.select().from(endpoints).where(eq(endpoints.id, replay.endpointId))
    const now = new Date()
    if (!endpoint?.enabled) {
      await tx.update(replays).set({ status: 'cancelled', completedAt: now }).where(eq(replays.id, replay.id))
      return
    }
    const batch = await nextBatch(tx, endpoint, replay)
    let enqueued = 0
    let skipped = 0
    for (const message of batch) {
      if (await repo.liveDelivery(tx, endpoint.id, message.id)) {
        skipped++
        continue
      }
      await startDelivery(tx, deps.queue, {
        tenantId: replay.tenantId,
        endpointId: endpoint.id,
        messageId: message.id,
        trigger: 'replay',
        replayId: replay.id,
      })
      enqueued++
    }
    const last = batch.at(-1)
    const done = batch.length < REPLAY_BATCH
    await tx
      .update(replays)
      .set({
        enqueued: replay.enqueued + enqueued,
        skipped: replay.skipped + skipped,
        ...(last ? { positionAt: last.position, positionId: last.id } : {}),
        ...(done ? { status: 'completed' as const, completedAt: now } : {}),
      })
      .where(eq(replays.id, replay.id))
    if (!done) await deps.jobs.send<ReplayJob>(tx, REPLAY_QUEUE, job)
  })
}
