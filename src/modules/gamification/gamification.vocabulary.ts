/**
 * The closed vocabulary of gamification: the actions that earn points, the reasons an entry of the
 * log carries, the tiers and their defaults (the reviewed platform's thresholds), the default
 * points per action and daily caps, and the ring detection defaults (docs/gamification.md).
 */

/** Actions that earn points; `post_liked` is earned by the post's author when someone reacts. */
export const POINT_EVENT_TYPES = [
  'post_published',
  'comment_created',
  'post_liked',
  'answer_accepted',
  'lesson_completed',
] as const
export type PointEventType = (typeof POINT_EVENT_TYPES)[number]

/**
 * Why an entry has its points: awarded in full, cut by the daily cap (partly or to 0), withheld
 * because the members involved look like a ring (0), or a reversal of an earlier award (negative).
 */
export const ENTRY_REASONS = ['awarded', 'daily_cap', 'ring_suspected', 'reversed'] as const
export type EntryReason = (typeof ENTRY_REASONS)[number]

export const TIERS = ['bronze', 'silver', 'gold', 'platinum', 'diamond'] as const
export type Tier = (typeof TIERS)[number]
/** Lifetime points at which each tier starts, in TIERS order (bronze is always 0). */
export const DEFAULT_TIER_THRESHOLDS: readonly number[] = [0, 500, 1500, 4000, 8000]

export const DEFAULT_POINTS: Readonly<Record<PointEventType, number>> = {
  post_published: 2,
  comment_created: 1,
  post_liked: 1,
  answer_accepted: 10,
  lesson_completed: 5,
}

/** Points per action type, member and day (UTC): generous for learning, tight for what is cheap to farm. */
export const DEFAULT_DAILY_CAPS: Readonly<Record<PointEventType, number>> = {
  post_published: 20,
  comment_created: 20,
  post_liked: 50,
  answer_accepted: 100,
  lesson_completed: 200,
}

/** Awards among a pair (both directions) or a triangle above this many in the window are withheld. */
export const DEFAULT_RING_THRESHOLD = 10
export const DEFAULT_RING_WINDOW_HOURS = 24

/** Upper bounds of the settings, so a typo cannot mint a fortune. */
export const SETTING_LIMITS = {
  maxPoints: 1000,
  maxDailyCap: 100_000,
  maxThreshold: 10_000_000,
  maxRingThreshold: 1000,
  maxRingWindowHours: 720,
} as const
