/**
 * Test helpers for the caches invalidated through LISTEN/NOTIFY (ADR 0017, ADR 0018): polling for
 * an eventual effect, and cutting every node's listener session to prove a lost feed is noticed.
 */
import pg from 'pg'
import { testDatabaseUrl } from './build-test-app.ts'

/** Polls until `check` holds; fails after `limitMs` (a bound, never a timing assertion). */
export async function eventually(check: () => Promise<boolean> | boolean, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${limitMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** As the database owner, ends every node's cache-listener session on the test database (PostgreSQL only). */
export async function endCacheListenerSessions(): Promise<void> {
  const owner = new pg.Client({ connectionString: testDatabaseUrl() })
  await owner.connect()
  try {
    await owner.query(`select pg_terminate_backend(pid) from pg_stat_activity
      where application_name = 'lyceum-cache-listener' and datname = current_database()`)
  } finally {
    await owner.end()
  }
}
