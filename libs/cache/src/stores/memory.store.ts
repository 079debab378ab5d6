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
import { InvalidationTracker, type LoadRecord } from '../invalidation/invalidation-tracker';

interface MemoryRecord {
  entry: CacheEntry;
  /** Bytes accounted for it: the estimated footprint of what is held (`l1Footprint`). */
  size: number;
  org: string;
  /** The organization's usage this record is counted in. */
  usage: OrgUsage;
  /** Read since the organization's eviction hand last passed it (CLOCK's reference bit). */
  referenced: boolean;
  /**
   * When the record expires, by `Date.now()` (undefined: never). `ttl()` answers from it: the
   * LRU's own clock is refreshed by a timer, which a busy event loop delays, so its remaining
   * TTL can read a little above what was set.
   */
  expiresAt: number | undefined;
}

/** What one organization holds: its bytes, and its keys in the order its eviction hand visits them. */
interface OrgUsage {
  bytes: number;
  keys: Map<string, MemoryRecord>;
}

interface MemoryTicket extends LoadTicket {
  record: LoadRecord;
}

/** Bounds of the in-process store. */
export interface MemoryStoreOptions {
  maxEntries: number;
  /** Budget of accounted bytes (see `l1Footprint`) for all entries together. */
  maxBytes: number;
  /**
   * Largest fraction (0-1] of both budgets one organization may hold (default 1: no cap). Past it
   * the organization's own least recently used entries (by CLOCK) make room.
   */
  maxOrgShare?: number;
}

/** What the in-process store holds, in accounted bytes and entries, in total and per organization. */
export interface MemoryStoreUsage {
  bytes: number;
  entries: number;
  maxBytes: number;
  maxEntries: number;
  orgMaxBytes: number;
  orgMaxEntries: number;
  orgs: Record<string, { bytes: number; entries: number }>;
}

/** Bytes counted per entry beyond its value: the key, record, entry, LRU and index slots. */
export const L1_ENTRY_OVERHEAD_BYTES = 512;

/**
 * What an entry whose JSON is `plainBytes` long is counted as in the in-process tier, which holds
 * decoded values, not bytes. Measured with V8 (heap retained after GC): a 580 KB orders page held
 * 1.03 times its JSON as objects and 1.01 times as the HTTP cache's JSON string, a 4 KB users page
 * 1.5 times; so 1.5 times the JSON plus a fixed overhead per entry, never less than what is held.
 */
export function l1Footprint(plainBytes: number): number {
  return Math.ceil(Math.max(0, plainBytes) * 1.5) + L1_ENTRY_OVERHEAD_BYTES;
}

/**
 * The in-process store: an LRU bounded by entries and bytes, with per-entry TTL, a tag
 * index, and the same invalidation semantics as the Redis store. It is the L1 in front of
 * Redis, the fallback while Redis is down, and the whole cache when there is no Redis.
 * Values are kept as the objects that were stored: callers must treat them as immutable.
 *
 * Organizations share it fairly: each holds at most `maxOrgShare` of the entries and bytes
 * (past it, its own least recently used entries go, chosen by CLOCK), and when the store as a
 * whole is full the organization holding the most gives up an entry first. So one tenant
 * flooding distinct keys evicts its own entries, not another tenant's hot ones.
 */
export class MemoryCacheStore implements CacheStore {
  readonly kind = 'memory' as const;
  private readonly lru: LRUCache<string, MemoryRecord>;
  /** `org \0 tag` → keys written with that tag. */
  private readonly tagIndex = new Map<string, Set<string>>();
  private readonly loads = new InvalidationTracker();
  private readonly globCache = new Map<string, RegExp>();
  private readonly orgs = new Map<string, OrgUsage>();
  private bytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly orgMaxEntries: number;
  private readonly orgMaxBytes: number;

  constructor(
    private readonly keys: CacheKeyBuilder,
    options: MemoryStoreOptions,
  ) {
    const share = Math.min(1, Math.max(0, options.maxOrgShare ?? 1));
    this.maxEntries = options.maxEntries;
    this.maxBytes = options.maxBytes;
    this.orgMaxEntries = Math.max(1, Math.floor(options.maxEntries * share));
    this.orgMaxBytes = Math.max(1, Math.floor(options.maxBytes * share));
    // The bounds are kept here (makeRoom), fairly; the LRU's own is one above so it never evicts first.
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
    const orgs: MemoryStoreUsage['orgs'] = {};
    for (const [org, usage] of this.orgs) orgs[org] = { bytes: usage.bytes, entries: usage.keys.size };
    return {
      bytes: this.bytes,
      entries: this.lru.size,
      maxBytes: this.maxBytes,
      maxEntries: this.maxEntries,
      orgMaxBytes: this.orgMaxBytes,
      orgMaxEntries: this.orgMaxEntries,
      orgs,
    };
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
    return this.setSized(key, entry, ttlMs, estimatePlainBytes(entry), ticket);
  }

