// `@app/cache`: what an application needs. The engine's parts (stores, explorers, serializer, key
// builder, scripts) are on `@app/cache/internals`, test helpers on `@app/cache/testing`.

// The module, its options and the service.
export { CacheModule } from './cache.module';
export type { CacheFleetOptions, CacheModuleOptions, CacheRedisOptions } from './cache-options.interface';
export type { RedisMode } from './stores/redis-connection.factory';
export { CACHE_METRICS, DEFAULT_NAMESPACE, GLOBAL_ORG } from './cache.constants';
export { CacheService, type CacheHealth } from './cache.service';
export {
  CacheInvalidationUnconfirmedError,
  CacheLoaderTimeoutError,
  type CacheLookup,
  type CacheResultStatus,
  type CacheScope,
  type CacheWriteOptions,
  type GetOrSetOptions,
} from './cache.types';
export type { StoredKeyInfo } from './stores/cache-store.interface';
export { CacheAdministrationService, type RedisServerInfo } from './cache-administration.service';
export type { CacheMaintenanceReport } from './stores/tiered.store';
export { CacheContext, type CacheContextState } from './cache-context';
// Small helpers the app shares with the library: an error's message, a bounded wait.
export { describeError, settlesWithin } from './common/async';

// Decorators on provider methods.
export type { AsyncMethodDecorator } from './decorators/async-method.decorator';
export { Cacheable, type CacheableOptions } from './decorators/cacheable.decorator';
export { CacheEvict, type CacheEvictOptions } from './decorators/cache-evict.decorator';
export { CachePut, type CachePutOptions } from './decorators/cache-put.decorator';
export type { CacheKeyTemplate, CacheTagsTemplate, FromArgs } from './decorators/cache-key-template';

// HTTP: whole answers cached per route.
export { CacheRoute, NoCache, type CacheRouteOptions, type CacheRouteRequest } from './http/cache-route.decorator';
export { HttpCacheInterceptor } from './http/http-cache.interceptor';
export { CacheContextMiddleware } from './http/cache-context.middleware';
export { declaredQueryParameters } from './http/http-cache-key';
export { useRfcFreshness } from './http/conditional-request';

// Key patterns, for checking an operator's invalidation pattern.
export { globMatchesAll, type StringUniverse } from './keys/glob';
export { fullKeyGlob, orgOfPublicKey, splitPublicKey } from './keys/key-layout';

// Health and metrics.
export { CacheHealthIndicator } from './health/cache.health';
export { CacheMetrics, type CacheMetricsListener, type CacheMetricsSnapshot } from './metrics/cache-metrics';
export type { CacheCounters, CacheOutcome } from './metrics/counter-set';
export { CacheFleet, type FleetInstance, type FleetResetResult, type FleetStatsSnapshot } from './metrics/cache-fleet';
export type { HotKey } from './metrics/top-keys';
export type { SparseHistogram } from './metrics/latency-histogram';

// Warming.
export { CacheWarmerModule } from './warmer/cache-warmer.module';
export { CacheWarmerService, UnknownWarmJobError } from './warmer/cache-warmer.service';
export { CacheWarmJob, type CacheWarmJobOptions } from './warmer/cache-warm-job.decorator';
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
