/**
 * The job queue's tables (pg-boss's own schema) and the grants the app roles need on them.
 * Installed by `lyceum migrate` next to the SQL migrations, never at request time: processes
 * start pg-boss with `migrate: false` and refuse to run against an older queue schema.
 */
import { createRequire } from 'node:module'
import { getConstructionPlans, getMigrationPlans } from 'pg-boss'
import { APP_ROLE, PLATFORM_ROLE } from '../db/database.ts'
import type { OwnerConnection } from '../db/owner-connection.ts'

export const QUEUE_SCHEMA = 'pgboss'

/** The schema version this pg-boss release expects (what its own contractor compares with). */
export const QUEUE_SCHEMA_VERSION: number = (
  createRequire(import.meta.url)('pg-boss/package.json') as { pgboss: { schema: number } }
).pgboss.schema

// lyceum_app only enqueues (send inside a request's transaction): it reads queue settings, inserts
// jobs and reads back the few columns the insert returns and the singleton check looks at. Job
// payloads of every tenant live in these tables without RLS, so the request role never gets
// SELECT on whole rows. lyceum_platform (operators, the audited cross-tenant role) reads jobs and
// retries or redrives them in the same transaction as the audit entry.
const APP_JOB_COLUMNS = 'id, name, state, singleton_key, start_after'

function grantsSql(jobTables: string[]): string {
  const qualified = jobTables.map((table) => `${QUEUE_SCHEMA}.${quoteIdent(table)}`).join(', ')
  return `
GRANT USAGE ON SCHEMA ${QUEUE_SCHEMA} TO ${APP_ROLE}, ${PLATFORM_ROLE};
GRANT SELECT ON ${QUEUE_SCHEMA}.queue TO ${APP_ROLE}, ${PLATFORM_ROLE};
GRANT INSERT, SELECT (${APP_JOB_COLUMNS}) ON ${qualified} TO ${APP_ROLE};
GRANT SELECT, INSERT, UPDATE, DELETE ON ${qualified} TO ${PLATFORM_ROLE};
-- Tables pg-boss creates later (a queue with its own partition, daily stats partitions) are
-- created by this same owner role, so these defaults reach them. Column grants cannot be
-- defaulted: a later partition gives the app role SELECT on the whole table, which is why
-- installQueueSchema re-applies the column grants above to every job partition on each migrate.
ALTER DEFAULT PRIVILEGES IN SCHEMA ${QUEUE_SCHEMA} GRANT INSERT ON TABLES TO ${APP_ROLE};
ALTER DEFAULT PRIVILEGES IN SCHEMA ${QUEUE_SCHEMA} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${PLATFORM_ROLE};
`
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

async function installedVersion(owner: OwnerConnection): Promise<number | null> {
  const [exists] = await owner.query<{ name: string | null }>(
    `SELECT to_regclass('${QUEUE_SCHEMA}.version')::text AS name`,
  )
  if (!exists?.name) return null
  const [row] = await owner.query<{ version: string | number }>(`SELECT version FROM ${QUEUE_SCHEMA}.version`)
  return row ? Number(row.version) : null
}

/** The job table and its partitions (the shared `job_common` and any queue's own table). */
async function jobTables(owner: OwnerConnection): Promise<string[]> {
  const rows = await owner.query<{ table: string }>(
    `SELECT c.relname AS table FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace
      WHERE n.nspname = $1 AND p.relname = 'job'`,
    [QUEUE_SCHEMA],
  )
  return ['job', ...rows.map((r) => r.table)]
}

/**
 * Creates or upgrades the queue schema to the version of the installed pg-boss, then (re)applies
 * the grants. Idempotent: on a schema at head it only re-applies grants.
 */
export async function installQueueSchema(owner: OwnerConnection): Promise<void> {
  const version = await installedVersion(owner)
  if (version === null) {
    await owner.exec(getConstructionPlans(QUEUE_SCHEMA))
  } else if (version < QUEUE_SCHEMA_VERSION) {
    await owner.exec(getMigrationPlans(QUEUE_SCHEMA, version))
  } else if (version > QUEUE_SCHEMA_VERSION) {
    throw new Error(
      `The job queue schema is at version ${version}, newer than this build's pg-boss (${QUEUE_SCHEMA_VERSION}); deploy the newer build`,
    )
  }
  await owner.exec(grantsSql(await jobTables(owner)))
}
