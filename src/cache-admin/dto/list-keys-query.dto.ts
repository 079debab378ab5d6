import { ToNumber } from '../../common/dto/to-number.transform';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export const MAX_SCAN_COUNT = 1000;

/** `GET /cache/keys?pattern=&cursor=&count=`: one SCAN page of keys matching a public-form glob. */
export class ListKeysQueryDto {
  /** Glob over `org:namespace:id`, e.g. `*:users:*`; required (`*` for every key). */
  @IsString()
  pattern!: string;

  /** The cursor of the previous page; `0` (the default) starts, and a `0` answered means done. */
  @IsOptional()
  @Matches(/^(\d{1,6}:)?\d{1,20}$/, { message: 'cursor must be a cursor returned by GET /cache/keys, or 0' })
  cursor: string = '0';

  /** SCAN's COUNT hint, 1-1000 (default 100): how much Redis looks at per page, not an exact page size. */
  @IsOptional()
  @ToNumber()
  @IsInt()
  @Min(1)
  @Max(MAX_SCAN_COUNT)
  count: number = 100;
}
