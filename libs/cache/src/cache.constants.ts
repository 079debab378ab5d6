/** Injection token of the cache engine's resolved configuration. */
export const CACHE_RESOLVED_OPTIONS = Symbol('CACHE_RESOLVED_OPTIONS');
/** Injection token of the tiered store that `CacheService` reads and writes through. */
export const CACHE_TIERED_STORE = Symbol('CACHE_TIERED_STORE');
/** Injection token of the engine's metrics registry. */
export const CACHE_METRICS = Symbol('CACHE_METRICS');

/** Organization segment used for keys that belong to no tenant. */
export const GLOBAL_ORG = '_global';
/** Namespace used when a caller names none. */
export const DEFAULT_NAMESPACE = 'default';
