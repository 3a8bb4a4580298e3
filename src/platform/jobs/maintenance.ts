/**
 * Housekeeping the platform schedules for itself. Each runs once per cron slot across the
 * cluster (pg-boss's scheduler), as the audited platform role.
 */
import { lt, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import { platformScope, type Database } from '../db/database.ts'
import { idempotencyKeys } from '../http/idempotency.tables.ts'
import type { Jobs } from './types.ts'

export const PURGE_IDEMPOTENCY_KEYS = 'platform.purge_idempotency_keys'

/** Deletes stored Idempotency-Key responses past their expiry; returns how many. */
export async function purgeExpiredIdempotencyKeys(database: Database): Promise<number> {
  const deleted = await database.transaction(platformScope, (tx) =>
    tx
      .delete(idempotencyKeys)
      .where(lt(idempotencyKeys.expiresAt, sql`now()`))
      .returning({ key: idempotencyKeys.scopedKey }),
  )
  return deleted.length
}

export function defineMaintenanceJobs(jobs: Jobs, deps: { database: Database; logger: Logger }): void {
  jobs.define({
    name: PURGE_IDEMPOTENCY_KEYS,
    schedule: { cron: '* * * * *' },
    // The next minute's run does the same work, so a failure is not worth many retries.
    retryLimit: 2,
    retryDelaySeconds: 5,
    retryDelayMaxSeconds: 20,
    expireInSeconds: 60,
    handler: async () => {
      const purged = await purgeExpiredIdempotencyKeys(deps.database)
      if (purged > 0) deps.logger.info({ purged }, 'purged expired idempotency keys')
    },
  })
}
