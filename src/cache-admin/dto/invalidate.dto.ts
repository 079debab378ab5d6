import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsCacheOrg } from './cache-org.validators';

/** `POST /cache/invalidate`: tags and/or a pattern, in one organization or (no org) in every one. */
export class InvalidateDto {
  /** Tags as the domain writes them, e.g. `users`, `user:<id>`, `dashboard`. */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { each: true, message: 'tags must not contain control characters' })
  tags?: string[];

  /** Glob over `namespace:id` (the org is its own field), e.g. `users:*`. */
  @IsOptional()
  @IsString()
  pattern?: string;

  @IsOptional()
  @IsCacheOrg()
  org?: string;
}
