/**
 * The webhook delivery's Prometheus metrics, on the app's registry. Labels are bounded sets (what
 * happened, the answer's class): never a tenant, endpoint or URL, which would grow without end and
 * tell one tenant's traffic to whoever reads the metrics.
 */
import { Counter, Histogram, type Registry } from 'prom-client'

// The egress client's reasons for no answer (platform/net/egress-errors.ts); anything else is `error`.
const NO_ANSWER = new Set([
  'scheme',
  'url',
  'address',
  'dns',
  'timeout',
  'connect',
  'tls',
  'reset',
  'protocol',
  'aborted',
  'network',
])

export function createWebhookMetrics(registry: Registry) {
  return {
    attempts: new Counter({
      name: 'lyceum_webhook_attempts_total',
      help: 'Webhook delivery attempts, by what the delivery became (succeeded, retrying, dead) and the result (http_2xx..http_5xx, or timeout, dns, address, connection, ... when there was no answer)',
      labelNames: ['outcome', 'result'] as const,
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'lyceum_webhook_attempt_duration_seconds',
      help: 'Duration of webhook delivery attempts (the HTTP request, up to the 15 s deadline), by result',
      labelNames: ['result'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers: [registry],
    }),
    deferrals: new Counter({
      name: 'lyceum_webhook_deferrals_total',
      help: "Delivery jobs put off without an attempt because the endpoint's circuit breaker held them back",
      registers: [registry],
    }),
    deliveriesEnded: new Counter({
      name: 'lyceum_webhook_deliveries_ended_total',
      help: 'Deliveries that ended, by status and reason (succeeded: delivered; dead: schedule, gone, breaker, job_failed)',
      labelNames: ['status', 'reason'] as const,
      registers: [registry],
    }),
  }
}

export type WebhookMetrics = ReturnType<typeof createWebhookMetrics>

/** The result label of an attempt: the status class, or the egress client's reason for no answer. */
export function attemptResult(status: number | undefined, reason: string | undefined): string {
  if (status === undefined) return reason !== undefined && NO_ANSWER.has(reason) ? reason : 'error'
  if (status >= 200 && status < 600) return `http_${Math.floor(status / 100)}xx`
  return 'http_other'
}
