import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ResolvedCacheOptions } from '../cache-options.interface';
import type { InvalidationBus } from '../invalidation/invalidation-bus';
import type { CacheKeyBuilder } from '../keys/cache-key.builder';
import type { CacheEntry } from '../serialization/cache-entry';
import type { CacheSerializer } from '../serialization/cache-serializer';
import type { BeginLoadResult, CacheStore, InvalidationTarget, StoredKeyInfo } from './cache-store.interface';
import { L2Reads } from './l2-reads';
import { MemoryCacheStore, type MemoryTicket } from './memory.store';
import type { RedisConnections } from './redis-connection.factory';
import type { RedisCacheStore, RedisTicket } from './redis.store';
import type { RemoteTier } from './remote-tier';
import { SharedTier } from './shared-tier';
import { maintainTieredStore, tieredStoreHealth } from './tiered-store.maintenance';
import type { CacheMaintenanceReport, CacheTier, InvalidationOutcome, LocalCopyOptions, TieredStoreHealth, TieredTicket } from './tiered-store.types';

export type { CacheMaintenanceReport, CacheTier, InvalidationOutcome, LocalCopyOptions, TieredStoreHealth, TieredTicket } from './tiered-store.types';

/**
 * L1 (in-process) in front of L2 (Redis): this class routes reads, loads and writes between the
 * tiers. Redis is reached through `RemoteTier` (one circuit breaker, the bounds, orphaned locks);
 * while the circuit is open the in-process store is the whole cache, and `OutageRecovery`
 * journals what Redis missed and replays it before Redis is trusted again. Every Redis failure
 * ends here: callers never see one.
 */
export class TieredCacheStore implements CacheStore<TieredTicket> {
  readonly kind = 'tiered' as const;
  private readonly logger = new Logger('CacheStore');
  readonly local: MemoryCacheStore;
  /** The Redis store itself (server figures, leases, the fleet's connection); use it while `fallbackActive` is false. */
  readonly remote: RedisCacheStore | undefined;
  private readonly tier: RemoteTier | undefined;
  private readonly bus: InvalidationBus | undefined;
  private readonly shared: SharedTier | undefined;
  private readonly l2: L2Reads;
  readonly instanceId = randomUUID();

  constructor(
    private readonly options: ResolvedCacheOptions,
    private readonly keys: CacheKeyBuilder,
    private readonly serializer: CacheSerializer,
    connections: RedisConnections | undefined,
  ) {
    this.local = new MemoryCacheStore(keys, { maxEntries: options.l1.maxEntries, maxBytes: options.l1.maxBytes, maxOrgShare: options.l1.maxOrgShare });
    if (connections !== undefined) {
      this.shared = new SharedTier(options, keys, serializer, connections, this.local, this.instanceId, this.logger);
      ({ remote: this.remote, tier: this.tier, bus: this.bus } = this.shared);
    }
    this.l2 = new L2Reads(options, this.local, this.bus, (key) => this.peekLocal(key), (key, remote, local) => this.ticket(key, remote, local));
  }

  /** Connects to Redis; when it does not answer in time, starts on the fallback and keeps probing. */
  async start(): Promise<void> {
    if (this.shared === undefined) this.logger.log('No Redis configured: using the in-process cache store');
    else await this.shared.start();
  }

  async stop(): Promise<void> {
    await this.shared?.stop();
    await this.local.close();
  }

  close(): Promise<void> {
    return this.stop();
  }

  /** True while Redis is configured but the circuit is open. */
  get fallbackActive(): boolean {
    return this.tier !== undefined && !this.tier.usable;
  }

  /** The remote tier while Redis is trusted; undefined without Redis and while the circuit is open. */
  private get usableTier(): RemoteTier | undefined {
    return this.tier?.usable ? this.tier : undefined;
  }

  /** Whether reads consult the in-process store: as L1 while the bus vouches for it (its lease), or because it is the only store right now. */
  private get readsLocal(): boolean {
    if (this.usableTier === undefined) return true;
    return this.options.l1.enabled && (this.bus?.l1Trusted ?? false);
  }

