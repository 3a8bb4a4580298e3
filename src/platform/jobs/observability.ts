/**
 * The job platform's readiness check and queue gauges. Queue figures are read on demand before
 * each scrape (one grouped query as lyceum_platform), so every process reports the cluster's queues.
 */
import type { PgBoss } from 'pg-boss'
import type { Logger } from 'pino'
import { platformScope, type Database } from '../db/database.ts'
import type { HealthRegistry } from '../observability/health.ts'
import type { Metrics } from '../observability/metrics.ts'
import { queueStats } from './jobs.repository.ts'

interface ObservabilityDeps {
  boss: PgBoss
  database: Database
  health: HealthRegistry
  metrics: Metrics
  logger: Logger
  worker: boolean
  runtime: { queues(): unknown[] }
  state: { started: boolean; stopping: boolean }
}

export function registerJobObservability(deps: ObservabilityDeps): void {
  const { boss, metrics, state } = deps

  deps.health.register('jobs', async () => {
    if (!deps.worker)
      return {
        status: 'disabled',
        detail: 'this process only enqueues jobs (lyceum api); lyceum worker or serve works them',
      }
    if (state.stopping) return { status: 'failing', detail: 'the job worker is shutting down' }
    if (!state.started) return { status: 'failing', detail: 'the job worker has not started' }
    // A round trip on the queue's own connection (the owner pool on PostgreSQL).
    await boss.getDb().executeSql('SELECT 1')
    return { status: 'ok', detail: `working ${deps.runtime.queues().length} queues` }
  })

  metrics.onScrape(async () => {
    if (!state.started || state.stopping) return
    try {
      const stats = await deps.database.transaction(platformScope, (tx) => queueStats(tx))
      metrics.queueDepth.reset()
      metrics.queueOldestAge.reset()
      for (const queue of stats) {
        metrics.queueDepth.set({ queue: queue.name }, queue.waiting)
        metrics.queueOldestAge.set({ queue: queue.name }, queue.oldestReadySeconds ?? 0)
      }
    } catch (error) {
      // A scrape must still answer when the database is down; the gauges keep their last values.
      deps.logger.warn({ err: error }, 'could not read queue figures for metrics')
    }
  })
}
