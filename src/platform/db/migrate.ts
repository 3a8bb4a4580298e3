/**
 * Brings a database to head: roles (cluster-wide, so created idempotently outside the generated
 * migrations), the committed SQL migrations, then grants on objects migrations do not own.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'
import { APP_ROLE, PLATFORM_ROLE } from './database.ts'
import type { OwnerConnection } from './owner-connection.ts'
import { installQueueSchema } from '../jobs/queue-schema.ts'

export const MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations')

// NOINHERIT: the app role holds lyceum_platform's membership but must SET ROLE to use it, so the
// platform's cross-tenant policies never apply to ordinary requests.
const ROLES_SQL = `
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
    CREATE ROLE ${APP_ROLE} LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${PLATFORM_ROLE}') THEN
    CREATE ROLE ${PLATFORM_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
GRANT ${PLATFORM_ROLE} TO ${APP_ROLE};
`

export async function ensureRoles(owner: OwnerConnection): Promise<void> {
  await owner.exec(ROLES_SQL)
}

export async function migrateToHead(owner: OwnerConnection): Promise<void> {
  await ensureRoles(owner)
  await owner.migrate(MIGRATIONS_FOLDER)
  // /health/ready compares applied migrations with the journal as the app role.
  await owner.exec(`GRANT USAGE ON SCHEMA drizzle TO ${APP_ROLE}, ${PLATFORM_ROLE};
    GRANT SELECT ON drizzle.__drizzle_migrations TO ${APP_ROLE}, ${PLATFORM_ROLE};`)
  // The job queue's own schema (pg-boss) and the app roles' grants on it.
  await installQueueSchema(owner)
}

/** Number of migrations in the committed journal. */
export function journalLength(folder = MIGRATIONS_FOLDER): number {
  const journal = JSON.parse(readFileSync(path.join(folder, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] }
  return journal.entries.length
}
