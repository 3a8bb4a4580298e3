/**
 * Composition root: platform capabilities first, then modules in dependency order
 * (app-modules.ts). The whole dependency graph of the program is visible in these two files and
 * nowhere else; app-http.ts registers the request hooks and routes of what this builds, in their order.
 */
import type { PGlite } from '@electric-sql/pglite'
import type { Logger } from 'pino'
import type { Config } from './config.ts'
import type { Database } from './platform/db/database.ts'
import { journalLength, migrateToHead } from './platform/db/migrate.ts'
import { checkRequestRole } from './platform/db/request-role-check.ts'
import { pgliteOwner, postgresOwner, type OwnerConnection } from './platform/db/owner-connection.ts'
import { createPostgresDatabase } from './platform/db/postgres-database.ts'
import { createPrincipalTokens, type PrincipalTokens } from './platform/http/principal.ts'
import { createHttpServer, type App } from './platform/http/server.ts'
import { createLogger } from './platform/observability/logger.ts'
import { createMetrics, type Metrics } from './platform/observability/metrics.ts'
import { createHealthRegistry, type HealthRegistry } from './platform/observability/health.ts'
import { registerCoreChecks } from './platform/observability/health-checks.ts'
import { scannerFromConfig, type Scanner } from './platform/scan/index.ts'
import { observeDatabasePool } from './platform/observability/http-instrumentation.ts'
import { createRedis } from './platform/cache/redis.ts'
import { createResponseCache, type ResponseCache } from './platform/cache/response-cache.ts'
import { databaseFeed } from './platform/cache/invalidation-feed.ts'
import { INVALIDATION_CHANNEL } from './platform/cache/cache-generations.ts'
import { PRINCIPAL_CHANNEL } from './platform/cache/principal-changes.ts'
import { createSessionCache, type SessionCache } from './platform/cache/session-cache.ts'
import type { Redis } from 'ioredis'
import { identityPublicEvents, type CheckedSession, registerIdentitySealedColumns } from './modules/identity/index.ts'
import { cataloguePublicEvents } from './modules/catalogue/index.ts'
import { enrolmentPublicEvents } from './modules/enrolment/index.ts'
import { progressPublicEvents } from './modules/progress/index.ts'
import { assessmentPublicEvents } from './modules/assessment/index.ts'
import { credentialsPublicEvents, registerCredentialsSealedColumns } from './modules/credentials/index.ts'
import { commercePublicEvents, type PaymentEventRetryPolicy } from './modules/commerce/index.ts'
import { communityPublicEvents } from './modules/community/index.ts'
import { assetsPublicEvents, type ScanRetryPolicy } from './modules/assets/index.ts'
import { registerWebhooksSealedColumns } from './modules/webhooks/index.ts'
import { registerNotificationsSealedColumns } from './modules/notifications/index.ts'
import { configureIpHashing } from './platform/audit/audit.ts'
import { createJobs, defineMaintenanceJobs, type JobRuntime, type QueueDefinition } from './platform/jobs/index.ts'
import { createEvents, type Events } from './platform/events/events.ts'
import { createPublicEventCatalogue, type PublicEventCatalogue } from './platform/events/public-events.ts'
import { createMail, registerMailSealedColumns, type Mailer, type MailRetryPolicy } from './platform/mail/index.ts'
import { createEgress, egressPolicyFor, type Egress, type EgressPolicy } from './platform/net/index.ts'
import { registerRequestHooks, registerRoutes } from './app-http.ts'
import { createModules, type Modules } from './app-modules.ts'
import { createSealedColumnRegistry, type SealedColumnRegistry } from './platform/crypto/sealed-columns.ts'
import { attachRealtime, buildRealtime, type RealtimeBuildOptions } from './app-realtime.ts'
import type { RealtimeGateway } from './platform/realtime/realtime.types.ts'
import type { Realtime } from './platform/realtime/gateway.ts'
import { createFileTokens, createObjectStore, type FileTokens, type ObjectStore } from './platform/storage/index.ts'

