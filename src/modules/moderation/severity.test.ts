import { describe, expect, it } from 'vitest'
import { computeSeverity, credibility, levelOf, type ReporterSignal } from './severity.ts'

const report = (reporterId: string, category: ReporterSignal['category'], actioned = 0, dismissed = 0) => ({
  reporterId,
  category,
  pastActioned: actioned,
  pastDismissed: dismissed,
})

describe('severity', () => {
  it('counts a newcomer half: credibility is the smoothed share of actioned reports', () => {
    expect(credibility(0, 0)).toBe(0.5)
    expect(credibility(8, 0)).toBeCloseTo(0.9)
    expect(credibility(0, 8)).toBeCloseTo(0.1)
    expect(credibility(-3, -3)).toBe(0.5)
  })

  it('ranks a single spam report low and a single self-harm report high', () => {
    expect(computeSeverity({ reports: [report('a', 'spam')], subjectUpheldActions: 0 })).toEqual({
      score: 20,
      level: 'low',
    })
    expect(computeSeverity({ reports: [report('a', 'self_harm')], subjectUpheldActions: 0 })).toEqual({
      score: 55,
      level: 'high',
    })
  })

  it('counts one reporter once (their gravest category), however often they report', () => {
    const once = computeSeverity({ reports: [report('a', 'hate')], subjectUpheldActions: 0 })
    const twice = computeSeverity({ reports: [report('a', 'spam'), report('a', 'hate')], subjectUpheldActions: 0 })
    expect(twice).toEqual(once)
  })

  it('weighs distinct reporters by their history, capped', () => {
    const trusted = computeSeverity({ reports: [report('a', 'spam', 9, 0)], subjectUpheldActions: 0 })
    const dismissed = computeSeverity({ reports: [report('a', 'spam', 0, 9)], subjectUpheldActions: 0 })
    expect(trusted.score).toBeGreaterThan(dismissed.score)
    const crowd = Array.from({ length: 20 }, (_, i) => report(`r${i}`, 'spam', 50, 0))
    expect(computeSeverity({ reports: crowd, subjectUpheldActions: 0 }).score).toBe(15 + 30)
    // Twenty always-dismissed accounts add less than three trusted ones.
    const throwaways = Array.from({ length: 20 }, (_, i) => report(`t${i}`, 'spam', 0, 20))
    const trustedThree = Array.from({ length: 3 }, (_, i) => report(`g${i}`, 'spam', 20, 0))
    expect(computeSeverity({ reports: throwaways, subjectUpheldActions: 0 }).score).toBeLessThanOrEqual(
      computeSeverity({ reports: trustedThree, subjectUpheldActions: 0 }).score,
    )
  })

  it("adds the subject's upheld actions (capped) and a word-filter match", () => {
    const base = computeSeverity({ reports: [report('a', 'harassment')], subjectUpheldActions: 0 }).score
    expect(computeSeverity({ reports: [report('a', 'harassment')], subjectUpheldActions: 2 }).score).toBe(base + 10)
    expect(computeSeverity({ reports: [report('a', 'harassment')], subjectUpheldActions: 99 }).score).toBe(base + 20)
    expect(
      computeSeverity({ reports: [report('a', 'harassment')], subjectUpheldActions: 0, wordFilterMatch: true }).score,
    ).toBe(base + 10)
  })

  it('stays within 0-100 and reads levels at their thresholds', () => {
    const all = Array.from({ length: 10 }, (_, i) => report(`r${i}`, 'self_harm', 100, 0))
    expect(computeSeverity({ reports: all, subjectUpheldActions: 100, wordFilterMatch: true }).score).toBe(100)
    expect(computeSeverity({ reports: [], subjectUpheldActions: 0 })).toEqual({ score: 0, level: 'low' })
    expect([29, 30, 54, 55, 79, 80].map(levelOf)).toEqual(['low', 'medium', 'medium', 'high', 'high', 'critical'])
  })
})
