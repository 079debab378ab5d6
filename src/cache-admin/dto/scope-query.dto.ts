import { IsIn, IsOptional } from 'class-validator';

export const STATS_SCOPES = ['instance', 'fleet'] as const;
export type StatsScope = (typeof STATS_SCOPES)[number];

/** `?scope=fleet`: every live instance (summed through Redis); `instance` (the default): the one that answers. */
export class ScopeQueryDto {
  @IsOptional()
  @IsIn(STATS_SCOPES, { message: 'scope must be instance or fleet' })
  scope?: StatsScope;
}
