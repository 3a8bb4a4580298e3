/**
 * Runs one queue's handler for pg-boss and settles failures ourselves: the failure is recorded
 * through pg-boss (which retries or dead-letters it), then the retry is pulled forward to its
 * full-jitter instant (see backoff.ts). Success is left to pg-boss's own completion.
 */
import type { JobWithMetadata, PgBoss } from 'pg-boss'
import type { Logger } from 'pino'
import type { Metrics } from '../observability/metrics.ts'
import { fullJitterDelay, retryDelayBound, type RetryPolicy } from './backoff.ts'
import type { QueueDefinition } from './types.ts'

export interface WorkerDeps {
  boss: PgBoss
  logger: Logger
  metrics: Metrics
  random?: () => number
}

export interface ResolvedQueue {
  definition: QueueDefinition<unknown>
  deadLetter: string
  retry: RetryPolicy
}

/** What a failed attempt stores as the job's output (shown to operators; the stack stays in the log). */
export function failureOutput(error: unknown): { name: string; message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) }
  }
  return { name: 'Error', message: String(error) }
}

async function settleFailure(
  deps: WorkerDeps,
  queue: ResolvedQueue,
  job: JobWithMetadata<unknown>,
  error: unknown,
): Promise<void> {
  const { boss, logger } = deps
  const name = queue.definition.name
  const final = job.retryCount >= job.retryLimit
  const retryInSeconds = final ? undefined : fullJitterDelay(job.retryCount, queue.retry, deps.random)
  logger.warn(
    {
      err: error,
      queue: name,
      jobId: job.id,
      attempt: job.retryCount + 1,
      attempts: job.retryLimit + 1,
      ...(final
        ? { deadLetter: queue.deadLetter }
        : { retryInSeconds, maxDelaySeconds: retryDelayBound(job.retryCount, queue.retry) }),
    },
    final ? 'job failed for the last time; moved to its dead-letter queue' : 'job failed; retry scheduled',
  )
  try {
    // Fenced on this attempt: if the claim lapsed (timeout, shutdown) pg-boss already settled it.
    const failed = await boss.fail(name, { id: job.id, retryCount: job.retryCount }, failureOutput(error))
    if (!final && retryInSeconds !== undefined && (failed as { affected?: number }).affected === 1)
      await boss.update(name, undefined, { id: job.id, startAfter: retryInSeconds })
  } catch (settleError) {
    logger.error(
      { err: settleError, queue: name, jobId: job.id },
      'could not record a job failure; pg-boss retries it on its own schedule',
    )
    throw error
  }
}

/** The pg-boss work handler for one queue (batch size 1). */
export function queueHandler(deps: WorkerDeps, queue: ResolvedQueue) {
  const { definition } = queue
  return async (jobs: JobWithMetadata<unknown>[]): Promise<void> => {
    for (const job of jobs) {
      try {
        await definition.handler(job.data, { id: job.id, retryCount: job.retryCount })
      } catch (error) {
        deps.metrics.jobFailures.inc({ queue: definition.name })
        await settleFailure(deps, queue, job, error)
      }
    }
  }
}
