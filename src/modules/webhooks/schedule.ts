/**
 * When the next attempt of a failed delivery goes (docs/webhooks.md): the Standard Webhooks
 * example schedule, each wait spread by ±20 % so a burst's retries do not land together, a
 * receiver's Retry-After honoured on 429, 502 and 504 (never shorter than the schedule's wait,
 * never longer than a day), everything multiplied by the time-compression factor (1 in
 * production; tests run three days in seconds).
 */
import { JITTER, MAX_ATTEMPTS, MAX_RETRY_AFTER_SECONDS, RETRY_SCHEDULE_SECONDS } from './webhooks.vocabulary.ts'

export interface RetryTiming {
  /** The time-compression factor (WEBHOOK_RETRY_SCALE). */
  scale: number
  random?: () => number
}

/** Statuses whose Retry-After is honoured. */
const RETRY_AFTER_STATUSES = new Set([429, 502, 504])

/** Seconds of a Retry-After value (delta seconds or an HTTP date), or undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d{1,10}$/.test(text)) return Number(text)
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000))
}

/**
 * Milliseconds until the next attempt after `attemptsMade` failed attempts, or undefined when the
 * schedule is exhausted (the delivery is dead).
 */
export function nextDelayMs(
  attemptsMade: number,
  timing: RetryTiming,
  response?: { status: number | undefined; retryAfter: number | undefined },
): number | undefined {
  if (attemptsMade >= MAX_ATTEMPTS) return undefined
  const step = RETRY_SCHEDULE_SECONDS[attemptsMade - 1]
  if (step === undefined) return undefined
  const random = timing.random ?? Math.random
  let seconds = step * (1 - JITTER + 2 * JITTER * random())
  const retryAfter = response?.retryAfter
  if (response?.status !== undefined && RETRY_AFTER_STATUSES.has(response.status) && retryAfter !== undefined)
    seconds = Math.max(seconds, Math.min(retryAfter, MAX_RETRY_AFTER_SECONDS))
  return Math.round(seconds * 1000 * timing.scale)
}

/**
 * When the schedule of a delivery is over at the latest: its remaining waits at their longest,
 * counted from its last attempt (or, before any, from its creation). A delivery the breaker still
 * holds back then is given up.
 */
export function scheduleEndsAt(attemptsMade: number, anchor: Date, timing: RetryTiming): Date {
  const remaining = RETRY_SCHEDULE_SECONDS.slice(Math.max(0, attemptsMade - 1)).reduce((sum, step) => sum + step, 0)
  return new Date(anchor.getTime() + Math.round(remaining * (1 + JITTER) * 1000 * timing.scale))
}
