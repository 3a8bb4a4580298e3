/**
 * The operator's view of the job platform: queues and their backlog, failed and dead jobs, and
 * running them again. Every retry or replay commits together with its audit entry.
 */
import { recordAudit } from '../audit/audit.ts'
import type { Tx } from '../db/database.ts'
import { keysetCursor, text, type PageResult } from '../http/pagination.ts'
import type { RequestContext } from '../http/request-context.ts'
import { jobErrors } from './jobs.errors.ts'
import {
  countDeadJobs,
  deadJobIds,
  failuresCursor,
  findJobs,
  listFailures,
  queueStats,
  type JobRow,
  type QueueStatsRow,
} from './jobs.repository.ts'
import {
  QUEUE_NAME_MAX_LENGTH,
  QUEUE_NAME_PATTERN,
  type Job,
  type JobListQuery,
  type JobQueue,
  type ReplayDeadResult,
  type RetryJobsResult,
} from './jobs.schemas.ts'
import type { JobRuntime } from './runtime.ts'

const REPLAY_BATCH = 1000

type JobError = Job['error']

function errorOf(output: unknown): JobError {
  if (!output || typeof output !== 'object') return null
  const record = output as { name?: unknown; message?: unknown; code?: unknown; value?: { message?: unknown } }
  // pg-boss's own failures (timeouts, shutdown) store { value: { message } }.
  const message =
    typeof record.message === 'string'
      ? record.message
      : typeof record.value?.message === 'string'
        ? record.value.message
        : undefined
  if (message === undefined) return null
  return {
    name: typeof record.name === 'string' ? record.name : 'Error',
    message,
    ...(typeof record.code === 'string' ? { code: record.code } : {}),
  }
}

function toJob(row: JobRow, runtime: JobRuntime): Job {
  const common = {
    id: row.id,
    data: row.data ?? null,
    createdAt: row.createdOn.toISOString(),
    runAfter: row.startAfter.toISOString(),
    startedAt: row.startedOn?.toISOString() ?? null,
    finishedAt: row.completedOn?.toISOString() ?? null,
  }
  if (row.dead) {
    const queue = row.sourceName ?? row.name
    const attempts = (row.sourceRetryCount ?? 0) + 1
    const retryLimit = runtime.queue(queue)?.retry.limit ?? attempts - 1
    return {
      ...common,
      queue,
      state: 'dead',
      attempts,
      retryLimit,
      error: errorOf(row.sourceOutput),
      sourceJobId: row.sourceId,
      deadJobId: null,
    }
  }
  const failedState = row.state === 'failed' || row.state === 'retry'
  return {
    ...common,
    queue: row.name,
    state: row.state,
    attempts: row.state === 'created' ? 0 : row.retryCount + 1,
    retryLimit: row.retryLimit,
    error: failedState ? errorOf(row.output) : null,
    sourceJobId: null,
    deadJobId: row.deadCopyId,
  }
}

interface RetryStep {
  id: string
  queue: string
  action: 'redriven' | 'retried'
  /** The dead-letter queue and entry to redrive, for `redriven`. */
  deadLetter?: string
  deadId?: string
}

function planStep(row: JobRow, runtime: JobRuntime): RetryStep {
  if (row.dead) {
    const queue = row.sourceName
    if (!queue || runtime.queue(queue)?.deadLetter !== row.name) throw jobErrors.queueNotDeclared(queue ?? row.name)
    return { id: row.id, queue, action: 'redriven', deadLetter: row.name, deadId: row.id }
  }
  if (row.state !== 'failed') throw jobErrors.notRetryable([{ id: row.id, state: row.state }])
  const queue = runtime.queue(row.name)
  if (!queue) throw jobErrors.queueNotDeclared(row.name)
  // A failed job whose copy still waits in the dead-letter queue runs again through that copy,
  // so it is never requeued twice.
  if (row.deadCopyId) {
    if (row.deadLetter !== queue.deadLetter) throw jobErrors.queueNotDeclared(row.deadLetter ?? row.name)
    return { id: row.id, queue: row.name, action: 'redriven', deadLetter: queue.deadLetter, deadId: row.deadCopyId }
  }
  return { id: row.id, queue: row.name, action: 'retried' }
}

function groupBy(
  steps: RetryStep[],
  key: (step: RetryStep) => string,
  value: (step: RetryStep) => string,
): Map<string, Set<string>> {
  const groups = new Map<string, Set<string>>()
  for (const step of steps) {
    const set = groups.get(key(step)) ?? new Set<string>()
    set.add(value(step))
    groups.set(key(step), set)
  }
  return groups
}

async function execute(tx: Tx, runtime: JobRuntime, steps: RetryStep[]): Promise<void> {
  const redrives = groupBy(
    steps.filter((s) => s.action === 'redriven'),
    (s) => s.deadLetter!,
    (s) => s.deadId!,
  )
  for (const [deadLetter, ids] of redrives) {
    if ((await runtime.redrive(tx, deadLetter, [...ids])) !== ids.size) throw jobErrors.retryRaced()
  }
  const retries = groupBy(
    steps.filter((s) => s.action === 'retried'),
    (s) => s.queue,
    (s) => s.id,
  )
  for (const [queue, ids] of retries) {
    if ((await runtime.retryFailed(tx, queue, [...ids])) !== ids.size) throw jobErrors.retryRaced()
  }
}

