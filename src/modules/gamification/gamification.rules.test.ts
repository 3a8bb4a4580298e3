/** The pure rules of gamification: awards (self, caps, rings), tiers and streaks across time zones. */
import { describe, expect, it } from 'vitest'
import { decideAward, type AwardFacts } from './award-rules.ts'
import { DEFAULT_TIER_THRESHOLDS } from './gamification.vocabulary.ts'
import { afterActiveDay, localDay, streakAsOf, type StreakState } from './streaks.ts'
import { checkThresholds, tierOf } from './tiers.ts'

const A = '00000000-0000-4000-8000-00000000000a'
const B = '00000000-0000-4000-8000-00000000000b'
const C = '00000000-0000-4000-8000-00000000000c'

const facts = (over: Partial<AwardFacts> = {}): AwardFacts => ({
  recipientId: B,
  giverId: A,
  points: 1,
  dailyCap: 50,
  earnedToday: 0,
  edges: { forward: 0, backward: 0, triangles: [] },
  ringThreshold: 4,
  ...over,
})

describe('decideAward', () => {
  it('awards the points of the type', () => {
    expect(decideAward(facts())).toEqual({ award: true, points: 1, reason: 'awarded' })
    expect(decideAward(facts({ giverId: undefined, edges: undefined, points: 5 }))).toEqual({
      award: true,
      points: 5,
      reason: 'awarded',
    })
  })

  it('awards nothing for reacting to (or accepting) one’s own content', () => {
    expect(decideAward(facts({ giverId: B }))).toEqual({ award: false, why: 'self' })
  })

  it('a type worth 0 points logs nothing', () => {
    expect(decideAward(facts({ points: 0 }))).toEqual({ award: false, why: 'nothing_to_award' })
  })

  it('cuts at the daily cap: what is left of it, then 0', () => {
    expect(decideAward(facts({ points: 10, dailyCap: 25, earnedToday: 20 }))).toEqual({
      award: true,
      points: 5,
      reason: 'daily_cap',
    })
    expect(decideAward(facts({ points: 10, dailyCap: 25, earnedToday: 25 }))).toEqual({
      award: true,
      points: 0,
      reason: 'daily_cap',
    })
    expect(decideAward(facts({ points: 10, dailyCap: 30, earnedToday: 20 })).award).toBe(true)
  })

  it('withholds a pair ring once both directions exceed the threshold together', () => {
    // A → B twice, B → A once: this award would be the 4th, at the threshold: still awarded.
    expect(decideAward(facts({ edges: { forward: 2, backward: 1, triangles: [] } }))).toMatchObject({ points: 1 })
    expect(decideAward(facts({ edges: { forward: 2, backward: 2, triangles: [] } }))).toEqual({
      award: true,
      points: 0,
      reason: 'ring_suspected',
      ring: { kind: 'pair', memberIds: [A, B] },
    })
  })

  it('one direction alone is no ring, however many', () => {
    expect(decideAward(facts({ edges: { forward: 40, backward: 0, triangles: [] } }))).toMatchObject({
      reason: 'awarded',
    })
  })

  it('withholds a triangle A → B → C → A above the threshold', () => {
    const triangle = { thirdId: C, recipientToThird: 2, thirdToGiver: 1 }
    expect(decideAward(facts({ edges: { forward: 0, backward: 0, triangles: [triangle] } }))).toMatchObject({
      reason: 'awarded',
    })
    expect(decideAward(facts({ edges: { forward: 1, backward: 0, triangles: [triangle] } }))).toEqual({
      award: true,
      points: 0,
      reason: 'ring_suspected',
      ring: { kind: 'triangle', memberIds: [A, B, C] },
    })
    // A chain that does not close (C never gave A anything) is no ring.
    const open = { thirdId: C, recipientToThird: 9, thirdToGiver: 0 }
    expect(decideAward(facts({ edges: { forward: 9, backward: 0, triangles: [open] } })).award).toBe(true)
    expect(decideAward(facts({ edges: { forward: 9, backward: 0, triangles: [open] } }))).toMatchObject({
      reason: 'awarded',
    })
  })

  it('a ring is checked before the cap (withheld, not cut)', () => {
    const decision = decideAward(facts({ earnedToday: 50, edges: { forward: 3, backward: 3, triangles: [] } }))
    expect(decision).toMatchObject({ reason: 'ring_suspected' })
  })
})

