/**
 * Embedded PostgreSQL (PGlite). It is one session, so transactions serialise; it runs as a
 * superuser, so every transaction switches to the app role first (RLS applies from then on).
 * There is no network: the transaction options keep their meaning (READ ONLY is enforced, a
 * single-statement transaction refuses a second statement) and statements are counted as they
 * would cost on PostgreSQL, so query budgets hold in both modes.
 */
import { mkdir } from 'node:fs/promises'
import { PGlite, type Transaction } from '@electric-sql/pglite'
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { drizzle } from 'drizzle-orm/pglite'
import {
  admitStatement,
  countOverhead,
  newStatementRun,
  scopeStatement,
  type Database,
  type Scope,
  type StatementRun,
  type TransactionOptions,
  type Tx,
} from './database.ts'

export interface PgliteHandle {
  /** Owner-level handle for migrations and the job queue; never used for requests. */
  pglite: PGlite
  database: Database
}

/**
 * PostgreSQL's default 128 MB of shared buffers is allocated and touched inside PGlite's WASM
 * memory at start: about 110 MB of resident memory more than 32 MB, which holds the embedded
 * databases this mode serves (the demo, development, tests) many times over (docs/benchmarks.md).
 */
const EMBEDDED_SETTINGS = ['shared_buffers = 32MB']

export async function openPglite(dataDir: string | undefined, snapshot?: Blob): Promise<PGlite> {
  // pg_trgm backs typo-tolerant catalogue suggestions, btree_gist their per-tenant index; migrations create both.
  const options = {
    extensions: { btree_gist, pg_trgm },
    postgresqlconf: EMBEDDED_SETTINGS,
    ...(snapshot ? { loadDataDir: snapshot } : {}),
  }
  const target = !dataDir || dataDir === 'memory://' ? undefined : dataDir
  if (!target) return PGlite.create(options)
  await mkdir(target, { recursive: true })
  return PGlite.create(target, options)
}

export function createPgliteDatabase(pglite: PGlite): Database {
  // PGlite runs one transaction at a time, so one Drizzle handle routed to the running one
  // serves them all (built once, like PostgreSQL's one per connection).
  let current: { ptx: Transaction; run: StatementRun } | undefined
  const routed = {
    query(...args: Parameters<Transaction['query']>) {
      const refused = admitStatement(current?.run)
      if (refused || !current) return Promise.reject(refused)
      return current.ptx.query(...args)
    },
  }
  // A PGlite transaction exposes the same query() as PGlite, which is all Drizzle's session uses.
  const tx = drizzle({ client: routed as unknown as PGlite }) as unknown as Tx

  return {
    kind: 'pglite',
    async transaction<T>(scope: Scope, work: (tx: Tx) => Promise<T>, options: TransactionOptions = {}) {
      const statement = scopeStatement(scope)
      return pglite.transaction(async (ptx) => {
        await ptx.exec(options.readOnly ? `SET TRANSACTION READ ONLY; ${statement}` : statement)
        const run = newStatementRun(options)
        current = { ptx, run }
        try {
          const result = await work(tx)
          countOverhead(run, !options.readOnly && !run.single)
          return result
        } finally {
          run.active = false
          current = undefined
        }
      })
    },
    async ping() {
      await pglite.query('select 1')
    },
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    async close() {
      if (!pglite.closed) await pglite.close()
    },
  }
}
