/**
 * The job platform on pg-boss, on the same database as everything else: the shared PGlite in
 * embedded mode, the owner URL's pool on PostgreSQL. Every process starts pg-boss so it can
 * enqueue; only worker processes (serve, worker) run handlers, maintenance and the cron scheduler.
 */
import type { PGlite } from '@electric-sql/pglite'
import type { Logger } from 'pino'
import type { Config } from '../../config.ts'
import { platformScope, type Database, type Tx } from '../db/database.ts'
import type { HealthRegistry } from '../observability/health.ts'
import type { Metrics } from '../observability/metrics.ts'
import {
  createBoss,
  enqueue,
  ensureQueues,
  explainStartFailure,
  inTransaction,
  startWorkers,
  syncSchedules,
} from './boss.ts'
import { resolveQueue } from './definitions.ts'
import { registerJobObservability } from './observability.ts'
import type { Jobs, QueueDefinition } from './types.ts'
import type { ResolvedQueue } from './worker.ts'

export interface JobsDeps {
  config: Config
  logger: Logger
  metrics: Metrics
  database: Database
  health: HealthRegistry
  /** The shared PGlite in embedded mode. */
  pglite: PGlite | undefined
  /** Run handlers, maintenance and cron here (serve, worker); false only enqueues (api). */
  worker: boolean
}

export interface JobRuntime extends Jobs {
  readonly worker: boolean
  /** Creates the declared queues and, in a worker, starts their handlers and the schedules. */
  start(): Promise<void>
  /** Stops taking jobs and waits (bounded) for running handlers to finish. */
  stop(): Promise<void>
  /** A declared queue by name. */
  queue(name: string): ResolvedQueue | undefined
  /** Every declared queue. */
  queues(): ResolvedQueue[]
  /** Moves dead-lettered jobs back to their queues, in the caller's transaction. */
  redrive(tx: Tx, deadLetter: string, ids: string[]): Promise<number>
  /** Puts failed jobs back into retry in place, in the caller's transaction. */
  retryFailed(tx: Tx, queue: string, ids: string[]): Promise<number>
}

// Handlers get this long to finish on shutdown; main.ts force-exits after 25 s.
const STOP_TIMEOUT_MS = 20_000

export function createJobs(deps: JobsDeps): JobRuntime {
  const log = deps.logger.child({ component: 'jobs' })
  const boss = createBoss(deps)
  boss.on('error', (error) => log.error({ err: error }, 'job queue error'))
  boss.on('warning', (warning) => log.warn({ data: warning.data }, warning.message))
  const declared = new Map<string, ResolvedQueue>()
  const state = { started: false, stopping: false }

  function requireQueue(name: string): ResolvedQueue {
    const queue = declared.get(name)
    // Only declared queues are in pg-boss's cache; anything else would make it query the queue
    // table on its own connection, which on PGlite waits forever behind the caller's transaction.
    if (!queue) throw new Error(`Job queue "${name}" is not declared; call jobs.define() for it`)
    if (!state.started) throw new Error('The job platform has not started yet')
    return queue
  }

  const runtime: JobRuntime = {
    worker: deps.worker,
    define<T>(definition: QueueDefinition<T>) {
      if (state.started) throw new Error(`Job queue "${definition.name}" was declared after the job platform started`)
      if (declared.has(definition.name)) throw new Error(`Job queue "${definition.name}" is declared twice`)
      declared.set(definition.name, resolveQueue(definition as QueueDefinition<unknown>))
    },
    async send(tx, name, data, options = {}) {
      requireQueue(name)
      if (tx) return enqueue(boss, tx, name, data, options)
      return deps.database.transaction(platformScope, (own) => enqueue(boss, own, name, data, options))
    },
    async start() {
      if (state.started) return
      await boss.start().catch((error: unknown) => Promise.reject(explainStartFailure(error)))
      await ensureQueues(boss, declared.values())
      if (deps.worker) {
        await syncSchedules(boss, declared.values())
        await startWorkers(boss, declared.values(), { logger: log, metrics: deps.metrics })
      }
      state.started = true
    },
    async stop() {
      if (state.stopping) return
      state.stopping = true
      await boss.stop({ graceful: true, timeout: STOP_TIMEOUT_MS, close: true })
    },
    queue: (name) => declared.get(name),
    queues: () => [...declared.values()],
    async redrive(tx, deadLetter, ids) {
      if (![...declared.values()].some((q) => q.deadLetter === deadLetter))
        throw new Error(`"${deadLetter}" is not a declared dead-letter queue`)
      return boss.redrive(deadLetter, { ids, limit: Math.max(1, ids.length), db: inTransaction(tx) })
    },
    async retryFailed(tx, name, ids) {
      requireQueue(name)
      const result = await boss.retry(name, ids, { db: inTransaction(tx) })
      return (result as { affected?: number }).affected ?? 0
    },
  }
  registerJobObservability({ ...deps, logger: log, boss, runtime, state })
  return runtime
}
