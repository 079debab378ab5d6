const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether Intl knows `timeZone` as an IANA zone (e.g. `Europe/Paris`). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time in `timeZone` at `utcMs`, written as if it were UTC (ms since epoch). */
export function wallClockAt(timeZone: string, utcMs: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(utcMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wholeSeconds = Math.floor(utcMs / 1000) * 1000;
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall + (utcMs - wholeSeconds);
}

/** The zone's offset from UTC at `utcMs`, in ms (positive east of Greenwich). */
export function offsetAt(timeZone: string, utcMs: number): number {
  return wallClockAt(timeZone, utcMs) - utcMs;
}

/**
 * The UTC instant of a local wall time: `date` (YYYY-MM-DD) plus `minutes` after its midnight
 * (1440 = the next midnight). DST is resolved as Temporal's `compatible` mode does: a time that
 * happens twice (clocks back) is its first occurrence; a time that never happens (clocks forward)
 * is moved forward by the gap, so 02:30 on a spring-forward night at 02:00 is 03:30 local.
 */
export function zonedTimeToUtc(date: string, minutes: number, timeZone: string): number {
  const wall = Date.parse(`${date}T00:00:00Z`) + minutes * MINUTE_MS;
  const before = offsetAt(timeZone, wall - DAY_MS);
  const after = offsetAt(timeZone, wall + DAY_MS);
  const earlier = wall - before;
  const later = wall - after;
  const candidates = [earlier, later].filter((utc) => wallClockAt(timeZone, utc) === wall);
  if (candidates.length > 0) return Math.min(...candidates);
  // In the gap: keep the offset from before the change, which lands after the gap.
  return earlier;
}

/** The calendar date (YYYY-MM-DD) in `timeZone` at `utcMs`. */
export function localDateAt(timeZone: string, utcMs: number): string {
  return new Date(wallClockAt(timeZone, utcMs)).toISOString().slice(0, 10);
}

/** `date` (YYYY-MM-DD) moved by `days`. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
