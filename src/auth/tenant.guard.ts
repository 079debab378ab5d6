import { CacheContext } from '@app/cache';
import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { API_KEY_FORMAT_DESCRIPTION, isWellFormedApiKey } from './api-key.generator';
import { ApiKeysService } from './api-keys.service';
import { bearerToken } from './bearer-token';
import { OperatorTokenVerifier } from './operator-token.verifier';
import type { TenantRequest } from './tenant-identity';

/**
 * Admits requests bearing an active API key and records its organization in `request.tenant`
 * (read it with `@CurrentOrg()`). No, malformed, unknown or revoked credentials: 401 (a
 * malformed key without a lookup). The operator token: 403, since operators hold no organization.
 *
 * It also sets the organization of the request's `CacheContext` (opened for every request by
 * the request middleware, src/logging/request-logging.ts), which scopes `@CacheRoute` answers and `@Cacheable` entries to it.
 * Without an open context it refuses the request: caching it under no organization could
 * serve one tenant's answer to another.
 */
@Injectable()
export class TenantGuard implements CanActivate {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly operatorToken: OperatorTokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<TenantRequest>();
    const token = bearerToken(request);
    if (token === undefined) throw new UnauthorizedException('Authorization: Bearer <api key> is required');
    if (this.operatorToken.matches(token)) {
      throw new ForbiddenException('The operator token cannot be used on tenant routes; use an API key');
    }
    if (!isWellFormedApiKey(token)) {
      throw new UnauthorizedException(`The API key is malformed: an API key is ${API_KEY_FORMAT_DESCRIPTION}`);
    }
    const tenant = await this.apiKeys.resolve(token);
    if (tenant === undefined) throw new UnauthorizedException('The API key is unknown or revoked');
    if (CacheContext.current() === undefined) {
      throw new Error('TenantGuard needs an open CacheContext (createApp applies the request middleware, which opens one, to every request)');
    }
    CacheContext.setOrg(tenant.orgId);
    request.tenant = tenant;
    return true;
  }
}
