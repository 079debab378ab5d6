/** Metadata key of `@Cacheable` options on a method. */
export const CACHEABLE_METADATA = '@app/cache:cacheable';
/** Metadata key of `@CachePut` options on a method. */
export const CACHE_PUT_METADATA = '@app/cache:put';
/** Metadata key of the list of `@CacheEvict` options on a method. */
export const CACHE_EVICT_METADATA = '@app/cache:evict';
/** Metadata key of `@CacheRoute` options on a controller or route handler. */
export const CACHE_ROUTE_METADATA = '@app/cache:route';
/** Metadata key of `@NoCache` on a controller or route handler. */
export const NO_CACHE_METADATA = '@app/cache:no-cache';
