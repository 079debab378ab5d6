import type { ResolvedCacheOptions } from '../cache-options.interface';
import type { InvalidationBus } from '../invalidation/invalidation-bus';
import type { CacheEntry } from '../serialization/cache-entry';
import type { DecodedEntry } from '../serialization/cache-serializer';
import type { BeginLoadResult } from './cache-store.interface';
import type { MemoryCacheStore, MemoryTicket } from './memory.store';
import type { RedisTicket } from './redis.store';
import type { RemoteTier } from './remote-tier';
import type { LocalCopyOptions, TieredTicket } from './tiered-store.types';

/**
 * The tiered store's reads from Redis, made after an in-process miss: concurrent reads of one
 * key share one round trip, an entry older than the fleet's epoch is a miss, and an entry found
 * is copied to L1 under a guard, so an invalidation arriving while the read is in flight wins.
 * A failed read answers with the in-process copy, as far as the bus vouches for it.
 */
export class L2Reads {
  private readonly inFlight = new Map<string, Promise<CacheEntry | undefined>>();

  constructor(
    private readonly options: ResolvedCacheOptions,
    private readonly local: MemoryCacheStore,
    private readonly bus: InvalidationBus | undefined,
    /** The in-process copy a failed read answers with (see `TieredCacheStore.peekLocal`). */
    private readonly peekLocal: (key: string) => CacheEntry | undefined,
    /** The tiered store's ticket for a load begun in Redis. */
    private readonly ticket: (key: string, remote: RedisTicket, local: MemoryTicket) => TieredTicket,
  ) {}

  /** Entries created at or before the fleet's epoch are stale (see InvalidationBus). */
  current(entry: CacheEntry | undefined): CacheEntry | undefined {
    if (entry === undefined || this.bus === undefined || entry.createdAt === 0) return entry;
    return entry.createdAt > this.bus.epoch ? entry : undefined;
  }

  /** An in-process copy lives no longer than the entry, the module's bound, or the call's own. */
  localTtl(ttlMs: number, copy: LocalCopyOptions): number {
    return Math.min(ttlMs, this.options.l1.maxTtlMs, copy.l1TtlMs ?? Infinity);
  }

  /** Concurrent reads of one key share one Redis round trip. */
  read(tier: RemoteTier, key: string, copy: LocalCopyOptions): Promise<CacheEntry | undefined> {
    let read = this.inFlight.get(key);
    if (read === undefined) {
      read = this.fetch(tier, key, copy);
      this.inFlight.set(key, read);
      // One handler for both outcomes: no promise chained per read beyond it (and no unhandled rejection).
      const forget = (): void => void this.inFlight.delete(key);
      read.then(forget, forget);
    }
    return read;
  }

  /** See `TieredCacheStore.readOrBeginLoad`; only with L1 on, after it missed. */
  async readOrBeginLoad(tier: RemoteTier, key: string, tags: readonly string[], lockTtlMs: number, copy: LocalCopyOptions): Promise<{ entry: CacheEntry | undefined; begun?: BeginLoadResult<TieredTicket> }> {
    // One in-process guard for both outcomes: the L1 fill of an entry found, or the load begun.
    const local = this.local.openTicket(key);
    try {
      const result = await tier.readOrBeginLoad(key, tags, lockTtlMs);
      if ('found' in result) {
        const entry = this.keep(key, result.found, copy, local);
        this.local.closeTicket(local);
        return { entry };
      }
      return { entry: undefined, begun: { entry: this.current(result.entry), locked: result.locked, ticket: this.ticket(key, result.ticket, local) } };
    } catch {
      this.local.closeTicket(local);
      // This call only: an in-process copy vouched for by the bus, else a miss.
      return { entry: this.peekLocal(key) };
    }
  }

  /** `read` without sharing the round trip: for a caller that already shares one per key (the load coordinator's flights). */
  async fetch(tier: RemoteTier, key: string, copy: LocalCopyOptions): Promise<CacheEntry | undefined> {
    // The L1 fill is guarded: an invalidation arriving while the GET is in flight wins.
    const ticket = this.options.l1.enabled ? this.local.openTicket(key) : undefined;
    try {
      return this.keep(key, await tier.call((remote) => remote.getSized(key)), copy, ticket);
    } catch {
      // This call only: an in-process copy vouched for by the bus, else a miss.
      return this.peekLocal(key);
    } finally {
      if (ticket !== undefined) this.local.closeTicket(ticket);
    }
  }

  /** The entry found unless the epoch made it stale; one still fresh or in grace is copied to L1 under `ticket`. */
  private keep(key: string, found: DecodedEntry | undefined, copy: LocalCopyOptions, ticket: MemoryTicket | undefined): CacheEntry | undefined {
    const entry = this.current(found?.entry);
    if (found !== undefined && entry !== undefined && ticket !== undefined) {
      const remaining = entry.staleUntil - Date.now();
      if (remaining > 0) this.local.setSized(key, entry, this.localTtl(remaining, copy), found.plainBytes, ticket);
    }
    return entry;
  }
}
