import { Module } from '@nestjs/common';
import type { CacheModuleOptions, ResolvedCacheOptions } from './cache-options.interface';
import { resolveCacheOptions } from './cache-options.resolver';
import { CACHE_METRICS, CACHE_RESOLVED_OPTIONS, CACHE_TIERED_STORE } from './cache.constants';
import { CACHE_MODULE_OPTIONS, ConfigurableCacheModule } from './cache.module-definition';
import { CacheService } from './cache.service';
import { CacheKeyBuilder } from './keys/cache-key.builder';
import { CacheMetrics } from './metrics/cache-metrics';
import { CacheSerializer } from './serialization/cache-serializer';
import { createRedisConnections } from './stores/redis-connection.factory';
import { TieredCacheStore } from './stores/tiered.store';

/**
 * The caching layer: `CacheModule.forRoot({ redis: { url } })` or `forRootAsync({ useFactory })`.
 * Global by default; exports `CacheService` and `CacheKeyBuilder`.
 */
@Module({
  providers: [
    {
      provide: CACHE_RESOLVED_OPTIONS,
      inject: [CACHE_MODULE_OPTIONS],
      useFactory: (options: CacheModuleOptions) => resolveCacheOptions(options),
    },
    {
      provide: CacheKeyBuilder,
      inject: [CACHE_RESOLVED_OPTIONS],
      useFactory: (options: ResolvedCacheOptions) => new CacheKeyBuilder(options.keyPrefix),
    },
    { provide: CACHE_METRICS, useFactory: () => new CacheMetrics() },
    {
      provide: CACHE_TIERED_STORE,
      inject: [CACHE_RESOLVED_OPTIONS, CacheKeyBuilder],
      useFactory: (options: ResolvedCacheOptions, keys: CacheKeyBuilder) =>
        new TieredCacheStore(
          options,
          keys,
          new CacheSerializer(options.compressionThresholdBytes),
          options.enabled && options.redis ? createRedisConnections(options.redis) : undefined,
        ),
    },
    CacheService,
  ],
  exports: [CacheService, CacheKeyBuilder, CACHE_METRICS, CACHE_TIERED_STORE, CACHE_RESOLVED_OPTIONS],
})
export class CacheModule extends ConfigurableCacheModule {}
