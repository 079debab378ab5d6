import { CacheContext } from '@app/cache';

/**
 * The id of the request being served, for log lines written while serving it. It lives in the
 * request's CacheContext (the cache library's AsyncLocalStorage), which this opens for the rest
 * of the request: TenantGuard later sets the organization in the same scope. One storage per
 * request, so every promise pays one context propagation, not two.
 */
export function runWithRequestId(id: string, next: () => void): void {
  CacheContext.run({ requestId: id }, next);
}

/** The current request's id, or undefined outside a request (start-up, timers). */
export function currentRequestId(): string | undefined {
  return CacheContext.current()?.requestId;
}
