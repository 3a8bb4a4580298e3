/** The tenant's point rules: its settings row merged over the defaults (a type added later gets its default). */
import type { Tx } from '../../platform/db/database.ts'
import { gamificationSettings, type PointRules } from './gamification.tables.ts'
import {
  DEFAULT_DAILY_CAPS,
  DEFAULT_POINTS,
  DEFAULT_RING_THRESHOLD,
  DEFAULT_RING_WINDOW_HOURS,
  DEFAULT_TIER_THRESHOLDS,
} from './gamification.vocabulary.ts'

export const DEFAULT_RULES: PointRules = {
  points: { ...DEFAULT_POINTS },
  dailyCaps: { ...DEFAULT_DAILY_CAPS },
  tierThresholds: [...DEFAULT_TIER_THRESHOLDS],
  ringThreshold: DEFAULT_RING_THRESHOLD,
  ringWindowHours: DEFAULT_RING_WINDOW_HOURS,
}

export type SettingsRow = typeof gamificationSettings.$inferSelect

export function rulesOf(row: Pick<SettingsRow, keyof PointRules> | undefined | null): PointRules {
  if (!row) return DEFAULT_RULES
  return {
    points: { ...DEFAULT_POINTS, ...row.points },
    dailyCaps: { ...DEFAULT_DAILY_CAPS, ...row.dailyCaps },
    tierThresholds: row.tierThresholds.length > 0 ? row.tierThresholds : [...DEFAULT_TIER_THRESHOLDS],
    ringThreshold: row.ringThreshold,
    ringWindowHours: row.ringWindowHours,
  }
}

/** The settings row of the transaction's tenant (RLS), if an administrator saved one. */
export async function settingsRow(tx: Tx): Promise<SettingsRow | undefined> {
  const [row] = await tx.select().from(gamificationSettings).limit(1)
  return row
}

export async function readRules(tx: Tx): Promise<PointRules> {
  return rulesOf(await settingsRow(tx))
}

/** The UTC month of an instant, the period of the monthly totals: 2026-12. */
export function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7)
}
