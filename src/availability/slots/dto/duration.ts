import { applyDecorators } from '@nestjs/common';
import { ToNumber } from '../../../common/dto/to-number.transform';
import { IsInt, Max, Min } from 'class-validator';

export const MIN_DURATION_MINUTES = 5;
export const MAX_DURATION_MINUTES = 480;

/** An appointment length: whole minutes, 5 to 480 (query strings are converted first). */
export function IsDurationMinutes(): PropertyDecorator {
  return applyDecorators(ToNumber(), IsInt(), Min(MIN_DURATION_MINUTES), Max(MAX_DURATION_MINUTES));
}
