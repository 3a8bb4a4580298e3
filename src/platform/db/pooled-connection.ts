/**
 * One Drizzle handle per pooled pg connection, built when the connection is first checked out
 * and kept for its life (a WeakMap: a discarded connection takes its handle with it), instead
 * of a new Drizzle instance per transaction. Its statements pass through `query` below, which
 * counts them for the request (the Drizzle logger is per instance, so it cannot know the
 * request), refuses statements outside the running transaction, sends COMMIT right behind the
 * statement of a single-statement transaction, and drops statement names when named prepared
 * statements are off (transaction-pooled PgBouncer 1.18 cannot route them).
 */
import type pg from 'pg'
import { drizzle } from 'drizzle-orm/node-postgres'
import { admitStatement, type StatementRun, type Tx } from './database.ts'

export interface PooledConnection {
  readonly tx: Tx
  /** COMMIT, when a single-statement transaction has sent it behind its statement. */
  readonly commit: Promise<unknown> | undefined
  start(run: StatementRun): void
  end(): void
}

const connections = new WeakMap<pg.PoolClient, PooledConnection>()

export function pooledConnection(client: pg.PoolClient, preparedStatements: boolean): PooledConnection {
  const known = connections.get(client)
  if (known) return known
  let run: StatementRun | undefined
  let commit: Promise<unknown> | undefined
  const routed = {
    query(config: pg.QueryConfig, values?: unknown[]) {
      const refused = admitStatement(run)
      if (refused) return Promise.reject(refused)
      const sent = client.query(
        preparedStatements || config.name === undefined ? config : { ...config, name: undefined },
        values,
      )
      if (run?.single) {
        commit = client.query('COMMIT')
        // Observed now: the transaction awaits it later, and a dead connection rejects it at once.
        commit.catch(() => {})
      }
      return sent
    },
  }
  const connection: PooledConnection = {
    tx: drizzle({ client: routed as unknown as pg.PoolClient }) as unknown as Tx,
    get commit() {
      return commit
    },
    start(next) {
      run = next
      commit = undefined
    },
    end() {
      if (run) run.active = false
      run = undefined
      commit = undefined
    },
  }
  connections.set(client, connection)
  return connection
}
