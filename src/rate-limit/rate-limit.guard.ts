import { type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  getOptionsToken,
  getStorageToken,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiKeysService } from '../auth/api-keys.service';
import { bearerToken } from '../auth/bearer-token';
import { OperatorTokenVerifier } from '../auth/operator-token.verifier';
import { appConfig, type AppConfigType } from '../config/app.config';

/** Who a request is counted against. Never the key itself: its id, or the address. */
export interface RateLimitIdentity {
  tracker: string;
  authenticated: boolean;
}

interface TrackedRequest extends IncomingMessage {
  ip?: string;
  rateLimitIdentity?: RateLimitIdentity;
}

/**
 * `@nestjs/throttler`'s guard, counting per API key (by key id) with RATE_LIMIT_LIMIT, or per
 * client address with RATE_LIMIT_ANONYMOUS_LIMIT when no known key is presented. One budget per
 * client across every route (the stock guard keeps one per handler). Sends the IETF draft's
 * `RateLimit-Limit/Remaining/Reset` on every counted response, and on a 429 `Retry-After` too.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @Inject(getOptionsToken()) options: ThrottlerModuleOptions,
    @Inject(getStorageToken()) storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    private readonly operatorToken: OperatorTokenVerifier,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
  ) {
    super(options, storage, reflector);
    this.headerPrefix = 'RateLimit';
  }

  protected override async handleRequest(requestProps: ThrottlerRequest): Promise<boolean> {
    const request = requestProps.context.switchToHttp().getRequest<TrackedRequest>();
    const identity = await this.identify(request);
    request.rateLimitIdentity = identity;
    const limit = identity.authenticated ? this.config.rateLimit.limit : this.config.rateLimit.anonymousLimit;
    return super.handleRequest({ ...requestProps, limit });
  }

  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const identity = request.rateLimitIdentity as RateLimitIdentity | undefined;
    return identity?.tracker ?? `ip:${String(request.ip)}`;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const response = context.switchToHttp().getResponse<ServerResponse>();
    response.setHeader('RateLimit-Limit', detail.limit);
    response.setHeader('RateLimit-Remaining', 0);
    response.setHeader('RateLimit-Reset', detail.timeToExpire);
    return super.throwThrottlingException(context, detail);
  }

  private async identify(request: TrackedRequest): Promise<RateLimitIdentity> {
    const anonymous = { tracker: `ip:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`, authenticated: false };
    const token = bearerToken(request);
    if (token === undefined) return anonymous;
    if (this.operatorToken.matches(token)) return { tracker: 'operator', authenticated: true };
    try {
      // The same cached lookup TenantGuard makes next, so it costs no second query.
      const tenant = await this.apiKeys.resolve(token);
      return tenant === undefined ? anonymous : { tracker: `key:${tenant.keyId}`, authenticated: true };
    } catch {
      // The key store failed: count by address; TenantGuard will answer for the key itself.
      return anonymous;
    }
  }
}
