import { IsUUID } from 'class-validator';
import { IsInstant } from '../../slots/dto/availability-validators';
import { IsDurationMinutes } from '../../slots/dto/duration';

export class CreateAppointmentDto {
  @IsUUID('all')
  staffId!: string;

  @IsUUID('all')
  userId!: string;

  /** ISO-8601 with an offset, e.g. 2026-11-23T09:00:00Z. */
  @IsInstant()
  start!: string;

  /** Minutes, 5–480. */
  @IsDurationMinutes()
  duration!: number;
}
