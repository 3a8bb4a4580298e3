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
  /** Fixed statements the scope itself costs (begin + context, commit), for every transaction of the request. */
  overhead: number
  /** Statements of the credential check (the session, impersonation or operator session behind a token). */
  authentication: number
  /**
   * Times the request waited on PostgreSQL: BEGIN and the scope ride with the first statement,
   * every statement is one wait (statements sent together still count each: an upper bound),
   * an awaited COMMIT one more. PGlite counts what the same work costs on PostgreSQL, so one
   * budget holds in both modes (ADR 0003).
   */
  roundTrips: number
}

export const newQueryCounter = (): QueryCounter => ({ queries: 0, overhead: 0, authentication: 0, roundTrips: 0 })

export interface TransactionOptions {
  counter?: QueryCounter
  /**
   * The work only reads: the transaction is BEGIN READ ONLY (PostgreSQL refuses any write in
   * it), so its COMMIT cannot fail for a reason the response depends on and does not hold the
   * response; the connection returns to the pool once COMMIT has completed.
   */
  readOnly?: boolean
  /**
   * The work is exactly one statement: COMMIT is sent right behind it, so BEGIN, scope,
   * statement and COMMIT cost one round trip. A second statement is refused before it is sent.
   */
  singleStatement?: boolean
  /** Which count the statements go to: the handler's (default) or the credential check's. */
  countAs?: 'queries' | 'authentication'
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

/** One transaction's statements as they pass to the driver (both drivers route through this). */
export interface StatementRun {
  /** False once the transaction has ended: a leaked handle must not reach a reused connection. */
  active: boolean
  single: boolean
  statements: number
  counter: QueryCounter | undefined
  countAs: 'queries' | 'authentication'
}

export const newStatementRun = (options: TransactionOptions): StatementRun => ({
  active: true,
  single: options.singleStatement === true,
  statements: 0,
  counter: options.counter,
  countAs: options.countAs ?? 'queries',
})

/**
 * Counts a statement about to be sent, or returns why it must not be sent (a programming error,
 * so it surfaces as a 500 and the transaction rolls back).
 */
export function admitStatement(run: StatementRun | undefined): Error | undefined {
  if (!run?.active) return new Error('a statement was issued outside its transaction')
  if (run.single && run.statements > 0)
    return new Error('a single-statement transaction issued a second statement (its COMMIT was already sent)')
  run.statements++
  if (run.counter) {
    run.counter[run.countAs]++
    run.counter.roundTrips++
  }
  return undefined
}

/** The fixed cost of a finished transaction: BEGIN + scope and COMMIT, and the waits the statements did not cover. */
export function countOverhead(run: StatementRun, awaitedCommit: boolean): void {
  if (!run.counter) return
  run.counter.overhead += 2
  // With no statement, the request still waited for BEGIN + scope.
  if (run.statements === 0) run.counter.roundTrips++
  if (awaitedCommit) run.counter.roundTrips++
}
