import { LRUCache } from 'lru-cache';
import type { CacheKeyBuilder } from '../keys/cache-key.builder';
import { CompiledGlobs } from '../keys/compiled-globs';
import { createEntry, type CacheEntry } from '../serialization/cache-entry';
import type {
  BeginLoadResult,
  CacheStore,
  InvalidationTarget,
  LoadTicket,
  StoredKeyInfo,
} from './cache-store.interface';
import { InvalidationTracker, type LoadRecord } from '../invalidation/invalidation-tracker';
import { COUNTER_PLAIN_BYTES, estimatePlainBytes, l1Footprint, MemoryAccounts, type MemoryRecord, type MemoryStoreOptions, type MemoryStoreUsage } from './memory-accounts';
import { MemoryTagIndex } from './memory-tag-index';

/** A load of the in-process store: its record in the invalidation tracker. */
export interface MemoryTicket extends LoadTicket {
  record: LoadRecord;
}

export { L1_ENTRY_OVERHEAD_BYTES, l1Footprint, type MemoryStoreOptions, type MemoryStoreUsage } from './memory-accounts';

/**
 * The in-process store: an LRU bounded by entries and bytes, with per-entry TTL, a tag
 * index, and the same invalidation semantics as the Redis store. It is the L1 in front of
 * Redis, the fallback while Redis is down, and the whole cache when there is no Redis.
 * Values are kept as the objects that were stored: callers must treat them as immutable.
 *
 * Organizations share it fairly (see `MemoryAccounts`): one tenant flooding distinct keys
 * evicts its own entries, not another tenant's hot ones.
 */
export class MemoryCacheStore implements CacheStore<MemoryTicket> {
  readonly kind = 'memory' as const;
  private readonly lru: LRUCache<string, MemoryRecord>;
  private readonly tagIndex = new MemoryTagIndex();
  private readonly loads = new InvalidationTracker();
  private readonly globs = new CompiledGlobs();
  private readonly accounts: MemoryAccounts;

  constructor(
    private readonly keys: CacheKeyBuilder,
    options: MemoryStoreOptions,
  ) {
    const share = Math.min(1, Math.max(0, options.maxOrgShare ?? 1));
    const limits = {
      maxEntries: options.maxEntries,
      maxBytes: options.maxBytes,
      orgMaxEntries: Math.max(1, Math.floor(options.maxEntries * share)),
      orgMaxBytes: Math.max(1, Math.floor(options.maxBytes * share)),
    };
    // The LRU's dispose forgets an evicted record; one the LRU no longer has is forgotten here.
    this.accounts = new MemoryAccounts(limits, (key, record) => void (this.lru.delete(key) || this.forget(key, record)), () => this.lru.size);
    // The bounds are kept by the accounts, fairly; the LRU's own is one above so it never evicts first.
    this.lru = new LRUCache<string, MemoryRecord>({
      max: options.maxEntries + 1,
      dispose: (record, key) => this.forget(key, record),
    });
  }

  /** Synchronous read for the L1 fast path; expired entries read as absent. */
  peek(key: string): CacheEntry | undefined {
    const record = this.lru.get(key);
    if (record === undefined) return undefined;
    record.referenced = true; // spares it the next time its organization must give up an entry
    return record.entry;
  }

