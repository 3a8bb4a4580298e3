/**
 * Retry timing. pg-boss's own backoff is "equal jitter" (between 1x and 2x of base * 2^n), which
 * keeps half of every delay fixed, so failures that happened together retry together. We use
 * full jitter instead (a uniform delay between 0 and the capped exponential bound), which spreads
 * a burst of retries over the whole window.
 *
 * pg-boss still gets a backoff configuration (see `bossRetryOptions`): it is chosen so that the
 * time pg-boss schedules is never earlier than ours. The worker then pulls the retry forward to the
 * full-jitter instant, so a crash between the two steps leaves the job on pg-boss's (later) retry
 * instead of retrying early or never.
 */

export interface RetryPolicy {
  /** Retries after the first attempt. */
  limit: number
  /** Delay bound of the first retry, in seconds. */
  baseSeconds: number
  /** No retry waits longer than this, in seconds. */
  capSeconds: number
}

// pg-boss stops doubling at 2^16; so do we, which keeps our bound at or below its schedule.
const MAX_EXPONENT = 16

/** The upper bound of the delay before retry number `attempt + 1` (attempt 0 is the first run). */
export function retryDelayBound(attempt: number, policy: RetryPolicy): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), MAX_EXPONENT)
  return Math.min(policy.capSeconds, policy.baseSeconds * 2 ** exponent)
}

/** A full-jitter delay in seconds (millisecond precision) for the retry after `attempt` failed. */
export function fullJitterDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  return Math.floor(random() * retryDelayBound(attempt, policy) * 1000) / 1000
}

/**
 * pg-boss's queue settings for a policy: integer seconds, rounded up, at least 1 s for the base
 * (pg-boss's own floor), so its equal-jitter schedule is never earlier than our full-jitter one.
 */
export function bossRetryOptions(policy: RetryPolicy) {
  const retryDelay = Math.max(1, Math.ceil(policy.baseSeconds))
  return {
    retryLimit: policy.limit,
    retryDelay,
    retryBackoff: true,
    retryDelayMax: Math.max(retryDelay, Math.ceil(policy.capSeconds)),
  }
}
