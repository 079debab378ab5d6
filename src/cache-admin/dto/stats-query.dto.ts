import { IsOptional } from 'class-validator';
import { IsCacheOrg } from './cache-org.validators';

/** `GET /cache/stats?org=`: with an org, totals and namespaces cover only its calls. */
export class StatsQueryDto {
  @IsOptional()
  @IsCacheOrg()
  org?: string;
}
