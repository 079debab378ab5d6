import { IsOptional } from 'class-validator';
import { IsCacheOrg } from './cache-org.validators';
import { ScopeQueryDto } from './scope-query.dto';

/** `GET /cache/stats?org=&scope=`: with an org, totals and namespaces cover only its calls. */
export class StatsQueryDto extends ScopeQueryDto {
  @IsOptional()
  @IsCacheOrg()
  org?: string;
}
