import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ResolvedCacheOptions } from '../cache-options.interface';
import { InvalidationBus } from '../invalidation/invalidation-bus';
import type { CacheKeyBuilder } from '../keys/cache-key.builder';
import { CircuitBreaker } from '../resilience/circuit-breaker';
import { EventLoopLag } from '../resilience/event-loop-lag';
import { OutageJournal } from '../resilience/outage-journal';
import type { CacheEntry } from '../serialization/cache-entry';
import { CacheSerializer } from '../serialization/cache-serializer';
import type { InvalidationTarget, LoadTicket, StoredKeyInfo } from './cache-store.interface';
import { MemoryCacheStore } from './memory.store';
import { closeRedisClient, waitForReady, watchPrimary, type RedisConnections, type RedisMode } from './redis-connection.factory';
import { RedisCacheStore } from './redis.store';
import { delay, describeError, withTimeout } from '../common/async';

/** Which tier answered a read. */
export type CacheTier = 'l1' | 'l2' | 'fallback';

/** A load's ticket across tiers: the Redis half guards L2, the in-process half guards L1. */
interface TieredTicket extends LoadTicket {
  remote: LoadTicket | undefined;
  local: LoadTicket;
}

/** State of the store for health checks. */
export interface TieredStoreHealth {
  store: 'redis' | 'memory';
  fallbackActive: boolean;
  redis: { connected: boolean; latencyMs: number | null; mode: RedisMode } | null;
}

/** What an invalidation achieved. */
export interface InvalidationOutcome {
  /** Entries removed (the larger of Redis' and this instance's count). */
  removed: number;
  /**
   * True when it took effect everywhere before returning: Redis (when configured) took it, and
   * every other instance acknowledged it or can no longer serve an in-process copy it made
   * stale. False when Redis was unreachable: it is kept and replayed, and other instances may
   * serve what it made stale until then.
   */
  confirmed: boolean;
}

/** Per-call limits on the in-process copies of an entry. */
export interface LocalCopyOptions {
  /** Longest life of an in-process copy (L1, and the fallback store during an outage), ms. */
  l1TtlMs?: number;
}

/** What `maintenance()` cleaned, and on which store. */
export interface CacheMaintenanceReport {
  /** `fallback`: Redis is configured but unreachable, so only the in-process store was cleaned. */
  store: 'redis' | 'memory' | 'fallback';
  expiredLocalEntries: number;
  tagSetsScanned: number;
  deadTagMembers: number;
}

/**
 * L1 (in-process) in front of L2 (Redis), with Redis behind one circuit breaker. While the
 * circuit is open the in-process store is the whole cache, invalidations Redis missed are
 * journaled, and on recovery they are replayed and the in-process tier is emptied before
 * Redis is trusted again. Every Redis failure ends here: callers never see one.
 */
export class TieredCacheStore {
  private readonly logger = new Logger('CacheStore');
  readonly local: MemoryCacheStore;
  readonly remote: RedisCacheStore | undefined;
  private backfill?: Promise<void>;
  private readonly breaker: CircuitBreaker | undefined;
  private unwatchPrimary: (() => void) | undefined;
  private readonly bus: InvalidationBus | undefined;
  private readonly journal: OutageJournal;
  private readonly reads = new Map<string, Promise<CacheEntry | undefined>>();
  /**
   * Load locks this instance took in Redis and could not give back (the write or the release
   * failed: Redis timed out, restarted or was paused), by entry key, with when they lapse by
   * themselves. Until given back, every instance reading the key would wait for its value, up
   * to `lock.waitMs`: this instance tries again one probe interval later, gives each back at
   * its next load of the key, and all of them when Redis is trusted again.
   */
  private readonly orphanedLocks = new Map<string, { ticket: LoadTicket; lapsesAt: number }>();
  private readonly lag = new EventLoopLag();
  /** The journal's replay in progress, so recovery and the retry after a sync never run two. */
  private replaying: Promise<void> | undefined;
  readonly instanceId = randomUUID();

