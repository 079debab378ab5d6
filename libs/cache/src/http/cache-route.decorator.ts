import { SetMetadata, type CustomDecorator } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { CacheContext } from '../cache-context';
import { CACHE_ROUTE_METADATA, NO_CACHE_METADATA } from '../decorators/cache-decorators.constants';
import { routeInputs, type RouteInputs } from './http-cache-key';

/**
 * What a route's `tags` function reads of a request: its path parameters and query as the
 * handler receives them, after the route's pipes (validated, transformed: a `@Query()` DTO's
 * properties, a UUID pipe's lower-cased id), so tags name what the key names.
 */
export interface CacheRouteRequest {
  method: string;
  headers: IncomingHttpHeaders;
  params: Readonly<Record<string, string>>;
  query: Readonly<Record<string, unknown>>;
}

/** Options of `@CacheRoute`. Times are in ms. */
export interface CacheRouteOptions {
  /** Kind of data, e.g. `users`; the key is `org:namespace:http:<hash of route, validated params and query, varied headers>`. */
  namespace: string;
  /** Freshness of a stored answer; this or `ttl`. */
  ttlMs?: number;
  /** Freshness by name, from the module's `ttls` option (so it can come from validated configuration); this or `ttlMs`. */
  ttl?: string;
  /** How long after freshness the answer may be served stale (X-Cache: STALE) while one refresh runs. */
  graceMs?: number;
  /** Tags to evict stored answers by; a function of the request for ids in the path. */
  tags?: readonly string[] | { tags(request: CacheRouteRequest): readonly string[] }['tags'];
  /** Request headers whose values select different answers, e.g. `['accept-language']`. */
  varyHeaders?: readonly string[];
}

/**
 * The HTTP cache's lookup for the request being served, handed from `HttpCacheInterceptor` to
 * the handler `@CacheRoute` wraps: interceptors run before pipes, so only the handler sees the
 * validated arguments the key is made of. Taken once; nested calls run plainly.
 */
export interface PendingRouteLookup {
  taken: boolean;
  run(inputs: RouteInputs, invoke: () => unknown): Promise<unknown>;
}

const WRAPPED = Symbol('cacheRouteHandler');

/**
 * Replaces a handler by one that, when the HTTP cache waits for it, hands its arguments (after
 * every pipe) to the cache, which runs the original only on a miss. Called directly (a warm
 * job, a test, another route), it is the original. Metadata already on the handler (`@Get`
 * and the like, when written below `@CacheRoute`) moves to the replacement.
 */
function wrapHandler(controller: Function, name: string | symbol, descriptor: PropertyDescriptor): void {
  const original: unknown = descriptor.value;
  if (typeof original !== 'function' || (original as { [WRAPPED]?: true })[WRAPPED]) return;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    // Handed over in the request's CacheContext, opened by the interceptor around its `next.handle()`.
    const pending = CacheContext.pendingLookup();
    if (pending === undefined || pending.taken) return original.apply(this, args);
    pending.taken = true;
    return pending.run(routeInputs(controller, name, args), () => original.apply(this, args));
  };
  for (const key of Reflect.getOwnMetadataKeys(original)) Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, original), wrapped);
  Object.defineProperty(wrapped, 'name', { value: original.name });
  Object.defineProperty(wrapped, WRAPPED, { value: true });
  descriptor.value = wrapped;
}

/**
 * Caches a controller's (or one route's) 2xx answers to GET, per organization, route,
 * validated path parameters and query (see `httpCacheId`) and the named headers, when
 * `HttpCacheInterceptor` is applied. A handler's own `@CacheRoute`/`@NoCache` wins over its
 * controller's. The answer must depend only on those and on what the organization's data
 * holds: the key is made of the handler's `@Param` and `@Query` arguments after its pipes.
 *
 * @example
 * @CacheRoute({ namespace: 'users', ttlMs: 900_000, tags: (req) => ['users', `user:${req.params.id}`] })
 * @Get(':id') findOne(@Param('id') id: string) { ... }
 */
export function CacheRoute(options: CacheRouteOptions): MethodDecorator & ClassDecorator {
  if ((options.ttlMs === undefined) === (options.ttl === undefined)) throw new Error('@CacheRoute: name exactly one of ttlMs and ttl');
  const varyHeaders = [...new Set((options.varyHeaders ?? []).map((name) => name.toLowerCase()))].sort();
  const policy = { ...options, varyHeaders };
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor): void => {
    if (key !== undefined && descriptor !== undefined) {
      wrapHandler(target.constructor, key, descriptor);
      Reflect.defineMetadata(CACHE_ROUTE_METADATA, policy, descriptor.value as object);
      return;
    }
    const controller = target as Function;
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      if (name === 'constructor') continue;
      const method = Object.getOwnPropertyDescriptor(controller.prototype, name);
      if (method === undefined || typeof method.value !== 'function') continue;
      wrapHandler(controller, name, method);
      Object.defineProperty(controller.prototype, name, method);
    }
    Reflect.defineMetadata(CACHE_ROUTE_METADATA, policy, controller);
  };
}

/**
 * Keeps a route (or a whole controller) out of the HTTP cache: GETs answer with X-Cache: BYPASS.
 *
 * @example
 * @NoCache() @Get('realtime') realtime() { ... }
 */
export function NoCache(): CustomDecorator<string> {
  return SetMetadata(NO_CACHE_METADATA, true);
}
