import { LowerCase } from '../../../common/dto/text.validators';
import { IsOptional, IsUUID } from 'class-validator';
import { IsCalendarDate } from './availability-validators';
import { IsDurationMinutes } from './duration';

export class SlotsQueryDto {
  @LowerCase()
  @IsUUID('all')
  staffId!: string;

  @IsCalendarDate()
  date!: string;

  /** Minutes, 5–480; 30 when left out. */
  @IsOptional()
  @IsDurationMinutes()
  duration = 30;
}