export type { Modules } from './app-modules.ts'

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
  /** Cached public, caller-independent reads; modules invalidate with invalidatePublicCache (ADR 0017). */
  publicCache: ResponseCache
  /** Checked sessions between checks; database triggers invalidate them on every node (ADR 0018). */
  sessionCache: SessionCache<CheckedSession>
  /** Readiness probes; each capability registers its own. */
  health: HealthRegistry
  /** Job queues (pg-boss): declare with jobs.define, enqueue with jobs.send(tx, ...). */
  jobs: JobRuntime
  /** Domain events: publish(tx, ctx, ...) in the business transaction; subscribe in code. */
  events: Events
  /** The public event types, their payload schemas and projections (docs/events.md): what webhooks deliver. */
  publicEvents: PublicEventCatalogue
  /** Platform mail: send(tx, ...) records and enqueues in the business transaction. */
  mail: Mailer
  /** Outbound HTTP to tenant-supplied URLs (webhook endpoints), guarded against SSRF (platform/net, ADR 0033). */
  egress: Egress
  /** Every column sealed under KEY_ENCRYPTION_KEY, as its owner registered it (what `lyceum keys reencrypt` walks). */
  sealedColumns: SealedColumnRegistry
  /**
   * The malware scanner (clamd, CLAMD_URL; platform/scan, ADR 0036). Unset only outside
   * production: uploads are then marked unscanned, never treated as clean.
   */
  scanner: Scanner | undefined
  /** Object storage of the configured driver (platform/storage, ADR 0037): certificate PDFs, later media. */
  storage: ObjectStore
  /** Signs and checks the tokens of signed download URLs (GET /v1/files/{token}). */
  fileTokens: FileTokens
  /** Socket.IO gateway: modules register room kinds and events, publish and evict (docs/realtime.md). */
  realtime: RealtimeGateway
}

export interface BuildOptions {
  logger?: Logger
  /** An already opened PGlite (tests load a migrated snapshot). */
  pglite?: PGlite
  /** Apply migrations before serving (serve does; api/worker expect `lyceum migrate` to have run). */
  migrate?: boolean
  /** Test instrumentation on the bare HTTP server, before any route registers (route table, response checks). */
  instrument?: (app: App) => void
  /** Work jobs in this process (serve when JOBS_ENABLED, worker); otherwise it only enqueues. */
  worker?: boolean
  /** Extra queues declared before the job platform starts (tests declare their own). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- handlers of any payload type
  queues?: QueueDefinition<any>[]
  /** Retry policy of mail delivery (tests shorten it; default DEFAULT_MAIL_RETRY). */
  mailRetry?: MailRetryPolicy
  /** Retry policy of payment-event processing (tests shorten it; default commerce's). */
  paymentEventRetry?: PaymentEventRetryPolicy
  /** Retry policy of malware scans while the scanner is unavailable (tests shorten it; default the module's). */
  assetScanRetry?: ScanRetryPolicy
  /** The clock the notification center judges quiet hours by (tests). */
  notificationsClock?: () => Date
  /** Realtime limits and test registrations (app-realtime.ts). */
  realtime?: RealtimeBuildOptions
  /** Changes to the outbound-request policy from config (tests shorten the deadline or inject a resolver). */
  egress?: Partial<EgressPolicy>
  /** The public event catalogue instead of the modules' (tests declare their own types). */
  publicEvents?: PublicEventCatalogue
}

export interface Lyceum {
  app: App
  platform: Platform
  modules: Pick<
    Modules,
    'tenancy' | 'flags' | 'identity' | 'assessment' | 'commerce' | 'community' | 'notifications' | 'webhooks' | 'assets'
  >
  /** The realtime gateway's server side (tests reach its Socket.IO server and limits). */
  realtime: Realtime
  close(): Promise<void>
}

/**
 * Every column sealed under KEY_ENCRYPTION_KEY, each registered by its owner. Built without the
 * app, because `lyceum keys reencrypt` runs while the app could not start (its keys are still
 * under the previous key-encryption key).
 */
