import { parseClock, weekDayOf, type WorkingHours } from './working-hours';
import { addDays, localDateAt, zonedTimeToUtc } from './zoned-time';

const MINUTE_MS = 60_000;

/** A half-open span of time [startMs, endMs) in ms since epoch. */
export interface TimeSpan {
  startMs: number;
  endMs: number;
}

/** Whose time is computed: weekly hours read in the staff member's IANA time zone. */
export interface StaffSchedule {
  timezone: string;
  workingHours: WorkingHours;
}

/** Why a start cannot be booked; `in_the_past` wins over the others. */
export type UnavailableReason = 'in_the_past' | 'outside_working_hours' | 'overlaps_appointment';

export interface AvailabilityVerdict {
  available: boolean;
  reason?: UnavailableReason;
}

/** The UTC span of a whole local day: from its midnight to the next (23, 24 or 25 hours). */
export function localDaySpan(schedule: StaffSchedule, date: string): TimeSpan {
  return {
    startMs: zonedTimeToUtc(date, 0, schedule.timezone),
    endMs: zonedTimeToUtc(addDays(date, 1), 0, schedule.timezone),
  };
}

/** The working intervals of a local date as UTC spans, in the order the hours list them. */
export function workingSpans(schedule: StaffSchedule, date: string): TimeSpan[] {
  const intervals = schedule.workingHours[weekDayOf(date)] ?? [];
  return intervals
    .map(([start, end]) => ({
      startMs: zonedTimeToUtc(date, parseClock(start) ?? 0, schedule.timezone),
      endMs: zonedTimeToUtc(date, parseClock(end) ?? 0, schedule.timezone),
    }))
    .filter((span) => span.startMs < span.endMs)
    .sort((a, b) => a.startMs - b.startMs);
}

export function overlaps(a: TimeSpan, b: TimeSpan): boolean {
  return a.startMs < b.endMs && b.startMs < a.endMs;
}

/**
 * The free starts of a local date: from each working interval's start, stepping by the duration,
 * every start whose [start, start + duration) fits in the interval, overlaps no busy span and is
 * not before `nowMs`. Steps are real elapsed time, so an interval across a DST change yields the
 * slots that really fit in it.
 */
export function freeSlots(
  schedule: StaffSchedule,
  date: string,
  durationMinutes: number,
  busy: readonly TimeSpan[],
  nowMs: number,
): number[] {
  const step = durationMinutes * MINUTE_MS;
  const slots: number[] = [];
  for (const span of workingSpans(schedule, date)) {
    for (let start = span.startMs; start + step <= span.endMs; start += step) {
      const slot = { startMs: start, endMs: start + step };
      if (start >= nowMs && !busy.some((taken) => overlaps(slot, taken))) slots.push(start);
    }
  }
  return slots;
}

/**
 * Whether [startMs, startMs + duration) can be booked: not in the past, inside working time
 * (intervals that touch, e.g. mon 18:00–24:00 and tue 00:00–02:00, count as one) and overlapping
 * no busy span.
 */
export function checkSpan(
  schedule: StaffSchedule,
  startMs: number,
  durationMinutes: number,
  busy: readonly TimeSpan[],
  nowMs: number,
): AvailabilityVerdict {
  const wanted = { startMs, endMs: startMs + durationMinutes * MINUTE_MS };
  if (startMs < nowMs) return { available: false, reason: 'in_the_past' };
  if (!withinWorkingTime(schedule, wanted)) return { available: false, reason: 'outside_working_hours' };
  if (busy.some((taken) => overlaps(wanted, taken))) return { available: false, reason: 'overlaps_appointment' };
  return { available: true };
}

function withinWorkingTime(schedule: StaffSchedule, wanted: TimeSpan): boolean {
  const date = localDateAt(schedule.timezone, wanted.startMs);
  const spans = [-1, 0, 1].flatMap((days) => workingSpans(schedule, addDays(date, days)));
  return mergeTouching(spans).some((span) => span.startMs <= wanted.startMs && wanted.endMs <= span.endMs);
}

function mergeTouching(spans: TimeSpan[]): TimeSpan[] {
  const merged: TimeSpan[] = [];
  for (const span of [...spans].sort((a, b) => a.startMs - b.startMs)) {
    const last = merged.at(-1);
    if (last !== undefined && span.startMs <= last.endMs) last.endMs = Math.max(last.endMs, span.endMs);
    else merged.push({ ...span });
  }
  return merged;
}