  /** The L1 hit fast path: synchronous, no allocation. */
  peekLocal(key: string): CacheEntry | undefined {
    return this.readsLocal ? this.local.peek(key) : undefined;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    return (await this.read(key)).entry;
  }

  /** Reads through the tiers, saying which answered; concurrent reads of one key share one Redis round trip. */
  async read(key: string, copy: LocalCopyOptions = {}): Promise<{ entry: CacheEntry | undefined; tier: CacheTier }> {
    const localEntry = this.peekLocal(key);
    if (localEntry !== undefined) return { entry: localEntry, tier: this.usableTier ? 'l1' : 'fallback' };
    const tier = this.usableTier;
    if (tier === undefined) return { entry: undefined, tier: 'fallback' };
    const entry = await this.l2.read(tier, key, copy);
    return { entry, tier: this.usableTier ? 'l2' : 'fallback' };
  }

  /**
   * `read`, and on a miss `beginLoad`, in one Redis round trip when L1 is on: its reads reach
   * Redis only after an in-process miss, where a miss there is likely too (a load then costs two
   * round trips, not three). Without L1 every read goes to Redis and hits are the rule: a plain
   * read of its own (the caller shares one per key). `begun` is set only when the load began; an
   * entry found stale by the epoch is neither (the caller begins its load as usual).
   */
  async readOrBeginLoad(key: string, tags: readonly string[], lockTtlMs: number, copy: LocalCopyOptions = {}): Promise<{ entry: CacheEntry | undefined; begun?: BeginLoadResult<TieredTicket> }> {
    const localEntry = this.peekLocal(key);
    const tier = localEntry === undefined ? this.usableTier : undefined;
    if (tier === undefined) return { entry: localEntry };
    // Its caller (the load coordinator) shares one flight per key already.
    if (!this.options.l1.enabled) return { entry: await this.l2.fetch(tier, key, copy) };
    return this.l2.readOrBeginLoad(tier, key, tags, lockTtlMs, copy);
  }

  async mget(keys: readonly string[]): Promise<(CacheEntry | undefined)[]> {
    return Promise.all(keys.map((key) => this.get(key)));
  }

  /** Starts a load: the cross-instance lock and version snapshot in Redis, the L1 guard here. */
  async beginLoad(key: string, tags: readonly string[], lockTtlMs?: number): Promise<BeginLoadResult<TieredTicket>> {
    const local = this.local.openTicket(key);
    const tier = this.usableTier;
    if (tier !== undefined) {
      try {
        const begun = await tier.beginLoad(key, tags, lockTtlMs);
        return { entry: this.l2.current(begun.entry), locked: begun.locked, ticket: this.ticket(key, begun.ticket, local) };
      } catch {
        // fall through to the in-process store
      }
    }
    // An in-process copy only as far as the bus vouches for it (or the circuit is open).
    return { entry: this.peekLocal(key), locked: true, ticket: this.ticket(key, undefined, local) };
  }

  private ticket(key: string, remote: RedisTicket | undefined, local: MemoryTicket): TieredTicket {
    return { store: this, key, startedAt: Date.now(), remote, local };
  }

  /** How long a reader waits for another's load lock (shorter right after an outage: see `RemoteTier.locksSuspect`). */
  lockWaitMs(): number {
    return this.tier?.locksSuspect ? this.options.lock.waitAfterOutageMs : this.options.lock.waitMs;
  }

  async endLoad(ticket: TieredTicket): Promise<void> {
    this.local.closeTicket(ticket.local);
    if (ticket.remote !== undefined) await this.tier?.endLoad(ticket.remote);
  }

