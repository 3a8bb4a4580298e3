/**
 * Test support for asynchronous work: a bounded wait, and reads of pg-boss's job table as the
 * platform role. Imported by tests only.
 */
import { sql } from 'drizzle-orm'
import { platformScope, rowsOf, type Database } from '../db/database.ts'

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

export interface StoredJob {
  id: string
  name: string
  state: string
  data: Record<string, unknown>
  retryCount: number
}

/** Jobs of `queue` whose payload contains `match` (jsonb containment), oldest first. */
export function jobsMatching(database: Database, queue: string, match: Record<string, unknown>): Promise<StoredJob[]> {
  return database.transaction(platformScope, (tx) =>
    rowsOf<StoredJob>(
      tx,
      sql`SELECT id, name, state, data, retry_count AS "retryCount" FROM pgboss.job
          WHERE name = ${queue} AND data @> ${JSON.stringify(match)}::jsonb ORDER BY created_on, id`,
    ),
  )
}
