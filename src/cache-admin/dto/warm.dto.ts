import { ArrayMaxSize, IsArray, IsOptional, IsString, Length } from 'class-validator';
import { IsCacheOrg } from './cache-org.validators';

/** `POST /cache/warm`: which jobs (all when absent) for which organization (all when absent). */
export class WarmDto {
  @IsOptional()
  @IsCacheOrg()
  org?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  jobs?: string[];
}
