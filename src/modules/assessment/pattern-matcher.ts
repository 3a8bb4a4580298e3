/**
 * The event loop's side of short-answer patterns: every compile and match is a task for the
 * pattern worker threads (platform/workers, pattern-worker.ts), under a deadline, so a slow
 * pattern can cost a thread but never the event loop.
 *
 * What the deadline means:
 * - saving a question: its pattern is refused with 422 PATTERN_TOO_COMPLEX (nothing is saved);
 * - grading: the submission (or first read, see quiz.service.ts) fails with 503
 *   GRADING_UNAVAILABLE and Retry-After, and nothing is recorded: the attempt stays as it was
 *   (open, with the answers saved in time), so submitting again grades it. A learner never loses
 *   points because the server was busy.
 * A full queue is 503 OVERLOADED (from the pool) in both cases.
 */
import type { Logger } from 'pino'
import type { Config } from '../../config.ts'
import type { Metrics } from '../../platform/observability/metrics.ts'
import { createWorkerPool, WorkerDeadlineExceeded, type WorkerPool } from '../../platform/workers/worker-pool.ts'
import { assessmentErrors } from './assessment.errors.ts'
import { MAX_QUIZ_PATTERN_COST, estimatePattern } from './pattern-cost.ts'
import type { PatternQuery, PatternTask, PatternTaskResult } from './pattern-worker.ts'

export type { PatternQuery } from './pattern-worker.ts'

/** Whether an answer matched a pattern, for every query graded; throws for one that was not. */
export type PatternLookup = (pattern: string, text: string, ignoreCase: boolean) => boolean

const RETRY_AFTER_SECONDS = 2
const queryKey = (q: { pattern: string; ignoreCase: boolean; text: string }) =>
  `${q.ignoreCase ? 'i' : 'c'}\u0000${q.pattern}\u0000${q.text}`

/**
 * Queries grouped by pattern, in tasks of at most MAX_QUIZ_PATTERN_COST compile units each (one
 * pattern at least): a quiz within budget is one task; one saved before budgets existed is split,
 * so no task has more to compile than the budget allows.
 */
function chunks(queries: readonly PatternQuery[]): PatternQuery[][] {
  const byPattern = new Map<string, PatternQuery[]>()
  for (const query of queries) {
    const key = `${query.ignoreCase ? 'i' : 'c'}\u0000${query.pattern}`
    byPattern.set(key, [...(byPattern.get(key) ?? []), query])
  }
  const tasks: PatternQuery[][] = []
  let current: PatternQuery[] = []
  let cost = 0
  for (const group of byPattern.values()) {
    const first = group[0] as PatternQuery
    const groupCost = estimatePattern(first.pattern, first.ignoreCase).cost
    if (current.length > 0 && cost + groupCost > MAX_QUIZ_PATTERN_COST) {
      tasks.push(current)
      current = []
      cost = 0
    }
    current.push(...group)
    cost += groupCost
  }
  if (current.length > 0) tasks.push(current)
  return tasks
}

export function createPatternMatcher(deps: { config: Config['patterns']; logger: Logger; metrics?: Metrics }) {
  const pool: WorkerPool<PatternTask, PatternTaskResult> = createWorkerPool({
    name: 'patterns',
    taskModule: new URL('./pattern-worker.ts', import.meta.url),
    threads: deps.config.workerThreads,
    maxQueue: deps.config.queue,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
    // Liveness and every other request come before compiling when the CPU is contended.
    niceIncrement: 10,
    logger: deps.logger,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  })
  const deadlineMs = deps.config.deadlineMs

  return {
    /** Why RE2 refuses the pattern, or null when it compiles as graded; 422 PATTERN_TOO_COMPLEX past the deadline. */
    async problemOf(pattern: string, ignoreCase: boolean): Promise<string | null> {
      try {
        const result = await pool.run({ kind: 'check', pattern, ignoreCase }, { deadlineMs })
        return 'problem' in result ? result.problem : null
      } catch (error) {
        if (error instanceof WorkerDeadlineExceeded) throw assessmentErrors.patternTooComplex(deadlineMs)
        throw error
      }
    },

    /**
     * Matches every query, one task at a time (so one grading holds at most one queue slot);
     * 503 GRADING_UNAVAILABLE when a task runs past the deadline.
     */
    async matchAll(queries: readonly PatternQuery[]): Promise<PatternLookup> {
      const results = new Map<string, boolean>()
      const unique = [...new Map(queries.map((q) => [queryKey(q), q])).values()]
      for (const task of chunks(unique)) {
        let result: PatternTaskResult
        try {
          result = await pool.run({ kind: 'match', queries: task }, { deadlineMs })
        } catch (error) {
          if (error instanceof WorkerDeadlineExceeded) throw assessmentErrors.gradingUnavailable(RETRY_AFTER_SECONDS)
          throw error
        }
        const matches = 'matches' in result ? result.matches : []
        task.forEach((query, i) => results.set(queryKey(query), matches[i] === true))
      }
      return (pattern, text, ignoreCase) => {
        const matched = results.get(queryKey({ pattern, text, ignoreCase }))
        if (matched === undefined) throw new Error('an answer was graded against a pattern it was not matched with')
        return matched
      }
    },

    stats: () => pool.stats(),
    close: () => pool.close(),
  }
}

export type PatternMatcher = ReturnType<typeof createPatternMatcher>
