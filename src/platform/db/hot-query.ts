/**
 * Hot queries built once: a request path that runs the same statement shape on every request
 * declares it here with `sql.placeholder` for its values, and Drizzle's query building (about 14%
 * of the app's CPU in profiles, docs/benchmarks.md) happens once per database handle (one per
 * pooled connection on PostgreSQL, one on PGlite) instead of once per request. The statement is
 * named, so PostgreSQL parses and plans it once per connection too (ADR 0003: +7–9%); with
 * DATABASE_PREPARED_STATEMENTS=off (transaction-pooling PgBouncer) the connection sends it
 * unnamed, still built once.
 *
 *   const firstPage = hotQuery('catalogue_first_page', (tx) =>
 *     tx.select(columns).from(table).where(eq(table.tenantId, sql.placeholder('tenantId')))...)
 *   await firstPage.execute(tx, { tenantId, limit })
 */
import type { Tx } from './database.ts'

interface Preparable<R> {
  prepare(name: string): { execute(values: Record<string, unknown>): Promise<R> }
}

export interface HotQuery<R> {
  readonly name: string
  /** Runs the statement in tx's transaction with the placeholders' values. */
  execute(tx: Tx, values: Record<string, unknown>): Promise<R>
}

/** Statement names are per connection and must be unique per SQL text: one declaration each. */
const declared = new Set<string>()
const NAME = /^[a-z][a-z0-9_]{0,62}$/

export function hotQuery<R>(name: string, build: (tx: Tx) => Preparable<R>): HotQuery<R> {
  if (!NAME.test(name)) throw new Error(`hot query name ${name} must be a lower-case SQL identifier`)
  if (declared.has(name)) throw new Error(`hot query ${name} is declared twice`)
  declared.add(name)
  // Keyed by the handle: handles live as long as their connection (pooled-connection.ts).
  const prepared = new WeakMap<Tx, ReturnType<Preparable<R>['prepare']>>()
  return {
    name,
    execute(tx, values) {
      let query = prepared.get(tx)
      if (!query) {
        query = build(tx).prepare(name)
        prepared.set(tx, query)
      }
      return query.execute(values)
    },
  }
}
