/**
 * A case's severity, a pure function of its signals (severity-facts.ts gathers them), so each
 * rule is tested without a database. No reporter sends a number: severity comes from
 *
 * - the categories reported (the gravest one counts fully: CATEGORY_WEIGHT, 0-10 → up to 50);
 * - each distinct reporter's credibility: their share of past reports that ended actioned rather
 *   than dismissed, smoothed so a newcomer counts half ((actioned + 1) / (decided + 2)): up to 10
 *   points per reporter, at most 30 (a pile-on of throwaway accounts that were always dismissed
 *   adds little; one trusted reporter adds almost a full 10);
 * - the subject's prior upheld actions (not undone, in other cases): 5 points each, at most 20;
 * - a word-filter match (the community's filter held the content): a fixed 10.
 *
 * The score is clamped to 0-100 and read as a level: low < 30 ≤ medium < 55 ≤ high < 80 ≤ critical.
 * Self-harm ranks gravest because a delay there costs the most; `other` says least.
 */
import type { ReportCategory, SeverityLevel } from './moderation.vocabulary.ts'

export const CATEGORY_WEIGHT: Record<ReportCategory, number> = {
  self_harm: 10,
  violence: 9,
  hate: 8,
  sexual: 7,
  harassment: 6,
  misinformation: 4,
  spam: 3,
  other: 2,
}

export interface ReporterSignal {
  reporterId: string
  category: ReportCategory
  /** The reporter's earlier reports in closed cases, by how the case ended. */
  pastActioned: number
  pastDismissed: number
}

export interface SeveritySignals {
  reports: readonly ReporterSignal[]
  /** Actions against the subject in other cases, not undone. */
  subjectUpheldActions: number
  wordFilterMatch?: boolean
}

export interface Severity {
  score: number
  level: SeverityLevel
}

/** (actioned + 1) / (decided + 2): 0.5 for someone with no history, towards 1 or 0 with it. */
export function credibility(pastActioned: number, pastDismissed: number): number {
  const actioned = Math.max(0, pastActioned)
  const dismissed = Math.max(0, pastDismissed)
  return (actioned + 1) / (actioned + dismissed + 2)
}

export function levelOf(score: number): SeverityLevel {
  if (score >= 80) return 'critical'
  if (score >= 55) return 'high'
  if (score >= 30) return 'medium'
  return 'low'
}

export function computeSeverity(signals: SeveritySignals): Severity {
  // One reporter counts once, with the gravest category they chose.
  const byReporter = new Map<string, ReporterSignal>()
  for (const report of signals.reports) {
    const seen = byReporter.get(report.reporterId)
    if (!seen || CATEGORY_WEIGHT[report.category] > CATEGORY_WEIGHT[seen.category])
      byReporter.set(report.reporterId, report)
  }
  const reporters = [...byReporter.values()]
  const gravest = Math.max(0, ...reporters.map((report) => CATEGORY_WEIGHT[report.category]))
  const crowd = Math.min(
    30,
    reporters.reduce((sum, report) => sum + 10 * credibility(report.pastActioned, report.pastDismissed), 0),
  )
  const history = Math.min(20, 5 * Math.max(0, signals.subjectUpheldActions))
  const filter = signals.wordFilterMatch ? 10 : 0
  const score = Math.max(0, Math.min(100, Math.round(gravest * 5 + crowd + history + filter)))
  return { score, level: levelOf(score) }
}
