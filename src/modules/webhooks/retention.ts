/**
 * Retention (`webhooks.purge_messages`, daily): messages older than WEBHOOK_RETENTION_DAYS (never
 * below 90) go, with their deliveries and attempts (foreign keys cascade), in batches across
 * tenants under the platform role. Replays whose window ended before the cut go too. Sequence
 * counters stay: a resource's numbers never start again.
 */
import { sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import { platformScope, rowsOf, type Database } from '../../platform/db/database.ts'
import type { Jobs } from '../../platform/jobs/index.ts'

export const PURGE_QUEUE = 'webhooks.purge_messages'
const BATCH = 1000

/** Deletes messages that occurred before `retentionDays` ago; returns how many went. */
export async function purgeMessages(database: Database, retentionDays: number): Promise<number> {
  let purged = 0
  for (;;) {
    const deleted = await database.transaction(platformScope, (tx) =>
      rowsOf<{ id: string }>(
        tx,
        sql`DELETE FROM webhooks.messages WHERE id IN (
              SELECT id FROM webhooks.messages
               WHERE occurred_at < now() - make_interval(days => ${retentionDays}::int)
               LIMIT ${BATCH})
            RETURNING id`,
      ),
    )
    purged += deleted.length
    if (deleted.length < BATCH) break
  }
  await database.transaction(platformScope, (tx) =>
    tx.execute(
      sql`DELETE FROM webhooks.replays WHERE status <> 'running' AND until < now() - make_interval(days => ${retentionDays}::int)`,
    ),
  )
  return purged
}

export function definePurge(jobs: Jobs, deps: { database: Database; logger: Logger; retentionDays: number }): void {
  jobs.define<Record<string, never>>({
    name: PURGE_QUEUE,
    schedule: { cron: '17 3 * * *' },
    handler: async () => {
      const purged = await purgeMessages(deps.database, deps.retentionDays)
      if (purged > 0) deps.logger.info({ purged, retentionDays: deps.retentionDays }, 'purged old webhook messages')
    },
    retryLimit: 3,
    retryDelaySeconds: 60,
    retryDelayMaxSeconds: 600,
    expireInSeconds: 1800,
  })
}
