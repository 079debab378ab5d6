import { ConflictException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { bookingConflict, isExclusionViolation } from './booking-conflict';

describe('booking conflicts', () => {
  it('recognises the exclusion constraint violation (23P01) and nothing else', () => {
    const violation = new QueryFailedError('INSERT', [], Object.assign(new Error('conflicting key value'), { code: '23P01' }));
    const unique = new QueryFailedError('INSERT', [], Object.assign(new Error('duplicate key'), { code: '23505' }));

    expect(isExclusionViolation(violation)).toBe(true);
    expect(isExclusionViolation(unique)).toBe(false);
    expect(isExclusionViolation(new Error('23P01'))).toBe(false);
  });

  it('is a 409 in Nest error shape with the reason', () => {
    const sut = bookingConflict('overlaps_appointment');

    expect(sut).toBeInstanceOf(ConflictException);
    expect(sut.getResponse()).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'The appointment overlaps another appointment of this staff member',
      reason: 'overlaps_appointment',
    });
  });
});
