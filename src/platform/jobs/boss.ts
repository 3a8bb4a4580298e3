/**
 * pg-boss itself: the instance for this process, and the steps that bring its queues, schedules
 * and workers in line with the queues declared in code.
 */
import type { PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import { PgBoss, fromDrizzle, fromPglite, type ConstructorOptions, type Db, type DrizzleTransactionLike } from 'pg-boss'
import type { Logger } from 'pino'
import { rowsOf, type Tx } from '../db/database.ts'
import type { Config } from '../../config.ts'
import type { Metrics } from '../observability/metrics.ts'
import { bossRetryOptions } from './backoff.ts'
import { QUEUE_SCHEMA } from './queue-schema.ts'
import type { SendOptions } from './types.ts'
import { queueHandler, type ResolvedQueue } from './worker.ts'

// Dead jobs wait for an operator this long before pg-boss deletes them.
const DEAD_LETTER_RETENTION_SECONDS = 30 * 24 * 3600

export function createBoss(deps: { config: Config; pglite: PGlite | undefined; worker: boolean }): PgBoss {
  const options: ConstructorOptions = {
    schema: QUEUE_SCHEMA,
    // The schema is installed by `lyceum migrate`; a process never changes it.
    migrate: false,
    supervise: deps.worker,
    schedule: deps.worker,
    // Cron occurrences are due for a 60 s window; checking every few seconds fires them promptly.
    cronMonitorIntervalSeconds: 5,
    cronWorkerIntervalSeconds: 2,
    // Workers wake on a NOTIFY sent in the enqueuing transaction (delivered at its commit), so a
    // job starts within milliseconds; polling stays on as the fallback.
    useListenNotify: deps.worker,
    // The instance registry (getInstances) is about workers; enqueue-only processes stay out of it.
    registerInstance: deps.worker,
    instanceName: 'lyceum-worker',
  }
  const { database } = deps.config
  if (database.kind === 'postgres')
    return new PgBoss({
      ...options,
      connectionString: database.ownerUrl,
      max: deps.worker ? 10 : 2,
      application_name: 'lyceum-jobs',
    })
  if (!deps.pglite) throw new Error('embedded mode needs the shared PGlite for the job queue')
  return new PgBoss({ ...options, db: fromPglite(deps.pglite), backend: 'pglite' })
}

export function explainStartFailure(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error)
  if (/not installed|requires migrations/.test(message))
    return new Error(`The job queue schema is missing or out of date (${message}): run "lyceum migrate" first`, {
      cause: error,
    })
  return error instanceof Error ? error : new Error(message)
}

/** pg-boss statements inside the caller's Drizzle transaction. */
export const inTransaction = (tx: Tx): Db => fromDrizzle(tx as unknown as DrizzleTransactionLike, sql)

/** Creates missing queues (each with its dead-letter queue) and updates changed settings. */
export async function ensureQueues(boss: PgBoss, queues: Iterable<ResolvedQueue>): Promise<void> {
  const existing = new Map((await boss.getQueues()).map((q) => [q.name, q]))
  for (const queue of queues) {
    if (!existing.has(queue.deadLetter))
      await boss.createQueue(queue.deadLetter, { retentionSeconds: DEAD_LETTER_RETENTION_SECONDS })
    const wanted = {
      ...bossRetryOptions(queue.retry),
      expireInSeconds: queue.definition.expireInSeconds ?? 900,
      deadLetter: queue.deadLetter,
      notify: true,
    }
    const current = existing.get(queue.definition.name)
    if (!current) await boss.createQueue(queue.definition.name, wanted)
    else if (Object.entries(wanted).some(([key, value]) => current[key as keyof typeof current] !== value))
      await boss.updateQueue(queue.definition.name, wanted)
  }
}

/** Schedules live in code: declared ones are upserted, ones no longer declared are removed. */
export async function syncSchedules(boss: PgBoss, queues: Iterable<ResolvedQueue>): Promise<void> {
  const scheduled = new Set<string>()
  for (const { definition } of queues) {
    if (!definition.schedule) continue
    await boss.schedule(
      definition.name,
      definition.schedule.cron,
      (definition.schedule.data ?? null) as object | null,
      { tz: 'UTC' },
    )
    scheduled.add(definition.name)
  }
  for (const schedule of await boss.getSchedules()) {
    if (!scheduled.has(schedule.name)) await boss.unschedule(schedule.name, schedule.key)
  }
}

export async function startWorkers(
  boss: PgBoss,
  queues: Iterable<ResolvedQueue>,
  deps: { logger: Logger; metrics: Metrics },
): Promise<void> {
  for (const queue of queues) {
    const handler = queueHandler({ boss, logger: deps.logger, metrics: deps.metrics }, queue)
    const pollingIntervalSeconds = queue.definition.pollingIntervalSeconds ?? 2
    // Set once work() answers; a job that runs before then simply gets no follow-up fetch.
    const worker: { id?: string } = {}
    // With NOTIFY active pg-boss polls at the slower notify interval; keep it short enough
    // that retries (which send no NOTIFY when they come due) are picked up promptly.
    worker.id = await boss.work(
      queue.definition.name,
      {
        includeMetadata: true,
        batchSize: 1,
        pollingIntervalSeconds,
        notifyPollingIntervalSeconds: pollingIntervalSeconds,
        ...(queue.definition.localConcurrency ? { localConcurrency: queue.definition.localConcurrency } : {}),
        ...(queue.definition.groupConcurrency ? { groupConcurrency: queue.definition.groupConcurrency } : {}),
      },
      async (jobs) => {
        await handler(jobs)
        // A backlog drains at the handler's pace, not one job per polling interval: a fetch that
        // found a job is followed by another at once (pg-boss's own burstWhenBatchFull ignores a
        // batch of one, and its burstWhenReadyExceeds reads a count cached for a minute). The
        // first empty fetch returns the worker to polling and NOTIFY, so an idle queue never spins.
        if (jobs.length > 0 && worker.id !== undefined) boss.notifyWorker(worker.id)
      },
    )
  }
}

/** Inserts a job in `tx`; with a singleton key, none while another job with that key waits. */
export async function enqueue(
  boss: PgBoss,
  tx: Tx,
  name: string,
  data: unknown,
  options: SendOptions,
): Promise<string | null> {
  if (options.singletonKey !== undefined) {
    // Serialises senders of the same key until commit, so the check below sees a job another
    // transaction has just committed (read committed takes a new snapshot per statement).
    await tx.execute(
      sql`SELECT pg_advisory_xact_lock(hashtextextended(${`lyceum.jobs:${name}:${options.singletonKey}`}, 0))`,
    )
    const [waiting] = await rowsOf<{ waiting: boolean }>(
      tx,
      sql`SELECT EXISTS (SELECT 1 FROM pgboss.job WHERE name = ${name} AND singleton_key = ${options.singletonKey} AND state IN ('created', 'retry')) AS waiting`,
    )
    if (waiting?.waiting) return null
  }
  return boss.send(name, data as object, {
    db: inTransaction(tx),
    ...(options.singletonKey === undefined ? {} : { singletonKey: options.singletonKey }),
    ...(options.startAfter === undefined ? {} : { startAfter: options.startAfter }),
    ...(options.priority === undefined ? {} : { priority: options.priority }),
    ...(options.group === undefined ? {} : { group: { id: options.group } }),
  })
}
