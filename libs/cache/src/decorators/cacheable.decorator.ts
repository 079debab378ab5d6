import type { AsyncMethodDecorator } from './async-method.decorator';
import { defineMethodMetadata } from './async-method.decorator';
import { CACHEABLE_METADATA } from './cache-decorators.constants';
import type { CacheKeyTemplate, CacheTagsTemplate, FromArgs } from './cache-key-template';

/** Options of `@Cacheable`. Times are in ms, as everywhere in the engine. */
export interface CacheableOptions {
  /** Kind of data, e.g. `users`; the key's namespace, and the unit of `allEntries` evictions. */
  namespace: string;
  /** Key id within the namespace; default `${ClassName}.${method}:${stableHash(args)}`. */
  key?: CacheKeyTemplate;
  /** Freshness (default: the module's `defaultTtlMs`). */
  ttlMs?: number;
  /** Freshness by name, from the module's `ttls` option, resolved at start-up (exclusive with `ttlMs`). */
  ttl?: string;
  /** How long after freshness the value may be served stale while one refresh runs. */
  graceMs?: number;
  /** Tags to evict the entry by, e.g. `['users', 'user:{0}']`. */
  tags?: CacheTagsTemplate;
  /** Organization of the entry; default `CacheContext.org()`. */
  org?: FromArgs<string | undefined>;
  /** When false for a call's arguments, the call neither reads nor writes the cache. */
  condition?(...args: unknown[]): boolean;
  /** When true for a result, the result is returned but not stored. */
  unless?(result: unknown, ...args: unknown[]): boolean;
}

/**
 * Caches a provider method's result: a later call with the same key (within the caller's
 * organization) returns the stored value without running the method; concurrent calls share
 * one run. Only records metadata: `CacheableExplorer` wraps the method at start-up.
 *
 * @example
 * @Cacheable({ namespace: 'users', key: 'user:{0}', ttlMs: 900_000, tags: ['users', 'user:{0}'] })
 * findOne(id: string): Promise<UserDto> { ... }
 */
export function Cacheable(options: CacheableOptions): AsyncMethodDecorator {
  return defineMethodMetadata(CACHEABLE_METADATA, options);
}
