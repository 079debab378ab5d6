import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../common/dto/pagination-query.dto';
import { NoNul, Trim } from '../../common/dto/text.validators';

export class ListUsersQueryDto extends PaginationQueryDto {
  /** Case-insensitive substring of the name or the email. */
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(200)
  @NoNul('search')
  search?: string;
}
