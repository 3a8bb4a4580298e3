/** Aggregates rounds (median per target) and prints the table and the app/bare ratios. */
import type { LoadResult } from './load-runner.ts'

/** 'app', 'bare', or a scenario's further reference ('plain', 'express'; run.ts). */
export type Target = string

export interface Measurement {
  scenario: string
  target: Target
  round: number
  result: LoadResult
  /** Peak resident memory of the bench process (the app and the bare reference share it) during the round, MB. */
  rssMb: number
}

export interface Summary {
  scenario: string
  target: Target
  requestsPerSecond: number
  p50: number
  p99: number
  non2xx: number
  errors: number
  /** The highest of the rounds' peak RSS, MB. */
  rssMb: number
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  if (sorted.length === 0) return Number.NaN
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Medians of req/s and latencies over the rounds; error counts are summed, never averaged away. */
export function summarize(measurements: Measurement[]): Summary[] {
  const keys = [...new Set(measurements.map((m) => `${m.scenario}\u0000${m.target}`))]
  return keys.map((key) => {
    const mine = measurements.filter((m) => `${m.scenario}\u0000${m.target}` === key)
    const { scenario, target } = mine[0]!
    return {
      scenario,
      target,
      requestsPerSecond: median(mine.map((m) => m.result.requestsPerSecond)),
      p50: median(mine.map((m) => m.result.p50)),
      p99: median(mine.map((m) => m.result.p99)),
      non2xx: mine.reduce((sum, m) => sum + m.result.non2xx, 0),
      errors: mine.reduce((sum, m) => sum + m.result.errors, 0),
      rssMb: Math.max(...mine.map((m) => m.rssMb)),
    }
  })
}

const HEADER = ['scenario', 'target', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'RSS MB']

function row(cells: string[]): string {
  return cells.map((cell, i) => (i < 2 ? cell.padEnd(i === 0 ? 16 : 6) : cell.padStart(9))).join(' ')
}

export function formatMeasurement(m: Measurement): string {
  const r = m.result
  return `  round ${m.round} ${m.scenario} ${m.target.padEnd(4)} ${r.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}  rss ${m.rssMb} MB`
}

export function formatSummary(summaries: Summary[]): string {
  const lines = [row(HEADER)]
  for (const s of summaries)
    lines.push(
      row([
        s.scenario,
        s.target,
        s.requestsPerSecond.toFixed(0),
        s.p50.toFixed(1),
        s.p99.toFixed(1),
        String(s.non2xx),
        String(s.errors),
        String(s.rssMb),
      ]),
    )
  lines.push(
    'RSS MB: peak resident memory of the bench process during the rounds; the app and the bare reference run in it, ' +
      'so the bare rows show what the process already held. `npm run measure:memory` measures `lyceum api` and `serve` alone.',
    '',
  )
  for (const scenario of new Set(summaries.map((s) => s.scenario))) {
    const app = summaries.find((s) => s.scenario === scenario && s.target === 'app')
    const bare = summaries.find((s) => s.scenario === scenario && s.target === 'bare')
    if (!app || !bare) continue
    lines.push(
      `${scenario}: app/bare req/s ${(app.requestsPerSecond / bare.requestsPerSecond).toFixed(2)}, ` +
        `p99 ${(app.p99 / bare.p99).toFixed(2)}x the bare p99`,
    )
  }
  return lines.join('\n')
}
