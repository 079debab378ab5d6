import { checkSpan, freeSlots, localDaySpan, type StaffSchedule, type TimeSpan } from './schedule';

const iso = (ms: number): string => new Date(ms).toISOString();
const at = (value: string): number => Date.parse(value);
const span = (start: string, end: string): TimeSpan => ({ startMs: at(start), endMs: at(end) });
const LONG_AGO = 0;

describe('freeSlots', () => {
  const utc: StaffSchedule = { timezone: 'UTC', workingHours: { mon: [['09:00', '12:00']] } };

  it('steps by the duration from the interval start', () => {
    const sut = freeSlots(utc, '2026-11-23', 60, [], LONG_AGO).map(iso);

    expect(sut).toEqual(['2026-11-23T09:00:00.000Z', '2026-11-23T10:00:00.000Z', '2026-11-23T11:00:00.000Z']);
  });

  it('starts again at each interval and keeps only starts that fit', () => {
    const split: StaffSchedule = { timezone: 'UTC', workingHours: { mon: [['13:00', '14:00'], ['09:00', '10:40']] } };

    const sut = freeSlots(split, '2026-11-23', 45, [], LONG_AGO).map(iso);

    expect(sut).toEqual(['2026-11-23T09:00:00.000Z', '2026-11-23T09:45:00.000Z', '2026-11-23T13:00:00.000Z']);
  });

  it('leaves out starts whose slot overlaps an appointment, touching ones stay', () => {
    const busy = [span('2026-11-23T10:15:00Z', '2026-11-23T10:45:00Z'), span('2026-11-23T09:00:00Z', '2026-11-23T09:30:00Z')];

    const sut = freeSlots(utc, '2026-11-23', 30, busy, LONG_AGO).map(iso);

    expect(sut).toEqual([
      '2026-11-23T09:30:00.000Z',
      '2026-11-23T11:00:00.000Z',
      '2026-11-23T11:30:00.000Z',
    ]);
  });

  it('leaves out starts before now', () => {
    const sut = freeSlots(utc, '2026-11-23', 60, [], at('2026-11-23T10:00:00Z')).map(iso);

    expect(sut).toEqual(['2026-11-23T10:00:00.000Z', '2026-11-23T11:00:00.000Z']);
  });

  it('has nothing on a day off', () => {
    expect(freeSlots(utc, '2026-11-24', 30, [], LONG_AGO)).toEqual([]);
  });

  it('reads the date in the staff time zone', () => {
    const tokyo: StaffSchedule = { timezone: 'Asia/Tokyo', workingHours: { mon: [['08:00', '10:00']] } };

    const sut = freeSlots(tokyo, '2026-11-23', 60, [], LONG_AGO).map(iso);

    expect(sut).toEqual(['2026-11-22T23:00:00.000Z', '2026-11-23T00:00:00.000Z']);
  });

  it('fits two hours of slots into 01:00–04:00 on the night clocks go forward', () => {
    // Berlin, Sunday 29 March 2026: 02:00 CET becomes 03:00 CEST.
    const berlin: StaffSchedule = { timezone: 'Europe/Berlin', workingHours: { sun: [['01:00', '04:00']] } };

    const sut = freeSlots(berlin, '2026-03-29', 60, [], LONG_AGO).map(iso);

    expect(sut).toEqual(['2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z']);
  });

  it('fits four hours of slots into 00:00–03:00 on the night clocks go back', () => {
    // New York, Sunday 1 November 2026: 02:00 EDT becomes 01:00 EST.
    const newYork: StaffSchedule = { timezone: 'America/New_York', workingHours: { sun: [['00:00', '03:00']] } };

    const sut = freeSlots(newYork, '2026-11-01', 60, [], LONG_AGO).map(iso);

    expect(sut).toEqual([
      '2026-11-01T04:00:00.000Z',
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T07:00:00.000Z',
    ]);
  });

  it('keeps the same local times on both sides of a DST change', () => {
    const berlin: StaffSchedule = { timezone: 'Europe/Berlin', workingHours: { fri: [['09:00', '10:00']], mon: [['09:00', '10:00']] } };

    expect(freeSlots(berlin, '2026-03-27', 60, [], LONG_AGO).map(iso)).toEqual(['2026-03-27T08:00:00.000Z']);
    expect(freeSlots(berlin, '2026-03-30', 60, [], LONG_AGO).map(iso)).toEqual(['2026-03-30T07:00:00.000Z']);
  });
});

describe('localDaySpan', () => {
  it('is 23 hours long on a spring-forward day', () => {
    const sut = localDaySpan({ timezone: 'Europe/Berlin', workingHours: {} }, '2026-03-29');

    expect(sut.endMs - sut.startMs).toBe(23 * 3_600_000);
  });
});

describe('checkSpan', () => {
  const schedule: StaffSchedule = {
    timezone: 'UTC',
    workingHours: { mon: [['09:00', '12:00'], ['22:00', '24:00']], tue: [['00:00', '02:00']] },
  };
  const busy = [span('2026-11-23T10:00:00Z', '2026-11-23T10:30:00Z')];

  it('accepts a free span inside working hours', () => {
    expect(checkSpan(schedule, at('2026-11-23T09:00:00Z'), 60, busy, LONG_AGO)).toEqual({ available: true });
    expect(checkSpan(schedule, at('2026-11-23T10:30:00Z'), 90, busy, LONG_AGO)).toEqual({ available: true });
  });

  it('refuses a span that overlaps an appointment', () => {
    expect(checkSpan(schedule, at('2026-11-23T09:45:00Z'), 30, busy, LONG_AGO)).toEqual({
      available: false,
      reason: 'overlaps_appointment',
    });
  });

  it('refuses a span that leaves working hours', () => {
    expect(checkSpan(schedule, at('2026-11-23T11:45:00Z'), 30, busy, LONG_AGO)).toEqual({
      available: false,
      reason: 'outside_working_hours',
    });
    expect(checkSpan(schedule, at('2026-11-23T08:00:00Z'), 30, [], LONG_AGO).reason).toBe('outside_working_hours');
  });

  it('counts intervals that touch at midnight as one', () => {
    expect(checkSpan(schedule, at('2026-11-23T23:30:00Z'), 60, [], LONG_AGO)).toEqual({ available: true });
    expect(checkSpan(schedule, at('2026-11-24T01:30:00Z'), 60, [], LONG_AGO).reason).toBe('outside_working_hours');
  });

  it('refuses a start in the past before anything else', () => {
    expect(checkSpan(schedule, at('2026-11-23T08:00:00Z'), 30, busy, at('2026-11-23T09:00:00Z'))).toEqual({
      available: false,
      reason: 'in_the_past',
    });
  });
});
