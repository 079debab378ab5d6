import { IsObject, IsString, Length, Matches } from 'class-validator';
import type { WorkingHours } from '../../schedule/working-hours';
import { IsIanaTimeZone, IsWorkingHours } from './staff-validators';

export class CreateStaffDto {
  @IsString()
  @Length(1, 200)
  // Postgres text cannot hold NUL; refusing it here keeps it a 400 instead of a database error.
  @Matches(/^[^\u0000]*$/, { message: 'name must not contain NUL characters' })
  name!: string;

  @IsString()
  @IsIanaTimeZone()
  timezone!: string;

  @IsObject()
  @IsWorkingHours()
  workingHours!: WorkingHours;
}
