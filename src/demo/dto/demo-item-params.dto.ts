import { ToNumber } from '../../common/dto/to-number.transform';
import { IsInt, Max, Min } from 'class-validator';

export class DemoItemParamsDto {
  /** A Postgres `integer` primary key: out-of-range ids are a 400, never a database error. */
  @ToNumber()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  id!: number;
}
