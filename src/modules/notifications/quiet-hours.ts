/**
 * Quiet hours: a window of local wall-clock time (`HH:MM`, end exclusive, may wrap midnight) in
 * the member's time zone. A notification inside it is deferred to the window's end. The end is
 * counted in minutes of local time from now, so across a daylight-saving change that night it
 * may land an hour early or late: a deferral, never a loss.
 */
export interface QuietWindow {
  startsAt: string
  endsAt: string
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/** Local hour, minute and second of `now` in `timeZone`. */
function localClock(now: Date, timeZone: string): { minutes: number; seconds: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now)
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0)
  return { minutes: part('hour') * 60 + part('minute'), seconds: part('second') }
}

/** When the quiet window that `now` falls in ends; undefined when `now` is outside it. */
export function quietUntil(now: Date, window: QuietWindow, timeZone: string): Date | undefined {
  const start = minutesOf(window.startsAt)
  const end = minutesOf(window.endsAt)
  const { minutes, seconds } = localClock(now, timeZone)
  const inside = start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end
  if (!inside) return undefined
  const minutesLeft = (end - minutes + 1440) % 1440
  const at = new Date(now.getTime() + (minutesLeft * 60 - seconds) * 1000)
  at.setUTCMilliseconds(0)
  return at
}

/** The member's zone if it is one Intl knows, else the tenant's, else UTC. */
export function effectiveTimeZone(...candidates: Array<string | null | undefined>): string {
  for (const zone of candidates) {
    if (!zone) continue
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone })
      return zone
    } catch {
      // An unknown zone (stored before validation, or removed from the tz database): try the next.
    }
  }
  return 'UTC'
}
