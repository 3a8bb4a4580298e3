/**
 * Time zones through the platform's Intl (IANA names, as Node's ICU ships them): validation and the
 * wall time of an instant in a zone. Instants are what the database and ICS carry; the zone says
 * how the organiser meant them to be shown.
 */
const ZONES = new Set<string>(Intl.supportedValuesOf('timeZone'))

/** The zone's canonical IANA name, or undefined for a name Intl does not know. */
export function canonicalTimeZone(zone: string): string | undefined {
  if (ZONES.has(zone) || zone === 'UTC') return zone
  try {
    // Intl knows more names than it lists (ICU lists Asia/Calcutta but accepts Asia/Kolkata): a
    // name it accepts is kept as given, only its letter case taken from Intl (europe/berlin).
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone
    return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone
  } catch {
    return undefined
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>()
function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    })
    formatters.set(zone, formatter)
  }
  return formatter
}

/** RFC 3339 wall time with the zone's offset at that instant: 2026-10-26T10:00:00+01:00. */
export function wallTime(instant: Date, zone: string): string {
  const parts = Object.fromEntries(
    formatterFor(zone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  )
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : (parts.timeZoneName ?? 'GMT').replace('GMT', '')
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`
}