  /**
   * Stores an entry living `ttlMs`. With a ticket it is a load's result, dropped if an
   * invalidation overlapped the load; without one it is an explicit put. Returns whether
   * it was stored. Values over the size limit are not cached.
   */
  async set(key: string, entry: CacheEntry, ttlMs: number, ticket?: TieredTicket, copy: LocalCopyOptions = {}): Promise<boolean> {
    const encoded = this.serializer.encodeWithinLimit(entry);
    if ('refused' in encoded) {
      this.logger.warn(`Value of ${this.keys.publicForm(key)} ${encoded.refused}: not cached`);
      if (ticket) await this.endLoad(ticket);
      return false;
    }
    const writeLocal = (): boolean => this.local.setSized(key, entry, this.l2.localTtl(ttlMs, copy), encoded.plainBytes, ticket?.local);
    const shared = this.shared;
    if (shared !== undefined && (ticket === undefined || ticket.remote !== undefined)) {
      if (shared.tier.usable) {
        try {
          const stored = await shared.tier.call((remote) => remote.setEncoded(key, encoded.bytes, entry.tags, ttlMs, ticket?.remote));
          // The write gave the load's lock back (stored or not).
          if (ticket?.remote !== undefined) shared.tier.released(ticket.remote);
          if (ticket === undefined) await shared.recovery.publish({ kind: 'keys', keys: [key] });
          if (stored && this.options.l1.enabled) return writeLocal();
          if (ticket) this.local.closeTicket(ticket.local);
          return stored;
        } catch {
          // Redis failed during the write: keep the value in-process only. The write would have
          // released the load's lock; it may still be held.
          if (ticket?.remote !== undefined) shared.tier.orphanLock(ticket.remote);
        }
      } else if (ticket?.remote !== undefined) {
        // Redis went away during the load: the fallback may keep the value.
        shared.tier.orphanLock(ticket.remote);
      }
      if (ticket === undefined) shared.recovery.record({ kind: 'keys', keys: [key] });
    } else if (ticket !== undefined && ticket.remote === undefined && this.usableTier !== undefined) {
      // The load began on the fallback and Redis is back: the in-process tier was emptied
      // and this value's freshness cannot be vouched for against other instances.
      this.local.closeTicket(ticket.local);
      return false;
    }
    return writeLocal();
  }

  async delete(keys: readonly string[]): Promise<number> {
    return (await this.invalidateEverywhere({ kind: 'keys', keys: [...keys] })).removed;
  }

  async invalidate(target: InvalidationTarget): Promise<number> {
    return (await this.invalidateEverywhere(target)).removed;
  }

  /** Invalidates everywhere (see `SharedTier.invalidate`); without Redis, in this process. */
  async invalidateEverywhere(target: InvalidationTarget): Promise<InvalidationOutcome> {
    if (this.shared === undefined) return { removed: this.local.invalidateSync(target), confirmed: true };
    return this.shared.invalidate(target);
  }

  async ttl(key: string): Promise<number | null | undefined> {
    return this.remoteOrLocal((remote) => remote.ttl(key), () => this.local.ttl(key));
  }

  /** Counters kept in-process during an outage are dropped on recovery. */
  async incr(key: string, delta: number, ttlMs?: number): Promise<number> {
    return this.remoteOrLocal((remote) => remote.incr(key, delta, ttlMs), () => this.local.incr(key, delta, ttlMs));
  }

  /** Asks Redis while it is trusted; the in-process store answers without it, and when the call fails. */
  private async remoteOrLocal<T>(operation: (remote: RedisCacheStore) => Promise<T>, local: () => Promise<T>): Promise<T> {
    const tier = this.usableTier;
    if (tier !== undefined) {
      try {
        return await tier.call(operation);
      } catch {
        // fall back
      }
    }
    return local();
  }

  async scan(pattern: string, cursor: string, count: number): Promise<{ keys: string[]; cursor: string }> {
    return this.usableTier?.call((remote) => remote.scan(pattern, cursor, count)) ?? this.local.scan(pattern, cursor, count);
  }

  async inspect(key: string): Promise<StoredKeyInfo | undefined> {
    const tier = this.usableTier;
    return tier !== undefined ? tier.call((remote) => remote.inspect(key)) : this.local.inspect(key);
  }

  /** Purges expired in-process entries and, on Redis, tag-set members whose entries are gone. */
  maintenance(): Promise<CacheMaintenanceReport> {
    return maintainTieredStore(this.local, this.tier);
  }

  health(): Promise<TieredStoreHealth> {
    return tieredStoreHealth(this.tier, this.shared?.connections);
  }
}
