/**
 * The database port every module uses. Work always runs inside a short transaction in a *scope*:
 * a tenant (RLS restricts rows to it), anonymous (no tenant: tenant-owned rows are invisible) or
 * platform (the audited cross-tenant role). Nothing runs as the owner at request time. On
 * PostgreSQL the platform scope has its own login and pool: the request role is no member of the
 * platform role, so no SQL a request runs can switch to it. PGlite is one superuser session that
 * switches role per transaction, so there the separation is the code's, not the database's.
 */
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import type { SQL } from 'drizzle-orm'

/** A Drizzle handle bound to one transaction. */
export type Tx = PgDatabase<PgQueryResultHKT>

export const APP_ROLE = 'lyceum_app'
export const PLATFORM_ROLE = 'lyceum_platform'

export type Scope = { kind: 'tenant'; tenantId: string } | { kind: 'anonymous' } | { kind: 'platform' }

export const tenantScope = (tenantId: string): Scope => ({ kind: 'tenant', tenantId })
export const platformScope: Scope = { kind: 'platform' }
export const anonymousScope: Scope = { kind: 'anonymous' }

/** Counts statements per request so tests can assert query budgets. */
export interface QueryCounter {
  /** Statements issued by the handler (Drizzle queries and raw SQL). */
  queries: number
  /** Fixed statements the scope itself costs (begin + context, commit). */
  overhead: number
}

export interface TransactionOptions {
  counter?: QueryCounter
}

export interface PoolStats {
  total: number
  idle: number
  waiting: number
}

export interface Database {
  readonly kind: 'pglite' | 'postgres'
  transaction<T>(scope: Scope, work: (tx: Tx) => Promise<T>, options?: TransactionOptions): Promise<T>
  /** Round trip as the app role (and, on PostgreSQL, as the platform role); throws when the database is unreachable. */
  ping(): Promise<void>
  /** Request-pool figures for metrics (PGlite reports one session). */
  poolStats(): PoolStats
  /** The platform pool's figures (PostgreSQL only: PGlite has one session for everything). */
  platformPoolStats?(): PoolStats
  close(): Promise<void>
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * One statement that sets the role and tenant for the current transaction. The tenant id is
 * validated as a UUID before being inlined, so the statement can ride along with BEGIN in a
 * single round trip (parameters are not allowed in multi-statement simple queries).
 */
export function scopeStatement(scope: Scope): string {
  const role = scope.kind === 'platform' ? PLATFORM_ROLE : APP_ROLE
  let tenant = ''
  if (scope.kind === 'tenant') {
    if (!UUID.test(scope.tenantId)) throw new Error('tenant id must be a UUID')
    tenant = scope.tenantId.toLowerCase()
  }
  return `SELECT set_config('role', '${role}', true), set_config('app.tenant_id', '${tenant}', true)`
}

/** Rows of a raw `tx.execute(sql...)` on either driver. */
export async function rowsOf<T>(tx: Tx, query: SQL): Promise<T[]> {
  const result = (await tx.execute(query)) as unknown as { rows: T[] }
  return result.rows
}

export function countingLogger(counter: QueryCounter | undefined) {
  return counter ? { logQuery: () => void counter.queries++ } : undefined
}
