export * from './cache.constants';
export * from './cache-context';
export { describeError, settlesWithin } from './common/async';
export { CacheMetadataAccessor, type MethodCacheMetadata, type RouteCachePolicy } from './cache-metadata.accessor';
export { CacheableExplorer } from './cacheable.explorer';
export type { AsyncMethodDecorator } from './decorators/async-method.decorator';
export { CACHEABLE_METADATA, CACHE_EVICT_METADATA, CACHE_PUT_METADATA, CACHE_ROUTE_METADATA, NO_CACHE_METADATA } from './decorators/cache-decorators.constants';
export { CacheEvict, type CacheEvictOptions } from './decorators/cache-evict.decorator';
export { compileKeyTemplate, type CacheKeyTemplate, type CacheTagsTemplate, type FromArgs } from './decorators/cache-key-template';
export { CachePut, type CachePutOptions } from './decorators/cache-put.decorator';
export { Cacheable, type CacheableOptions } from './decorators/cacheable.decorator';
export { CacheContextMiddleware } from './http/cache-context.middleware';
export { CacheRoute, NoCache, type CacheRouteOptions, type CacheRouteRequest } from './http/cache-route.decorator';
export { HttpCacheInterceptor } from './http/http-cache.interceptor';
export { declaredQueryParameters, httpCacheId, routeInputs, routeTemplate, type RouteInputs } from './http/http-cache-key';
export { ifNoneMatchMatches, isFresh, useRfcFreshness } from './http/conditional-request';
export * from './cache-options.interface';
export { resolveCacheOptions } from './cache-options.resolver';
export { CACHE_MODULE_OPTIONS } from './cache.module-definition';
export * from './cache.module';
export * from './cache.service';
export * from './cache.types';
export * from './keys/cache-key.builder';
export { globMatchesAll, type StringUniverse } from './keys/glob';
export { stableHash, stableStringify } from './keys/stable-hash';
export * from './metrics/cache-metrics';
export { CacheFleet, type FleetInstance, type FleetResetResult, type FleetStatsSnapshot } from './metrics/cache-fleet';
export type { HotKey } from './metrics/top-keys';
export type { SparseHistogram } from './metrics/latency-histogram';
export type { CacheEntry } from './serialization/cache-entry';
export { CacheSerializer } from './serialization/cache-serializer';
export type { CacheStore, InvalidationTarget, StoredKeyInfo } from './stores/cache-store.interface';
export { MemoryCacheStore } from './stores/memory.store';
export { RedisCacheStore } from './stores/redis.store';
export { createRedisConnections, type RedisMode } from './stores/redis-connection.factory';
export { TieredCacheStore, type CacheTier, type TieredStoreHealth } from './stores/tiered.store';
export { CacheHealthIndicator } from './health/cache.health';
export type { CacheMaintenanceReport } from './stores/tiered.store';
export { CacheWarmJob, type CacheWarmJobOptions } from './warmer/cache-warm-job.decorator';
export { CacheWarmRegistry } from './warmer/cache-warm.registry';
export { CacheWarmScheduler, CACHE_WARM_CRON_JOB } from './warmer/cache-warm.scheduler';
export { CacheWarmerService, UnknownWarmJobError } from './warmer/cache-warmer.service';
export { CacheWarmerModule } from './warmer/cache-warmer.module';
export { CacheLease, type HeldLease } from './warmer/cache-lease';
export { CacheRouteWarmer, type RouteWarmTarget } from './warmer/cache-route.warmer';
export {
  DEFAULT_WARM_CRON,
  type CacheWarmerOptions,
  type WarmJobContext,
  type WarmJobFn,
  type WarmJobReport,
  type WarmOutcome,
  type WarmTrigger,
} from './warmer/cache-warm.types';
