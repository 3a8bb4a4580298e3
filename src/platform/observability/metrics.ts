/**
 * Prometheus metrics. One registry per app instance (tests build several apps in a process);
 * platform capabilities record into the metrics defined here.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import { RequestHistogram } from './request-histogram.ts'

export type ScrapeHook = () => Promise<void> | void

export function createMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const scrapeHooks: ScrapeHook[] = []
  return {
    registry,
    /** Gauges that are cheap to read on demand (pool, queue depth) refresh through these before each scrape. */
    onScrape(hook: ScrapeHook) {
      scrapeHooks.push(hook)
    },
    async collect(): Promise<string> {
      await Promise.all(scrapeHooks.map((hook) => hook()))
      return registry.metrics()
    },
    httpDuration: new RequestHistogram({
      name: 'lyceum_http_request_duration_seconds',
      help: 'HTTP request latency by route template, method and status code',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    rateLimitRejections: new Counter({
      name: 'lyceum_rate_limit_rejections_total',
      help: 'Requests refused with 429, by route class',
      labelNames: ['class'] as const,
      registers: [registry],
    }),
    workerTasks: new Counter({
      name: 'lyceum_worker_tasks_total',
      help: 'Tasks of the worker-thread pools, by pool and outcome (completed, failed, deadline_exceeded, refused)',
      labelNames: ['pool', 'outcome'] as const,
      registers: [registry],
    }),
    jobFailures: new Counter({
      name: 'lyceum_job_failures_total',
      help: 'Job attempts that threw, by queue',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    dbPool: new Gauge({
      name: 'lyceum_db_pool_connections',
      help: 'Request pool connections by state (total, idle, waiting)',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    dbPlatformPool: new Gauge({
      name: 'lyceum_db_platform_pool_connections',
      help: 'Platform pool connections (cross-tenant work as lyceum_platform; PostgreSQL only) by state (total, idle, waiting)',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'lyceum_queue_depth',
      help: 'Jobs waiting per queue',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    realtimeConnections: new Gauge({
      name: 'lyceum_realtime_connections',
      help: 'Realtime (Socket.IO) connections open on this node',
      registers: [registry],
    }),
    realtimeEventsIn: new Counter({
      name: 'lyceum_realtime_events_in_total',
      help: 'Client events received, by event (unknown for unregistered names) and outcome (ok, refused, invalid, rate_limited, unknown, error)',
      labelNames: ['event', 'outcome'] as const,
      registers: [registry],
    }),
    realtimeEventsOut: new Counter({
      name: 'lyceum_realtime_events_out_total',
      help: 'Server events published to rooms from this node, by event',
      labelNames: ['event'] as const,
      registers: [registry],
    }),
    realtimeDisconnects: new Counter({
      name: 'lyceum_realtime_disconnects_total',
      help: 'Connections the server closed, by reason (slow_consumer, abuse, session_ended)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    realtimeHandshakeRefusals: new Counter({
      name: 'lyceum_realtime_handshake_refusals_total',
      help: 'Realtime handshakes refused, by problem code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    queueOldestAge: new Gauge({
      name: 'lyceum_queue_oldest_age_seconds',
      help: 'Age of the oldest waiting job per queue',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>
