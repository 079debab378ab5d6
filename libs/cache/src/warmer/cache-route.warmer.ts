import { Injectable, type Type } from '@nestjs/common';
import { CacheContext } from '../cache-context';
import { CacheMetadataAccessor } from '../cache-metadata.accessor';
import { CacheService } from '../cache.service';
import type { CacheRouteRequest } from '../http/cache-route.decorator';
import { storedAnswer } from '../http/http-cache-answer';
import { httpCacheId, routeInputsOf, routeTemplate } from '../http/http-cache-key';

/** Which cached GET route to warm, for whom, with which path parameters and query. */
export interface RouteWarmTarget<C> {
  controller: Type<C>;
  /** The controller method behind the route; it must carry `@CacheRoute`. */
  handler: keyof C & string;
  org: string;
  /**
   * The route's path parameters as its handler receives them, after its pipes (e.g. the
   * lower-cased UUID a UUID pipe gives), by name.
   */
  params?: Readonly<Record<string, string>>;
  /**
   * The query as the handler receives it after validation: a `@Query()` DTO's properties
   * (defaults included; build it with the route's own pipe to be sure), or `@Query('x')` values.
   * Every spelling a client may send of that query then reads the warmed entry.
   */
  query?: Readonly<Record<string, unknown>>;
}

/**
 * Stores a `@CacheRoute` GET answer ahead of the request that would read it: the same key
 * (`httpCacheId` of the route and its validated parameters, in the organization), namespace, TTL, grace,
 * tags and stored shape as `HttpCacheInterceptor`, all read from the route's own metadata, so
 * the next request is a HIT. Varied headers are taken as absent (the request that sends none).
 *
 * The write is the reads' guarded load (`CacheService.warmFullKey`), never a blind put: it takes
 * the key's load lock (an instance already loading it wins, and nothing is written) and is
 * refused when an invalidation of the key or one of its tags lands while the answer is
 * computed, so a warm never stores figures a concurrent write has made stale.
 *
 * @example
 * await routes.warm({ controller: DashboardController, handler: 'metrics', org }, () => dashboard.metrics(org));
 */
@Injectable()
export class CacheRouteWarmer {
  constructor(
    private readonly cache: CacheService,
    private readonly metadata: CacheMetadataAccessor,
  ) {}

  /** Computes the answer with `load` (inside the org's `CacheContext`) and stores it; returns whether it was stored. */
  async warm<C, T extends object>(target: RouteWarmTarget<C>, load: () => Promise<T>): Promise<boolean> {
    if (!this.cache.enabled) return false;
    const handler = (target.controller.prototype as Record<string, unknown>)[target.handler];
    if (typeof handler !== 'function') throw new Error(`${target.controller.name}.${target.handler} is not a method`);
    const policy = this.metadata.routePolicy(handler, target.controller);
    if (policy?.kind !== 'cache') throw new Error(`${target.controller.name}.${target.handler} has no @CacheRoute`);
    const route = policy.options;
    const params = { ...target.params };
    const query = { ...target.query };
    const request: CacheRouteRequest = { method: 'GET', headers: {}, params, query };
    const tags = typeof route.tags === 'function' ? route.tags(request) : (route.tags ?? []);
    const template = routeTemplate(target.controller, handler);
    for (const [, name] of template.matchAll(/:(\w+)/g)) {
      if (params[name] === undefined) throw new Error(`No value for route parameter :${name}`);
    }
    const id = httpCacheId(template, routeInputsOf(target.controller, target.handler, params, query), {}, route.varyHeaders ?? []);
    const key = this.cache.keys.entry(target.org, route.namespace, id);
    const answer = async (): Promise<unknown> => storedAnswer(JSON.stringify(await CacheContext.run({ org: target.org }, load)));
    return this.cache.warmFullKey(key, answer, { org: target.org, namespace: route.namespace, ttlMs: route.ttlMs, graceMs: route.graceMs, tags });
  }
}