  constructor(
    private readonly options: ResolvedCacheOptions,
    private readonly keys: CacheKeyBuilder,
    private readonly serializer: CacheSerializer,
    private readonly connections: RedisConnections | undefined,
  ) {
    this.local = new MemoryCacheStore(keys, { maxEntries: options.l1.maxEntries, maxBytes: options.l1.maxBytes, maxOrgShare: options.l1.maxOrgShare });
    this.journal = new OutageJournal(options.outageJournalSize);
    if (connections === undefined) return;
    this.remote = new RedisCacheStore(keys, serializer, connections);
    this.breaker = new CircuitBreaker({
      failureThreshold: options.circuitBreaker.failureThreshold,
      probeIntervalMs: options.circuitBreaker.probeIntervalMs,
      onOpen: (error) => this.logger.warn(`Redis unavailable (${describeError(error)}): serving from the in-process store`),
      confirm: () => this.redisAnswers(),
      recover: () => this.recover(),
    });
    this.bus = new InvalidationBus(
      {
        publisher: connections.bulk,
        subscriber: connections.subscriber,
        prefix: keys.prefix,
        instanceId: this.instanceId,
        leaseMs: options.invalidation.leaseMs,
        syncIntervalMs: options.invalidation.syncIntervalMs,
        logSize: options.invalidation.logSize,
        timeoutMs: options.invalidation.writeTimeoutMs,
      },
      {
        apply: (target) => this.local.invalidateSync(target),
        dropAll: () => this.local.invalidateSync({ kind: 'all' }),
        synced: () => this.retryJournal(),
      },
    );
  }

  /** Connects to Redis; when it does not answer in time, starts on the fallback and keeps probing. */
  async start(): Promise<void> {
    if (this.connections === undefined || this.breaker === undefined || this.bus === undefined) {
      this.logger.log('No Redis configured: using the in-process cache store');
      return;
    }
    // A new primary may lack writes the old one acknowledged (invalidations among them): that
    // is an outage, whose recovery raises the epoch, even when no command failed at the switch.
    this.unwatchPrimary = watchPrimary(this.connections, (change) => this.breaker?.open(new Error(change)));
    const timeout = this.options.redis?.connectTimeoutMs ?? 2_000;
    try {
      const { main, bulk, subscriber } = this.connections;
      await Promise.all([main, bulk, subscriber].map((client) => waitForReady(client, timeout)));
      // The bulk connection: the hot path's 50 ms timeout would call a busy start-up an outage.
      await withTimeout(this.connections.bulk.ping(), timeout, 'Redis did not answer at start-up');
      await withTimeout(this.bus.start(), timeout, 'Redis pub/sub did not start');
      this.logger.log(`Connected to Redis (${this.connections.mode})`);
      this.backfillOrgRegistry();
    } catch (error) {
      this.breaker.open(error);
    }
  }

  /** Start-up housekeeping, in the background: a failure only means organizations register as they write again. */
  private backfillOrgRegistry(): void {
    this.backfill = this.remote!.backfillOrgRegistry().then(
      (added) => {
        if (added > 0) this.logger.log(`Registered ${added} organization(s) found in Redis`);
      },
      (error: unknown) => this.logger.warn(`Could not register the organizations found in Redis: ${describeError(error)}`),
    );
  }

  async stop(): Promise<void> {
    this.unwatchPrimary?.();
    await this.backfill;
    this.breaker?.stop();
    this.lag.stop();
    await this.bus?.stop();
    if (this.connections) {
      await Promise.all([this.connections.main, this.connections.bulk, this.connections.subscriber].map(closeRedisClient));
    }
    await this.local.close();
  }

  /** True while Redis is configured but the circuit is open. */
  get fallbackActive(): boolean {
    return this.breaker?.isOpen ?? false;
  }

  private get remoteUsable(): boolean {
    return this.remote !== undefined && !this.breaker!.isOpen;
  }

