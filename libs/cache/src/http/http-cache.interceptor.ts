import { Inject, Injectable, Logger, StreamableFile, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { isObservable, lastValueFrom, tap, type Observable } from 'rxjs';
import { CacheContext } from '../cache-context';
import { CacheMetadataAccessor, type RouteCachePolicy } from '../cache-metadata.accessor';
import type { ResolvedCacheOptions } from '../cache-options.interface';
import { CACHE_RESOLVED_OPTIONS } from '../cache.constants';
import { CacheService } from '../cache.service';
import { type CacheRouteOptions, type CacheRouteRequest, type PendingRouteLookup } from './cache-route.decorator';
import { useRfcFreshness } from './conditional-request';
import { storedAnswer, type StoredAnswer } from './http-cache-answer';
import { ageSeconds, cacheStatusValue, varyValue, xCacheValue, type HttpCacheOutcome } from './http-cache-headers';
import { httpCacheId, routeTemplate, type RouteInputs } from './http-cache-key';
import { describeError } from '../common/async';

/**
 * Caches the 2xx JSON answers of GET routes marked `@CacheRoute`, per organization
 * (`CacheContext`), route, the handler's validated `@Param`/`@Query` arguments (`httpCacheId`:
 * spellings validation reads alike share an entry, and a request the pipes refuse never
 * reaches the cache) and the route's varied headers, and says how each
 * answer was made: `X-Cache`, `X-Cache-Key` (the key's public form), `Cache-Status`
 * (RFC 9211), `Age` on hits, and `ETag`. Answers that set cookies, fail, or are not 2xx JSON
 * are never stored. When the cache fails the answer is served uncached (X-Cache: BYPASS).
 *
 * Every answer of such a route is for its caller only, and this cache's invalidations cannot
 * reach a browser's or a proxy's copy: it says `Cache-Control: private, no-cache` (unless the
 * response has its own), so clients revalidate each reuse with `If-None-Match` (a 304 when
 * nothing changed, which keeps read-your-writes), and `Vary` names the principal headers
 * (`httpPrincipalHeaders`, `Authorization` by default) and the route's varied headers.
 *
 * The body leaves as the JSON string stored (with `Content-Type: application/json`), so a hit
 * is not serialized again; interceptors that reshape bodies belong inside this one. A request
 * whose `If-None-Match` matches gets 304 with no body: Express's `res.send` compares it with
 * the ETag set here (`req.fresh`), on hits and misses alike.
 *
 * @example
 * providers: [{ provide: APP_INTERCEPTOR, useExisting: HttpCacheInterceptor }]
 * // or, per controller: @UseInterceptors(HttpCacheInterceptor)
 */
@Injectable()
export class HttpCacheInterceptor implements NestInterceptor {
  private readonly logger = new Logger(HttpCacheInterceptor.name);
  /** Each handler's policy, read from its metadata once (decorators do not change after start). */
  private readonly policies = new WeakMap<Function, RouteCachePolicy | null>();
  /** Route templates by controller and handler (an inherited handler serves under each subclass's path), computed once. */
  private readonly templates = new WeakMap<Function, WeakMap<Function, string>>();
  /** The `Vary` names of each route's varied headers (by its list), computed once. */
  private readonly varyNames = new WeakMap<readonly string[], readonly string[]>();
  /** The `Vary` value when the response had none yet, by names list: the common case, computed once. */
  private readonly varyValues = new WeakMap<readonly string[], string>();

  constructor(
    private readonly cache: CacheService,
    private readonly metadata: CacheMetadataAccessor,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CACHE_RESOLVED_OPTIONS) private readonly options: ResolvedCacheOptions,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const policy = this.policyOf(context);
    const request = context.switchToHttp().getRequest<CacheRouteRequest>();
    if (policy === undefined || request.method !== 'GET') return next.handle();
    const response = context.switchToHttp().getResponse<object>();
    useRfcFreshness(request);
    if (policy.kind === 'bypass' || !this.cache.enabled) return this.bypass(response, next, policy.kind === 'cache' ? policy.options.varyHeaders : undefined);
    const route = policy.options;
    this.describeAudience(response, route.varyHeaders);
    const org = CacheContext.org();
    const template = this.templateOf(context);
    const pending: PendingRouteLookup = {
      taken: false,
      run: (inputs, invoke) => this.lookup({ request, response, route, org, template, inputs, invoke }),
    };
    // The handler (wrapped by @CacheRoute) takes `pending` once the pipes have run. Nest binds
    // the rest of the chain to the async context `handle()` is called in, so calling it inside
    // the scope is enough: the answer flows through as the handler's own stream, with no
    // promise, subscription or re-emission of this interceptor's around it.
    const handled = CacheContext.runWithPendingLookup(pending, () => next.handle());
    return handled.pipe(
      tap({
        complete: () => {
          if (pending.taken) return;
          this.logger.warn(`GET ${template} has a cache policy but its handler is not wrapped by @CacheRoute: served uncached`);
          this.describe(response, 'bypass', undefined, 0, 0);
        },
      }),
    );
  }

  /** The cache lookup of one request, with its validated inputs; returns the body to send. */
  private async lookup(call: {
    request: CacheRouteRequest;
    response: object;
    route: CacheRouteOptions;
    org: string | undefined;
    template: string;
    inputs: RouteInputs;
    invoke: () => unknown;
  }): Promise<unknown> {
    const { request, response, route, org, inputs, invoke } = call;
    let fullKey: string;
    let tags: readonly string[];
    try {
      const id = httpCacheId(call.template, inputs, request.headers, route.varyHeaders ?? []);
      fullKey = this.cache.keys.entry(org, route.namespace, id);
      const validated: CacheRouteRequest = { method: request.method, headers: request.headers, params: inputs.params as Record<string, string>, query: inputs.query };
      tags = typeof route.tags === 'function' ? route.tags(validated) : (route.tags ?? []);
    } catch (error) {
      this.logger.error(`No cache key for GET ${call.template}, serving uncached: ${describeError(error)}`);
      this.describe(response, 'bypass', undefined, 0, 0);
      return settle(invoke());
    }

    // An answer that must not be stored is handed back out of band: the engine gets
    // undefined (never stored) and this request sends what its handler produced.
    let unstored: { body: unknown } | undefined;
    const loader = async (): Promise<StoredAnswer | undefined> => {
      const body = await settle(invoke());
      const json = this.storable(body, response) ? JSON.stringify(body) : undefined;
      if (json === undefined) {
        unstored = { body };
        return undefined;
      }
      return storedAnswer(json);
    };
    const result = await this.cache.lookupFullKey(fullKey, loader, { org, namespace: route.namespace, ttlMs: route.ttlMs, graceMs: route.graceMs, tags });
    const answer = result.value;
    const keyHeader = this.cache.keys.publicForm(fullKey);
    if (answer === undefined) {
      this.describe(response, result.status === 'bypass' ? 'bypass' : 'miss', keyHeader, result.createdAt, result.expiresAt);
      // Without a body of its own, this request joined another's load that was not stored.
      return unstored !== undefined ? unstored.body : settle(invoke());
    }
    this.describe(response, result.status === 'miss' ? 'stored' : result.status, keyHeader, result.createdAt, result.expiresAt);
    this.adapter.setHeader(response, 'ETag', answer.etag);
    // The body goes out as a string, which Express would label text/html; a type set by @Header stays.
    if (this.adapter.getHeader(response, 'Content-Type') === undefined) {
      this.adapter.setHeader(response, 'Content-Type', 'application/json; charset=utf-8');
    }
    return answer.json;
  }

  private templateOf(context: ExecutionContext): string {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = this.templates.get(controller);
    if (byHandler === undefined) this.templates.set(controller, (byHandler = new WeakMap()));
    let template = byHandler.get(handler);
    if (template === undefined) byHandler.set(handler, (template = routeTemplate(controller, handler)));
    return template;
  }

  private policyOf(context: ExecutionContext): RouteCachePolicy | undefined {
    const handler = context.getHandler();
    let policy = this.policies.get(handler);
    if (policy === undefined) {
      policy = this.metadata.routePolicy(handler, context.getClass()) ?? null;
      this.policies.set(handler, policy);
    }
    return policy ?? undefined;
  }

  private get adapter(): HttpAdapterHost['httpAdapter'] {
    return this.adapterHost.httpAdapter;
  }

  private bypass(response: object, next: CallHandler, varyHeaders: readonly string[] | undefined): Observable<unknown> {
    this.describeAudience(response, varyHeaders);
    this.describe(response, 'bypass', undefined, 0, 0);
    return next.handle();
  }

  /** Who an answer is for: its caller only (`private`, revalidated each reuse), per principal and varied header. */
  private describeAudience(response: object, varyHeaders: readonly string[] | undefined): void {
    if (this.adapter.getHeader(response, 'Cache-Control') === undefined) this.adapter.setHeader(response, 'Cache-Control', 'private, no-cache');
    const names = this.varyNamesOf(varyHeaders);
    const existing = this.adapter.getHeader(response, 'Vary') as string | string[] | number | undefined;
    let value = existing === undefined ? this.varyValues.get(names) : undefined;
    if (value === undefined) {
      value = varyValue(existing, names);
      if (existing === undefined) this.varyValues.set(names, value);
    }
    this.adapter.setHeader(response, 'Vary', value);
  }

  private varyNamesOf(varyHeaders: readonly string[] | undefined): readonly string[] {
    if (varyHeaders === undefined || varyHeaders.length === 0) return this.options.httpPrincipalHeaders;
    let names = this.varyNames.get(varyHeaders);
    if (names === undefined) this.varyNames.set(varyHeaders, (names = [...this.options.httpPrincipalHeaders, ...varyHeaders]));
    return names;
  }

  private describe(response: object, outcome: HttpCacheOutcome, key: string | undefined, createdAt: number, expiresAt: number): void {
    const now = Date.now();
    this.adapter.setHeader(response, 'X-Cache', xCacheValue(outcome));
    this.adapter.setHeader(response, 'Cache-Status', cacheStatusValue(this.cache.keys.prefix, outcome, expiresAt, now));
    if (key !== undefined) this.adapter.setHeader(response, 'X-Cache-Key', key);
    if (outcome === 'hit' || outcome === 'stale') this.adapter.setHeader(response, 'Age', String(ageSeconds(createdAt, now)));
  }

  /** Only a 2xx JSON body, from a response that sets no cookie, may be served to others. */
  private storable(body: unknown, response: object): boolean {
    const status = (response as { statusCode?: number }).statusCode ?? 200;
    if (status < 200 || status >= 300) return false;
    if (this.adapter.getHeader(response, 'set-cookie') !== undefined) return false;
    return isJsonBody(body);
  }
}

function isJsonBody(body: unknown): boolean {
  if (body === null || typeof body !== 'object') return false;
  if (body instanceof StreamableFile || body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return false;
  if (body instanceof ReadableStream || body instanceof Response) return false;
  return !(Symbol.asyncIterator in body) && typeof (body as { pipe?: unknown }).pipe !== 'function';
}

/** A handler's result as a value: awaited, or an Observable's last emission. */
async function settle(result: unknown): Promise<unknown> {
  const value = await result;
  return isObservable(value) ? lastValueFrom(value, { defaultValue: undefined }) : value;
}

