/**
 * Tiers by lifetime points: a pure function of the points and the tenant's thresholds (bronze 0,
 * silver 500, gold 1500, platinum 4000, diamond 8000 by default). Lifetime points are the sum of
 * the log: nothing is ever spent from them, and only a reversal of farmed points lowers them.
 */
import { AppError } from '../../platform/errors.ts'
import { TIERS, type Tier } from './gamification.vocabulary.ts'

export interface TierStanding {
  tier: Tier
  /** 0 for bronze up to 4 for diamond: what the DM policy compares. */
  rank: number
  nextTier: Tier | null
  /** Points still missing to the next tier; null at the top. */
  pointsToNext: number | null
}

export function tierOf(lifetimePoints: number, thresholds: readonly number[]): TierStanding {
  let rank = 0
  for (let index = 1; index < TIERS.length; index++) if (lifetimePoints >= (thresholds[index] ?? Infinity)) rank = index
  const next = rank + 1 < TIERS.length ? rank + 1 : null
  return {
    tier: TIERS[rank]!,
    rank,
    nextTier: next === null ? null : TIERS[next]!,
    pointsToNext: next === null ? null : (thresholds[next] ?? 0) - lifetimePoints,
  }
}

/** One threshold per tier, bronze at 0, strictly ascending; otherwise 400 INVALID_TIER_THRESHOLDS. */
export function checkThresholds(thresholds: readonly number[]): void {
  const ascending = thresholds.every((value, index) => index === 0 || value > thresholds[index - 1]!)
  if (thresholds.length !== TIERS.length || thresholds[0] !== 0 || !ascending)
    throw new AppError(
      'invalid',
      'INVALID_TIER_THRESHOLDS',
      `tierThresholds must be ${TIERS.length} strictly ascending numbers starting at 0 (${TIERS.join(', ')})`,
    )
}

export function tierRank(tier: Tier): number {
  return TIERS.indexOf(tier)
}
