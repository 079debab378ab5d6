import type { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ResolvedCacheOptions } from '../cache-options.interface';
import { describeError, withTimeout } from '../common/async';
import { CircuitBreaker } from '../resilience/circuit-breaker';
import { EventLoopLag } from '../resilience/event-loop-lag';
import type { BeginLoadResult, InvalidationTarget } from './cache-store.interface';
import type { RedisConnections } from './redis-connection.factory';
import type { RedisCacheStore, RedisTicket } from './redis.store';
import { RecentReleases } from './recent-releases';

/** Confirmation pings at most before an outage is called (each bounded by circuitBreaker.confirmTimeoutMs). */
const CONFIRM_ATTEMPTS = 3;

/** Orphaned load locks remembered at most (the oldest is forgotten; it lapses at its TTL anyway). */
const MAX_ORPHANED_LOCKS = 10_000;

/**
 * Redis as the tiered store sees it: every call through one circuit breaker, with the bounds a
 * call needs, and the load locks whose release failed given back later. The only part of the
 * tiered store that knows Redis fails; its callers fall back to the in-process tier when a call
 * throws or the tier is not `usable`.
 */
export class RemoteTier {
  private readonly breaker: CircuitBreaker;
  private readonly lag = new EventLoopLag();
  /**
   * Load locks this instance could not give back (Redis timed out, restarted or was paused), by
   * entry key, with when they lapse. Readers of the key wait for them: each is tried again a probe
   * interval later, at this instance's next load of the key, and all when Redis is trusted again.
   */
  private readonly orphanedLocks = new Map<string, { ticket: RedisTicket; lapsesAt: number }>();
  /** Locks given back lately, which a failover may have lost (see `primaryChanged`). */
  private readonly recentReleases = new RecentReleases<RedisTicket>();
  /** When the primary last changed, until recovery has given back the releases around it. */
  private primaryChangedAt: number | undefined;
  /** When the circuit last closed after an outage (0: never opened). */
  private recoveredAt = 0;

  /** `recover` runs while the circuit is open, every probe interval, and closes it when done (see OutageRecovery). */
  constructor(
    readonly store: RedisCacheStore,
    private readonly connections: RedisConnections,
    private readonly options: ResolvedCacheOptions,
    logger: Logger,
    recover: () => Promise<void>,
  ) {
    this.breaker = new CircuitBreaker({
      failureThreshold: options.circuitBreaker.failureThreshold,
      probeIntervalMs: options.circuitBreaker.probeIntervalMs,
      onOpen: (error) => logger.warn(`Redis unavailable (${describeError(error)}): serving from the in-process store`),
      confirm: () => this.answers(),
      recover,
    });
  }

  /** False while the circuit is open: Redis is skipped. */
  get usable(): boolean {
    return !this.breaker.isOpen;
  }

  open(error: unknown): void {
    this.breaker.open(error);
  }

  /**
   * A failover: releases acknowledged around it (by the old primary) may never reach the new one,
   * which keeps those locks; they are given back again with the orphans at recovery
   * (token-checked: a lock someone took since stays). The circuit opens as for any outage.
   */
  primaryChanged(error: unknown): void {
    this.primaryChangedAt = Date.now();
    this.open(error);
  }

  /** Notes a load lock Redis acknowledged giving back (a load's write or its release); a standalone primary never changes. */
  released(ticket: RedisTicket): void {
    if (this.connections.mode !== 'standalone' && this.store.holdsLock(ticket)) this.recentReleases.add(ticket);
  }

  /** Closes the circuit: recovery is done (see `locksSuspect`). */
  close(): void {
    this.breaker.close();
    this.recoveredAt = Date.now();
  }

  /** Less than a lock's TTL since an outage or failover ended: a lock found may have lost its release, readers wait `lock.waitAfterOutageMs`. */
  get locksSuspect(): boolean {
    return Date.now() < this.recoveredAt + this.options.lock.ttlMs;
  }

  recordFailure(error: unknown): void {
    this.breaker.recordFailure(error);
  }

  stop(): void {
    this.breaker.stop();
    this.lag.stop();
  }

  /** Runs a Redis operation through the circuit breaker; failures count and are rethrown. */
  call<T>(operation: (remote: RedisCacheStore) => Promise<T>): Promise<T> {
    if (!this.usable) return Promise.reject(new Error('Redis circuit is open'));
    let pending: Promise<T>;
    try {
      pending = operation(this.store);
    } catch (error) {
      // A synchronous throw still becomes a rejection, as from an async function.
      this.breaker.recordFailure(error);
      return Promise.reject(error);
    }
    // One reaction on the operation's promise, not an async frame around it: this is every L2 read's path.
    return pending.then(this.succeeded as (result: T) => T, this.failed);
  }

  private readonly succeeded = <T>(result: T): T => {
    this.breaker.recordSuccess();
    return result;
  };

  private readonly failed = (error: unknown): never => {
    this.breaker.recordFailure(error);
    throw error;
  };

  /** An invalidation through the breaker (see `send`). */
  invalidate(target: InvalidationTarget): Promise<number> {
    return this.call(() => this.send(target));
  }

  /**
   * An invalidation, not counted by the breaker (replays, attempts while open). A request's own
   * (keys, or one organization's tags) is bounded by the write timeout: a late answer under load
   * must not leave a stale entry behind. Sweeps (patterns, organizations, everything) take what
   * their SCAN takes, each command bounded by the bulk connection's timeout.
   */
  send(target: InvalidationTarget): Promise<number> {
    const targeted = target.kind === 'keys' || (target.kind === 'tags' && target.org !== undefined);
    const work = this.store.invalidate(target);
    return targeted ? withTimeout(work, this.options.invalidation.writeTimeoutMs, 'invalidation timed out') : work;
  }

