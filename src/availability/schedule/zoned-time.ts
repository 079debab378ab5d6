import { LRUCache } from 'lru-cache';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * Most formatters kept at once. Intl.DateTimeFormat costs about 30 kB each; the cache is keyed
 * by the canonical zone (Intl accepts any letter case, so client spellings are unbounded), and
 * 256 covers every canonical IANA zone a deployment realistically schedules in (~8 MB at most).
 */
export const ZONE_FORMATTER_CACHE_MAX = 256;

const formatters = new LRUCache<string, Intl.DateTimeFormat>({ max: ZONE_FORMATTER_CACHE_MAX });

function createFormatter(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/**
 * The formatter of a zone, cached under its canonical name only. A spelling that is not
 * already a cached canonical name (`europe/PARIS`, an alias) costs one short-lived formatter
 * to resolve it; nothing is kept under that spelling. Throws RangeError for an unknown zone.
 */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone);
  if (cached !== undefined) return cached;
  const formatter = createFormatter(timeZone);
  const canonical = formatter.resolvedOptions().timeZone;
  const existing = formatters.get(canonical);
  if (existing !== undefined) return existing;
  if (canonical === timeZone) {
    formatters.set(canonical, formatter);
    return formatter;
  }
  const kept = createFormatter(canonical);
  formatters.set(canonical, kept);
  return kept;
}

/** How many formatters are cached (at most `ZONE_FORMATTER_CACHE_MAX`); for tests and diagnostics. */
export function zoneFormatterCacheSize(): number {
  return formatters.size;
}

/** The zone's canonical spelling as Intl resolves it (`europe/paris` → `Europe/Paris`); throws RangeError when unknown. */
export function canonicalTimeZone(timeZone: string): string {
  return formatterFor(timeZone).resolvedOptions().timeZone;
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
