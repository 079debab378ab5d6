import { Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
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

/** How a route takes part in the HTTP cache: cached with options, or explicitly bypassed. */
export type RouteCachePolicy = { kind: 'cache'; options: CacheRouteOptions } | { kind: 'bypass' };

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
  constructor(private readonly reflector: Reflector) {}

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
    return options === undefined ? undefined : { kind: 'cache', options };
  }
}
