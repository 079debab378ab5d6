// `@app/cache/internals`: the engine's parts, for the library's own tests and tools that look
// inside it. An application uses `@app/cache`; nothing here is a stable interface.

export { CACHE_RESOLVED_OPTIONS, CACHE_TIERED_STORE } from './cache.constants';
export { CACHE_MODULE_OPTIONS } from './cache.module-definition';
export type { ResolvedCacheOptions } from './cache-options.interface';
export { resolveCacheOptions } from './cache-options.resolver';

export { CacheMetadataAccessor, type MethodCacheMetadata, type RouteCachePolicy } from './cache-metadata.accessor';
export { CacheableExplorer } from './cacheable.explorer';
export { CACHEABLE_METADATA, CACHE_EVICT_METADATA, CACHE_PUT_METADATA, CACHE_ROUTE_METADATA, NO_CACHE_METADATA } from './decorators/cache-decorators.constants';
export { compileKeyTemplate } from './decorators/cache-key-template';

export { httpCacheId, routeInputs, routeTemplate, type RouteInputs } from './http/http-cache-key';
export { ifNoneMatchMatches, isFresh } from './http/conditional-request';

export { CacheKeyBuilder, type CacheKeyParts } from './keys/cache-key.builder';
export { stableHash, stableStringify } from './keys/stable-hash';

export { type CacheMetricsExport, type HotKeyOptions } from './metrics/cache-metrics';
export { sumCounters, type CounterExport } from './metrics/counter-set';

export type { CacheEntry } from './serialization/cache-entry';
export { CacheSerializer } from './serialization/cache-serializer';

export type { CacheStore, InvalidationTarget } from './stores/cache-store.interface';
export { MemoryCacheStore } from './stores/memory.store';
export { RedisCacheStore } from './stores/redis.store';
export { createRedisConnections } from './stores/redis-connection.factory';
export { TieredCacheStore, type CacheTier, type TieredStoreHealth } from './stores/tiered.store';

export { CacheWarmRegistry } from './warmer/cache-warm.registry';
export { CacheWarmScheduler, CACHE_WARM_CRON_JOB } from './warmer/cache-warm.scheduler';
export { CacheLease, type HeldLease } from './warmer/cache-lease';
