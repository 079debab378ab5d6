import { IsOptional, IsUUID } from 'class-validator';
import { PaginationQueryDto } from '../../../common/dto/pagination-query.dto';
import { IsCalendarDate } from '../../slots/dto/availability-validators';

/**
 * Paged like every list, optionally of one staff member and one day: `date` is read in that staff
 * member's time zone when `staffId` is given, else as a UTC day.
 */
export class ListAppointmentsQueryDto extends PaginationQueryDto {
  @IsOptional()
  @IsUUID('all')
  staffId?: string;

  @IsOptional()
  @IsCalendarDate()
  date?: string;
}
