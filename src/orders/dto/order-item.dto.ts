import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { MAX_QUANTITY, MAX_UNIT_PRICE_CENTS } from '../order-limits';

export class OrderItemDto {
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'sku must be 1 to 64 letters, digits, ., _ or -' })
  sku!: string;

  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity!: number;

  @IsInt()
  @Min(0)
  @Max(MAX_UNIT_PRICE_CENTS)
  unitPriceCents!: number;
}
