/**
 * A per-member count of actions in the current calendar minute, kept in a module's own counter
 * table (user_id primary key, tenant_id, window_start, count): one upsert in the caller's
 * transaction counts and answers, so the limit is exact across nodes and processes (no process
 * memory) and a refused or failed action rolls its unit back with everything else. Used by the
 * DM and channel-chat send limits; each module owns its table and its refusal.
 */
import { sql, type SQL } from 'drizzle-orm'
import { rowsOf, type Tx } from './database.ts'

export interface MinuteCount {
  /** Actions in this minute, this one included. */
  count: number
  /** Seconds until the minute ends (at least 1). */
  retryAfter: number
}

/** Counts one action of `userId` in `table` (e.g. sql`chat.send_counters`) and returns the minute's count. */
export async function spendMinuteUnit(tx: Tx, table: SQL, userId: string, tenantId: string): Promise<MinuteCount> {
  const [row] = await rowsOf<{ count: number | string; retryAfter: number | string }>(
    tx,
    sql`INSERT INTO ${table} AS c (user_id, tenant_id, window_start, count)
        VALUES (${userId}, ${tenantId}, date_trunc('minute', now()), 1)
        ON CONFLICT (user_id) DO UPDATE
          SET count = CASE WHEN c.window_start = excluded.window_start THEN c.count + 1 ELSE 1 END,
              window_start = excluded.window_start
        RETURNING c.count, ceil(extract(epoch FROM c.window_start + interval '1 minute' - now()))::int AS "retryAfter"`,
  )
  return { count: Number(row?.count ?? 1), retryAfter: Math.max(1, Number(row?.retryAfter ?? 1)) }
}
