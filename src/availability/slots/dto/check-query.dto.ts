import { LowerCase } from '../../../common/dto/text.validators';
import { IsOptional, IsUUID } from 'class-validator';
import { IsInstant } from './availability-validators';
import { IsDurationMinutes } from './duration';

export class CheckQueryDto {
  @LowerCase()
  @IsUUID('all')
  staffId!: string;

  @IsInstant()
  start!: string;

  /** Minutes, 5–480; 30 when left out. */
  @IsOptional()
  @IsDurationMinutes()
  duration = 30;
}
