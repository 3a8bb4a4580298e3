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
import { createDeliveriesService } from './deliveries.service.ts'
import { deliveryRoutes } from './deliveries.routes.ts'
import { runDelivery, type DeliveryDeps, type WebhookEgress } from './delivery.ts'
import { createEndpointsService } from './endpoints.service.ts'
import { endpointRoutes } from './endpoints.routes.ts'
import { subscribeFanOut } from './fan-out.ts'
import { DELIVER_QUEUE, type DeliverJob } from './messages.ts'
import { REPLAY_QUEUE, runReplayBatch, type ReplayJob } from './replay.ts'
import { definePurge } from './retention.ts'
import { WEBHOOK_SCHEMAS } from './webhooks.schemas.ts'

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
}

// A probe holds a half-open endpoint at most this long: the egress deadline (15 s) and some slack.
const PROBE_LEASE_MS = 30_000

export function createWebhooksModule(deps: WebhooksDeps) {
  const settings = deps.config.webhooks
  const kek = parseKeyEncryptionKey(deps.config.signingKeys.keyEncryptionKey)
  const logger = deps.logger.child({ module: 'webhooks' })
  const delivery: DeliveryDeps = {
    database: deps.database,
    jobs: deps.jobs,
    egress: deps.egress,
    kek,
    timing: { scale: settings.retryScale },
    breaker: {
      threshold: settings.breakerThreshold,
      cooldownMs: settings.breakerCooldownSeconds * 1000,
      probeLeaseMs: PROBE_LEASE_MS,
    },
    logger,
  }
  deps.jobs.define<DeliverJob>({
    name: DELIVER_QUEUE,
    handler: async (job) => void (await runDelivery(delivery, job)),
    // The handler settles HTTP failures itself (the schedule); these retries are for its own
    // database work failing, and a retried job whose token moved on does nothing.
    retryLimit: 5,
    retryDelaySeconds: 5,
    retryDelayMaxSeconds: 300,
    expireInSeconds: 120,
    pollingIntervalSeconds: settings.retryScale < 1 ? 0.5 : 2,
    localConcurrency: settings.deliveryWorkers,
    groupConcurrency: settings.endpointConcurrency,
  })
  deps.jobs.define<ReplayJob>({
    name: REPLAY_QUEUE,
    handler: (job) => runReplayBatch(deps, job),
    retryLimit: 5,
    retryDelaySeconds: 10,
    retryDelayMaxSeconds: 300,
    expireInSeconds: 300,
  })
  definePurge(deps.jobs, { database: deps.database, logger, retentionDays: settings.retentionDays })
  subscribeFanOut(deps.events, deps.catalogue, deps.jobs)
  const endpoints = endpointRoutes(
    createEndpointsService({ catalogue: deps.catalogue, egress: deps.egress, jobs: deps.jobs, kek }),
  )
  const deliveries = deliveryRoutes(createDeliveriesService({ catalogue: deps.catalogue, jobs: deps.jobs }))
  return {
    routes: async function webhooksModuleRoutes(app: App) {
      for (const schema of WEBHOOK_SCHEMAS) app.addSchema(schema)
      await endpoints(app)
      await deliveries(app)
    },
  }
}

export type WebhooksModule = ReturnType<typeof createWebhooksModule>