  /**
   * Whether reads consult the in-process store: as L1 while the invalidation bus vouches for it
   * (its lease), or because it is the only store right now.
   */
  private get readsLocal(): boolean {
    if (!this.remoteUsable) return true;
    return this.options.l1.enabled && this.bus!.l1Trusted;
  }

  /** Entries created at or before the fleet's epoch are stale (see InvalidationBus). */
  private current(entry: CacheEntry | undefined): CacheEntry | undefined {
    if (entry === undefined || this.bus === undefined || entry.createdAt === 0) return entry;
    return entry.createdAt > this.bus.epoch ? entry : undefined;
  }

  /** The L1 hit fast path: synchronous, no allocation. */
  peekLocal(key: string): CacheEntry | undefined {
    return this.readsLocal ? this.local.peek(key) : undefined;
  }

  /** Reads through the tiers; concurrent reads of one key share one Redis round trip. */
  async get(key: string, copy: LocalCopyOptions = {}): Promise<{ entry: CacheEntry | undefined; tier: CacheTier }> {
    const localEntry = this.peekLocal(key);
    if (localEntry !== undefined) return { entry: localEntry, tier: this.remoteUsable ? 'l1' : 'fallback' };
    if (!this.remoteUsable) return { entry: undefined, tier: 'fallback' };
    let read = this.reads.get(key);
    if (read === undefined) {
      read = this.readRemote(key, copy);
      this.reads.set(key, read);
      // One handler for both outcomes: no promise chained per read beyond it (and no unhandled rejection).
      const forget = (): void => void this.reads.delete(key);
      read.then(forget, forget);
    }
    const entry = await read;
    return { entry, tier: this.remoteUsable ? 'l2' : 'fallback' };
  }

  private async readRemote(key: string, copy: LocalCopyOptions): Promise<CacheEntry | undefined> {
    // The L1 fill is guarded: an invalidation arriving while the GET is in flight wins.
    const ticket = this.options.l1.enabled ? this.local.openTicket(key) : undefined;
    try {
      const found = await this.viaRemote((remote) => remote.getSized(key));
      const entry = this.current(found?.entry);
      if (found !== undefined && entry !== undefined && ticket !== undefined) this.fillLocal(key, entry, found.plainBytes, ticket, copy);
      return entry;
    } catch {
      // This call only: an in-process copy vouched for by the bus, else a miss.
      return this.peekLocal(key);
    } finally {
      if (ticket !== undefined) this.local.closeTicket(ticket);
    }
  }

  async mget(keys: readonly string[]): Promise<(CacheEntry | undefined)[]> {
    return Promise.all(keys.map(async (key) => (await this.get(key)).entry));
  }

  /** Starts a load: the cross-instance lock and version snapshot in Redis, the L1 guard here. */
  async beginLoad(key: string, tags: readonly string[], lockTtlMs: number): Promise<{ entry: CacheEntry | undefined; locked: boolean; ticket: LoadTicket }> {
    const local = this.local.openTicket(key);
    if (this.remoteUsable) {
      const token = randomUUID();
      try {
        await this.releaseOrphanedLock(key);
        const begun = await this.viaRemote((remote) => remote.beginLoad(key, tags, lockTtlMs, token));
        const ticket: TieredTicket = { store: begun.ticket.store, key, startedAt: Date.now(), remote: begun.ticket, local };
        return { entry: this.current(begun.entry), locked: begun.locked, ticket };
      } catch {
        // A lock script that timed out here may still run in Redis (a paused server runs what
        // it queued when it resumes) and hold the lock under our token: give it back later.
        this.orphanLock(this.remote!.ticketFor(key, token));
        // fall through to the in-process store
      }
    }
    const ticket: TieredTicket = { store: this.local, key, startedAt: Date.now(), remote: undefined, local };
    // An in-process copy only as far as the bus vouches for it (or the circuit is open).
    return { entry: this.peekLocal(key), locked: true, ticket };
  }

