import { describe, expect, it } from 'vitest'
import { AppError } from '../errors.ts'
import { createConcurrencyLimit } from './concurrency-limit.ts'

/** A task that runs until the test releases it (or fails it). */
function controllable<T>() {
  let release!: (value: T) => void
  let fail!: (error: Error) => void
  let started = false
  const done = new Promise<T>((resolve, reject) => ((release = resolve), (fail = reject)))
  const task = () => {
    started = true
    return done
  }
  return { task, release, fail, started: () => started }
}

/** Lets queued continuations run (no timers involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('concurrency limit', () => {
  it('runs at most `concurrency` tasks, queues up to `maxQueue`, and refuses one more with 503 OVERLOADED', async () => {
    const limit = createConcurrencyLimit({ name: 'hashing', concurrency: 2, maxQueue: 1, retryAfterSeconds: 3 })
    const [a, b, c] = [controllable<string>(), controllable<string>(), controllable<string>()]
    const results = [limit.run(a.task), limit.run(b.task), limit.run(c.task)]
    await settle()
    expect([a.started(), b.started(), c.started()]).toEqual([true, true, false])
    expect({ running: limit.running, queued: limit.queued }).toEqual({ running: 2, queued: 1 })

    const refused = await limit.run(async () => 'never').catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(AppError)
    expect(refused).toMatchObject({ kind: 'unavailable', code: 'OVERLOADED', retryAfter: 3 })

    a.release('a')
    await settle()
    expect(c.started()).toBe(true)
    expect({ running: limit.running, queued: limit.queued }).toEqual({ running: 2, queued: 0 })
    b.release('b')
    c.release('c')
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c'])
    expect({ running: limit.running, queued: limit.queued }).toEqual({ running: 0, queued: 0 })
  })

  it('frees the slot of a task that fails, and starts waiters in arrival order', async () => {
    const limit = createConcurrencyLimit({ name: 'hashing', concurrency: 1, maxQueue: 5, retryAfterSeconds: 1 })
    const first = controllable<number>()
    const order: number[] = []
    const failed = limit.run(first.task).catch((error: Error) => error.message)
    const waiters = [1, 2, 3].map((n) => limit.run(async () => void order.push(n)))
    first.fail(new Error('boom'))
    expect(await failed).toBe('boom')
    await Promise.all(waiters)
    expect(order).toEqual([1, 2, 3])
    expect(limit.running).toBe(0)
  })

  it('with no queue, refuses as soon as every slot is taken', async () => {
    const limit = createConcurrencyLimit({ name: 'hashing', concurrency: 1, maxQueue: 0, retryAfterSeconds: 1 })
    const busy = controllable<void>()
    const running = limit.run(busy.task)
    await expect(limit.run(async () => undefined)).rejects.toMatchObject({ code: 'OVERLOADED' })
    busy.release()
    await running
    await expect(limit.run(async () => 'free again')).resolves.toBe('free again')
  })
})