export function sealedColumnRegistry(): SealedColumnRegistry {
  const registry = createSealedColumnRegistry()
  registerIdentitySealedColumns(registry)
  registerMailSealedColumns(registry)
  registerCredentialsSealedColumns(registry)
  registerWebhooksSealedColumns(registry)
  registerNotificationsSealedColumns(registry)
  return registry
}

/**
 * The public event catalogue: every module's public event definitions, gathered once. Built from
 * static declarations, so it needs no app (tests and docs checks build it alone); construction
 * refuses a type declared twice or an example that does not satisfy its schema.
 */
export function publicEventCatalogue(): PublicEventCatalogue {
  return createPublicEventCatalogue([
    ...identityPublicEvents,
    ...cataloguePublicEvents,
    ...enrolmentPublicEvents,
    ...progressPublicEvents,
    ...assessmentPublicEvents,
    ...credentialsPublicEvents,
    ...commercePublicEvents,
    ...communityPublicEvents,
    ...assetsPublicEvents,
  ])
}

/** Opens the owner connection for the configured database (migrations, queue schema, checks). */
export async function openOwner(config: Config, pglite: PGlite | undefined): Promise<OwnerConnection> {
  if (config.database.kind === 'postgres') return postgresOwner(config.database.ownerUrl)
  if (!pglite) throw new Error('embedded mode needs an open PGlite')
  return pgliteOwner(pglite)
}

async function openDatabase(
  config: Config,
  logger: Logger,
  options: BuildOptions,
): Promise<{ database: Database; pglite: PGlite | undefined }> {
  if (config.database.kind === 'postgres') {
    const { appUrl, poolMax, platformUrl, platformPoolMax, preparedStatements } = config.database
    const database = createPostgresDatabase({
      url: appUrl,
      poolMax,
      platformUrl,
      platformPoolMax,
      preparedStatements,
      logger,
    })
    return { database, pglite: undefined }
  }
  // PGlite (its WASM and Drizzle driver) loads only in embedded mode; a PostgreSQL process never holds it.
  const { createPgliteDatabase, openPglite } = await import('./platform/db/pglite-database.ts')
  const pglite = options.pglite ?? (await openPglite(config.database.dataDir))
  return { database: createPgliteDatabase(pglite), pglite }
}