  async endLoad(ticket: LoadTicket): Promise<void> {
    const t = ticket as TieredTicket;
    this.local.closeTicket(t.local);
    if (t.remote === undefined) return;
    if (!this.remoteUsable) return this.orphanLock(t.remote);
    await this.viaRemote((remote) => remote.endLoad(t.remote!)).catch(() => this.orphanLock(t.remote!));
  }

  /** Remembers a load lock whose release failed, to give it back later (see `orphanedLocks`). */
  private orphanLock(ticket: LoadTicket): void {
    if (this.remote === undefined || !this.remote.holdsLock(ticket)) return;
    if (this.orphanedLocks.size >= MAX_ORPHANED_LOCKS) {
      const oldest = this.orphanedLocks.keys().next().value;
      if (oldest !== undefined) this.orphanedLocks.delete(oldest);
    }
    this.orphanedLocks.set(ticket.key, { ticket, lapsesAt: ticket.startedAt + this.options.lock.ttlMs });
    // Other instances may be waiting on it now: try again soon, unless the circuit is open
    // (recovery gives every orphan back).
    const retry = setTimeout(() => {
      if (this.remoteUsable) this.releaseOrphanedLock(ticket.key).catch(() => undefined);
    }, this.options.circuitBreaker.probeIntervalMs);
    retry.unref();
  }

  /** Gives back this instance's orphaned lock on `key`, if it has one that has not lapsed. Throws when Redis fails. */
  private async releaseOrphanedLock(key: string): Promise<void> {
    const orphan = this.orphanedLocks.get(key);
    if (orphan === undefined) return;
    if (orphan.lapsesAt > Date.now()) await this.viaRemote((remote) => remote.endLoad(orphan.ticket));
    this.orphanedLocks.delete(key);
  }

  /**
   * Stores an entry living `ttlMs`. With a ticket it is a load's result, dropped if an
   * invalidation overlapped the load; without one it is an explicit put. Returns whether
   * it was stored. Values over the size limit are not cached.
   */
  async set(key: string, entry: CacheEntry, ttlMs: number, ticket?: LoadTicket, copy: LocalCopyOptions = {}): Promise<boolean> {
    const t = ticket as TieredTicket | undefined;
    let encoded: Buffer;
    let plainBytes: number;
    try {
      ({ bytes: encoded, plainBytes } = this.serializer.encode(entry));
    } catch (error) {
      this.logger.warn(`Value of ${this.keys.publicForm(key)} is not serializable (${describeError(error)}): not cached`);
      if (t) await this.endLoad(t);
      return false;
    }
    // Bounded by its JSON, not its compressed form: readers inflate at most maxEntryBytes.
    if (plainBytes > this.options.maxEntryBytes) {
      this.logger.warn(`Value of ${this.keys.publicForm(key)} is ${plainBytes} bytes of JSON, over the ${this.options.maxEntryBytes}-byte limit: not cached`);
      if (t) await this.endLoad(t);
      return false;
    }
    if (this.remote !== undefined && (t === undefined || t.remote !== undefined)) {
      if (this.remoteUsable) {
        try {
          const stored = await this.viaRemote((remote) => remote.setEncoded(key, encoded, entry.tags, ttlMs, t?.remote));
          if (t === undefined) await this.publish({ kind: 'keys', keys: [key] });
          if (stored && this.options.l1.enabled) return this.writeLocal(key, entry, ttlMs, plainBytes, t, copy);
          if (t) this.local.closeTicket(t.local);
          return stored;
        } catch {
          // Redis failed during the write: keep the value in-process only. The write would have
          // released the load's lock; it may still be held.
          if (t?.remote !== undefined) this.orphanLock(t.remote);
        }
      } else if (t !== undefined) {
        // Redis went away during the load: the fallback may keep the value.
        if (t.remote !== undefined) this.orphanLock(t.remote);
      }
      if (t === undefined) this.journal.record({ kind: 'keys', keys: [key] });
    } else if (t !== undefined && t.remote === undefined && this.remoteUsable) {
      // The load began on the fallback and Redis is back: the in-process tier was emptied
      // and this value's freshness cannot be vouched for against other instances.
      this.local.closeTicket(t.local);
      return false;
    }
    return this.writeLocal(key, entry, ttlMs, plainBytes, t, copy);
  }

