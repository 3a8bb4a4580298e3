import { afterAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../platform/observability/logger.ts'
import { createPatternMatcher, type PatternMatcher } from './pattern-matcher.ts'

const matchers: PatternMatcher[] = []
function matcher(deadlineMs: number) {
  const created = createPatternMatcher({
    config: { workerThreads: 1, queue: 4, deadlineMs },
    logger: createLogger('silent'),
  })
  matchers.push(created)
  return created
}

afterAll(async () => {
  await Promise.all(matchers.map((m) => m.close()))
})

describe('patterns in worker threads', () => {
  it('checks and matches patterns off the main thread: the event loop keeps turning through a heavy compile', async () => {
    const patterns = matcher(60_000)
    expect(await patterns.problemOf('colou?r', true)).toBeNull()
    // \pL{50} takes about 1.5 s to compile (the old per-pattern limit refused it for that); here it runs on the worker.
    let turns = 0
    let done = false
    const heavy = patterns.problemOf('\\pL{50}', true).finally(() => (done = true))
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve))
      turns++
    }
    expect(await heavy).toBeNull()
    expect(turns).toBeGreaterThan(10)
    expect(await patterns.problemOf('(a)\\1', true)).toMatch(/not a valid RE2 regular expression/)
    // A compile that takes seconds by design, in a worker pool that starts its threads: over 30 s on a loaded machine.
  }, 120_000)

  it('answers every query, each pattern compiled once per thread, and refuses to answer one it was not asked', async () => {
    const patterns = matcher(60_000)
    const lookup = await patterns.matchAll([
      { pattern: 'colou?r', ignoreCase: true, text: 'Colour' },
      { pattern: 'colou?r', ignoreCase: true, text: 'colours' },
      { pattern: 'colou?r', ignoreCase: false, text: 'Color' },
      { pattern: '\\pL+ \\d{4}', ignoreCase: true, text: 'Ελλάδα 2004' },
    ])
    expect(lookup('colou?r', 'Colour', true)).toBe(true)
    expect(lookup('colou?r', 'colours', true)).toBe(false)
    expect(lookup('colou?r', 'Color', false)).toBe(false)
    expect(lookup('\\pL+ \\d{4}', 'Ελλάδα 2004', true)).toBe(true)
    expect(() => lookup('colou?r', 'never asked', true)).toThrow(/not matched/)
    expect(patterns.stats()).toMatchObject({ completed: 1 })
  })

  it('refuses a pattern whose compile outlives the deadline with 422 PATTERN_TOO_COMPLEX and fails such a grading with 503, replacing the thread', async () => {
    const patterns = matcher(25)
    const refused = await patterns.problemOf('\\pL{50}', true).catch((e: unknown) => e)
    expect(refused).toMatchObject({
      status: 422,
      code: 'PATTERN_TOO_COMPLEX',
      errors: [{ path: 'body.answerKey.pattern', code: 'complexity' }],
    })
    expect(patterns.stats()).toMatchObject({ replaced: 1, threads: 1 })
    const grading = await patterns
      .matchAll([{ pattern: '\\pL{50}', ignoreCase: true, text: 'x' }])
      .catch((e: unknown) => e)
    expect(grading).toMatchObject({ status: 503, code: 'GRADING_UNAVAILABLE', retryAfter: 2 })
    expect(patterns.stats()).toMatchObject({ replaced: 2, threads: 1 })
    // That the next task succeeds on the replacement thread is the pool's own test (worker-pool.test.ts).
  })
})
