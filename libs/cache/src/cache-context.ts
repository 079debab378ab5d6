import { AsyncLocalStorage } from 'node:async_hooks';
import type { PendingRouteLookup } from './http/cache-route.decorator';

/** What the cache knows about the caller of the current request or job. */
export interface CacheContextState {
  /** Organization whose entries the caller reads and writes; absent means the global organization. */
  org?: string;
  /**
   * The id of the request being served, for the app's log lines. The cache does not read it: it
   * rides here so that an app needs one AsyncLocalStorage per request, not one for its logs and
   * another for the cache (each one adds work to every promise the request creates).
   */
  requestId?: string;
}

/** The context as stored: also what the library hands along within a request, out of the public type. */
interface StoredContext extends CacheContextState {
  /** The HTTP cache's lookup waiting for the handler `@CacheRoute` wraps (see `CacheContext.runWithPendingLookup`). */
  pendingRouteLookup?: PendingRouteLookup;
}

/**
 * The caller's organization, carried through async calls (AsyncLocalStorage), so that
 * `@Cacheable`, `@CacheEvict`, `@CachePut` and `HttpCacheInterceptor` scope every key to it
 * without the organization being passed around. An app's tenant middleware opens the scope
 * per request; a guard, which cannot wrap the rest of the request, fills in one opened
 * earlier (see `CacheContextMiddleware`).
 *
 * @example
 * // middleware that knows the tenant:
 * use(req, res, next) { CacheContext.run({ org: tenantOf(req) }, next); }
 * // a job:
 * await CacheContext.run({ org }, () => reports.rebuild());
 */
export class CacheContext {
  /**
   * The library's only AsyncLocalStorage: while one is enabled, every promise the process creates
   * pays a hook per storage, so the HTTP cache's hand-over rides in this one too.
   */
  private static readonly storage = new AsyncLocalStorage<StoredContext>();

  private constructor() {}

  /** Runs `fn` (and everything it awaits or schedules) with `state` as the current context. */
  static run<R>(state: CacheContextState, fn: () => R): R {
    // A copy: the caller's object is never the one `setOrg` later changes.
    return CacheContext.storage.run({ ...state }, fn);
  }

  /** The current context, or undefined outside any `run`. */
  static current(): Readonly<CacheContextState> | undefined {
    return CacheContext.storage.getStore();
  }

  /** The current organization, or undefined (outside any `run`, or none set yet). */
  static org(): string | undefined {
    return CacheContext.storage.getStore()?.org;
  }

  /**
   * Runs `fn` in a copy of the current context that also holds `pending`, the HTTP cache's
   * lookup for the handler `@CacheRoute` wraps (library-internal: `HttpCacheInterceptor`).
   */
  static runWithPendingLookup<R>(pending: PendingRouteLookup, fn: () => R): R {
    return CacheContext.storage.run({ ...CacheContext.storage.getStore(), pendingRouteLookup: pending }, fn);
  }

  /** The HTTP cache's lookup waiting for the current handler, if any (library-internal: `@CacheRoute`). */
  static pendingLookup(): PendingRouteLookup | undefined {
    return CacheContext.storage.getStore()?.pendingRouteLookup;
  }

  /**
   * Sets the organization of the scope already open, for code that learns it late in the
   * request (a guard). Throws when no scope is open: the value would otherwise be lost.
   *
   * @example
   * async canActivate(ctx) { const org = await this.keys.orgOf(token); CacheContext.setOrg(org); return true; }
   */
  static setOrg(org: string): void {
    const state = CacheContext.storage.getStore();
    if (state === undefined) {
      throw new Error('CacheContext.setOrg outside a scope: open one first with CacheContext.run or CacheContextMiddleware');
    }
    state.org = org;
  }
}