  /** Starts a load in Redis (lock and version snapshot); throws when Redis fails. */
  beginLoad(key: string, tags: readonly string[], lockTtlMs: number | undefined): Promise<BeginLoadResult<RedisTicket>> {
    return this.lockingCall(key, (remote, token) => remote.beginLoad(key, tags, lockTtlMs, token));
  }

  /** Reads the entry, and on a miss starts its load, in one round trip (see `RedisCacheStore.readOrBeginLoad`); throws when Redis fails. */
  readOrBeginLoad(key: string, tags: readonly string[], lockTtlMs: number | undefined): ReturnType<RedisCacheStore['readOrBeginLoad']> {
    return this.lockingCall(key, (remote, token) => remote.readOrBeginLoad(key, tags, lockTtlMs, token));
  }

  private async lockingCall<T>(key: string, operation: (remote: RedisCacheStore, token: string) => Promise<T>): Promise<T> {
    const token = randomUUID();
    try {
      await this.releaseOrphanedLock(key);
      return await this.call((remote) => operation(remote, token));
    } catch (error) {
      // A lock script that timed out here may still run in Redis (a paused server runs what
      // it queued when it resumes) and hold the lock under our token: give it back later.
      this.orphanLock(this.store.ticketFor(key, token));
      throw error;
    }
  }

  /** Ends a load that did not store: its lock is released now, or remembered to be given back later. */
  async endLoad(ticket: RedisTicket): Promise<void> {
    if (!this.usable) return this.orphanLock(ticket);
    await this.call((remote) => remote.endLoad(ticket)).then(
      () => this.released(ticket),
      () => this.orphanLock(ticket),
    );
  }

  /** Remembers a load lock whose release failed, to give it back later (see `orphanedLocks`). */
  orphanLock(ticket: RedisTicket): void {
    if (!this.store.holdsLock(ticket)) return;
    this.rememberOrphan(ticket);
    this.retrySoon(ticket.key);
  }

  /**
   * Other instances may be waiting on an orphaned lock: gives it back one probe interval from
   * now, and again after each failure until it lapses, unless the circuit is open then
   * (recovery gives every orphan back).
   */
  private retrySoon(key: string): void {
    const retry = setTimeout(() => {
      if (this.usable && this.orphanedLocks.has(key)) this.releaseOrphanedLock(key).catch(() => this.retrySoon(key));
    }, this.options.circuitBreaker.probeIntervalMs);
    retry.unref();
  }

  private rememberOrphan(ticket: RedisTicket): void {
    if (this.orphanedLocks.size >= MAX_ORPHANED_LOCKS) {
      const oldest = this.orphanedLocks.keys().next().value;
      if (oldest !== undefined) this.orphanedLocks.delete(oldest);
    }
    this.orphanedLocks.set(ticket.key, { ticket, lapsesAt: ticket.startedAt + this.options.lock.ttlMs });
  }

  /**
   * Gives back every orphaned lock that has not lapsed (token-checked). One that fails does not
   * hold up recovery: it is tried again a probe interval later (the old primary refuses it).
   */
  async releaseOrphanedLocks(): Promise<void> {
    const now = Date.now();
    const failoverAt = this.primaryChangedAt;
    if (failoverAt !== undefined) {
      for (const ticket of this.recentReleases.takeAround(failoverAt)) if (!this.orphanedLocks.has(ticket.key)) this.rememberOrphan(ticket);
      this.primaryChangedAt = undefined;
    }
    const live = [...this.orphanedLocks.values()].filter((orphan) => orphan.lapsesAt > now);
    this.orphanedLocks.clear();
    for (let i = 0; i < live.length; i += 100) {
      await Promise.all(live.slice(i, i + 100).map((orphan) => this.store.endLoad(orphan.ticket).catch(() => this.orphanLock(orphan.ticket))));
    }
    // After a failover, recovery may run before the connection follows it: a give-back the old
    // primary took (still a primary for a few seconds) is lost with it. So each is given back
    // again every probe interval until it lapses (token-checked, so harmless once done).
    if (failoverAt !== undefined) for (const orphan of live) this.giveBackUntilLapsed(orphan.ticket, orphan.lapsesAt);
  }

  private giveBackUntilLapsed(ticket: RedisTicket, lapsesAt: number): void {
    const again = setTimeout(() => {
      if (Date.now() >= lapsesAt) return;
      const next = () => this.giveBackUntilLapsed(ticket, lapsesAt);
      if (this.usable) this.store.endLoad(ticket).then(next, next);
      else next();
    }, this.options.circuitBreaker.probeIntervalMs);
    again.unref();
  }

  /** Round trip in ms on the bulk connection, or null: bounded generously and not charged to the breaker. */
  async latencyMs(): Promise<number | null> {
    if (!this.usable) return null;
    const bound = this.options.circuitBreaker.confirmTimeoutMs;
    return withTimeout(this.store.ping(this.connections.bulk), bound, 'ping timed out').catch(() => null);
  }

  /** Gives back this instance's orphaned lock on `key`, if it has one that has not lapsed. Throws when Redis fails. */
  private async releaseOrphanedLock(key: string): Promise<void> {
    const orphan = this.orphanedLocks.get(key);
    if (orphan === undefined) return;
    if (orphan.lapsesAt > Date.now()) await this.call((remote) => remote.endLoad(orphan.ticket));
    this.orphanedLocks.delete(key);
  }

  /**
   * Whether Redis answers after all, asked when calls keep failing: a PING (every master of a
   * Cluster) on the bulk connection with a generous bound, asked again when it timed out while
   * this process' event loop was itself late by half that bound.
   */
  private async answers(): Promise<boolean> {
    const { main, bulk } = this.connections;
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
}
