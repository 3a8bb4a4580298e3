/**
 * The readiness checks the platform core owns: the database, migrations at head, Redis and the
 * storage directory. Capabilities with their own dependency (jobs, mail) register theirs.
 */
import { sql } from 'drizzle-orm'
import type { Redis } from 'ioredis'
import { anonymousScope, rowsOf, type Database, type PoolStats } from '../db/database.ts'
import { probeStorageDir } from '../storage/storage-dir.ts'
import type { CheckResult, HealthRegistry } from './health.ts'
import { scrubText } from './redaction.ts'

export interface CoreCheckDeps {
  database: Database
  redis: Redis | undefined
  storageDir: string
  /** Migrations in the committed journal (journalLength()). */
  expectedMigrations: number
}

export function registerCoreChecks(health: HealthRegistry, deps: CoreCheckDeps): void {
  health.register('database', () => databaseCheck(deps.database))
  health.register('migrations', () => migrationsCheck(deps.database, deps.expectedMigrations))
  const { redis } = deps
  health.register(
    'redis',
    redis
      ? () => redisCheck(redis)
      : async () => ({ status: 'disabled', detail: 'REDIS_URL is not set: rate limits and caches are in-process' }),
  )
  health.register('storage', () => storageCheck(deps.storageDir))
}

const busy = (pool: PoolStats) => `${pool.total - pool.idle} busy, ${pool.idle} idle, ${pool.waiting} waiting`

export async function databaseCheck(database: Database): Promise<CheckResult> {
  await database.ping()
  const pool = database.poolStats()
  const detail =
    database.kind === 'pglite'
      ? 'embedded PGlite reachable'
      : `PostgreSQL reachable as the request and platform roles; request pool ${busy(pool)}; platform pool ${busy(database.platformPoolStats?.() ?? pool)}`
  return { status: 'ok', detail }
}

/** Compares applied migrations with the journal this build ships (shared with `lyceum doctor`). */
export function migrationStatus(applied: number, expected: number): CheckResult {
  if (applied < expected)
    return { status: 'failing', detail: `${applied} of ${expected} migrations applied: run "lyceum migrate"` }
  // A newer release migrated the database during a rolling deploy: the old code keeps serving.
  if (applied > expected)
    return { status: 'ok', detail: `database is ahead of this build (${applied} applied, ${expected} known)` }
  return { status: 'ok', detail: `all ${expected} migrations applied` }
}

export async function migrationsCheck(database: Database, expected: number): Promise<CheckResult> {
  const rows = await database.transaction(anonymousScope, (tx) =>
    rowsOf<{ applied: number }>(tx, sql`select count(*)::int as applied from drizzle.__drizzle_migrations`),
  )
  return migrationStatus(Number(rows[0]?.applied ?? 0), expected)
}

export async function redisCheck(redis: Redis): Promise<CheckResult> {
  try {
    const answer = await redis.ping()
    return answer === 'PONG'
      ? { status: 'ok', detail: 'PING answered' }
      : { status: 'failing', detail: `PING answered ${answer}` }
  } catch (error) {
    return { status: 'failing', detail: `Redis unreachable (${redis.status}): ${scrubText((error as Error).message)}` }
  }
}

export async function storageCheck(dir: string): Promise<CheckResult> {
  const probe = await probeStorageDir(dir)
  return probe.writable
    ? { status: 'ok', detail: 'writable' }
    : { status: 'failing', detail: `storage directory is not writable: ${probe.reason}` }
}
