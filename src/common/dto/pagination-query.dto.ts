import { ToNumber } from './to-number.transform';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;
/** Beyond this, OFFSET would scan millions of rows for nothing: a bounded 400 instead. */
export const MAX_PAGE = 100_000;

/** `page` (1-based) and `limit` (1–100, default 20) of every list; outside the range is 400. */
export class PaginationQueryDto {
  @IsOptional()
  @ToNumber()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page: number = 1;

  @IsOptional()
  @ToNumber()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit: number = DEFAULT_PAGE_LIMIT;
}
