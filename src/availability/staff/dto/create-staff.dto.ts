import { IsObject, IsString, Length } from 'class-validator';
import { NoNul, Trim } from '../../../common/dto/text.validators';
import type { WorkingHours } from '../../schedule/working-hours';
import { IsIanaTimeZone, IsWorkingHours } from './staff-validators';

export class CreateStaffDto {
  @Trim()
  @IsString()
  @Length(1, 200)
  @NoNul('name')
  name!: string;

  @IsString()
  @IsIanaTimeZone()
  timezone!: string;

  @IsObject()
  @IsWorkingHours()
  workingHours!: WorkingHours;
}
