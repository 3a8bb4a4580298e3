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

/** SQL true while the app role is a member of the platform role (it could SET ROLE to it). */
const APP_IN_PLATFORM = `EXISTS (SELECT 1 FROM pg_auth_members m
  JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
  WHERE g.rolname = '${PLATFORM_ROLE}' AND u.rolname = '${APP_ROLE}')`

/**
 * One idempotent block per change. Roles are cluster-wide and several databases on one server
 * (test runs, tenants of a shared server) may migrate at once: each block acts only when the
 * catalog still needs it, and a block that loses a race to another migrator (duplicate role,
 * "tuple concurrently updated") is fine as long as the state it wanted now holds.
 */
function idempotent(needed: string, change: string): string {
  return `DO $$
BEGIN
  IF ${needed} THEN
    ${change};
  END IF;
EXCEPTION WHEN OTHERS THEN
  IF ${needed} THEN RAISE; END IF;
END $$;`
}

const roleMissing = (role: string) => `NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}')`

// The request role: RLS applies to it, it owns nothing and is a member of no role (NOINHERIT
// keeps it from inheriting anything granted by mistake). The platform role logs in itself, for
// the platform pool (DATABASE_PLATFORM_URL): earlier releases made the app role its member so
// requests could SET ROLE to it, which let any SQL foothold in a request read every tenant; that
// membership is revoked here on every migrate (ADR 0004).
const ROLES_SQL = [
  idempotent(
    roleMissing(APP_ROLE),
    `CREATE ROLE ${APP_ROLE} LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`,
  ),
  idempotent(
    roleMissing(PLATFORM_ROLE),
    `CREATE ROLE ${PLATFORM_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`,
  ),
  idempotent(
    `EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${PLATFORM_ROLE}' AND NOT rolcanlogin)`,
    `ALTER ROLE ${PLATFORM_ROLE} LOGIN`,
  ),
  idempotent(APP_IN_PLATFORM, `REVOKE ${PLATFORM_ROLE} FROM ${APP_ROLE}`),
  ...[APP_ROLE, PLATFORM_ROLE].map(withoutJit),
].join('\n')

/**
 * JIT compilation off for the roles the app connects as. The planner compiles a statement whose
 * estimated cost passes jit_above_cost, and the estimate counts branches that never run: the
 * catalogue facets' fallback branches made every filtered facets request compile for 110-140 ms
 * to run for 30 (docs/benchmarks.md, 2026-12-07). No request statement runs long enough to repay
 * compilation. An owner without the right to change roles (a managed database) gets a notice and
 * should set jit = off for the database itself; nothing else depends on it.
 */
function withoutJit(role: string): string {
  return `DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
                 WHERE r.rolname = '${role}' AND s.setdatabase = 0 AND 'jit=off' = ANY (s.setconfig)) THEN
    ALTER ROLE ${role} SET jit = off;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'jit stays on for ${role}: the migrating role may not change it (set jit = off for the database)';
END $$;`
}

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
