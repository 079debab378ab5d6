/** Days of the week as working hours name them, Monday first. */
export const WEEK_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export type WeekDay = (typeof WEEK_DAYS)[number];

/** A working interval as `["HH:MM", "HH:MM"]`, local wall time; the end may be `24:00`. */
export type WorkingInterval = [string, string];

/** Weekly working hours; a missing day is a day off. */
export type WorkingHours = Partial<Record<WeekDay, WorkingInterval[]>>;

const TIME = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;

/** Minutes after midnight of `HH:MM` (00:00–24:00), or undefined when malformed. */
export function parseClock(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TIME.exec(value);
  if (match === null) return undefined;
  const hours = Number(match[1] ?? match[3]);
  const minutes = Number(match[2] ?? match[4]);
  return hours * 60 + minutes;
}

/** The day key of a calendar date (YYYY-MM-DD). */
export function weekDayOf(date: string): WeekDay {
  const sundayFirst = new Date(`${date}T00:00:00Z`).getUTCDay();
  return WEEK_DAYS[(sundayFirst + 6) % 7];
}

/**
 * Every problem with a `workingHours` value, each naming its place
 * (e.g. `workingHours.mon[1] overlaps workingHours.mon[0]`); empty when valid.
 */
export function workingHoursProblems(value: unknown, field = 'workingHours'): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${field} must be an object keyed by mon..sun`];
  }
  const problems: string[] = [];
  for (const [day, intervals] of Object.entries(value)) {
    const path = `${field}.${day}`;
    if (!(WEEK_DAYS as readonly string[]).includes(day)) {
      problems.push(`${path} is not a day: use ${WEEK_DAYS.join(', ')}`);
    } else if (!Array.isArray(intervals)) {
      problems.push(`${path} must be an array of ["HH:MM", "HH:MM"] intervals`);
    } else {
      problems.push(...dayProblems(path, intervals));
    }
  }
  return problems;
}

function dayProblems(path: string, intervals: unknown[]): string[] {
  const problems: string[] = [];
  const parsed: { index: number; start: number; end: number }[] = [];
  intervals.forEach((interval, index) => {
    const at = `${path}[${index}]`;
    if (!Array.isArray(interval) || interval.length !== 2) {
      problems.push(`${at} must be a ["HH:MM", "HH:MM"] pair`);
      return;
    }
    const start = parseClock(interval[0]);
    const end = parseClock(interval[1]);
    if (start === undefined || start === 24 * 60) problems.push(`${at} start must be HH:MM between 00:00 and 23:59`);
    if (end === undefined) problems.push(`${at} end must be HH:MM between 00:01 and 24:00`);
    if (start === undefined || end === undefined || start === 24 * 60) return;
    if (start >= end) problems.push(`${at} start must be before its end`);
    else parsed.push({ index, start, end });
  });
  parsed.sort((a, b) => a.start - b.start);
  for (let i = 1; i < parsed.length; i++) {
    if (parsed[i].start < parsed[i - 1].end) {
      const [first, second] = [parsed[i - 1].index, parsed[i].index].sort((a, b) => a - b);
      problems.push(`${path}[${second}] overlaps ${path}[${first}]`);
    }
  }
  return problems;
}
