import type { Logger } from '@nestjs/common';
import type { ResolvedCacheOptions } from '../cache-options.interface';
import { describeError, withTimeout } from '../common/async';
import { InvalidationBus } from '../invalidation/invalidation-bus';
import type { CacheKeyBuilder } from '../keys/cache-key.builder';
import type { CacheSerializer } from '../serialization/cache-serializer';
import type { InvalidationTarget } from './cache-store.interface';
import type { MemoryCacheStore } from './memory.store';
import { OutageRecovery } from './outage-recovery';
import { waitForReady, type RedisConnections } from './redis-connection.factory';
import { closeRedisClient, watchPrimary } from './redis-failover';
import { RedisCacheStore } from './redis.store';
import { RemoteTier } from './remote-tier';
import type { InvalidationOutcome } from './tiered-store.types';

/**
 * The shared half of the tiered store, wired: the Redis store behind its `RemoteTier`, the
 * invalidation bus that keeps every instance's in-process tier coherent, and the
 * `OutageRecovery` that journals and replays what an outage missed. Started and stopped as one.
 */
export class SharedTier {
  readonly remote: RedisCacheStore;
  readonly tier: RemoteTier;
  readonly bus: InvalidationBus;
  readonly recovery: OutageRecovery;
  private backfill?: Promise<void>;
  private unwatchPrimary: (() => void) | undefined;

  constructor(
    private readonly options: ResolvedCacheOptions,
    keys: CacheKeyBuilder,
    serializer: CacheSerializer,
    readonly connections: RedisConnections,
    private readonly local: MemoryCacheStore,
    instanceId: string,
    private readonly logger: Logger,
  ) {
    this.remote = new RedisCacheStore(keys, serializer, connections);
    this.tier = new RemoteTier(this.remote, connections, options, logger, () => this.recovery.recover());
    this.bus = new InvalidationBus(
      {
        publisher: connections.bulk,
        subscriber: connections.subscriber,
        prefix: keys.prefix,
        instanceId,
        leaseMs: options.invalidation.leaseMs,
        syncIntervalMs: options.invalidation.syncIntervalMs,
        logSize: options.invalidation.logSize,
        timeoutMs: options.invalidation.writeTimeoutMs,
      },
      {
        apply: (target) => this.local.invalidateSync(target),
        dropAll: () => this.local.invalidateSync({ kind: 'all' }),
        synced: () => this.recovery.retryJournal(),
      },
    );
    this.recovery = new OutageRecovery(options, this.tier, this.bus, local, connections, logger);
  }

  /** Connects to Redis; when it does not answer in time, opens the circuit (the fallback serves, recovery keeps probing). */
  async start(): Promise<void> {
    const { connections } = this;
    // A new primary may lack writes the old one acknowledged (invalidations among them): that
    // is an outage, whose recovery raises the epoch, even when no command failed at the switch.
    this.unwatchPrimary = watchPrimary(connections, (change) => this.tier.primaryChanged(new Error(change)));
    const timeout = this.options.redis?.connectTimeoutMs ?? 2_000;
    try {
      await Promise.all([connections.main, connections.bulk, connections.subscriber].map((client) => waitForReady(client, timeout)));
      // The bulk connection: the hot path's 50 ms timeout would call a busy start-up an outage.
      await withTimeout(connections.bulk.ping(), timeout, 'Redis did not answer at start-up');
      await withTimeout(this.bus.start(), timeout, 'Redis pub/sub did not start');
      this.logger.log(`Connected to Redis (${connections.mode})`);
      this.backfillOrgRegistry();
    } catch (error) {
      this.tier.open(error);
    }
  }

  async stop(): Promise<void> {
    this.unwatchPrimary?.();
    await this.backfill;
    this.tier.stop();
    await this.bus.stop();
    await Promise.all([this.connections.main, this.connections.bulk, this.connections.subscriber].map(closeRedisClient));
  }

  /**
   * Invalidates everywhere: Redis first (so no instance can refill from it), then this
   * instance's L1, then the other instances' L1 through the bus. When Redis is unreachable
   * the invalidation is journaled for replay and applied here.
   */
  async invalidate(target: InvalidationTarget): Promise<InvalidationOutcome> {
    let removed = 0;
    let confirmed = false;
    let timedOut = true;
    if (this.tier.usable) {
      try {
        // A write's invalidation gets the write timeout, not the hot path's (see RemoteTier.send).
        removed = await this.tier.invalidate(target);
        confirmed = true;
      } catch (error) {
        timedOut = describeError(error).includes('timed out');
        this.recovery.record(target);
      }
    } else {
      this.recovery.record(target);
      this.recovery.attemptWhileOpen(target);
    }
    removed = Math.max(removed, this.local.invalidateSync(target));
    if (confirmed) return { removed, confirmed: await this.recovery.publish(target) };
    // Redis' part failed (journaled, retried after the next sync). Peers may still be told to
    // drop their copies, their L1 needs only the bus (a Cluster whose other masters answer, say):
    // waited for when Redis refused at once, in the background when it did not answer at all.
    const telling = this.recovery.publish(target);
    if (!timedOut) await telling;
    return { removed, confirmed };
  }

  /** Start-up housekeeping, in the background: a failure only means organizations register as they write again. */
  private backfillOrgRegistry(): void {
    this.backfill = this.remote.backfillOrgRegistry().then(
      (added) => {
        if (added > 0) this.logger.log(`Registered ${added} organization(s) found in Redis`);
      },
      (error: unknown) => this.logger.warn(`Could not register the organizations found in Redis: ${describeError(error)}`),
    );
  }
}
