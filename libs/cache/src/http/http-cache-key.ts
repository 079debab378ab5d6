import { PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/internal';
import type { IncomingHttpHeaders } from 'node:http';
import { stableHash } from '../keys/stable-hash';

/** What a cached GET is about, as its handler receives it: path parameters and query after the route's pipes. */
export interface RouteInputs {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
}

/**
 * The id of a GET answer within its namespace and organization: `http:` and a stable hash of
 * the route (its template, e.g. `/api/v1/users/:id`, never the path as sent), the handler's
 * `@Param` and `@Query` arguments as validation and transformation left them (so `limit=05`,
 * `limit=5.0` and `limit=%2B5` are all `limit: 5`, `/Users` and `/users` one route, and key order
 * never matters), and the values of the varied headers. A URL the pipes refuse never gets here.
 *
 * @example
 * httpCacheId('/users', { params: {}, query: { page: 1, limit: 5 } }, req.headers, ['accept-language']) // 'http:Qm9Xb...'
 */
export function httpCacheId(route: string, inputs: RouteInputs, headers: IncomingHttpHeaders, varyHeaders: readonly string[]): string {
  const varied = varyHeaders.map((name) => [name, headers[name.toLowerCase()]]);
  return `http:${stableHash([route, inputs.params, inputs.query, varied])}`;
}

/** `/controller-path/method-path` as declared (`:name` parameters left in), e.g. `/api/v1/users/:id`. */
export function routeTemplate(controller: Function, handler: Function): string {
  const segments = [pathOf(controller), pathOf(handler)]
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment !== '');
  return `/${segments.join('/')}`;
}

function pathOf(target: Function): string {
  const path: unknown = Reflect.getMetadata(PATH_METADATA, target);
  if (Array.isArray(path)) return String(path[0] ?? '');
  return typeof path === 'string' ? path : '';
}

interface RouteArgMetadata {
  index: number;
  data?: unknown;
}

/**
 * The `@Param` and `@Query` arguments among a handler's `args` (in call order, after pipes),
 * by name: `@Query('x') x` is `query.x`, a whole `@Query() dto` spreads its own properties.
 * Other arguments (the organization from a decorator, the request, headers) are not inputs
 * of the key: the organization and varied headers have places of their own.
 */
export function routeInputs(controller: Function, methodName: string | symbol, args: readonly unknown[]): RouteInputs {
  const metadata = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, methodName) ?? {}) as Record<string, RouteArgMetadata>;
  const inputs: RouteInputs = { params: {}, query: {} };
  for (const [key, { index, data }] of Object.entries(metadata)) {
    const type = Number(key.split(':')[0]);
    const target = type === RouteParamtypes.PARAM ? inputs.params : type === RouteParamtypes.QUERY ? inputs.query : undefined;
    if (target === undefined) continue;
    const value = args[index];
    if (typeof data === 'string') target[data] = value;
    else if (value !== null && typeof value === 'object') Object.assign(target, value);
  }
  return inputs;
}

/**
 * `routeInputs` for a call made with these path parameters and query (values as the pipes
 * would leave them): what a request carrying them would be keyed by. For warm jobs.
 */
export function routeInputsOf(
  controller: Function,
  methodName: string | symbol,
  params: Readonly<Record<string, unknown>>,
  query: Readonly<Record<string, unknown>>,
): RouteInputs {
  const metadata = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, methodName) ?? {}) as Record<string, RouteArgMetadata>;
  const args: unknown[] = [];
  for (const [key, { index, data }] of Object.entries(metadata)) {
    const type = Number(key.split(':')[0]);
    const source = type === RouteParamtypes.PARAM ? params : type === RouteParamtypes.QUERY ? query : undefined;
    if (source !== undefined) args[index] = typeof data === 'string' ? source[data] : { ...source };
  }
  return routeInputs(controller, methodName, args);
}

/** Which query parameters a handler declares: `undefined` when a whole `@Query()` object takes them all (its pipes judge). */
export function declaredQueryParameters(controller: Function, methodName: string | symbol): ReadonlySet<string> | undefined {
  const metadata = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, methodName) ?? {}) as Record<string, RouteArgMetadata>;
  const names = new Set<string>();
  for (const [key, { data }] of Object.entries(metadata)) {
    if (Number(key.split(':')[0]) !== RouteParamtypes.QUERY) continue;
    if (typeof data !== 'string') return undefined;
    names.add(data);
  }
  return names;
}
