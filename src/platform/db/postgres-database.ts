/**
 * PostgreSQL server via two node-postgres pools: requests log in as the app role, cross-tenant
 * platform work (platformScope) as the platform role through its own pool, so no statement of a
 * request can become the platform role (ADR 0004). The pools pipeline (pg's `pipeline: true`):
 * `BEGIN; scope` is sent and not awaited, the work's first statement follows it on the same
 * connection, so a one-statement read waits once for both (ADR 0003 has the measurement). Pool
 * errors are logged, never thrown: a dropped connection must not crash the process.
 */
import pg from 'pg'
import type { Logger } from 'pino'
import { commonErrors } from '../errors.ts'
import { isConnectionError } from './connection-errors.ts'
import { pooledConnection } from './pooled-connection.ts'
import {
  countOverhead,
  newStatementRun,
  scopeStatement,
  type Database,
  type Scope,
  type TransactionOptions,
  type Tx,
} from './database.ts'

export interface PostgresOptions {
  /** The request role (lyceum_app): tenant and anonymous scopes. */
  url: string
  poolMax: number
  /** The platform role (lyceum_platform): platformScope only. */
  platformUrl: string
  platformPoolMax: number
  logger: Logger
  applicationName?: string
  /** Named server-side prepared statements for hot queries (off behind a transaction-pooling PgBouncer). */
  preparedStatements?: boolean
}

function createPool(url: string, max: number, applicationName: string, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: applicationName,
    // Bounds a statement that hangs on a dead connection; long reports get their own pool later.
    statement_timeout: 30_000,
    // Statements are written without waiting for the previous answer; the server still runs them
    // in order, one connection serves one transaction at a time (checkout), and nothing here
    // uses cursors or COPY (which pg refuses in this mode).
    pipeline: true,
  } as pg.PoolConfig)
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed'))
  // Once per physical connection: an error on a checked-out client must be observed, or it crashes the process.
  pool.on('connect', (client) =>
    client.on('error', (error) => logger.warn({ err: error }, 'database connection failed')),
  )
  return pool
}

async function checkout(pool: pg.Pool): Promise<pg.PoolClient> {
  try {
    return await pool.connect()
  } catch (error) {
    throw isConnectionError(error) ? commonErrors.databaseUnavailable(error) : error
  }
}

async function ping(pool: pg.Pool): Promise<void> {
  try {
    await pool.query('select 1')
  } catch (error) {
    throw isConnectionError(error) ? commonErrors.databaseUnavailable(error) : error
  }
}

/** The error a settled query failed with, or undefined when it succeeded. */
const failureOf = (query: Promise<unknown>): Promise<unknown> =>
  query.then(
    () => undefined,
    (error: unknown) => error ?? new Error('query failed'),
  )

/**
 * Runs work in one transaction on a checked-out pipelining client and releases the client
 * (discarding it when the connection broke). Exported for the ordering tests.
 */
export async function runTransaction<T>(
  client: pg.PoolClient,
  begin: string,
  work: (tx: Tx) => Promise<T>,
  options: TransactionOptions & { preparedStatements: boolean; logger: Logger },
): Promise<T> {
  const connection = pooledConnection(client, options.preparedStatements)
  const run = newStatementRun(options)
  // Not awaited: the first statement of the work is written right behind it. The server runs
  // them in order, so a data statement never runs before the scope is set; if the scope fails,
  // the transaction is aborted and refuses every statement until ROLLBACK (tested).
  const scopeFailure = failureOf(client.query(begin))
  let releaseLater = false
  let broken = false
  connection.start(run)
  try {
    const result = await work(connection.tx)
    // A work that sent no statement still learns that the scope failed.
    const failed = await scopeFailure
    if (failed) throw failed
    if (run.single && connection.commit) {
      await connection.commit
      countOverhead(run, false)
    } else if (options.readOnly) {
      // Nothing a read-only transaction did can be lost at COMMIT; the response need not wait,
      // the connection goes back only when COMMIT has answered.
      releaseLater = true
      client.query('COMMIT').then(
        () => client.release(),
        (error: unknown) => {
          options.logger.warn({ err: error }, 'COMMIT of a read-only transaction failed')
          client.release(true)
        },
      )
      countOverhead(run, false)
    } else {
      await client.query('COMMIT')
      countOverhead(run, true)
    }
    return result
  } catch (thrown) {
    // The scope's own failure explains the aborted-transaction errors of the statements behind it.
    const error = (await scopeFailure) ?? thrown
    broken = isConnectionError(error)
    if (!broken) {
      // A single statement's COMMIT is already on the wire (in an aborted transaction it rolls back).
      const end = connection.commit ?? client.query('ROLLBACK')
      const endFailure = await failureOf(end)
      // A failed ROLLBACK leaves the connection in doubt; a failed COMMIT has ended the
      // transaction either way, so only a lost connection is discarded then.
      if (endFailure && (end !== connection.commit || isConnectionError(endFailure))) broken = true
    }
    throw broken ? commonErrors.databaseUnavailable(error) : error
  } finally {
    connection.end()
    if (!releaseLater) client.release(broken)
  }
}

export function createPostgresDatabase(options: PostgresOptions): Database {
  const name = options.applicationName ?? 'lyceum-api'
  const requests = createPool(options.url, options.poolMax, name, options.logger)
  const platform = createPool(options.platformUrl, options.platformPoolMax, `${name}-platform`, options.logger)
  const preparedStatements = options.preparedStatements ?? true

  return {
    kind: 'postgres',
    async transaction<T>(scope: Scope, work: (tx: Tx) => Promise<T>, txOptions: TransactionOptions = {}) {
      const statement = scopeStatement(scope)
      const begin = `${txOptions.readOnly ? 'BEGIN READ ONLY' : 'BEGIN'}; ${statement}`
      const client = await checkout(scope.kind === 'platform' ? platform : requests)
      return runTransaction(client, begin, work, {
        ...txOptions,
        preparedStatements,
        logger: options.logger,
      })
    },
    async ping() {
      await Promise.all([ping(requests), ping(platform)])
    },
    poolStats: () => ({ total: requests.totalCount, idle: requests.idleCount, waiting: requests.waitingCount }),
    platformPoolStats: () => ({ total: platform.totalCount, idle: platform.idleCount, waiting: platform.waitingCount }),
    async close() {
      await Promise.all([requests.end(), platform.end()])
    },
  }
}
