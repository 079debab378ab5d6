import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { CacheLease } from './cache-lease';
import { CacheRouteWarmer } from './cache-route.warmer';
import { CACHE_WARMER_RESOLVED_OPTIONS } from './cache-warm.constants';
import { CacheWarmExplorer } from './cache-warm.explorer';
import { CacheWarmRegistry } from './cache-warm.registry';
import { CacheWarmScheduler } from './cache-warm.scheduler';
import { resolveCacheWarmerOptions, type CacheWarmerOptions } from './cache-warm.types';
import { CACHE_WARMER_OPTIONS, ConfigurableCacheWarmerModule } from './cache-warmer.module-definition';
import { CacheWarmerService } from './cache-warmer.service';

/**
 * Scheduled cache warming: `CacheWarmerModule.forRoot({ onStart, cron, concurrency, jobTimeoutMs })`
 * beside a global `CacheModule`. Global by default, so domain modules' warm jobs can inject `CacheRouteWarmer`. Finds `@CacheWarmJob` provider methods, runs them at start
 * (when asked), on the cron and through `CacheWarmerService.run`, one instance at a time per job
 * (a Redis lease). Exports `CacheWarmerService`, `CacheWarmRegistry` and `CacheRouteWarmer`.
 *
 * @example
 * CacheWarmerModule.forRootAsync({ inject: [appConfig.KEY], useFactory: (c: AppConfigType) => c.cacheWarm })
 */
@Module({
  // forRoot() is global and idempotent: an app that imports it too gets the same registry.
  imports: [DiscoveryModule, ScheduleModule.forRoot()],
  providers: [
    {
      provide: CACHE_WARMER_RESOLVED_OPTIONS,
      inject: [CACHE_WARMER_OPTIONS],
      useFactory: (options: CacheWarmerOptions) => resolveCacheWarmerOptions(options),
    },
    CacheWarmRegistry,
    CacheWarmExplorer,
    CacheLease,
    CacheWarmerService,
    CacheRouteWarmer,
    CacheWarmScheduler,
  ],
  exports: [CacheWarmerService, CacheWarmRegistry, CacheRouteWarmer, CacheLease, CacheWarmScheduler],
})
export class CacheWarmerModule extends ConfigurableCacheWarmerModule {}
