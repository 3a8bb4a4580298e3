/**
 * Embedded PostgreSQL (PGlite). It is one session, so transactions serialise; it runs as a
 * superuser, so every transaction switches to the app role first (RLS applies from then on).
 */
import { mkdir } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { drizzle } from 'drizzle-orm/pglite'
import {
  countingLogger,
  scopeStatement,
  type Database,
  type Scope,
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
  return {
    kind: 'pglite',
    async transaction<T>(scope: Scope, work: (tx: Tx) => Promise<T>, options: TransactionOptions = {}) {
      const statement = scopeStatement(scope)
      return pglite.transaction(async (ptx) => {
        await ptx.exec(statement)
        if (options.counter) options.counter.overhead += 2
        const logger = countingLogger(options.counter)
        // A PGlite transaction exposes the same query() as PGlite, which is all Drizzle's session uses.
        const tx = drizzle({ client: ptx as unknown as PGlite, ...(logger ? { logger } : {}) }) as unknown as Tx
        return work(tx)
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