/** Platform capabilities, in dependency order; no module is involved yet. */
async function createPlatform(config: Config, options: BuildOptions) {
  const logger = options.logger ?? createLogger(config.logLevel)
  // Process-wide key of hashIp, set before anything can hash an IP (see audit.ts for why a setter).
  configureIpHashing(config.audit.ipHashSecret)
  const { database, pglite } = await openDatabase(config, logger, options)
  if (options.migrate) {
    const owner = await openOwner(config, pglite)
    try {
      await migrateToHead(owner)
    } finally {
      await owner.close()
    }
  }
  await checkRequestRole(database, { refuse: config.profile === 'production', logger }).catch(
    async (error: unknown) => {
      await database.close()
      throw error
    },
  )
  const metrics = createMetrics()
  const redis = config.redisUrl ? createRedis(config.redisUrl, logger, config.redisKeyPrefix) : undefined
  const health = createHealthRegistry()
  // One LISTEN session for both caches, each on its own channel.
  const feed = databaseFeed(config.database, pglite, logger, [INVALIDATION_CHANNEL, PRINCIPAL_CHANNEL])
  const publicCache = createResponseCache({
    database,
    logger,
    redis,
    feed: feed.channel(INVALIDATION_CHANNEL),
    ...config.publicCache,
  })
  const sessionCache = createSessionCache<CheckedSession>({
    feed: feed.channel(PRINCIPAL_CHANNEL),
    logger,
    ttlSeconds: config.authCache.sessionSeconds,
    maxEntries: config.authCache.maxEntries,
  })
  const jobs = createJobs({ config, logger, metrics, database, health, pglite, worker: options.worker ?? false })
  const events = createEvents({ database, jobs, logger, catchUpDays: config.events.catchUpDays })
  defineMaintenanceJobs(jobs, { database, logger })
  for (const queue of options.queues ?? []) jobs.define(queue)
  const mail = createMail({
    config,
    logger,
    database,
    jobs,
    health,
    ...(options.mailRetry ? { retry: options.mailRetry } : {}),
  })
  const egress = createEgress({ ...egressPolicyFor(config), ...options.egress })
  const scanner = scannerFromConfig(config.scan, logger, health)
  const storage = createObjectStore(config.storage, health)
  const fileTokens = createFileTokens(config.storage.fileUrlSecret)
  registerCoreChecks(health, { database, redis, storageDir: config.storageDir, expectedMigrations: journalLength() })
  observeDatabasePool(metrics, database)
  // The OpenTelemetry SDK and exporter load only when traces are exported (OTEL_EXPORTER_OTLP_ENDPOINT).
  const tracing = config.otel.endpoint
    ? (await import('./platform/observability/tracing.ts')).createTracing(
        { endpoint: config.otel.endpoint, serviceName: config.otel.serviceName },
        logger,
      )
    : undefined
  const realtime = buildRealtime(config, { logger, database, metrics, redis }, options.realtime)
  // Principal tokens join in buildApp: they verify the identity module's access tokens.
  const platform: Omit<Platform, 'tokens'> = {
    config,
    logger,
    database,
    pglite,
    metrics,
    redis,
    publicCache,
    sessionCache,
    health,
    jobs,
    events,
    publicEvents: options.publicEvents ?? publicEventCatalogue(),
    mail: mail.mailer,
    egress,
    scanner,
    sealedColumns: sealedColumnRegistry(),
    realtime: realtime.gateway,
    storage,
    fileTokens,
  }
  const principalFeed = feed.channel(PRINCIPAL_CHANNEL)
  return { platform, tracing, mailRoutes: mail.routes, realtime, principalFeed }
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<Lyceum> {
  const { platform: base, tracing, mailRoutes, realtime, principalFeed } = await createPlatform(config, options)
  const modules = createModules(config, base, options)
  const { identity, tenancy, flags, assessment, commerce } = modules
  const tokens = createPrincipalTokens({ accessTokens: identity.principalVerifier, apiKeys: identity.apiKeyVerifier })
  const platform: Platform = { ...base, tokens }

  const app = await createHttpServer({
    config,
    logger: platform.logger,
    database: platform.database,
    tokens,
    tenants: tenancy.directory,
    browserSessions: identity.browserSessionVerifier,
    ...(options.instrument ? { instrument: options.instrument } : {}),
  })
  registerRequestHooks(app, platform, modules, tracing)
  await registerRoutes(app, platform, modules, mailRoutes)
  const realtimeDeps = { tokens, tenants: tenancy.directory, browserSessions: identity.browserSessionVerifier }
  await attachRealtime(realtime, app, config, { ...realtimeDeps, principalFeed }, options.realtime)
  await app.ready()
  const close = async () => {
    // Realtime first: its transports close (clients reconnect elsewhere) and its handlers finish.
    await realtime.close()
    await app.close()
    await platform.publicCache.close()
    await platform.sessionCache.close()
    // Requests are drained: no thread is left behind.
    await assessment.close()
    await commerce.close()
    // Drains running jobs before the database they write to goes away.
    await platform.jobs.stop()
    platform.mail.close()
    await tracing?.shutdown()
    await platform.database.close()
    platform.redis?.disconnect()
  }
  // Signing keys before anything signs (a wrong KEY_ENCRYPTION_KEY stops the start here); jobs
  // after every module declared its queues and subscribers.
  await identity
    .start()
    .then(() => platform.publicCache.start())
    .then(() => platform.sessionCache.start())
    .then(() => realtime.start())
    .then(() => platform.jobs.start())
    // A worker of a new release delivers what older workers dispatched without its new subscribers.
    .then(() => (platform.jobs.worker ? platform.events.requestCatchUp() : undefined))
    .catch(async (error: unknown) => {
      await close().catch(() => {})
      throw error
    })
  return {
    app,
    platform,
    modules: {
      tenancy,
      flags,
      identity,
      assessment,
      commerce,
      community: modules.community,
      notifications: modules.notifications,
      webhooks: modules.webhooks,
      assets: modules.assets,
    },
    realtime,
    close,
  }
}
