import { Inject, Injectable, Optional, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ResolvedCacheOptions } from './cache-options.interface';
import { CACHE_RESOLVED_OPTIONS } from './cache.constants';
import {
  CACHEABLE_METADATA,
  CACHE_EVICT_METADATA,
  CACHE_PUT_METADATA,
  CACHE_ROUTE_METADATA,
  NO_CACHE_METADATA,
} from './decorators/cache-decorators.constants';
import type { CacheEvictOptions } from './decorators/cache-evict.decorator';
import type { CachePutOptions } from './decorators/cache-put.decorator';
import type { CacheableOptions } from './decorators/cacheable.decorator';
import type { CacheRouteOptions } from './http/cache-route.decorator';

/** A route's options with its TTL resolved: `ttlMs` as given, or the module's TTL named by `ttl`. */
export type ResolvedCacheRouteOptions = CacheRouteOptions & { ttlMs: number };

/** How a route takes part in the HTTP cache: cached with options, or explicitly bypassed. */
export type RouteCachePolicy = { kind: 'cache'; options: ResolvedCacheRouteOptions } | { kind: 'bypass' };

/** The cache decorators found on one method. */
export interface MethodCacheMetadata {
  cacheable: CacheableOptions | undefined;
  put: CachePutOptions | undefined;
  evictions: readonly CacheEvictOptions[];
}

/**
 * Reads what the cache decorators recorded, for the explorer (methods) and the interceptor
 * (routes); the one place that knows the metadata keys.
 *
 * @example
 * const policy = accessor.routePolicy(context.getHandler(), context.getClass());
 */
@Injectable()
export class CacheMetadataAccessor {
  /** Route options with their TTL resolved, once per decorator. */
  private readonly resolvedRoutes = new WeakMap<CacheRouteOptions, ResolvedCacheRouteOptions>();

  constructor(
    private readonly reflector: Reflector,
    @Optional() @Inject(CACHE_RESOLVED_OPTIONS) private readonly options?: Pick<ResolvedCacheOptions, 'ttls'>,
  ) {}

  /**
   * The TTL of a decorator's options: `ttlMs`, or the module's TTL named by `ttl` (undefined
   * when neither: the module's default applies). Throws naming an unknown name.
   */
  ttlMsOf(options: { ttlMs?: number; ttl?: string }): number | undefined {
    if (options.ttl === undefined) return options.ttlMs;
    const ttlMs = this.options?.ttls[options.ttl];
    if (ttlMs === undefined) {
      const known = Object.keys(this.options?.ttls ?? {});
      throw new Error(`Unknown cache TTL "${options.ttl}": the cache module's ttls option names ${known.length > 0 ? known.join(', ') : 'none'}`);
    }
    return ttlMs;
  }

  /** The decorators of a method, or undefined when it has none of `@Cacheable`, `@CachePut`, `@CacheEvict`. */
  methodMetadata(method: Function): MethodCacheMetadata | undefined {
    const cacheable = this.reflector.get<CacheableOptions | undefined>(CACHEABLE_METADATA, method);
    const put = this.reflector.get<CachePutOptions | undefined>(CACHE_PUT_METADATA, method);
    const evictions = this.reflector.get<CacheEvictOptions[] | undefined>(CACHE_EVICT_METADATA, method) ?? [];
    if (cacheable === undefined && put === undefined && evictions.length === 0) return undefined;
    return { cacheable, put, evictions };
  }

  /** The route's policy, the handler's decorators first, then its controller's; undefined when it has none. */
  routePolicy(handler: Function, controller: Type<unknown>): RouteCachePolicy | undefined {
    return this.policyOf(handler) ?? this.policyOf(controller);
  }

  private policyOf(target: Function): RouteCachePolicy | undefined {
    if (this.reflector.get<boolean | undefined>(NO_CACHE_METADATA, target) === true) return { kind: 'bypass' };
    const options = this.reflector.get<CacheRouteOptions | undefined>(CACHE_ROUTE_METADATA, target);
    return options === undefined ? undefined : { kind: 'cache', options: this.resolveRoute(options) };
  }

  private resolveRoute(options: CacheRouteOptions): ResolvedCacheRouteOptions {
    let resolved = this.resolvedRoutes.get(options);
    if (resolved === undefined) {
      resolved = { ...options, ttlMs: this.ttlMsOf(options) as number };
      this.resolvedRoutes.set(options, resolved);
    }
    return resolved;
  }
}
