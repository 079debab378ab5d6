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
import { isWellFormedApiKey } from '../auth/api-key.generator';
import { ApiKeysService } from '../auth/api-keys.service';
import { bearerToken } from '../auth/bearer-token';
import { OperatorTokenVerifier } from '../auth/operator-token.verifier';
import type { TenantIdentity } from '../auth/tenant-identity';
import { appConfig, type AppConfigType } from '../config/app.config';

/** What every `@nestjs/throttler` decorator's metadata key starts with (`THROTTLER:SKIP…`, `THROTTLER:LIMIT…`). */
const THROTTLER_METADATA_PREFIX = 'THROTTLER:';

/** A budget a request is counted against: who (never the key itself: its id, the address, the operator) and how many per window. */
interface Budget {
  tracker: string;
  limit: number;
}

interface TrackedRequest extends IncomingMessage {
  ip?: string;
}

/**
 * `@nestjs/throttler`'s guard, with one budget per client across every route (the stock guard
 * keeps one per handler), counted so that a refused request costs no database work:
 *
 * - no key, or a malformed one (wrong mark, length or alphabet): the client address, with
 *   RATE_LIMIT_ANONYMOUS_LIMIT; the route's guard then refuses a malformed key without a lookup;
 * - the operator token: the operator's own budget, RATE_LIMIT_OPERATOR_LIMIT, apart from every
 *   tenant's, so dashboards polling cannot starve a revocation, nor tenants the operator;
 * - a key the cache already knows: its key id, with RATE_LIMIT_LIMIT;
 * - any other well-formed key: the address first (a 429 there is answered before any lookup),
 *   then one lookup (unknown keys are remembered briefly, see ApiKeysService), then the key id's
 *   budget when it is a real key. Requests with the same key while its lookup runs wait for it
 *   instead of counting the address again (a burst on a real key after a cache flush spends one
 *   address request, not one each); if the key is unknown they are counted by address then.
 *
 * Sends the IETF draft's `RateLimit-Limit/Remaining/Reset` on every counted response, and on a
 * 429 `Retry-After` too.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  /** Handlers (with their class) that carry `@Throttle` / `@SkipThrottle`, once looked at. */
  private readonly decorated = new WeakMap<Function, boolean>();
  /** Lookups in flight, by presented key: later requests with it join instead of counting the address again. */
  private readonly lookups = new Map<string, Promise<TenantIdentity | undefined>>();

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

  /**
   * The stock guard reads six decorators per throttler (twelve metadata lookups) and awaits
   * three values on every request. This app has one throttler with fixed numbers and no
   * `@Throttle` / `@SkipThrottle`: for a handler without them, that comes down to `skipIf` and
   * one count. A decorated handler (or other throttler options) goes the stock way.
   */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const throttler = this.throttlers.length === 1 ? this.throttlers[0] : undefined;
    const { getTracker, generateKey, skipIf } = this.commonOptions;
    if (
      throttler === undefined ||
      typeof throttler.limit !== 'number' ||
      typeof throttler.ttl !== 'number' ||
      throttler.skipIf !== undefined ||
      getTracker === undefined ||
      generateKey === undefined ||
      this.isDecorated(context)
    ) {
      return super.canActivate(context);
    }
    if (skipIf?.(context)) return true;
    return this.handleRequest({ context, limit: throttler.limit, ttl: throttler.ttl, blockDuration: throttler.ttl, throttler, getTracker, generateKey });
  }

  protected override async handleRequest(requestProps: ThrottlerRequest): Promise<boolean> {
    const request = requestProps.context.switchToHttp().getRequest<TrackedRequest>();
    const { anonymousLimit, operatorLimit, limit } = this.config.rateLimit;
    // The address only when a request is counted by it: `req.ip` walks the proxy settings each time.
    const address = (): Budget => ({ tracker: `ip:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`, limit: anonymousLimit });
    const token = bearerToken(request);
    if (token === undefined) return this.count(requestProps, address());
    if (this.operatorToken.matches(token)) return this.count(requestProps, { tracker: 'operator', limit: operatorLimit });
    if (!isWellFormedApiKey(token)) return this.count(requestProps, address());
    if (this.config.cache?.enabled === false) {
      // Without a cache no key is ever known, so counting the address first would hold every
      // keyed client to the anonymous budget: look the key up, then count it (refusals are free
      // only where the cache remembers keys).
      const tenant = await this.apiKeys.resolve(token).catch(() => undefined);
      return this.count(requestProps, tenant !== undefined ? { tracker: `key:${tenant.keyId}`, limit } : address());
    }
    const cached = await this.apiKeys.resolveCached(token).catch(() => undefined);
    if (cached !== undefined) return this.count(requestProps, { tracker: `key:${cached.keyId}`, limit });
    let lookup = this.lookups.get(token);
    const joined = lookup !== undefined;
    if (lookup === undefined) {
      // Not known yet: the address pays first, so a request refused here has cost no lookup.
      // Registered before anything is awaited, so that requests arriving meanwhile join it.
      const counted = this.count(requestProps, address());
      // The same cached lookup TenantGuard makes next, so it costs no second query.
      lookup = counted.then(() => this.apiKeys.resolve(token));
      this.lookups.set(token, lookup);
      const done = () => this.lookups.delete(token);
      lookup.then(done, done);
      await counted; // this request's 429, if the address is spent
    }
    let tenant: TenantIdentity | undefined;
    try {
      tenant = await lookup;
    } catch {
      // The key store failed (TenantGuard answers for the key itself), or, for a request that
      // joined, the first was refused before looking the key up.
      tenant = undefined;
    }
    if (tenant !== undefined) return this.count(requestProps, { tracker: `key:${tenant.keyId}`, limit });
    return joined ? this.count(requestProps, address()) : true;
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

  /** Whether the handler or its class carries a throttler decorator (read once per handler). */
  private isDecorated(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let decorated = this.decorated.get(handler);
    if (decorated === undefined) {
      const keys = [...Reflect.getMetadataKeys(handler), ...Reflect.getMetadataKeys(context.getClass())];
      decorated = keys.some((key) => typeof key === 'string' && key.startsWith(THROTTLER_METADATA_PREFIX));
      this.decorated.set(handler, decorated);
    }
    return decorated;
  }

  /** Counts the request against `budget`; throws the 429 when it is spent. */
  private count(requestProps: ThrottlerRequest, budget: Budget): Promise<boolean> {
    return super.handleRequest({ ...requestProps, limit: budget.limit, getTracker: async () => budget.tracker });
  }
}
