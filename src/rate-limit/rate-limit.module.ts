import { CacheService } from '@app/cache';
import { type ExecutionContext, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { ConfigModule } from '@nestjs/config';
import { appConfig, type AppConfigType } from '../config/app.config';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimitStorage } from './rate-limit.storage';

/** Paths never limited: probes and scrapes must answer however busy a client is. */
const UNLIMITED_PATHS = /^\/(health(\/|$)|metrics\/?$|docs(\/|-json$|-yaml$|$))/;

function isUnlimited(context: ExecutionContext): boolean {
  const request = context.switchToHttp().getRequest<{ path?: string; url?: string }>();
  return UNLIMITED_PATHS.test(request.path ?? (request.url ?? '').split('?')[0]);
}

/**
 * Rate limits for every route but /health, /metrics and /docs, counted in the cache's Redis so
 * every instance shares them (see RateLimitStorage). RATE_LIMIT_ENABLED=false turns them off.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      imports: [ConfigModule],
      inject: [appConfig.KEY, CacheService],
      useFactory: (config: AppConfigType, cache: CacheService) => ({
        // Nest stops it (onModuleDestroy: a last reconciliation) as the provider of the storage token.
        storage: new RateLimitStorage(cache, { localPercent: config.rateLimit.localPercent, syncIntervalMs: config.rateLimit.syncIntervalMs }),
        throttlers: [{ name: 'default', ttl: config.rateLimit.ttlSeconds * 1000, limit: config.rateLimit.limit }],
        skipIf: (context: ExecutionContext) => !config.rateLimit.enabled || isUnlimited(context),
        errorMessage: 'Too many requests; retry after the number of seconds in Retry-After',
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class RateLimitModule {}