  /** `plainBytes`: the entry's JSON length, by which the in-process tier accounts what it holds. */
  private writeLocal(key: string, entry: CacheEntry, ttlMs: number, plainBytes: number, t: TieredTicket | undefined, copy: LocalCopyOptions): boolean {
    return this.local.setSized(key, entry, this.localTtl(ttlMs, copy), plainBytes, t?.local);
  }

  private fillLocal(key: string, entry: CacheEntry, plainBytes: number, ticket: LoadTicket, copy: LocalCopyOptions): void {
    const remaining = entry.staleUntil - Date.now();
    if (remaining > 0) this.local.setSized(key, entry, this.localTtl(remaining, copy), plainBytes, ticket);
  }

  /** An in-process copy lives no longer than the entry, the module's bound, or the call's own. */
  private localTtl(ttlMs: number, copy: LocalCopyOptions): number {
    return Math.min(ttlMs, this.options.l1.maxTtlMs, copy.l1TtlMs ?? Infinity);
  }

  /**
   * Invalidates everywhere: Redis first (so no instance can refill from it), then this
   * instance's L1, then the other instances' L1 through the bus. When Redis is unreachable
   * the invalidation is journaled for replay and applied here.
   */
  async invalidate(target: InvalidationTarget): Promise<InvalidationOutcome> {
    let removed = 0;
    let confirmed = this.remote === undefined;
    let timedOut = true;
    if (this.remoteUsable) {
      try {
        // A write's invalidation gets the write timeout, not the hot path's: a late answer
        // under load must not leave a stale entry behind.
        removed = await this.viaRemote((remote) => this.invalidateRemote(remote, target));
        confirmed = true;
      } catch (error) {
        timedOut = describeError(error).includes('timed out');
        this.journal.record(target);
      }
    } else if (this.remote !== undefined) {
      this.journal.record(target);
      this.attemptWhileOpen(target);
    }
    removed = Math.max(removed, this.local.invalidateSync(target));
    if (this.remote === undefined) return { removed, confirmed };
    if (confirmed) return { removed, confirmed: await this.publish(target) };
    // Redis' part failed (journaled, retried after the next sync). Peers may still be told to
    // drop their copies, their L1 needs only the bus (a Cluster whose other masters answer, say):
    // waited for when Redis refused at once, in the background when it did not answer at all.
    const telling = this.publish(target);
    if (!timedOut) await telling;
    return { removed, confirmed };
  }

  async ttl(key: string): Promise<number | null | undefined> {
    if (this.remoteUsable) {
      try {
        return await this.viaRemote((remote) => remote.ttl(key));
      } catch {
        // fall back
      }
    }
    return this.local.ttl(key);
  }

  async incr(key: string, delta: number, ttlMs?: number): Promise<number> {
    if (this.remoteUsable) {
      try {
        return await this.viaRemote((remote) => remote.incr(key, delta, ttlMs));
      } catch {
        // fall back: counters kept in-process during an outage are dropped on recovery
      }
    }
    return this.local.incr(key, delta, ttlMs);
  }

  async scan(pattern: string, cursor: string, count: number): Promise<{ keys: string[]; cursor: string }> {
    if (this.remoteUsable) return this.viaRemote((remote) => remote.scan(pattern, cursor, count));
    return this.local.scan(pattern, cursor, count);
  }

  async inspect(key: string): Promise<StoredKeyInfo | undefined> {
    if (this.remoteUsable) return this.viaRemote((remote) => remote.inspect(key));
    return this.local.inspect(key);
  }

