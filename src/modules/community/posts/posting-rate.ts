/**
 * The posting rate limit, as social's DM send limit (send-rate.ts): at most `perMinute` posts (or
 * comments) per member in each calendar minute, counted by one upsert in the writer's
 * transaction, so the count is exact across nodes and a refused or failed write rolls its unit
 * back with everything else.
 */
import { sql } from 'drizzle-orm'
import { rowsOf, type Tx } from '../../../platform/db/database.ts'
import { postErrors } from './posts.errors.ts'

export async function spendPostingUnit(
  tx: Tx,
  writer: { tenantId: string; userId: string },
  kind: 'post' | 'comment',
  perMinute: number,
): Promise<void> {
  const [row] = await rowsOf<{ count: number | string; retryAfter: number | string }>(
    tx,
    sql`INSERT INTO community.posting_counters AS c (user_id, kind, tenant_id, window_start, count)
        VALUES (${writer.userId}, ${kind}, ${writer.tenantId}, date_trunc('minute', now()), 1)
        ON CONFLICT (user_id, kind) DO UPDATE
          SET count = CASE WHEN c.window_start = excluded.window_start THEN c.count + 1 ELSE 1 END,
              window_start = excluded.window_start
        RETURNING c.count, ceil(extract(epoch FROM c.window_start + interval '1 minute' - now()))::int AS "retryAfter"`,
  )
  if (row && Number(row.count) > perMinute)
    throw postErrors.rateLimited(kind, Math.max(1, Number(row.retryAfter)), perMinute)
}
