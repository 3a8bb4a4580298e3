/**
 * The job platform's contract (pg-boss underneath). Queues are declared in code with their retry
 * policy and optional cron schedule; jobs are sent inside the business transaction so a rollback
 * leaves no job.
 */
import type { Tx } from '../db/database.ts'

export interface JobInfo {
  id: string
  /** Attempts already made before this one (0 on the first). */
  retryCount: number
}

export interface QueueDefinition<T = unknown> {
  /** `module.verb_noun`, e.g. `mail.deliver`. */
  name: string
  handler: (data: T, job: JobInfo) => Promise<void>
  /** Retries after the first attempt (default 5). */
  retryLimit?: number
  /** Base delay in seconds; doubled each retry with full jitter, capped by retryDelayMaxSeconds. */
  retryDelaySeconds?: number
  retryDelayMaxSeconds?: number
  /** Seconds a single attempt may run before it counts as failed. */
  expireInSeconds?: number
  /** Cron (5 fields, UTC) on which the job is sent once cluster-wide. */
  schedule?: { cron: string; data?: T }
  /** How often an idle worker polls this queue (default 2 s, at least 0.5 s). */
  pollingIntervalSeconds?: number
  /** Handlers of this queue running at once in one worker process (default 1). */
  localConcurrency?: number
  /**
   * Jobs of one group (SendOptions.group) running at once across every worker process: a job
   * whose group is at the limit is not fetched, so other groups' jobs go ahead of it.
   */
  groupConcurrency?: number
}

export interface SendOptions {
  /** Ensures one queued job per key (e.g. a message key): while one waits, send returns null. */
  singletonKey?: string
  startAfter?: Date
  /**
   * Taken before the queue's lower-priority jobs that are due (default 0); equal priorities go
   * oldest first. For jobs others wait on, so retries of the waiting ones cannot crowd them out.
   */
  priority?: number
  /** The concurrency group (QueueDefinition.groupConcurrency), e.g. the receiver a job calls. */
  group?: string
}

export interface Jobs {
  /** Declare a queue; call before start(). */
  define<T>(definition: QueueDefinition<T>): void
  /** Enqueue; pass the business transaction so the job commits or rolls back with it. */
  send<T>(tx: Tx | undefined, name: string, data: T, options?: SendOptions): Promise<string | null>
}
