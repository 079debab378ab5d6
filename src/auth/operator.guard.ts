import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { TenantRequest } from './tenant-identity';
import { ApiKeysService } from './api-keys.service';
import { bearerToken } from './bearer-token';
import { OperatorTokenVerifier } from './operator-token.verifier';

/**
 * Admits requests bearing the operator token (ADMIN_TOKEN). No or unknown credentials: 401;
 * a valid tenant API key: 403, since tenants may not reach operator routes.
 */
@Injectable()
export class OperatorGuard implements CanActivate {
  constructor(
    private readonly operatorToken: OperatorTokenVerifier,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const token = bearerToken(context.switchToHttp().getRequest<TenantRequest>());
    if (token === undefined) throw new UnauthorizedException('Authorization: Bearer <operator token> is required');
    if (this.operatorToken.matches(token)) return true;
    if ((await this.apiKeys.resolve(token)) !== undefined) {
      throw new ForbiddenException('A tenant API key cannot be used on operator routes');
    }
    throw new UnauthorizedException('The operator token is not valid');
  }
}
