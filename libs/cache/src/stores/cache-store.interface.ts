import type { CacheEntry } from '../serialization/cache-entry';

/**
 * What a load remembers between `beginLoad` and `set`: enough for the store to refuse a
 * write when an invalidation of the key or one of its tags happened in between (the
 * stale-set race). Each store makes its own kind (see `CacheStore`'s type parameter).
 */
export interface LoadTicket {
  /** The store instance that issued it: another instance of the same kind refuses it. */
  readonly store: object;
  readonly key: string;
  readonly startedAt: number;
}

/** Result of `beginLoad`: the entry already there, if any, and whether this caller holds the load lock. */
export interface BeginLoadResult<Ticket extends LoadTicket = LoadTicket> {
  entry: CacheEntry | undefined;
  locked: boolean;
  ticket: Ticket;
}

/** Debug view of one stored key. */
export interface StoredKeyInfo {
  key: string;
  ttlMs: number | null;
  sizeBytes: number;
  encoding: string;
  tags: readonly string[];
}

/** How an invalidation is aimed; the same shape travels on the bus and in the outage journal. */
export type InvalidationTarget =
  | { kind: 'keys'; keys: string[] }
  | { kind: 'tags'; org: string | undefined; tags: string[] }
  | { kind: 'pattern'; pattern: string }
  | { kind: 'org'; org: string }
  | { kind: 'all' };

/**
 * A place entries live: the in-process store, Redis, or the two composed as tiers. Keys are
 * full keys from `CacheKeyBuilder`; every store honours the prefix inside them and never
 * touches keys of another prefix. `Ticket` is the store's own load ticket: a store takes back
 * only the tickets it issued, so composing stores needs no cast.
 */
export interface CacheStore<Ticket extends LoadTicket = LoadTicket> {
  readonly kind: 'memory' | 'redis' | 'tiered';
  get(key: string): Promise<CacheEntry | undefined>;
  mget(keys: readonly string[]): Promise<(CacheEntry | undefined)[]>;
  /**
   * Writes an entry living `ttlMs` (freshness plus grace). With a ticket the write is a
   * load's result and is refused (false) when an invalidation overlapped the load; without
   * one it is an explicit put and wins over loads still running.
   */
  set(key: string, entry: CacheEntry, ttlMs: number, ticket?: Ticket): Promise<boolean>;
  delete(keys: readonly string[]): Promise<number>;
  /** Remaining lifetime in ms, `null` when the key never expires, `undefined` when absent. */
  ttl(key: string): Promise<number | null | undefined>;
  /** Adds `delta` to a counter; a counter created by the call lives `ttlMs` when given. */
  incr(key: string, delta: number, ttlMs?: number): Promise<number>;
  /** Starts a load of `key` with `tags`, taking the cross-instance lock when `lockTtlMs` is given. */
  beginLoad(key: string, tags: readonly string[], lockTtlMs?: number): Promise<BeginLoadResult<Ticket>>;
  /** Ends a load that did not `set` (its loader failed): releases its lock. */
  endLoad(ticket: Ticket): Promise<void>;
  invalidate(target: InvalidationTarget): Promise<number>;
  scan(pattern: string, cursor: string, count: number): Promise<{ keys: string[]; cursor: string }>;
  inspect(key: string): Promise<StoredKeyInfo | undefined>;
  close(): Promise<void>;
}
