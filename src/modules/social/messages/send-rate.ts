/**
 * The DM rate limit: at most `perMinute` sends (messages and new conversations) per member in each
 * calendar minute, on top of the platform's per-route `write` class (240 a minute, every write
 * route together). Counted by the platform's minute counter in social.send_counters, in the
 * sender's transaction: exact across nodes (defect 11), rolled back with a refused send.
 */
import { sql } from 'drizzle-orm'
import type { Tx } from '../../../platform/db/database.ts'
import { spendMinuteUnit } from '../../../platform/db/minute-counter.ts'
import type { Acting } from '../members.ts'
import { socialErrors } from '../social.errors.ts'

export const DEFAULT_SENDS_PER_MINUTE = 30

export async function spendSendUnit(tx: Tx, sender: Acting, perMinute: number): Promise<void> {
  const { count, retryAfter } = await spendMinuteUnit(tx, sql`social.send_counters`, sender.userId, sender.tenantId)
  if (count > perMinute) throw socialErrors.rateLimited(retryAfter, perMinute)
}
