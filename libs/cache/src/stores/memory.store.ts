import { LRUCache } from 'lru-cache';
import type { CacheKeyBuilder } from '../keys/cache-key.builder';
import { globToRegExp } from '../keys/glob';
import type { CacheEntry } from '../serialization/cache-entry';
import type {
  BeginLoadResult,
  CacheStore,
  InvalidationTarget,
  LoadTicket,
  StoredKeyInfo,
} from './cache-store.interface';
import { LoadRegistry, type LoadRecord } from './load-registry';

interface MemoryRecord {
  entry: CacheEntry;
  size: number;
  org: string;
  /**
   * When the record expires, by `Date.now()` (undefined: never). `ttl()` answers from it: the
   * LRU's own clock is refreshed by a timer, which a busy event loop delays, so its remaining
   * TTL can read a little above what was set.
   */
  expiresAt: number | undefined;
}

interface MemoryTicket extends LoadTicket {
  record: LoadRecord;
}

/** Bounds of the in-process store. */
export interface MemoryStoreOptions {
  maxEntries: number;
  maxBytes: number;
}

/**
 * The in-process store: an LRU bounded by entries and bytes, with per-entry TTL, a tag
 * index, and the same invalidation semantics as the Redis store. It is the L1 in front of
 * Redis, the fallback while Redis is down, and the whole cache when there is no Redis.
 * Values are kept as the objects that were stored: callers must treat them as immutable.
 */
export class MemoryCacheStore implements CacheStore {
  readonly kind = 'memory' as const;
  private readonly lru: LRUCache<string, MemoryRecord>;
  /** `org \0 tag` → keys written with that tag. */
  private readonly tagIndex = new Map<string, Set<string>>();
  private readonly loads = new LoadRegistry();
  private readonly globCache = new Map<string, RegExp>();

