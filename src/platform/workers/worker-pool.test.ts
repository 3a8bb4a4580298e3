import { afterEach, describe, expect, it } from 'vitest'
import { isAppError } from '../errors.ts'
import { createLogger } from '../observability/logger.ts'
import type { TestingTask } from './testing.ts'
import { createWorkerPool, WorkerDeadlineExceeded, type WorkerPool } from './worker-pool.ts'

type Result = { threadId: number; value: string }
const pools: Array<WorkerPool<TestingTask, Result>> = []

function pool(options: { threads?: number; maxQueue?: number } = {}) {
  const created = createWorkerPool<TestingTask, Result>({
    name: 'testing',
    taskModule: new URL('./testing.ts', import.meta.url),
    threads: options.threads ?? 1,
    maxQueue: options.maxQueue ?? 4,
    logger: createLogger('silent'),
  })
  pools.push(created)
  return created
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()))
})

/** Turns of the main thread's event loop until the promise settles. */
async function loopTurnsWhile(promise: Promise<unknown>): Promise<number> {
  let settled = false
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  )
  let turns = 0
  while (!settled) {
    await new Promise((resolve) => setImmediate(resolve))
    turns++
  }
  return turns
}

describe('worker pool', () => {
  it('starts no thread until the first task, then runs tasks on its threads', async () => {
    const p = pool()
    expect(p.stats().threads).toBe(0)
    const result = await p.run({ op: 'echo', value: 'hello' }, { deadlineMs: 30_000 })
    expect(result.value).toBe('hello')
    expect(result.threadId).toBeGreaterThan(0)
    expect(p.stats()).toMatchObject({ threads: 1, completed: 1, replaced: 0 })
  })

  it('keeps the event loop turning while a task occupies its thread', async () => {
    const p = pool()
    await p.run({ op: 'echo', value: 'warm' }, { deadlineMs: 30_000 })
    // The task never returns: only the deadline ends it. Were it on the main thread, no turn would happen.
    const spinning = p.run({ op: 'spin' }, { deadlineMs: 300 })
    const turns = await loopTurnsWhile(spinning)
    await expect(spinning).rejects.toBeInstanceOf(WorkerDeadlineExceeded)
    expect(turns).toBeGreaterThan(10)
  })

  it('terminates a task past its deadline, replaces its thread, and the next task succeeds', async () => {
    const p = pool()
    const before = await p.run({ op: 'echo', value: 'before' }, { deadlineMs: 30_000 })
    const error = await p.run({ op: 'spin' }, { deadlineMs: 200 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WorkerDeadlineExceeded)
    expect(error).toMatchObject({ pool: 'testing', deadlineMs: 200 })
    const after = await p.run({ op: 'echo', value: 'after' }, { deadlineMs: 30_000 })
    expect(after.value).toBe('after')
    expect(after.threadId).not.toBe(before.threadId)
    expect(p.stats()).toMatchObject({ threads: 1, replaced: 1 })
  })

  it('refuses a task with 503 OVERLOADED and Retry-After when the queue is full, instead of queueing it', async () => {
    const p = pool({ threads: 1, maxQueue: 1 })
    await p.run({ op: 'echo', value: 'warm' }, { deadlineMs: 30_000 })
    const running = p.run({ op: 'spin' }, { deadlineMs: 60_000 }).catch((e: unknown) => e)
    await new Promise((resolve) => setImmediate(resolve))
    const queued = p.run({ op: 'echo', value: 'queued' }, { deadlineMs: 60_000 }).catch((e: unknown) => e)
    const refused = await p.run({ op: 'echo', value: 'refused' }, { deadlineMs: 60_000 }).catch((e: unknown) => e)
    expect(isAppError(refused)).toBe(true)
    expect(refused).toMatchObject({ status: 503, code: 'OVERLOADED', retryAfter: 2, extensions: { pool: 'testing' } })
    await p.close()
    // Closing ends the spinning task and the queued one; neither is left waiting.
    expect(await running).toMatchObject({ code: 'OVERLOADED' })
    expect(await queued).toBeInstanceOf(Error)
  })

  it('leaves no thread behind on close and refuses tasks afterwards', async () => {
    const p = pool({ threads: 2 })
    await Promise.all([
      p.run({ op: 'echo', value: 'a' }, { deadlineMs: 30_000 }),
      p.run({ op: 'echo', value: 'b' }, { deadlineMs: 30_000 }),
    ])
    expect(p.stats().threads).toBe(2)
    await p.close()
    expect(p.stats().threads).toBe(0)
    await expect(p.run({ op: 'echo', value: 'late' }, { deadlineMs: 30_000 })).rejects.toMatchObject({
      code: 'OVERLOADED',
    })
    await p.close()
  })
})
