import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

export class DemoItemParamsDto {
  /** A Postgres `integer` primary key: out-of-range ids are a 400, never a database error. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  id!: number;
}
