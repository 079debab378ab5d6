import { IsOptional, IsUUID } from 'class-validator';
import { IsInstant } from './availability-validators';
import { IsDurationMinutes } from './duration';

export class CheckQueryDto {
  @IsUUID('all')
  staffId!: string;

  @IsInstant()
  start!: string;

  /** Minutes, 5–480; 30 when left out. */
  @IsOptional()
  @IsDurationMinutes()
  duration = 30;
}
