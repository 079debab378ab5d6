import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID, Matches, ValidateNested } from 'class-validator';
import { MAX_ORDER_ITEMS } from '../order-limits';
import { OrderItemDto } from './order-item.dto';

export class CreateOrderDto {
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ORDER_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  items!: OrderItemDto[];

  /** ISO 4217 code, e.g. EUR. */
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code of 3 upper-case letters' })
  currency!: string;
}
