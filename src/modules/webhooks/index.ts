/**
 * Outgoing webhooks (docs/webhooks.md, ADR 0034): per-tenant endpoints with event-type filters and
 * sealed signing secrets (rotation with overlap), every public event of the catalogue kept as a
 * message with a per-resource sequence number, Standard Webhooks signatures, one attempt per job on
 * the documented schedule with jitter, a per-endpoint concurrency cap and circuit breaker, the
 * delivery log, redelivery, replays, the test button and endpoint health. Owns the `webhooks`
 * schema; reaches the network only through the egress client app.ts hands it.
 */
import type { Logger } from 'pino'
import type { Config } from '../../config.ts'
import { parseKeyEncryptionKey } from '../../platform/crypto/sealed-secrets.ts'
import type { Database } from '../../platform/db/database.ts'
import type { Events } from '../../platform/events/events.ts'
import type { PublicEventCatalogue } from '../../platform/events/public-events.ts'
import type { App } from '../../platform/http/server.ts'
import type { Jobs } from '../../platform/jobs/index.ts'
import type { Metrics } from '../../platform/observability/metrics.ts'
import { createDeliveriesService } from './deliveries.service.ts'
import { deliveryRoutes } from './deliveries.routes.ts'
import { giveUp, runDelivery, type DeliveryDeps, type WebhookEgress } from './delivery.ts'
import { createEndpointsService } from './endpoints.service.ts'
import { endpointRoutes } from './endpoints.routes.ts'
import { subscribeFanOut } from './fan-out.ts'
import { DELIVER_QUEUE, type DeliverJob } from './messages.ts'
import { REPLAY_QUEUE, runReplayBatch, type ReplayJob } from './replay.ts'
import { definePurge } from './retention.ts'
import { defineSweep, sweepWindows } from './sweep.ts'
import { createWebhookMetrics } from './webhooks.metrics.ts'
import { WEBHOOK_SCHEMAS } from './webhooks.schemas.ts'
import { windowOf, type DeliveryQueue } from './window.ts'

export type { WebhookEgress } from './delivery.ts'
export { registerWebhooksSealedColumns } from './secrets.ts'
export { TEST_EVENT_TYPE, RETRY_SCHEDULE_SECONDS, MAX_ATTEMPTS } from './webhooks.vocabulary.ts'

export interface WebhooksDeps {
  config: Pick<Config, 'webhooks' | 'signingKeys'>
  database: Database
  jobs: Jobs
  events: Events
  logger: Logger
  /** The public event types that become messages (app.ts gathers the modules' definitions). */
  catalogue: PublicEventCatalogue
  /** Outbound HTTP with the SSRF guard (platform/net/egress.ts). */
  egress: WebhookEgress
  /** The app's metrics registry: delivery attempts, durations and outcomes (webhooks.metrics.ts). */
  metrics: Pick<Metrics, 'registry'>
}

// A probe holds a half-open endpoint at most this long: the egress deadline (15 s) and some slack.
const PROBE_LEASE_MS = 30_000
// A delivery job's own retries (its database work failing), after which the delivery ends dead.
const DELIVER_RETRY_LIMIT = 5

export function createWebhooksModule(deps: WebhooksDeps) {
  const settings = deps.config.webhooks
  const kek = parseKeyEncryptionKey(deps.config.signingKeys.keyEncryptionKey)
  const logger = deps.logger.child({ module: 'webhooks' })
  const metrics = createWebhookMetrics(deps.metrics.registry)
  const timing = { scale: settings.retryScale }
  const queue: DeliveryQueue = { jobs: deps.jobs, window: windowOf(settings.endpointConcurrency), timing, metrics }
  const delivery: DeliveryDeps = {
    database: deps.database,
    queue,
    egress: deps.egress,
    kek,
    timing,
    breaker: {
      threshold: settings.breakerThreshold,
      cooldownMs: settings.breakerCooldownSeconds * 1000,
      probeLeaseMs: PROBE_LEASE_MS,
    },
    endpointConcurrency: settings.endpointConcurrency,
    logger,
    metrics,
  }
  deps.jobs.define<DeliverJob>({
    name: DELIVER_QUEUE,
    handler: async (job, info) => {
      try {
        await runDelivery(delivery, job)
      } catch (error) {
        // The last of the job's own retries: the delivery ends dead with the reason instead of
        // staying live without a job; the job still goes to the dead-letter queue for operators.
        if (info.retryCount >= DELIVER_RETRY_LIMIT) await giveUp(delivery, job, error, DELIVER_RETRY_LIMIT + 1)
        throw error
      }
    },
    // The handler settles HTTP failures itself (the schedule); these retries are for its own
    // database work failing, and a retried job whose token moved on does nothing. Their delays
    // are compressed with the schedule (tests).
    retryLimit: DELIVER_RETRY_LIMIT,
    retryDelaySeconds: 5 * settings.retryScale,
    retryDelayMaxSeconds: 300 * settings.retryScale,
    expireInSeconds: 120,
    pollingIntervalSeconds: settings.retryScale < 1 ? 0.5 : 2,
    localConcurrency: settings.deliveryWorkers,
    groupConcurrency: settings.endpointConcurrency,
  })
  deps.jobs.define<ReplayJob>({
    name: REPLAY_QUEUE,
    handler: (job) => runReplayBatch({ ...deps, queue }, job),
    retryLimit: 5,
    retryDelaySeconds: 10,
    retryDelayMaxSeconds: 300,
    expireInSeconds: 300,
  })
  definePurge(deps.jobs, { database: deps.database, logger, retentionDays: settings.retentionDays })
  defineSweep({ database: deps.database, jobs: deps.jobs, queue, logger })
  subscribeFanOut(deps.events, deps.catalogue, queue)
  const endpoints = endpointRoutes(
    createEndpointsService({ catalogue: deps.catalogue, egress: deps.egress, jobs: deps.jobs, queue, kek }),
  )
  const deliveries = deliveryRoutes(createDeliveriesService({ catalogue: deps.catalogue, jobs: deps.jobs, queue }))
  return {
    /** One run of the `webhooks.sweep_windows` job (sweep.ts), for tests and operators' scripts. */
    sweepWindows: () => sweepWindows(deps.database, queue),
    routes: async function webhooksModuleRoutes(app: App) {
      for (const schema of WEBHOOK_SCHEMAS) app.addSchema(schema)
      await endpoints(app)
      await deliveries(app)
    },
  }
}

export type WebhooksModule = ReturnType<typeof createWebhooksModule>
