/**
 * The words of outgoing webhooks (docs/webhooks.md): delivery statuses, what started a delivery,
 * breaker states, why an endpoint is disabled, and the retry schedule.
 */

/** pending: not tried yet; retrying: failed, next attempt scheduled; succeeded; dead: given up, replayable. */
export const DELIVERY_STATUSES = ['pending', 'retrying', 'succeeded', 'dead'] as const
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number]

/** What made the delivery: a public event, a manual redelivery, a bulk replay, the test button. */
export const DELIVERY_TRIGGERS = ['event', 'redeliver', 'replay', 'test'] as const
export type DeliveryTrigger = (typeof DELIVERY_TRIGGERS)[number]

export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const
export type BreakerState = (typeof BREAKER_STATES)[number]

/** manual: an administrator turned it off; gone: the receiver answered 410 Gone. */
export const DISABLED_REASONS = ['manual', 'gone'] as const
export type DisabledReason = (typeof DISABLED_REASONS)[number]

export const REPLAY_STATUSES = ['running', 'completed', 'cancelled'] as const
export type ReplayStatus = (typeof REPLAY_STATUSES)[number]

/** The envelope type of the test button's message; not a domain event, never in the catalogue. */
export const TEST_EVENT_TYPE = 'webhooks.test_event'

/**
 * The Standard Webhooks example schedule: the wait before each attempt after the first, in
 * seconds (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h): ten attempts over
 * about three days and four hours.
 */
export const RETRY_SCHEDULE_SECONDS = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400] as const
export const MAX_ATTEMPTS = RETRY_SCHEDULE_SECONDS.length + 1

/** Each wait is spread by up to this share either way, so retries of a burst do not arrive together. */
export const JITTER = 0.2

/** Longest Retry-After honoured (seconds, before compression); a longer one waits this long. */
export const MAX_RETRY_AFTER_SECONDS = 86_400

/** Secret rotation overlap: default and bounds (seconds). */
export const DEFAULT_OVERLAP_SECONDS = 86_400
export const MAX_OVERLAP_SECONDS = 7 * 86_400

/** Endpoints one tenant may have. */
export const MAX_ENDPOINTS_PER_TENANT = 20

/** Characters of a receiver's response body kept in the delivery log. */
export const STORED_RESPONSE_CHARS = 4096

/** Messages a replay job enqueues per transaction. */
export const REPLAY_BATCH = 100
