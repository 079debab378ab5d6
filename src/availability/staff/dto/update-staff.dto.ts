import { IsObject, IsString, Length, Matches, ValidateIf } from 'class-validator';
import type { WorkingHours } from '../../schedule/working-hours';
import { IsIanaTimeZone, IsWorkingHours } from './staff-validators';

/** Any subset of the staff fields (null is refused, not skipped); `workingHours` replaces the whole week. */
export class UpdateStaffDto {
  @ValidateIf((_dto: unknown, value: unknown) => value !== undefined)
  @IsString()
  @Length(1, 200)
  @Matches(/^[^\u0000]*$/, { message: 'name must not contain NUL characters' })
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
