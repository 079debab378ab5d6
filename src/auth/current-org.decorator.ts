import { createParamDecorator, type ExecutionContext, InternalServerErrorException } from '@nestjs/common';
import type { TenantIdentity, TenantRequest } from './tenant-identity';

function tenantOf(context: ExecutionContext): TenantIdentity {
  const tenant = context.switchToHttp().getRequest<TenantRequest>().tenant;
  // Only reachable when a route forgot @UseGuards(TenantGuard): a programming error, not input.
  if (tenant === undefined) throw new InternalServerErrorException('No tenant on this request (missing TenantGuard)');
  return tenant;
}

/** The id of the organization whose API key authenticated the request (routes behind `TenantGuard`). */
export const CurrentOrg = createParamDecorator((_data: unknown, context: ExecutionContext): string => tenantOf(context).orgId);

/** The whole tenant identity, `{ orgId, keyId }`. */
export const CurrentTenant = createParamDecorator((_data: unknown, context: ExecutionContext): TenantIdentity => tenantOf(context));