  /** Accounted bytes and entries, in total and per organization. */
  usage(): MemoryStoreUsage {
    return this.accounts.usage();
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

  async set(key: string, entry: CacheEntry, ttlMs: number, ticket?: MemoryTicket): Promise<boolean> {
    return this.setSized(key, entry, ttlMs, estimatePlainBytes(entry), ticket);
  }

  /**
   * `set` with the length of the entry's JSON already known (the tiered store has it from
   * encoding or decoding it); the entry is accounted as `l1Footprint(plainBytes)`.
   */
  setSized(key: string, entry: CacheEntry, ttlMs: number, plainBytes: number, ticket?: MemoryTicket): boolean {
    if (ticket !== undefined) {
      this.loads.close(ticket.record);
      if (ticket.store !== this || !this.loads.allows(ticket.record, entry.tags)) return false;
    } else {
      // An explicit put: loads of this key still running must not overwrite it.
      this.loads.notify({ kind: 'keys', keys: [key] }, () => false);
    }
    if (ttlMs <= 0) return false;
    const org = this.keys.parse(key).org;
    const size = l1Footprint(plainBytes);
    if (size > this.accounts.limits.orgMaxBytes) {
      this.lru.delete(key); // larger than an organization may hold: an older value must not stay either
      return false;
    }
    this.store(key, { entry, size, org, expiresAt: Date.now() + Math.ceil(ttlMs) }, Math.ceil(ttlMs));
    if (!this.lru.has(key)) return false;
    this.tagIndex.add(org, entry.tags, key);
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
      this.store(key, { entry: { ...current.entry, value }, size: current.size, org: current.org, expiresAt: current.expiresAt }, ttl);
      return value;
    }
    const life = ttlMs ?? 0;
    const org = this.keys.parse(key).org;
    const entry = createEntry(delta, { ttlMs: life > 0 ? life : Infinity, graceMs: 0, tags: [] }, now);
    this.store(key, { entry, size: l1Footprint(COUNTER_PLAIN_BYTES), org, expiresAt: life > 0 ? now + life : undefined }, life > 0 ? life : 0);
    return delta;
  }

  async beginLoad(key: string, _tags: readonly string[]): Promise<BeginLoadResult<MemoryTicket>> {
    // One process: the single-flight in CacheService already makes this caller the only loader.
    return { entry: this.peek(key), locked: true, ticket: this.openTicket(key) };
  }

  /** Opens a ticket without the async round: used by the tiered store for L1 fills. */
  openTicket(key: string): MemoryTicket {
    const record = this.loads.openRecord(key, this.keys.parse(key).org);
    return { store: this, key, startedAt: Date.now(), record };
  }

  async endLoad(ticket: MemoryTicket): Promise<void> {
    this.closeTicket(ticket);
  }

  closeTicket(ticket: MemoryTicket): void {
    this.loads.close(ticket.record);
  }

  async invalidate(target: InvalidationTarget): Promise<number> {
    return this.invalidateSync(target);
  }

  /** Applies an invalidation at once: the bus calls it for messages of other instances. */
  invalidateSync(target: InvalidationTarget): number {
    this.loads.notify(target, (pattern, key) => this.globs.get(pattern).test(key));
    switch (target.kind) {
      case 'all': {
        const n = this.lru.size;
        this.lru.clear();
        this.tagIndex.clear();
        this.accounts.clear();
        return n;
      }
      case 'keys':
        return target.keys.reduce((n, key) => n + (this.lru.delete(key) ? 1 : 0), 0);
      case 'tags':
        return this.invalidateTags(target.org, target.tags);
      case 'pattern': {
        const re = this.globs.get(target.pattern);
        return this.deleteWhere((key) => re.test(key));
      }
      case 'org': {
        const root = this.keys.orgRoot(target.org);
        return this.deleteWhere((key) => key.startsWith(root));
      }
    }
  }

  async scan(pattern: string, cursor: string, count: number): Promise<{ keys: string[]; cursor: string }> {
    const re = this.globs.get(pattern);
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
    this.accounts.clear();
  }

  /** Puts a record in and accounts it (which may make room by evicting others). */
  private store(key: string, fields: Omit<MemoryRecord, 'usage' | 'referenced'>, ttl: number): void {
    const record = fields as MemoryRecord;
    record.referenced = false;
    this.lru.set(key, record, { ttl }); // the record it replaces is forgotten now (dispose)...
    // ...which drops its organization's usage if that was its only key: so it is counted after.
    this.accounts.add(key, record);
  }

  /** Takes a record out of the accounts and the tag index (it left the LRU: deleted, replaced, expired, evicted). */
  private forget(key: string, record: MemoryRecord): void {
    this.accounts.forget(key, record);
    this.tagIndex.remove(record.org, record.entry.tags, key);
  }

  private invalidateTags(org: string | undefined, tags: readonly string[]): number {
    let removed = 0;
    for (const members of this.tagIndex.take(org, tags)) for (const key of members) if (this.lru.delete(key)) removed++;
    return removed;
  }

  private deleteWhere(predicate: (key: string) => boolean): number {
    let removed = 0;
    for (const key of [...this.lru.keys()]) if (predicate(key) && this.lru.delete(key)) removed++;
    return removed;
  }
}
