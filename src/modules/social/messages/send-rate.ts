/**
 * The DM rate limit: at most `perMinute` sends (messages and new conversations) per member in each
 * calendar minute, on top of the platform's per-route `write` class (240 a minute, every write
 * route together). One upsert in the sender's transaction counts and answers, so the count is
 * exact across nodes and processes (no process memory, defect 11) and a refused or failed send
 * rolls its unit back with everything else.
 */
import { sql } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../../platform/db/database.ts'
import type { Acting } from '../members.ts'
import { socialErrors } from '../social.errors.ts'

export const DEFAULT_SENDS_PER_MINUTE = 30

export async function spendSendUnit(tx: Tx, sender: Acting, perMinute: number): Promise<void> {
  const [row] = await rowsOf<{ count: number | string; retryAfter: number | string }>(
    tx,
    sql`INSERT INTO social.send_counters AS c (user_id, tenant_id, window_start, count)
        VALUES (${sender.userId}, ${sender.tenantId}, date_trunc('minute', now()), 1)
        ON CONFLICT (user_id) DO UPDATE
          SET count = CASE WHEN c.window_start = excluded.window_start THEN c.count + 1 ELSE 1 END,
              window_start = excluded.window_start
        RETURNING c.count, ceil(extract(epoch FROM c.window_start + interval '1 minute' - now()))::int AS "retryAfter"`,
  )
  if (row && Number(row.count) > perMinute)
    throw socialErrors.rateLimited(Math.max(1, Number(row.retryAfter)), perMinute)
}
