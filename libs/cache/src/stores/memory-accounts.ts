import type { CacheEntry } from '../serialization/cache-entry';

/** One entry held by the in-process store, with what it is accounted as. */
export interface MemoryRecord {
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
export interface OrgUsage {
  bytes: number;
  keys: Map<string, MemoryRecord>;
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

/** The in-process store's bounds, in total and per organization. */
export interface MemoryLimits {
  maxEntries: number;
  maxBytes: number;
  orgMaxEntries: number;
  orgMaxBytes: number;
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

/** Length of a counter's JSON for the accounts (an integer of up to 16 digits). */
export const COUNTER_PLAIN_BYTES = 16;

/** UTF-8 length of an entry's JSON, when no encoded form is at hand (a direct `set`). */
export function estimatePlainBytes(entry: CacheEntry): number {
  try {
    return Buffer.byteLength(JSON.stringify(entry.value) ?? '', 'utf8') + 64;
  } catch {
    return 1024;
  }
}

/**
 * The in-process store's accounts and its fair eviction. Each organization holds at most its
 * share of the entries and bytes (past it, its own least recently used entries go, chosen by
 * CLOCK), and when the store as a whole is full the organization holding the most gives up an
 * entry first. So one tenant flooding distinct keys evicts its own entries, not another
 * tenant's hot ones.
 */
export class MemoryAccounts {
  private readonly orgs = new Map<string, OrgUsage>();
  private bytes = 0;

  /**
   * `evict` takes a record out of the store (and, through `forget`, out of these accounts);
   * `entries` is how many the store holds.
   */
  constructor(
    readonly limits: MemoryLimits,
    private readonly evict: (key: string, record: MemoryRecord) => void,
    private readonly entries: () => number,
  ) {}

  /** Counts a record just stored, then makes room: the organization's share first, then the whole store. */
  add(key: string, record: MemoryRecord): void {
    const usage = (record.usage = this.usageOf(record.org));
    usage.keys.set(key, record);
    usage.bytes += record.size;
    this.bytes += record.size;
    this.makeRoom(usage, key);
  }

  /** Takes a record out of the accounts (it left the store: deleted, replaced, expired, evicted). */
  forget(key: string, record: MemoryRecord): void {
    const usage = record.usage;
    if (usage.keys.get(key) !== record) return;
    usage.keys.delete(key);
    usage.bytes -= record.size;
    this.bytes -= record.size;
    if (usage.keys.size === 0 && this.orgs.get(record.org) === usage) this.orgs.delete(record.org);
  }

  clear(): void {
    this.orgs.clear();
    this.bytes = 0;
  }

  usage(): MemoryStoreUsage {
    const orgs: MemoryStoreUsage['orgs'] = {};
    for (const [org, usage] of this.orgs) orgs[org] = { bytes: usage.bytes, entries: usage.keys.size };
    const { maxBytes, maxEntries, orgMaxBytes, orgMaxEntries } = this.limits;
    return { bytes: this.bytes, entries: this.entries(), maxBytes, maxEntries, orgMaxBytes, orgMaxEntries, orgs };
  }

  /** `written`: the key just stored, given up only when it is all its organization holds. */
  private makeRoom(writer: OrgUsage, written: string): void {
    const { maxBytes, maxEntries, orgMaxBytes, orgMaxEntries } = this.limits;
    // Over its share: the writer's own entries go (never the one just written: it fits).
    while ((writer.bytes > orgMaxBytes || writer.keys.size > orgMaxEntries) && writer.keys.size > 1) this.evictOne(writer, written);
    // The store is full: whoever holds the most gives up an entry.
    while (this.bytes > maxBytes || this.entries() > maxEntries) {
      const victim = this.largest(this.entries() > maxEntries ? 'entries' : 'bytes');
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
      this.evict(key, record);
      return;
    }
  }

  private usageOf(org: string): OrgUsage {
    let usage = this.orgs.get(org);
    if (usage === undefined) this.orgs.set(org, (usage = { bytes: 0, keys: new Map() }));
    return usage;
  }
}
