import { SetMetadata, type CustomDecorator } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { CACHE_ROUTE_METADATA, NO_CACHE_METADATA } from '../decorators/cache-decorators.constants';

/** What `HttpCacheInterceptor` and a route's `tags` function read of a request (Express and Fastify both have it). */
export interface CacheRouteRequest {
  method: string;
  headers: IncomingHttpHeaders;
  params: Readonly<Record<string, string>>;
  query: Readonly<Record<string, unknown>>;
}

/** Options of `@CacheRoute`. Times are in ms. */
export interface CacheRouteOptions {
  /** Kind of data, e.g. `users`; the key is `org:namespace:http:<hash of path, query, varied headers>`. */
  namespace: string;
  /** Freshness of a stored answer. */
  ttlMs: number;
  /** How long after freshness the answer may be served stale (X-Cache: STALE) while one refresh runs. */
  graceMs?: number;
  /** Tags to evict stored answers by; a function of the request for ids in the path. */
  tags?: readonly string[] | { tags(request: CacheRouteRequest): readonly string[] }['tags'];
  /** Request headers whose values select different answers, e.g. `['accept-language']`. */
  varyHeaders?: readonly string[];
}

/**
 * Caches a controller's (or one route's) 2xx answers to GET, per organization, path, sorted
 * query and the named headers, when `HttpCacheInterceptor` is applied. A handler's own
 * `@CacheRoute`/`@NoCache` wins over its controller's.
 *
 * @example
 * @CacheRoute({ namespace: 'users', ttlMs: 900_000, tags: (req) => ['users', `user:${req.params.id}`] })
 * @Get(':id') findOne(@Param('id') id: string) { ... }
 */
export function CacheRoute(options: CacheRouteOptions): CustomDecorator<string> {
  const varyHeaders = [...new Set((options.varyHeaders ?? []).map((name) => name.toLowerCase()))].sort();
  return SetMetadata(CACHE_ROUTE_METADATA, { ...options, varyHeaders });
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
