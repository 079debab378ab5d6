import { ConflictException, HttpStatus } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import type { UnavailableReason } from '../schedule/schedule';

const MESSAGES: Record<UnavailableReason, string> = {
  in_the_past: 'The appointment would start in the past',
  outside_working_hours: "The appointment falls outside the staff member's working hours",
  overlaps_appointment: 'The appointment overlaps another appointment of this staff member',
};

/** 409 in Nest's error shape, plus the machine-readable `reason` that /availability/check gives. */
export function bookingConflict(reason: UnavailableReason): ConflictException {
  return new ConflictException({ statusCode: HttpStatus.CONFLICT, error: 'Conflict', message: MESSAGES[reason], reason });
}

/** Whether Postgres refused the row through the no-overlap exclusion constraint (SQLSTATE 23P01). */
export function isExclusionViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError: unknown = error.driverError;
  return typeof driverError === 'object' && driverError !== null && 'code' in driverError && driverError.code === '23P01';
}