  /**
   * Housekeeping an operator can run at any time: expired in-process entries are purged, and
   * on Redis, tag-set members whose entries have expired are removed.
   */
  async maintenance(): Promise<CacheMaintenanceReport> {
    const expiredLocalEntries = this.local.purgeExpired();
    if (!this.remoteUsable) return { store: this.remote === undefined ? 'memory' : 'fallback', expiredLocalEntries, tagSetsScanned: 0, deadTagMembers: 0 };
    const pruned = await this.viaRemote((remote) => remote.pruneTagSets());
    return { store: 'redis', expiredLocalEntries, tagSetsScanned: pruned.tagSets, deadTagMembers: pruned.deadMembers };
  }

  async health(): Promise<TieredStoreHealth> {
    if (this.remote === undefined || this.connections === undefined) {
      return { store: 'memory', fallbackActive: false, redis: null };
    }
    let latencyMs: number | null = null;
    // On the bulk connection with a generous bound, and not charged to the breaker: a health
    // check must not call a busy moment of this process an outage.
    const bound = this.options.circuitBreaker.confirmTimeoutMs;
    if (this.remoteUsable) latencyMs = await withTimeout(this.remote.ping(this.connections.bulk), bound, 'ping timed out').catch(() => null);
    const connected = latencyMs !== null;
    return {
      store: 'redis',
      fallbackActive: this.fallbackActive,
      redis: { connected, latencyMs: latencyMs === null ? null : Math.round(latencyMs * 1000) / 1000, mode: this.connections.mode },
    };
  }

  /** Runs a Redis operation through the circuit breaker; failures count and are rethrown. */
  private async viaRemote<T>(operation: (remote: RedisCacheStore) => Promise<T>): Promise<T> {
    if (!this.remoteUsable) throw new Error('Redis circuit is open');
    try {
      const result = await operation(this.remote!);
      this.breaker!.recordSuccess();
      return result;
    } catch (error) {
      this.breaker!.recordFailure(error);
      throw error;
    }
  }

  /**
   * A request's own invalidation (keys, or one organization's tags) is bounded by the write
   * timeout; sweeps (patterns, organizations, everything) take what their SCAN takes, each
   * command bounded by the bulk connection's timeout.
   */
  private invalidateRemote(remote: RedisCacheStore, target: InvalidationTarget): Promise<number> {
    const targeted = target.kind === 'keys' || (target.kind === 'tags' && target.org !== undefined);
    const work = remote.invalidate(target);
    return targeted ? withTimeout(work, this.options.invalidation.writeTimeoutMs, 'invalidation timed out') : work;
  }

  /**
   * Tells the other instances; true once it took effect there (see InvalidationBus.publish).
   * When Redis does not take it, it is journaled and sent again after the next sync.
   */
  private async publish(target: InvalidationTarget): Promise<boolean> {
    if (this.bus === undefined || !this.remoteUsable) return false;
    try {
      await this.bus.publish(target);
      return true;
    } catch (error) {
      this.breaker!.recordFailure(error);
      if (!this.journal.includes(target)) this.journal.record(target);
      return false;
    }
  }

  /**
   * While the circuit is open, an invalidation is still tried once in the background (Redis,
   * then the bus, without waiting for acks): an open circuit may be this instance's view alone,
   * and other instances that reach Redis drop their copies at once instead of at the replay.
   */
  private attemptWhileOpen(target: InvalidationTarget): void {
    void this.invalidateRemote(this.remote!, target)
      .then(() => this.bus!.publish(target, false))
      .catch(() => undefined);
  }

  /** Sends what the journal holds while Redis is trusted (after a failed invalidation that opened no circuit). */
  private retryJournal(): void {
    if (this.journal.size === 0 || !this.remoteUsable || this.replaying !== undefined) return;
    this.replayJournal().catch(() => undefined);
  }

  /**
   * Replays the journal. During recovery (`settle` false) no publish waits for acknowledgements:
   * the epoch raised at its end drops every instance's L1 and is waited for once.
   */
  private replayJournal(settle = true): Promise<void> {
    this.replaying ??= this.journal
      .replay(async (target) => {
        await this.invalidateRemote(this.remote!, target);
        await this.bus!.publish(target, settle);
      })
      .finally(() => (this.replaying = undefined));
    return this.replaying;
  }