/** Working queues (dead-letter queues folded into their owner's `dead` count), by name. */
function toQueues(stats: QueueStatsRow[], runtime: JobRuntime, after: string | undefined): JobQueue[] {
  const byName = new Map(stats.map((s) => [s.name, s]))
  const deadLetters = new Set(stats.flatMap((s) => (s.deadLetter ? [s.deadLetter] : [])))
  return stats
    .filter((s) => !deadLetters.has(s.name) && (after === undefined || s.name > after))
    .map((s) => ({
      name: s.name,
      deadLetterQueue: s.deadLetter,
      waiting: s.waiting,
      ready: s.ready,
      active: s.active,
      failed: s.failed,
      dead: s.deadLetter ? (byName.get(s.deadLetter)?.waiting ?? 0) : 0,
      oldestWaitingSeconds: s.oldestReadySeconds,
      retryLimit: s.retryLimit,
      schedule: runtime.queue(s.name)?.definition.schedule?.cron ?? null,
    }))
}

async function retryJobs(tx: Tx, ctx: RequestContext, runtime: JobRuntime, ids: string[]): Promise<RetryJobsResult> {
  const rows = await findJobs(tx, ids)
  const found = new Set(rows.map((r) => r.id))
  const missing = ids.filter((id) => !found.has(id))
  if (missing.length > 0) throw jobErrors.jobNotFound(missing)
  const notRetryable = rows.filter((r) => !r.dead && r.state !== 'failed').map((r) => ({ id: r.id, state: r.state }))
  if (notRetryable.length > 0) throw jobErrors.notRetryable(notRetryable)
  const steps = rows.map((row) => planStep(row, runtime))
  await execute(tx, runtime, steps)
  for (const step of steps) {
    await recordAudit(tx, ctx, {
      action: 'job.retried',
      targetType: 'job',
      targetId: step.id,
      tenantId: null,
      details: {
        queue: step.queue,
        action: step.action,
        ...(step.deadId && step.deadId !== step.id ? { deadJobId: step.deadId } : {}),
      },
    })
  }
  return { jobs: steps.map(({ id, queue, action }) => ({ id, queue, action })) }
}

/** Queues are listed by name. */
const queuesCursor = keysetCursor(text(QUEUE_NAME_PATTERN, QUEUE_NAME_MAX_LENGTH))

export function createJobOpsService(runtime: JobRuntime) {
  return {
    async listQueues(ctx: RequestContext, limit: number, cursor: string | undefined): Promise<PageResult<JobQueue>> {
      const [after] = queuesCursor.decode(cursor) ?? []
      const stats = await ctx.inPlatform((tx) => queueStats(tx))
      const queues = toQueues(stats, runtime, after)
      return queuesCursor.page(queues.slice(0, limit + 1), limit, (q) => [q.name])
    },

    async listFailures(ctx: RequestContext, query: JobListQuery): Promise<PageResult<Job>> {
      const after = failuresCursor.decode(query.cursor)
      const filter = {
        ...(query.state ? { kind: query.state } : {}),
        ...(query.queue ? { queue: query.queue } : {}),
        ...(after ? { after } : {}),
      }
      const rows = await ctx.inPlatform((tx) => listFailures(tx, filter, query.limit))
      const page = failuresCursor.page(rows, query.limit, (row) => [row.failedAtKey ?? '', row.id])
      return { data: page.data.map((row) => toJob(row, runtime)), nextCursor: page.nextCursor }
    },

    async getJob(ctx: RequestContext, id: string): Promise<Job> {
      const [row] = await ctx.inPlatform((tx) => findJobs(tx, [id]))
      if (!row) throw jobErrors.jobNotFound([id])
      return toJob(row, runtime)
    },

    /** Runs failed or dead jobs again, all or none, each with an audit entry. */
    retry(ctx: RequestContext, ids: string[]): Promise<RetryJobsResult> {
      return ctx.inPlatform((tx) => retryJobs(tx, ctx, runtime, ids))
    },

    /** Moves the dead jobs of one queue back to it (up to 1000 per call), audited. */
    async replayDead(ctx: RequestContext, queueName: string): Promise<ReplayDeadResult> {
      const queue = runtime.queue(queueName)
      if (!queue) throw jobErrors.queueNotFound(queueName)
      return ctx.inPlatform(async (tx) => {
        const ids = await deadJobIds(tx, queue.deadLetter, REPLAY_BATCH)
        const requeued = ids.length > 0 ? await runtime.redrive(tx, queue.deadLetter, ids) : 0
        const remaining = await countDeadJobs(tx, queue.deadLetter)
        await recordAudit(tx, ctx, {
          action: 'queue.dead_jobs_replayed',
          targetType: 'queue',
          targetId: queueName,
          tenantId: null,
          details: { requeued, jobIds: ids },
        })
        return { queue: queueName, requeued, remaining }
      })
    },
  }
}

export type JobOpsService = ReturnType<typeof createJobOpsService>
