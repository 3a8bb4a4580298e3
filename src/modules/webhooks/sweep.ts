/**
 * The safety net under the window of jobs (window.ts, ADR 0034 point 4): an endpoint's backlog
 * moves only while one of its jobs runs and tops the window up. Were that chain to break (a job
 * lost with its worker's queue, a top-up that failed after its attempt was recorded), the
 * deliveries would wait forever. Every minute (`webhooks.sweep_windows`) this finds, across
 * tenants:
 *
 * - deliveries whose job should have run long ago (due more than LOST_AFTER_MS back: far beyond a
 *   job's expiry and the egress deadline, so none is still in flight): they get a new job (the
 *   new token makes any old one stale);
 * - endpoints with deliveries waiting for a slot and none holding a job (a lost one does not
 *   count): their window is filled.
 */
import { sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import { platformScope, rowsOf, tenantScope, type Database } from '../../platform/db/database.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import { fillWindow, scheduleDelivery, type DeliveryQueue } from './window.ts'

export const SWEEP_QUEUE = 'webhooks.sweep_windows'

/** A delivery due this long ago whose job has not run is presumed lost. */
export const LOST_AFTER_MS = 15 * 60_000
/** Deliveries and endpoints repaired per run at most; the next run takes the rest. */
const BATCH = 200

interface Lost {
  id: string
  tenant_id: string
  endpoint_id: string
}

/** One sweep; returns how many deliveries got a new job and how many endpoints were topped up. */
export async function sweepWindows(
  database: Database,
  queue: DeliveryQueue,
  now = new Date(),
): Promise<{ rescheduled: number; refilled: number }> {
  const lostBefore = new Date(now.getTime() - LOST_AFTER_MS)
  const { lost, stalled } = await database.transaction(platformScope, async (tx) => ({
    lost: await rowsOf<Lost>(
      tx,
      sql`SELECT id, tenant_id, endpoint_id FROM webhooks.deliveries
           WHERE status IN ('pending', 'retrying') AND next_attempt_at < ${lostBefore.toISOString()}::timestamptz
           LIMIT ${BATCH}`,
    ),
    stalled: await rowsOf<{ tenant_id: string; endpoint_id: string }>(
      tx,
      sql`SELECT DISTINCT w.tenant_id, w.endpoint_id FROM webhooks.deliveries w
           WHERE w.status IN ('pending', 'retrying') AND w.next_attempt_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM webhooks.deliveries h
                              WHERE h.endpoint_id = w.endpoint_id AND h.status IN ('pending', 'retrying')
                                AND h.next_attempt_at >= ${lostBefore.toISOString()}::timestamptz)
           LIMIT ${BATCH}`,
    ),
  }))
  for (const delivery of lost)
    await database.transaction(tenantScope(delivery.tenant_id), (tx) =>
      scheduleDelivery(
        queue,
        tx,
        { id: delivery.id, tenantId: delivery.tenant_id, endpointId: delivery.endpoint_id },
        now,
      ),
    )
  for (const endpoint of stalled)
    await database.transaction(tenantScope(endpoint.tenant_id), (tx) =>
      fillWindow(queue, tx, endpoint.endpoint_id, now),
    )
  return { rescheduled: lost.length, refilled: stalled.length }
}

export function defineSweep(deps: { database: Database; jobs: Jobs; queue: DeliveryQueue; logger: Logger }): void {
  deps.jobs.define<Record<string, never>>({
    name: SWEEP_QUEUE,
    schedule: { cron: '* * * * *' },
    handler: async () => {
      const swept = await sweepWindows(deps.database, deps.queue)
      if (swept.rescheduled + swept.refilled > 0)
        deps.logger.warn(swept, 'webhook deliveries without a job found and started again')
    },
    retryLimit: 2,
    retryDelaySeconds: 30,
    retryDelayMaxSeconds: 60,
    expireInSeconds: 300,
  })
}
