import type { Logger } from '@nestjs/common';
import type { ResolvedCacheOptions } from '../cache-options.interface';
import { delay, withTimeout } from '../common/async';
import type { InvalidationBus } from '../invalidation/invalidation-bus';
import { OutageJournal } from '../resilience/outage-journal';
import type { InvalidationTarget } from './cache-store.interface';
import type { MemoryCacheStore } from './memory.store';
import type { RedisConnections } from './redis-connection.factory';
import type { RemoteTier } from './remote-tier';

/**
 * What the fleet must not lose while Redis is away, and how it gets back. Invalidations Redis
 * or the bus missed are journaled; while the circuit is open each is still tried once in the
 * background; after a sync they are sent again; and on recovery the journal is replayed, the
 * bus (re)started, the fleet's epoch raised and the in-process tier emptied before Redis is
 * trusted again.
 */
export class OutageRecovery {
  private readonly journal: OutageJournal;
  /** The journal's replay in progress, so recovery and the retry after a sync never run two. */
  private replaying: Promise<void> | undefined;

  constructor(
    private readonly options: ResolvedCacheOptions,
    private readonly tier: RemoteTier,
    private readonly bus: InvalidationBus,
    private readonly local: MemoryCacheStore,
    private readonly connections: RedisConnections,
    private readonly logger: Logger,
  ) {
    this.journal = new OutageJournal(options.outageJournalSize);
  }

  /** Keeps an invalidation Redis did not take, for replay. */
  record(target: InvalidationTarget): void {
    this.journal.record(target);
  }

  /**
   * Tells the other instances; true once it took effect there (see InvalidationBus.publish).
   * When Redis does not take it, it is journaled and sent again after the next sync.
   */
  async publish(target: InvalidationTarget): Promise<boolean> {
    if (!this.tier.usable) return false;
    try {
      await this.bus.publish(target);
      return true;
    } catch (error) {
      this.tier.recordFailure(error);
      if (!this.journal.includes(target)) this.journal.record(target);
      return false;
    }
  }

  /**
   * While the circuit is open, an invalidation is still tried once in the background (Redis,
   * then the bus, without waiting for acks): an open circuit may be this instance's view alone,
   * and other instances that reach Redis drop their copies at once instead of at the replay.
   */
  attemptWhileOpen(target: InvalidationTarget): void {
    void this.tier
      .send(target)
      .then(() => this.bus.publish(target, false))
      .catch(() => undefined);
  }

  /** Sends what the journal holds while Redis is trusted (after a failed invalidation that opened no circuit). */
  retryJournal(): void {
    if (this.journal.size === 0 || !this.tier.usable || this.replaying !== undefined) return;
    this.replayJournal().catch(() => undefined);
  }

  /**
   * Probe, replay the journal, wait for the others, give back orphaned load locks, raise the
   * fleet's epoch, empty the in-process tier, close the circuit: in that order. The wait (a probe
   * interval and a margin) lets every other instance that was cut off too replay its own journal
   * before this one reads Redis again.
   */
  async recover(): Promise<void> {
    const { main, bulk } = this.connections;
    const probe = () => withTimeout(Promise.all([main.ping(), bulk.ping()]), 1_000, 'probe timed out');
    await probe();
    await this.replayJournal(false);
    await delay(this.options.circuitBreaker.probeIntervalMs + 100, true);
    await probe();
    await this.replayJournal(false);
    if (this.journal.size > 0) return; // recorded while replaying: next probe
    await this.tier.releaseOrphanedLocks();
    // Redis may have been down at start-up, before the bus ever subscribed.
    if (!this.bus.isSubscribed) await withTimeout(this.bus.start(), this.options.invalidation.writeTimeoutMs, 'pub/sub did not start');
    // Writes during the outage may have changed what Redis still holds, and the instance that
    // took them may have restarted since (its journal gone): every entry created up to now is
    // stale, on every instance (the epoch rides the bus, and each instance's sync reads it).
    const epoch = await this.bus.raiseEpoch();
    await this.bus.syncNow();
    this.local.invalidateSync({ kind: 'all' });
    this.tier.close();
    this.logger.log(`Redis is back: entries created before ${new Date(epoch).toISOString()} count as stale, Redis trusted again`);
  }

  /**
   * Replays the journal. During recovery (`settle` false) no publish waits for acknowledgements:
   * the epoch raised at its end drops every instance's L1 and is waited for once.
   */
  private replayJournal(settle = true): Promise<void> {
    this.replaying ??= this.journal
      .replay(async (target) => {
        await this.tier.send(target);
        await this.bus.publish(target, settle);
      })
      .finally(() => (this.replaying = undefined));
    return this.replaying;
  }
}
