/**
 * The environment variables of outgoing webhooks (docs/webhooks.md, ADR 0034), spread into
 * EnvSchema (config-env.ts) so they stay one schema and one generated table.
 */
import { Type } from 'typebox'

export const webhooksEnv = {
  WEBHOOK_RETENTION_DAYS: Type.Integer({
    minimum: 90,
    maximum: 3650,
    default: 90,
    description:
      'Days outgoing webhook messages (and their deliveries and attempts) are kept for replay before the daily webhooks.purge_messages job deletes them; never below 90',
  }),
  WEBHOOK_RETRY_SCALE: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1,
    default: 1,
    description:
      'Time-compression factor of the webhook retry schedule and of Retry-After waits (tests compress three days into seconds); 1 in production',
  }),
  WEBHOOK_DELIVERY_WORKERS: Type.Integer({
    minimum: 2,
    maximum: 64,
    default: 8,
    description: 'Webhook delivery attempts one worker process makes at once (across all endpoints)',
  }),
  WEBHOOK_ENDPOINT_CONCURRENCY: Type.Integer({
    minimum: 1,
    maximum: 16,
    default: 2,
    description:
      "Attempts in flight to one endpoint across all workers; an endpoint's further deliveries wait while other endpoints' go ahead",
  }),
  WEBHOOK_BREAKER_THRESHOLD: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 5,
    description: "Consecutive failed attempts that open an endpoint's circuit breaker",
  }),
  WEBHOOK_BREAKER_COOLDOWN_SECONDS: Type.Integer({
    minimum: 1,
    maximum: 86400,
    default: 60,
    description: 'Seconds an open endpoint breaker holds deliveries back before one probe attempt may close it',
  }),
}
