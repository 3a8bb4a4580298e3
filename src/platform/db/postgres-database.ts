/**
 * PostgreSQL server via two node-postgres pools: requests log in as the app role, cross-tenant
 * platform work (platformScope) as the platform role through its own pool, so no statement of a
 * request can become the platform role (ADR 0004). BEGIN and the scope statement travel in one
 * round trip (see ADR 0003 for the measurement behind this choice). Pool errors are logged,
 * never thrown: a dropped connection must not crash the process.
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
  /** The request role (lyceum_app): tenant and anonymous scopes. */
  url: string
  poolMax: number
  /** The platform role (lyceum_platform): platformScope only. */
  platformUrl: string
  platformPoolMax: number
  logger: Logger
  applicationName?: string
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
  })
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

export function createPostgresDatabase(options: PostgresOptions): Database {
  const name = options.applicationName ?? 'lyceum-api'
  const requests = createPool(options.url, options.poolMax, name, options.logger)
  const platform = createPool(options.platformUrl, options.platformPoolMax, `${name}-platform`, options.logger)

  return {
    kind: 'postgres',
    async transaction<T>(scope: Scope, work: (tx: Tx) => Promise<T>, txOptions: TransactionOptions = {}) {
      const statement = scopeStatement(scope)
      const client = await checkout(scope.kind === 'platform' ? platform : requests)
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
      await Promise.all([ping(requests), ping(platform)])
    },
    poolStats: () => ({ total: requests.totalCount, idle: requests.idleCount, waiting: requests.waitingCount }),
    platformPoolStats: () => ({ total: platform.totalCount, idle: platform.idleCount, waiting: platform.waitingCount }),
    async close() {
      await Promise.all([requests.end(), platform.end()])
    },
  }
}
