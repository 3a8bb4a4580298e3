/**
 * Validation and defaults for queues declared in code. A bad declaration is a programming error,
 * so it fails at start-up with a message naming the queue, never at the first job.
 */
import type { RetryPolicy } from './backoff.ts'
import type { QueueDefinition } from './types.ts'
import type { ResolvedQueue } from './worker.ts'

/** `module.verb_noun`, lower case, as events are named. */
export const QUEUE_NAME = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$/

export const DEFAULT_RETRY: RetryPolicy = { limit: 5, baseSeconds: 5, capSeconds: 300 }

/** Each queue has its own dead-letter queue, where jobs land after their last retry. */
export const deadLetterName = (queue: string) => `${queue}.dead`

function check(condition: boolean, queue: string, problem: string): void {
  if (!condition) throw new Error(`Job queue "${queue}": ${problem}`)
}

function checkCron(queue: string, cron: string): void {
  // pg-boss also accepts a seconds field, but dedupes occurrences per minute, so a sub-minute
  // schedule would silently fire less often than written.
  check(
    cron.trim().split(/\s+/).length === 5,
    queue,
    `schedule "${cron}" must be a 5-field cron expression (minute hour day month weekday, UTC)`,
  )
}

export function resolveQueue(definition: QueueDefinition<unknown>): ResolvedQueue {
  const { name } = definition
  check(QUEUE_NAME.test(name), name, 'name must look like module.verb_noun (lower case)')
  const retry: RetryPolicy = {
    limit: definition.retryLimit ?? DEFAULT_RETRY.limit,
    baseSeconds: definition.retryDelaySeconds ?? DEFAULT_RETRY.baseSeconds,
    capSeconds:
      definition.retryDelayMaxSeconds ?? Math.max(DEFAULT_RETRY.capSeconds, definition.retryDelaySeconds ?? 0),
  }
  check(Number.isInteger(retry.limit) && retry.limit >= 0, name, 'retryLimit must be an integer >= 0')
  check(retry.baseSeconds > 0, name, 'retryDelaySeconds must be > 0')
  check(retry.capSeconds >= retry.baseSeconds, name, 'retryDelayMaxSeconds must be >= retryDelaySeconds')
  const expire = definition.expireInSeconds
  check(
    expire === undefined || (Number.isInteger(expire) && expire >= 1),
    name,
    'expireInSeconds must be an integer >= 1',
  )
  const polling = definition.pollingIntervalSeconds
  check(polling === undefined || polling >= 0.5, name, 'pollingIntervalSeconds must be >= 0.5')
  for (const [field, value] of [
    ['localConcurrency', definition.localConcurrency],
    ['groupConcurrency', definition.groupConcurrency],
  ] as const)
    check(value === undefined || (Number.isInteger(value) && value >= 1), name, `${field} must be an integer >= 1`)
  if (definition.schedule) checkCron(name, definition.schedule.cron)
  return { definition, deadLetter: deadLetterName(name), retry }
}
