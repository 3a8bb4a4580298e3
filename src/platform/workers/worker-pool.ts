/**
 * CPU-bound work off the event loop: a fixed set of worker threads (piscina) running one task
 * module, with the three bounds a request path needs.
 *
 * - **A deadline per task**, counted from when a thread starts it. A task still running then
 *   is abandoned: its thread is terminated (which stops even a WebAssembly loop) and piscina
 *   starts a replacement, so one runaway task costs one thread for at most the deadline.
 *   The caller gets WorkerDeadlineExceeded and decides what that means for its request.
 * - **A bounded queue.** A task that finds `maxQueue` tasks already waiting is refused at once
 *   with 503 OVERLOADED and Retry-After, rather than queued without limit.
 * - **Lower priority** (`niceIncrement`): on a busy machine the event loop gets the CPU first.
 * - **Clean shutdown.** Threads start with the first task (an app that never needs the pool
 *   starts none) and `close()` terminates them and refuses later tasks; app.close() calls it.
 *
 * Threads run `task-entry.js`, which loads the task module through tsx like the main thread.
 */
import { Piscina } from 'piscina'
import type { Logger } from 'pino'
import { AppError } from '../errors.ts'
import type { Metrics } from '../observability/metrics.ts'

export interface WorkerPoolOptions {
  /** Names the pool in logs, metrics and problem details. */
  name: string
  /** The task module: its default export takes one task and returns (or resolves to) the result. */
  taskModule: URL
  threads: number
  /** Tasks allowed to wait for a thread; one more is refused with 503 OVERLOADED. */
  maxQueue: number
  /** Retry-After of that refusal, in seconds. */
  retryAfterSeconds?: number
  /**
   * Added to the threads' nice value (Linux, per thread; ignored where unsupported), so under CPU
   * contention the scheduler serves the event loop before this pool's work. Default 0.
   */
  niceIncrement?: number
  logger: Logger
  metrics?: Metrics
}

/** A task that ran past its deadline; its thread was terminated and is being replaced. */
export class WorkerDeadlineExceeded extends Error {
  constructor(
    readonly pool: string,
    readonly deadlineMs: number,
  ) {
    super(`a ${pool} task ran longer than its deadline of ${deadlineMs} ms; its worker thread was replaced`)
    this.name = 'WorkerDeadlineExceeded'
  }
}

export const workerPoolErrors = {
  overloaded: (pool: string, retryAfter: number) =>
    new AppError('unavailable', 'OVERLOADED', `The server is busy (${pool} queue full); retry in ${retryAfter} s`, {
      retryAfter,
      extensions: { pool },
    }),
  closed: (pool: string) =>
    new AppError('unavailable', 'OVERLOADED', `The server is shutting down (${pool} pool closed); retry shortly`, {
      retryAfter: 5,
      extensions: { pool },
    }),
}

export interface WorkerPoolStats {
  /** Threads alive now. */
  threads: number
  /** Tasks waiting for a thread. */
  queued: number
  /** Tasks that returned a result so far. */
  completed: number
  /** Threads terminated because a task ran past its deadline. */
  replaced: number
}

export interface WorkerPool<Task, Result> {
  /** Runs the task on a thread; rejects with WorkerDeadlineExceeded, or 503 OVERLOADED when the queue is full. */
  run(task: Task, options: { deadlineMs: number }): Promise<Result>
  stats(): WorkerPoolStats
  /** Terminates every thread and refuses later tasks; idempotent. */
  close(): Promise<void>
}

const STARTED_KEY = 'lyceumTaskStarted'
const TASK_ENTRY = new URL('./task-entry.js', import.meta.url)
/** Piscina's idle timeout; the pool keeps `threads` threads anyway (minThreads), so this only bounds extra ones. */
const IDLE_MS = 60_000

interface Pending {
  deadlineMs: number
  controller: AbortController
  timer?: NodeJS.Timeout
}

export function createWorkerPool<Task, Result>(options: WorkerPoolOptions): WorkerPool<Task, Result> {
  const retryAfter = options.retryAfterSeconds ?? 2
  const pending = new Map<number, Pending>()
  let pool: Piscina | undefined
  let closed = false
  let sequence = 0
  let completed = 0
  let replaced = 0
  const count = (outcome: 'completed' | 'failed' | 'deadline_exceeded' | 'refused') =>
    options.metrics?.workerTasks.inc({ pool: options.name, outcome })

  /** The deadline starts when a thread announces the task (task-entry.js). */
  const onMessage = (message: unknown) => {
    if (typeof message !== 'object' || message === null || !(STARTED_KEY in message)) return
    const task = pending.get((message as Record<string, number>)[STARTED_KEY] as number)
    if (!task || task.timer) return
    task.timer = setTimeout(
      () => task.controller.abort(new WorkerDeadlineExceeded(options.name, task.deadlineMs)),
      task.deadlineMs,
    )
  }

  function threads(): Piscina {
    if (pool) return pool
    pool = new Piscina({
      filename: TASK_ENTRY.href,
      workerData: { taskModule: options.taskModule.href, startedKey: STARTED_KEY },
      minThreads: options.threads,
      maxThreads: options.threads,
      // The pool enforces the queue bound itself (below); piscina's own is a second line.
      maxQueue: options.maxQueue + options.threads,
      idleTimeout: IDLE_MS,
      niceIncrement: options.niceIncrement ?? 0,
    })
    pool.on('message', onMessage)
    // A thread that dies outside a task (e.g. failing to load the task module) must not crash the process.
    pool.on('error', (error: unknown) =>
      options.logger.error({ err: error, pool: options.name }, 'worker thread failed'),
    )
    return pool
  }

  async function run(task: Task, { deadlineMs }: { deadlineMs: number }): Promise<Result> {
    if (closed) throw workerPoolErrors.closed(options.name)
    const piscina = threads()
    if (piscina.queueSize >= options.maxQueue) {
      count('refused')
      throw workerPoolErrors.overloaded(options.name, retryAfter)
    }
    const id = ++sequence
    const entry: Pending = { deadlineMs, controller: new AbortController() }
    pending.set(id, entry)
    try {
      const result = (await piscina.run({ id, task }, { signal: entry.controller.signal })) as Result
      completed++
      count('completed')
      return result
    } catch (error) {
      const reason: unknown = entry.controller.signal.reason
      if (reason instanceof WorkerDeadlineExceeded) {
        replaced++
        count('deadline_exceeded')
        options.logger.warn({ pool: options.name, deadlineMs }, 'worker task ran past its deadline; thread replaced')
        throw reason
      }
      count('failed')
      throw closed ? workerPoolErrors.closed(options.name) : error
    } finally {
      clearTimeout(entry.timer)
      pending.delete(id)
    }
  }

  return {
    run,
    stats: () => ({ threads: pool?.threads.length ?? 0, queued: pool?.queueSize ?? 0, completed, replaced }),
    async close() {
      closed = true
      const current = pool
      pool = undefined
      await current?.destroy()
    },
  }
}
