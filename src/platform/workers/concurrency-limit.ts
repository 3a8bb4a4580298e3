/**
 * At most `concurrency` tasks of one kind running at once, at most `maxQueue` waiting, and a
 * refusal (503 OVERLOADED with Retry-After) for one more, instead of an unbounded queue.
 *
 * For CPU-heavy work that already runs off the event loop but competes with it for the cores,
 * such as argon2 on the libuv thread pool: without a limit, a burst of logins keeps every core
 * busy hashing and every other request waits behind them.
 */
import { workerPoolErrors } from './worker-pool.ts'

export interface ConcurrencyLimitOptions {
  /** Names the limit in problem details (`extensions.pool`). */
  name: string
  concurrency: number
  /** Tasks allowed to wait; one more is refused with 503 OVERLOADED. */
  maxQueue: number
  /** Retry-After of that refusal, in seconds. */
  retryAfterSeconds: number
}

export interface ConcurrencyLimit {
  /** Runs the task when a slot is free; rejects with 503 OVERLOADED when `maxQueue` tasks already wait. */
  run<T>(task: () => Promise<T>): Promise<T>
  readonly running: number
  readonly queued: number
}

export function createConcurrencyLimit(options: ConcurrencyLimitOptions): ConcurrencyLimit {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
    throw new Error(`${options.name}: concurrency must be a positive integer`)
  const waiting: (() => void)[] = []
  let running = 0

  const release = () => {
    const next = waiting.shift()
    // The slot passes straight to the next waiter, so `running` stays as it is.
    if (next) next()
    else running--
  }

  return {
    async run(task) {
      if (running < options.concurrency) running++
      else if (waiting.length >= options.maxQueue)
        throw workerPoolErrors.overloaded(options.name, options.retryAfterSeconds)
      else await new Promise<void>((resolve) => waiting.push(resolve))
      try {
        return await task()
      } finally {
        release()
      }
    },
    get running() {
      return running
    },
    get queued() {
      return waiting.length
    },
  }
}
