/** Whose entry and of which kind: every call names both, or gets the global org and `default`. */
export interface CacheScope {
  /** Organization (tenant) the entry belongs to; entries of one org are never read by another. */
  org?: string;
  /** Kind of data, e.g. `users`; metrics are kept per namespace. */
  namespace?: string;
}

/** Options of a write. */
export interface CacheWriteOptions extends CacheScope {
  /** Freshness in ms (default: the module's `defaultTtlMs`), shortened by jitter. */
  ttlMs?: number;
  /** After freshness, how long the value may still be served stale while one refresh runs. */
  graceMs?: number;
  /** Tags to invalidate the entry by, within its organization. */
  tags?: readonly string[];
  /**
   * Longest life of this entry's in-process copies (L1, and the fallback store during an
   * outage), in ms; the module's `l1.maxTtlMs` applies too. Short for what must stop working
   * quickly everywhere, e.g. credentials.
   */
  l1TtlMs?: number;
}

/** Options of `getOrSet`. */
export interface GetOrSetOptions extends CacheWriteOptions {
  /**
   * Soft timeout in ms: when a stale value exists and the refresh runs longer, the stale
   * value is served and the refresh goes on in the background.
   */
  timeoutMs?: number;
  /** Hard timeout in ms: the call fails with a `CacheLoaderTimeoutError` past it. */
  hardTimeoutMs?: number;
  /**
   * Probabilistic early refresh (XFetch): a hit may start one background reload before the
   * entry expires, more likely as expiry nears and the slower its last load was, so hot keys
   * never make a request wait for their reload. Default: on for TTLs of at least the module's
   * `earlyRefresh.minTtlMs` (30 s); `true` turns it on for any TTL, `false` off.
   */
  earlyRefresh?: boolean;
}

/**
 * Thrown by an invalidation asked to confirm (`{ confirm: true }`) when it could not take effect
 * everywhere: Redis did not take it. It is kept and retried; until then other instances may
 * serve what it made stale.
 */
export class CacheInvalidationUnconfirmedError extends Error {
  constructor() {
    super('Redis is unreachable: the invalidation is applied here and queued, but other instances may not have it yet');
    this.name = 'CacheInvalidationUnconfirmedError';
  }
}

/** How a cached read was answered, for `X-Cache` and `Cache-Status`. */
export type CacheResultStatus = 'hit' | 'miss' | 'stale' | 'bypass';

/** A value with how it was obtained. */
export interface CacheLookup<T> {
  value: T;
  status: CacheResultStatus;
  /** When the served value was written (ms since epoch); equals now for a fresh load. */
  createdAt: number;
  /** When the served value stops being fresh (ms since epoch). */
  expiresAt: number;
}

/** Thrown when a loader runs past its hard timeout. */
export class CacheLoaderTimeoutError extends Error {
  constructor(readonly key: string, readonly timeoutMs: number) {
    super(`Loader for ${key} timed out after ${timeoutMs} ms`);
    this.name = 'CacheLoaderTimeoutError';
  }
}