  constructor(
    private readonly keys: CacheKeyBuilder,
    options: MemoryStoreOptions,
  ) {
    this.lru = new LRUCache<string, MemoryRecord>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: (record) => record.size,
      dispose: (record, key) => this.unindex(key, record),
    });
  }

  /** Synchronous read for the L1 fast path; expired entries read as absent. */
  peek(key: string): CacheEntry | undefined {
    return this.lru.get(key)?.entry;
  }

  get size(): number {
    return this.lru.size;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    return this.peek(key);
  }

  async mget(keys: readonly string[]): Promise<(CacheEntry | undefined)[]> {
    return keys.map((key) => this.peek(key));
  }

  async set(key: string, entry: CacheEntry, ttlMs: number, ticket?: LoadTicket): Promise<boolean> {
    return this.setSized(key, entry, ttlMs, estimateSize(entry), ticket);
  }

  /** `set` with the entry's encoded size already known (the tiered store has it from Redis). */
  setSized(key: string, entry: CacheEntry, ttlMs: number, size: number, ticket?: LoadTicket): boolean {
    if (ticket !== undefined) {
      const { record } = ticket as MemoryTicket;
      this.loads.close(record);
      if (ticket.store !== this || !this.loads.allows(record, entry.tags)) return false;
    } else {
      // An explicit put: loads of this key still running must not overwrite it.
      this.loads.notify({ kind: 'keys', keys: [key] }, () => false);
    }
    if (ttlMs <= 0) return false;
    const org = this.keys.parse(key).org;
    this.lru.set(key, { entry, size: Math.max(1, size), org, expiresAt: Date.now() + Math.ceil(ttlMs) }, { ttl: Math.ceil(ttlMs) });
    if (!this.lru.has(key)) return false; // larger than the whole store
    for (const tag of entry.tags) {
      const indexKey = `${org}\u0000${tag}`;
      let members = this.tagIndex.get(indexKey);
      if (members === undefined) this.tagIndex.set(indexKey, (members = new Set()));
      members.add(key);
    }
    return true;
  }

  async delete(keys: readonly string[]): Promise<number> {
    return this.invalidateSync({ kind: 'keys', keys: [...keys] });
  }

  async ttl(key: string): Promise<number | null | undefined> {
    const record = this.lru.peek(key);
    if (record === undefined) return undefined;
    if (record.expiresAt === undefined) return null;
    const remaining = record.expiresAt - Date.now();
    return remaining > 0 ? Math.round(remaining) : undefined;
  }

  async incr(key: string, delta: number, ttlMs?: number): Promise<number> {
    const current = this.lru.get(key);
    const now = Date.now();
    if (current !== undefined && typeof current.entry.value === 'number') {
      const value = current.entry.value + delta;
      const ttl = current.expiresAt === undefined ? 0 : Math.max(1, current.expiresAt - now);
      this.lru.set(key, { ...current, entry: { ...current.entry, value } }, { ttl });
      return value;
    }
    const life = ttlMs ?? 0;
    const entry: CacheEntry = { value: delta, createdAt: now, expiresAt: life > 0 ? now + life : Infinity, staleUntil: life > 0 ? now + life : Infinity, tags: [] };
    this.lru.set(key, { entry, size: 16, org: this.keys.parse(key).org, expiresAt: life > 0 ? now + life : undefined }, { ttl: life > 0 ? life : 0 });
    return delta;
  }

  async beginLoad(key: string, _tags: readonly string[]): Promise<BeginLoadResult> {
    // One process: the single-flight in CacheService already makes this caller the only loader.
    return { entry: this.peek(key), locked: true, ticket: this.openTicket(key) };
  }

  /** Opens a ticket without the async round: used by the tiered store for L1 fills. */
  openTicket(key: string): LoadTicket {
    const record = this.loads.openRecord(key, this.keys.parse(key).org);
    const ticket: MemoryTicket = { store: this, key, startedAt: Date.now(), record };
    return ticket;
  }

  async endLoad(ticket: LoadTicket): Promise<void> {
    this.closeTicket(ticket);
  }

  closeTicket(ticket: LoadTicket): void {
    this.loads.close((ticket as MemoryTicket).record);
  }

  async invalidate(target: InvalidationTarget): Promise<number> {
    return this.invalidateSync(target);
  }

  /** Applies an invalidation at once: the bus calls it for messages of other instances. */
  invalidateSync(target: InvalidationTarget): number {
    this.loads.notify(target, (pattern, key) => this.glob(pattern).test(key));
    switch (target.kind) {
      case 'all': {
        const n = this.lru.size;
        this.lru.clear();
        this.tagIndex.clear();
        return n;
      }
      case 'keys':
        return target.keys.reduce((n, key) => n + (this.lru.delete(key) ? 1 : 0), 0);
      case 'tags':
        return this.invalidateTags(target.org, target.tags);
      case 'pattern': {
        const re = this.glob(target.pattern);
        return this.deleteWhere((key) => re.test(key));
      }
      case 'org': {
        const root = this.keys.orgRoot(target.org);
        return this.deleteWhere((key) => key.startsWith(root));
      }
    }
  }

  async scan(pattern: string, cursor: string, count: number): Promise<{ keys: string[]; cursor: string }> {
    const re = this.glob(pattern);
    const all = [...this.lru.keys()].filter((key) => re.test(key) && !this.keys.isInternal(key)).sort();
    const start = Number.parseInt(cursor, 10) || 0;
    const page = all.slice(start, start + count);
    const next = start + count >= all.length ? '0' : String(start + count);
    return { keys: page, cursor: next };
  }

  async inspect(key: string): Promise<StoredKeyInfo | undefined> {
    const record = this.lru.get(key);
    if (record === undefined) return undefined;
    return { key, ttlMs: (await this.ttl(key)) ?? null, sizeBytes: record.size, encoding: 'object', tags: record.entry.tags };
  }

  /** Drops expired entries now instead of when next read or pushed out; returns how many. */
  purgeExpired(): number {
    const before = this.lru.size;
    this.lru.purgeStale();
    return before - this.lru.size;
  }

  async close(): Promise<void> {
    this.lru.clear();
  }

  private invalidateTags(org: string | undefined, tags: readonly string[]): number {
    let removed = 0;
    const indexKeys =
      org !== undefined
        ? tags.map((tag) => `${org}\u0000${tag}`)
        : [...this.tagIndex.keys()].filter((indexKey) => tags.includes(indexKey.slice(indexKey.indexOf('\u0000') + 1)));
    for (const indexKey of indexKeys) {
      const members = this.tagIndex.get(indexKey);
      if (members === undefined) continue;
      this.tagIndex.delete(indexKey);
      for (const key of members) if (this.lru.delete(key)) removed++;
    }
    return removed;
  }

  private deleteWhere(predicate: (key: string) => boolean): number {
    let removed = 0;
    for (const key of [...this.lru.keys()]) if (predicate(key) && this.lru.delete(key)) removed++;
    return removed;
  }

  private unindex(key: string, record: MemoryRecord): void {
    for (const tag of record.entry.tags) {
      const indexKey = `${record.org}\u0000${tag}`;
      const members = this.tagIndex.get(indexKey);
      if (members === undefined) continue;
      members.delete(key);
      if (members.size === 0) this.tagIndex.delete(indexKey);
    }
  }

  private glob(pattern: string): RegExp {
    let re = this.globCache.get(pattern);
    if (re === undefined) {
      if (this.globCache.size > 256) this.globCache.clear();
      re = globToRegExp(pattern);
      this.globCache.set(pattern, re);
    }
    return re;
  }
}

/** Rough byte size of an entry for the LRU's byte bound, when no encoded form is at hand. */
export function estimateSize(entry: CacheEntry): number {
  try {
    return (JSON.stringify(entry.value)?.length ?? 8) + 64;
  } catch {
    return 1024;
  }
}
