/**
 * PostgreSQL server via a node-postgres pool that logs in as the app role. BEGIN and the scope
 * statement travel in one round trip (see ADR 0003 for the measurement behind this choice).
 * Pool errors are logged, never thrown: a dropped connection must not crash the process.
 */
import pg from 'pg'
import { drizzle } from 'drizzle-orm/node-postgres'
import type { Logger } from 'pino'
import { commonErrors } from '../errors.ts'
import { isConnectionError } from './connection-errors.ts'
import {
  countingLogger,
  scopeStatement,
  type Database,
  type Scope,
  type TransactionOptions,
  type Tx,
} from './database.ts'

export interface PostgresOptions {
  url: string
  poolMax: number
  logger: Logger
  applicationName?: string
}

export function createPostgresDatabase(options: PostgresOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'lyceum-api',
    // Bounds a statement that hangs on a dead connection; long reports get their own pool later.
    statement_timeout: 30_000,
  })
  pool.on('error', (error) => options.logger.warn({ err: error }, 'idle database connection failed'))
  // Once per physical connection: an error on a checked-out client must be observed, or it crashes the process.
  pool.on('connect', (client) =>
    client.on('error', (error) => options.logger.warn({ err: error }, 'database connection failed')),
  )

  async function checkout(): Promise<pg.PoolClient> {
    try {
      return await pool.connect()
    } catch (error) {
      throw isConnectionError(error) ? commonErrors.databaseUnavailable(error) : error
    }
  }

  return {
    kind: 'postgres',
    async transaction<T>(scope: Scope, work: (tx: Tx) => Promise<T>, txOptions: TransactionOptions = {}) {
      const statement = scopeStatement(scope)
      const client = await checkout()
      let broken = false
      try {
        await client.query(`BEGIN; ${statement}`)
        const logger = countingLogger(txOptions.counter)
        const tx = drizzle({ client, ...(logger ? { logger } : {}) }) as unknown as Tx
        const result = await work(tx)
        await client.query('COMMIT')
        if (txOptions.counter) txOptions.counter.overhead += 2
        return result
      } catch (error) {
        broken = isConnectionError(error)
        if (!broken) await client.query('ROLLBACK').catch(() => (broken = true))
        throw broken ? commonErrors.databaseUnavailable(error) : error
      } finally {
        client.release(broken)
      }
    },
    async ping() {
      try {
        await pool.query('select 1')
      } catch (error) {
        throw isConnectionError(error) ? commonErrors.databaseUnavailable(error) : error
      }
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      await pool.end()
    },
  }
}
