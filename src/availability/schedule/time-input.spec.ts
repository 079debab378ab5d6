import { isCalendarDate, parseInstant } from './time-input';

describe('time input', () => {
  it.each(['2026-11-23', '2028-02-29'])('accepts the date %s', (value) => {
    expect(isCalendarDate(value)).toBe(true);
  });

  it.each(['2026-02-29', '2026-02-30', '2026-13-01', '2026-1-01', '23/11/2026', '', 20261123, '1969-12-31'])(
    'refuses the date %s',
    (value) => {
      expect(isCalendarDate(value)).toBe(false);
    },
  );

  it('reads date-times with an offset', () => {
    expect(parseInstant('2026-11-23T09:00:00Z')).toBe(Date.parse('2026-11-23T09:00:00Z'));
    expect(parseInstant('2026-11-23T10:00+01:00')).toBe(Date.parse('2026-11-23T09:00:00Z'));
    expect(parseInstant('2026-11-23T09:00:00.250Z')).toBe(Date.parse('2026-11-23T09:00:00.250Z'));
  });

  it.each(['2026-11-23T09:00:00', '2026-02-30T09:00:00Z', '2026-11-23T24:00:00Z', '2026-11-23 09:00Z', 'tomorrow', '2026-11-23T09:00+25:00'])(
    'refuses the date-time %s',
    (value) => {
      expect(parseInstant(value)).toBeUndefined();
    },
  );
});
