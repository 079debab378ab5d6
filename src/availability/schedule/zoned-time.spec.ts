import {
  addDays,
  canonicalTimeZone,
  isValidTimeZone,
  localDateAt,
  offsetAt,
  ZONE_FORMATTER_CACHE_MAX,
  zoneFormatterCacheSize,
  zonedTimeToUtc,
} from './zoned-time';

const iso = (ms: number): string => new Date(ms).toISOString();

describe('zoned time', () => {
  it('knows IANA zones and refuses made-up ones', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  it('converts a wall time with the offset of that day', () => {
    expect(iso(zonedTimeToUtc('2026-01-15', 9 * 60, 'Europe/Berlin'))).toBe('2026-01-15T08:00:00.000Z');
    expect(iso(zonedTimeToUtc('2026-07-15', 9 * 60, 'Europe/Berlin'))).toBe('2026-07-15T07:00:00.000Z');
    expect(iso(zonedTimeToUtc('2026-07-15', 9 * 60, 'America/New_York'))).toBe('2026-07-15T13:00:00.000Z');
    expect(iso(zonedTimeToUtc('2026-07-15', 9 * 60 + 30, 'Asia/Kolkata'))).toBe('2026-07-15T04:00:00.000Z');
  });

  it('reads 24:00 as the next midnight', () => {
    expect(iso(zonedTimeToUtc('2026-01-15', 24 * 60, 'Europe/Berlin'))).toBe('2026-01-15T23:00:00.000Z');
  });

  it('moves a wall time that does not exist (clocks forward) past the gap', () => {
    // Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST.
    expect(iso(zonedTimeToUtc('2026-03-29', 2 * 60 + 30, 'Europe/Berlin'))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(zonedTimeToUtc('2026-03-29', 3 * 60, 'Europe/Berlin'))).toBe('2026-03-29T01:00:00.000Z');
  });

  it('takes the first of a wall time that happens twice (clocks back)', () => {
    // New York, 1 November 2026: 02:00 EDT becomes 01:00 EST, so 01:30 happens twice.
    expect(iso(zonedTimeToUtc('2026-11-01', 90, 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(zonedTimeToUtc('2026-11-01', 3 * 60, 'America/New_York'))).toBe('2026-11-01T08:00:00.000Z');
  });

  it('gives the local date and the offset at an instant', () => {
    expect(localDateAt('Pacific/Auckland', Date.parse('2026-07-15T20:00:00Z'))).toBe('2026-07-16');
    expect(localDateAt('America/Los_Angeles', Date.parse('2026-07-15T03:00:00Z'))).toBe('2026-07-14');
    expect(offsetAt('Asia/Kolkata', Date.parse('2026-07-15T00:00:00Z'))).toBe(330 * 60_000);
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('caches formatters by canonical zone, bounded, whatever spellings clients send', () => {
    const before = zoneFormatterCacheSize();
    const zone = 'America/Argentina/ComodRivadavia';
    // Every letter-case spelling Intl accepts, as requests ending in 400 or 201 may send them.
    const spellings = Array.from({ length: 5_000 }, (_, i) =>
      [...zone].map((ch, j) => ((i >> (j % 13)) & 1 ? ch.toUpperCase() : ch.toLowerCase())).join(''),
    );
    expect(new Set(spellings).size).toBe(5_000);
    for (const spelling of spellings) expect(isValidTimeZone(spelling)).toBe(true);
    expect(zoneFormatterCacheSize() - before).toBeLessThanOrEqual(1);
    expect(canonicalTimeZone('europe/PARIS')).toBe('Europe/Paris');

    for (const name of Intl.supportedValuesOf('timeZone')) isValidTimeZone(name.toUpperCase());
    expect(zoneFormatterCacheSize()).toBeLessThanOrEqual(ZONE_FORMATTER_CACHE_MAX);
  });
});