describe('tierOf', () => {
  it.each([
    [0, 'bronze', 'silver', 500],
    [499, 'bronze', 'silver', 1],
    [500, 'silver', 'gold', 1000],
    [1499, 'silver', 'gold', 1],
    [1500, 'gold', 'platinum', 2500],
    [3999, 'gold', 'platinum', 1],
    [4000, 'platinum', 'diamond', 4000],
    [7999, 'platinum', 'diamond', 1],
    [8000, 'diamond', null, null],
    [1_000_000, 'diamond', null, null],
    [-5, 'bronze', 'silver', 505],
  ])('%i lifetime points is %s', (points, tier, nextTier, pointsToNext) => {
    expect(tierOf(points, DEFAULT_TIER_THRESHOLDS)).toMatchObject({ tier, nextTier, pointsToNext })
  })

  it('follows a tenant’s thresholds', () => {
    expect(tierOf(100, [0, 10, 20, 30, 100])).toMatchObject({ tier: 'diamond', rank: 4 })
  })

  it('thresholds are five, start at 0 and ascend strictly', () => {
    expect(() => checkThresholds([0, 500, 1500, 4000, 8000])).not.toThrow()
    for (const bad of [
      [0, 500, 500, 4000, 8000],
      [1, 500, 1500, 4000, 8000],
      [0, 500, 1500, 4000],
      [0, 4000, 1500, 500, 8000],
    ])
      expect(() => checkThresholds(bad)).toThrow(/INVALID_TIER_THRESHOLDS|strictly ascending/)
  })
})

describe('streaks', () => {
  const start: StreakState = { currentStreak: 0, longestStreak: 0, lastActiveDay: null }

  it('counts days in a row, restarts after a gap, keeps the longest', () => {
    let state = afterActiveDay(start, '2026-03-01')
    state = afterActiveDay(state, '2026-03-01')
    state = afterActiveDay(state, '2026-03-02')
    state = afterActiveDay(state, '2026-03-03')
    expect(state).toEqual({ currentStreak: 3, longestStreak: 3, lastActiveDay: '2026-03-03' })
    state = afterActiveDay(state, '2026-03-05')
    expect(state).toEqual({ currentStreak: 1, longestStreak: 3, lastActiveDay: '2026-03-05' })
    expect(streakAsOf(state, '2026-03-06')).toBe(1)
    expect(streakAsOf(state, '2026-03-07')).toBe(0)
  })

  it('a day is the member’s calendar day: 23:30 UTC is already tomorrow in Berlin', () => {
    const lateUtc = new Date('2026-01-10T23:30:00Z')
    expect(localDay(lateUtc, null)).toBe('2026-01-10')
    expect(localDay(lateUtc, 'Europe/Berlin')).toBe('2026-01-11')
    expect(localDay(new Date('2026-01-11T03:00:00Z'), 'America/Los_Angeles')).toBe('2026-01-10')
    expect(localDay(lateUtc, 'Not/AZone')).toBe('2026-01-10')
  })

  it('two awards an hour apart across Berlin midnight are two days there, one day in UTC', () => {
    const before = new Date('2026-01-10T22:30:00Z') // 23:30 in Berlin
    const after = new Date('2026-01-10T23:30:00Z') // 00:30 the next day in Berlin
    const inZone = [before, after].reduce((state, at) => afterActiveDay(state, localDay(at, 'Europe/Berlin')), start)
    const inUtc = [before, after].reduce((state, at) => afterActiveDay(state, localDay(at, null)), start)
    expect(inZone.currentStreak).toBe(2)
    expect(inUtc.currentStreak).toBe(1)
  })
})
