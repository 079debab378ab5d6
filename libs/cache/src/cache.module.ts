import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { CacheModuleOptions, ResolvedCacheOptions } from './cache-options.interface';
import { resolveCacheOptions } from './cache-options.resolver';
import { CACHE_METRICS, CACHE_RESOLVED_OPTIONS, CACHE_TIERED_STORE } from './cache.constants';
import { CACHE_MODULE_OPTIONS, ConfigurableCacheModule } from './cache.module-definition';
import { CacheAdministrationService } from './cache-administration.service';
import { CacheMetadataAccessor } from './cache-metadata.accessor';
import { CacheService } from './cache.service';
import { CacheableExplorer } from './cacheable.explorer';
import { HttpCacheInterceptor } from './http/http-cache.interceptor';
import { CacheKeyBuilder } from './keys/cache-key.builder';
import { CacheFleet } from './metrics/cache-fleet';
import { CacheMetrics } from './metrics/cache-metrics';
import { CacheSerializer } from './serialization/cache-serializer';
import { CorruptEntryReporter } from './serialization/corrupt-entry.reporter';
import { createRedisConnections } from './stores/redis-connection.factory';
import { TieredCacheStore } from './stores/tiered.store';

/**
 * The caching layer: `CacheModule.forRoot({ redis: { url } })` or `forRootAsync({ useFactory })`.
 * Global by default; exports `CacheService`, `CacheAdministrationService` (maintenance, Redis
 * figures), `CacheKeyBuilder` and `HttpCacheInterceptor` (which an app applies itself, globally
 * or per controller), and wraps `@Cacheable`/`@CachePut`/`@CacheEvict` provider methods at
 * start-up.
 */
@Module({
  imports: [DiscoveryModule],
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
    {
      provide: CACHE_METRICS,
      inject: [CACHE_RESOLVED_OPTIONS],
      useFactory: (options: ResolvedCacheOptions) => new CacheMetrics({ sampleEvery: options.hotKeys.sampleEvery, capacity: options.hotKeys.capacity }),
    },
    {
      provide: CACHE_TIERED_STORE,
      inject: [CACHE_RESOLVED_OPTIONS, CacheKeyBuilder, CACHE_METRICS],
      useFactory: (options: ResolvedCacheOptions, keys: CacheKeyBuilder, metrics: CacheMetrics) =>
        new TieredCacheStore(
          options,
          keys,
          new CacheSerializer(options.compressionThresholdBytes, {
            maxEntryBytes: options.maxEntryBytes,
            onCorrupt: new CorruptEntryReporter(keys, metrics).report,
          }),
          options.enabled && options.redis ? createRedisConnections(options.redis) : undefined,
        ),
    },
    CacheService,
    CacheAdministrationService,
    CacheFleet,
    CacheMetadataAccessor,
    CacheableExplorer,
    HttpCacheInterceptor,
  ],
  exports: [CacheService, CacheAdministrationService, CacheFleet, CacheKeyBuilder, CACHE_METRICS, CACHE_TIERED_STORE, CACHE_RESOLVED_OPTIONS, CacheMetadataAccessor, HttpCacheInterceptor],
})
export class CacheModule extends ConfigurableCacheModule {}