  /**
   * `set` with the length of the entry's JSON already known (the tiered store has it from
   * encoding or decoding it); the entry is accounted as `l1Footprint(plainBytes)`.
   */
  setSized(key: string, entry: CacheEntry, ttlMs: number, plainBytes: number, ticket?: LoadTicket): boolean {
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
    const size = l1Footprint(plainBytes);
    if (size > this.orgMaxBytes) {
      this.lru.delete(key); // larger than an organization may hold: an older value must not stay either
      return false;
    }
    this.store(key, { entry, size, org, expiresAt: Date.now() + Math.ceil(ttlMs) }, Math.ceil(ttlMs));
    if (!this.lru.has(key)) return false;
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
      this.store(key, { entry: { ...current.entry, value }, size: current.size, org: current.org, expiresAt: current.expiresAt }, ttl);
      return value;
    }
    const life = ttlMs ?? 0;
    const org = this.keys.parse(key).org;
    const entry: CacheEntry = { value: delta, createdAt: now, expiresAt: life > 0 ? now + life : Infinity, staleUntil: life > 0 ? now + life : Infinity, tags: [] };
    this.store(key, { entry, size: l1Footprint(COUNTER_PLAIN_BYTES), org, expiresAt: life > 0 ? now + life : undefined }, life > 0 ? life : 0);
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
        this.orgs.clear();
        this.bytes = 0;
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
    this.orgs.clear();
    this.bytes = 0;
  }

  /** Puts a record in and accounts it, then makes room: the organization's share first, then the whole store. */
  private store(key: string, fields: Omit<MemoryRecord, 'usage' | 'referenced'>, ttl: number): void {
    const record = fields as MemoryRecord;
    record.referenced = false;
    this.lru.set(key, record, { ttl }); // the record it replaces is forgotten now (dispose)...
    // ...which drops its organization's usage if that was its only key: so the usage is taken after.
    const usage = (record.usage = this.usageOf(record.org));
    usage.keys.set(key, record);
    usage.bytes += record.size;
    this.bytes += record.size;
    this.makeRoom(usage, key);
  }

  /** `written`: the key just stored, given up only when it is all its organization holds. */
  private makeRoom(writer: OrgUsage, written: string): void {
    // Over its share: the writer's own entries go (never the one just written: it fits).
    while ((writer.bytes > this.orgMaxBytes || writer.keys.size > this.orgMaxEntries) && writer.keys.size > 1) this.evictOne(writer, written);
    // The store is full: whoever holds the most gives up an entry.
    while (this.bytes > this.maxBytes || this.lru.size > this.maxEntries) {
      const victim = this.largest(this.lru.size > this.maxEntries ? 'entries' : 'bytes');
      if (victim === undefined) break;
      this.evictOne(victim, written);
    }
  }

  private largest(by: 'entries' | 'bytes'): OrgUsage | undefined {
    let largest: OrgUsage | undefined;
    let most = 0;
    for (const usage of this.orgs.values()) {
      const amount = by === 'bytes' ? usage.bytes : usage.keys.size;
      if (amount > most) [largest, most] = [usage, amount];
    }
    return largest;
  }

  /**
   * Evicts one of the organization's entries by CLOCK, an approximation of least recently used
   * that costs a read only a flag: from its oldest, an entry read since the hand last passed is
   * spared once (moved to the back, flag cleared), and the first one that was not goes.
   */
  private evictOne(usage: OrgUsage, written: string): void {
    for (const [key, record] of usage.keys) {
      const spared = record.referenced || (key === written && usage.keys.size > 1);
      if (spared) {
        record.referenced = false;
        usage.keys.delete(key); // to the back: the iteration reaches it again after the others
        usage.keys.set(key, record);
        continue;
      }
      // The LRU's dispose forgets it; a record the LRU no longer has is forgotten here.
      if (!this.lru.delete(key)) this.forget(key, record);
      return;
    }
  }

  private usageOf(org: string): OrgUsage {
    let usage = this.orgs.get(org);
    if (usage === undefined) this.orgs.set(org, (usage = { bytes: 0, keys: new Map() }));
    return usage;
  }

  /** Takes a record out of the accounts and the tag index (it left the LRU: deleted, replaced, expired, evicted). */
  private forget(key: string, record: MemoryRecord): void {
    const usage = record.usage;
    if (usage.keys.get(key) === record) {
      usage.keys.delete(key);
      usage.bytes -= record.size;
      this.bytes -= record.size;
      if (usage.keys.size === 0 && this.orgs.get(record.org) === usage) this.orgs.delete(record.org);
    }
    this.unindex(key, record);
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

/** Length of a counter's JSON for the accounts (an integer of up to 16 digits). */
const COUNTER_PLAIN_BYTES = 16;

/** UTF-8 length of an entry's JSON, when no encoded form is at hand (a direct `set`). */
export function estimatePlainBytes(entry: CacheEntry): number {
  try {
    return Buffer.byteLength(JSON.stringify(entry.value) ?? '', 'utf8') + 64;
  } catch {
    return 1024;
  }
}
