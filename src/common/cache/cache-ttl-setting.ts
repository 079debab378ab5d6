/**
 * One configurable TTL of a domain module: the name its decorators use (`ttl: name`), the
 * variable that sets it in seconds, and the contract's default. Each module lists its own in
 * its `<feature>.cache.ts`; the validated configuration reads them all (src/config/cache-ttls.config.ts).
 */
export interface CacheTtlSetting {
  name: string;
  variable: string;
  defaultSeconds: number;
}

/**
 * `org` of a domain service's `@CacheEvict`: the organization the method was called for (its
 * first argument), so a write evicts in that organization whatever context it runs in.
 */
export const orgOfFirstArg = (orgId: string): string => orgId;
