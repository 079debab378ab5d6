import { parseClock, weekDayOf, workingHoursProblems } from './working-hours';

describe('working hours', () => {
  it('parses HH:MM from 00:00 to 24:00', () => {
    expect(parseClock('00:00')).toBe(0);
    expect(parseClock('09:30')).toBe(570);
    expect(parseClock('24:00')).toBe(1440);
    expect(parseClock('24:30')).toBeUndefined();
    expect(parseClock('9:30')).toBeUndefined();
    expect(parseClock('12:60')).toBeUndefined();
    expect(parseClock(930)).toBeUndefined();
  });

  it('names the day of a date', () => {
    expect(weekDayOf('2026-11-23')).toBe('mon');
    expect(weekDayOf('2026-11-29')).toBe('sun');
  });

  it('accepts split days, days off and an end at 24:00', () => {
    expect(
      workingHoursProblems({ mon: [['09:00', '12:00'], ['13:00', '17:00']], sat: [], sun: [['18:00', '24:00']] }),
    ).toEqual([]);
  });

  it('names every bad day, interval and overlap', () => {
    const sut = workingHoursProblems({
      mon: [['09:00', '12:00'], ['11:00', '13:00']],
      tue: [['17:00', '09:00']],
      wed: [['25:00', '26:00']],
      thu: 'all day',
      funday: [],
    });

    expect(sut).toEqual([
      'workingHours.mon[1] overlaps workingHours.mon[0]',
      'workingHours.tue[0] start must be before its end',
      'workingHours.wed[0] start must be HH:MM between 00:00 and 23:59',
      'workingHours.wed[0] end must be HH:MM between 00:01 and 24:00',
      'workingHours.thu must be an array of ["HH:MM", "HH:MM"] intervals',
      'workingHours.funday is not a day: use mon, tue, wed, thu, fri, sat, sun',
    ]);
  });

  it('refuses what is not an object', () => {
    expect(workingHoursProblems([])).toEqual(['workingHours must be an object keyed by mon..sun']);
    expect(workingHoursProblems({ mon: [['09:00']] })).toEqual(['workingHours.mon[0] must be a ["HH:MM", "HH:MM"] pair']);
  });
});
