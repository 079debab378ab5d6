/** Metadata key of `@CacheWarmJob`. */
export const CACHE_WARM_JOB_METADATA = 'app-cache:warm-job';
/** Injection token of the warmer's resolved options. */
export const CACHE_WARMER_RESOLVED_OPTIONS = Symbol('CACHE_WARMER_RESOLVED_OPTIONS');
