/**
 * Daily streaks in the member's time zone: a day counts when the member earns points that day, as
 * a calendar day where they live (their profile's IANA zone, UTC without one). Pure functions: the
 * day of an instant in a zone, the streak after a day with points, and the streak as of today (a
 * streak whose last day is before yesterday is over).
 */

export interface StreakState {
  currentStreak: number
  longestStreak: number
  /** YYYY-MM-DD in the member's zone; null before any points. */
  lastActiveDay: string | null
}

/** The calendar day (YYYY-MM-DD) of `at` in `timeZone`; an unknown zone counts as UTC. */
export function localDay(at: Date, timeZone: string | null | undefined): string {
  const format = (zone: string) =>
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at)
  try {
    return format(timeZone ?? 'UTC')
  } catch {
    return format('UTC')
  }
}

/** Days from `from` to `to` (both YYYY-MM-DD): 1 when `to` is the day after. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

/** The streak after the member earned points on `day`; a day earlier than the last changes nothing. */
export function afterActiveDay(state: StreakState, day: string): StreakState {
  if (state.lastActiveDay === null)
    return { currentStreak: 1, longestStreak: Math.max(1, state.longestStreak), lastActiveDay: day }
  const gap = daysBetween(state.lastActiveDay, day)
  if (gap <= 0) return state
  const currentStreak = gap === 1 ? state.currentStreak + 1 : 1
  return { currentStreak, longestStreak: Math.max(state.longestStreak, currentStreak), lastActiveDay: day }
}

/** The current streak seen on `today`: still alive when the last day was today or yesterday. */
export function streakAsOf(state: StreakState, today: string): number {
  if (state.lastActiveDay === null) return 0
  return daysBetween(state.lastActiveDay, today) <= 1 ? state.currentStreak : 0
}
