/**
 * Composition root: platform capabilities first, then modules in dependency order. The whole
 * dependency graph of the program is visible here and nowhere else.
 */
import type { PGlite } from '@electric-sql/pglite'
import type { Logger } from 'pino'
import type { Config } from './config.ts'
import type { Database } from './platform/db/database.ts'
import { migrateToHead } from './platform/db/migrate.ts'
import { pgliteOwner, postgresOwner, type OwnerConnection } from './platform/db/owner-connection.ts'
import { createPgliteDatabase, openPglite } from './platform/db/pglite-database.ts'
import { createPostgresDatabase } from './platform/db/postgres-database.ts'
import { createPrincipalTokens, type PrincipalTokens } from './platform/http/principal.ts'
import { createHttpServer, type App } from './platform/http/server.ts'
import { createLogger } from './platform/observability/logger.ts'
import { createMetrics, type Metrics } from './platform/observability/metrics.ts'
import { createHealthRegistry, type HealthRegistry } from './platform/observability/health.ts'
import { createRedis } from './platform/cache/redis.ts'
import type { Redis } from 'ioredis'
import { createTenancyModule } from './modules/tenancy/index.ts'

export interface Platform {
  config: Config
  logger: Logger
  database: Database
  tokens: PrincipalTokens
  /** Set in embedded mode: the single PGlite session shared by requests and the job queue. */
  pglite: PGlite | undefined
  metrics: Metrics
  /** Set when REDIS_URL is configured; otherwise capabilities use in-process stores. */
  redis: Redis | undefined
  /** Readiness probes; each capability registers its own. */
  health: HealthRegistry
}

export interface BuildOptions {
  logger?: Logger
  /** An already opened PGlite (tests load a migrated snapshot). */
  pglite?: PGlite
  /** Apply migrations before serving (serve does; api/worker expect `lyceum migrate` to have run). */
  migrate?: boolean
}

export interface Lyceum {
  app: App
  platform: Platform
  modules: { tenancy: ReturnType<typeof createTenancyModule> }
  close(): Promise<void>
}

/** Opens the owner connection for the configured database (migrations, queue schema, checks). */
export async function openOwner(config: Config, pglite: PGlite | undefined): Promise<OwnerConnection> {
  if (config.database.kind === 'postgres') return postgresOwner(config.database.ownerUrl)
  if (!pglite) throw new Error('embedded mode needs an open PGlite')
  return pgliteOwner(pglite)
}

async function openDatabase(config: Config, logger: Logger, options: BuildOptions): Promise<{ database: Database; pglite: PGlite | undefined }> {
  if (config.database.kind === 'postgres') {
    const database = createPostgresDatabase({ url: config.database.appUrl, poolMax: config.database.poolMax, logger })
    return { database, pglite: undefined }
  }
  const pglite = options.pglite ?? (await openPglite(config.database.dataDir))
  return { database: createPgliteDatabase(pglite), pglite }
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<Lyceum> {
  const logger = options.logger ?? createLogger(config.logLevel)
  const { database, pglite } = await openDatabase(config, logger, options)
  if (options.migrate) {
    const owner = await openOwner(config, pglite)
    try {
      await migrateToHead(owner)
    } finally {
      await owner.close()
    }
  }
  const tokens = createPrincipalTokens(config.auth.principalSecret, config.auth.operatorToken)
  const metrics = createMetrics()
  const redis = config.redisUrl ? createRedis(config.redisUrl, logger) : undefined
  const platform: Platform = { config, logger, database, tokens, pglite, metrics, redis, health: createHealthRegistry() }

  const tenancy = createTenancyModule({ database, baseDomain: config.http.baseDomain })

  const app = await createHttpServer({ config, logger, database, tokens, tenants: tenancy.directory })
  await app.register(tenancy.routes)
  await app.ready()

  return {
    app,
    platform,
    modules: { tenancy },
    async close() {
      await app.close()
      await database.close()
      redis?.disconnect()
    },
  }
}