  /**
   * Whether Redis answers after all, asked when calls keep failing: a PING (every master of a
   * Cluster) on the bulk connection with a generous bound, asked again when it timed out while
   * this process' event loop was itself late by half that bound.
   */
  private async redisAnswers(): Promise<boolean> {
    const { main, bulk } = this.connections!;
    if (main.status !== 'ready') return false;
    const timeoutMs = this.options.circuitBreaker.confirmTimeoutMs;
    // Every master of a Cluster: one dead master fails every call on its slots, while a ping
    // that lands on a live one would call Redis healthy.
    const nodes: { ping(): Promise<unknown> }[] = 'nodes' in bulk ? bulk.nodes('master') : [bulk];
    const pingAll = () => Promise.all(nodes.map((node) => node.ping()));
    // A timeout while this process' own event loop ran late proves nothing: ask again, a few
    // times at most, so a real outage is still called one within CONFIRM_ATTEMPTS bounds.
    for (let attempt = 1; attempt <= CONFIRM_ATTEMPTS; attempt++) {
      const { result, maxLagMs } = await this.lag.during(() => withTimeout(pingAll(), timeoutMs, 'confirmation ping timed out'));
      if (result.status === 'fulfilled') return true;
      if (maxLagMs <= timeoutMs / 2 || !describeError(result.reason).includes('timed out')) return false;
    }
    return false;
  }

  /**
   * Gives back every orphaned lock that has not lapsed (token-checked: a successor's lock
   * stays). One that fails again is left to lapse at its TTL rather than hold up recovery.
   */
  private async releaseOrphanedLocks(): Promise<void> {
    const now = Date.now();
    const live = [...this.orphanedLocks.values()].filter((orphan) => orphan.lapsesAt > now);
    this.orphanedLocks.clear();
    for (let i = 0; i < live.length; i += 100) {
      await Promise.all(live.slice(i, i + 100).map((orphan) => this.remote!.endLoad(orphan.ticket).catch(() => undefined)));
    }
  }

  /**
   * Probe, replay the journal, wait for the others, give back orphaned load locks, raise the
   * fleet's epoch, empty the in-process tier, close the circuit: in that order. The wait (a probe
   * interval and a margin) lets every other instance that was cut off too replay its own journal
   * before this one reads Redis again.
   */
  private async recover(): Promise<void> {
    const { main, bulk } = this.connections!;
    const probe = () => withTimeout(Promise.all([main.ping(), bulk.ping()]), 1_000, 'probe timed out');
    await probe();
    await this.replayJournal(false);
    await delay(this.options.circuitBreaker.probeIntervalMs + 100, true);
    await probe();
    await this.replayJournal(false);
    if (this.journal.size > 0) return; // recorded while replaying: next probe
    await this.releaseOrphanedLocks();
    // Redis may have been down at start-up, before the bus ever subscribed.
    if (!this.bus!.isSubscribed) await withTimeout(this.bus!.start(), this.options.invalidation.writeTimeoutMs, 'pub/sub did not start');
    // Writes during the outage may have changed what Redis still holds, and the instance that
    // took them may have restarted since (its journal gone): every entry created up to now is
    // stale, on every instance (the epoch rides the bus, and each instance's sync reads it).
    const epoch = await this.bus!.raiseEpoch();
    await this.bus!.syncNow();
    this.local.invalidateSync({ kind: 'all' });
    this.breaker!.close();
    this.logger.log(`Redis is back: entries created before ${new Date(epoch).toISOString()} count as stale, Redis trusted again`);
  }
}

/** Confirmation pings at most before an outage is called (each bounded by circuitBreaker.confirmTimeoutMs). */
const CONFIRM_ATTEMPTS = 3;

/** Orphaned load locks remembered at most (the oldest is forgotten; it lapses at its TTL anyway). */
const MAX_ORPHANED_LOCKS = 10_000;
