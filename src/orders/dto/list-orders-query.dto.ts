import { LowerCase } from '../../common/dto/text.validators';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PaginationQueryDto } from '../../common/dto/pagination-query.dto';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';

export class ListOrdersQueryDto extends PaginationQueryDto {
  @IsOptional()
  @IsIn(ORDER_STATUSES, { message: `status must be one of: ${ORDER_STATUSES.join(', ')}` })
  status?: OrderStatus;

  @IsOptional()
  @LowerCase()
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId?: string;
}
