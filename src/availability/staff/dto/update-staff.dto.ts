import { IsObject, IsString, Length, ValidateIf } from 'class-validator';
import { NoNul, Trim } from '../../../common/dto/text.validators';
import type { WorkingHours } from '../../schedule/working-hours';
import { IsIanaTimeZone, IsWorkingHours } from './staff-validators';

/** Any subset of the staff fields (null is refused, not skipped); `workingHours` replaces the whole week. */
export class UpdateStaffDto {
  @ValidateIf((_dto: unknown, value: unknown) => value !== undefined)
  @Trim()
  @IsString()
  @Length(1, 200)
  @NoNul('name')
  name?: string;

  @ValidateIf((_dto: unknown, value: unknown) => value !== undefined)
  @IsString()
  @IsIanaTimeZone()
  timezone?: string;

  @ValidateIf((_dto: unknown, value: unknown) => value !== undefined)
  @IsObject()
  @IsWorkingHours()
  workingHours?: WorkingHours;
}
