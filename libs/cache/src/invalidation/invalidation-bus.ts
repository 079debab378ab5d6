import { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { BusPeers } from './bus-peers';
import { BusReceiver } from './bus-receiver';
import { BusSubscription } from './bus-subscription';
import type { InvalidationTarget } from '../stores/cache-store.interface';
import { delay, describeError } from '../common/async';
import { InvalidationLog } from './invalidation-log';
import type { BusMessage, InvalidationBusHooks, InvalidationBusOptions } from './invalidation-bus.types';

export type { InvalidationBusHooks, InvalidationBusOptions } from './invalidation-bus.types';

/**
 * Keeps every instance's in-process tier (L1) coherent with the writes of every other, in a way
 * no lost pub/sub message can break.
 *
 * - Every invalidation is appended to a log in Redis, which numbers it (one fleet-wide sequence),
 *   then published. Receivers apply it, acknowledge it to its origin, and note its number.
 * - Every `syncIntervalMs` each instance reads the sequence and fetches from the log what it
 *   has not applied (a gap: a message lost to a killed pub/sub connection, a proxy, an output
 *   buffer limit). When the log no longer holds what it missed, or Redis lost the log (a
 *   restart, a failover that lost writes), it drops its whole L1. Only then is its **lease**
 *   renewed: L1 is served only within `leaseMs` of the start of the last complete sync.
 * - A publisher waits until every live peer acknowledged, and past that at most until
 *   `leaseMs` after the log took the invalidation: by then any peer that did not answer has
 *   either synced past it (and applied it) or stopped serving from L1. So a write that returns
 *   is never followed by an L1 read, anywhere, that misses it.
 *
 * The log also carries the fleet's **epoch**: entries created at or before it are stale in Redis
 * too (it is raised when an instance recovers from an outage, see TieredCacheStore).
 */
export class InvalidationBus {
  private readonly logger = new Logger(InvalidationBus.name);
  private readonly log: InvalidationLog;
  private readonly channel: string;
  private readonly ackChannel: string;
  private readonly peers: BusPeers;
  private readonly receiver: BusReceiver;
  private readonly subscription: BusSubscription;
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private stopped = false;
  private listening = false;

  constructor(
    private readonly options: InvalidationBusOptions,
    private readonly hooks: InvalidationBusHooks,
  ) {
    this.log = new InvalidationLog(options);
    this.channel = this.log.keys.channel;
    this.ackChannel = this.log.keys.ackChannel(options.instanceId);
    this.peers = new BusPeers(options.leaseMs + options.syncIntervalMs, this.logger);
    this.subscription = new BusSubscription(options.leaseMs);
    this.receiver = new BusReceiver(options.instanceId, hooks, this.logger);
  }

  /** Subscribes, syncs once and starts the sync timer; rejects if Redis does not take part. */
  async start(): Promise<void> {
    const { subscriber } = this.options;
    if (!this.listening) {
      // Once, though start() may be called again when the first attempt failed (Redis down at start-up).
      this.listening = true;
      subscriber.on('messageBuffer', this.onMessage);
      // A dropped subscription loses messages: stop vouching for L1 until a sync catches up.
      subscriber.on('close', this.onSubscriberLost);
      subscriber.on('ready', this.resubscribe);
      this.schedule();
    }
    await subscriber.subscribe(this.channel, this.ackChannel);
    this.subscription.confirmed();
    await this.sync(true);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const { subscriber } = this.options;
    subscriber.off('messageBuffer', this.onMessage);
    subscriber.off('close', this.onSubscriberLost);
    subscriber.off('ready', this.resubscribe);
    if (this.timer) clearTimeout(this.timer);
    this.peers.releaseAll();
  }

  /** Whether the subscription is up (start() succeeded and no loss since, or a resubscription did). */
  get isSubscribed(): boolean {
    return this.subscription.isSubscribed;
  }

  /** Whether this instance's in-process tier may be served now (see the class comment). */
  get l1Trusted(): boolean {
    return this.subscription.l1Trusted;
  }

  /** Entries created at or before this time (ms since epoch) are stale wherever they are. */
  get epoch(): number {
    return this.receiver.epoch;
  }

  /**
   * Whether this instance knows every peer that may hold a lease: a sync since it subscribed
   * listed the instances that synced within a lease (Redis registers each sync), later ones are
   * heard through the subscription, and that subscription still delivers (its own heartbeat
   * comes back). Until then a publish waits out the lease whatever the acks.
   */
  get peersKnown(): boolean {
    return this.subscription.delivers(performance.now());
  }

  /** Number of other instances heard from within a lease. */
  get peerCount(): number {
    return this.peers.live().length;
  }

  /**
   * Numbers an invalidation in the log, publishes it, and resolves once every live peer
   * acknowledged it or, at the latest, `leaseMs` after the log took it (with `settle` false, as
   * soon as it is logged and sent). Rejects when Redis did not take it (the caller keeps it for
   * a later attempt).
   */
  async publish(target: InvalidationTarget, settle = true): Promise<void> {
    const id = this.nextId++;
    const n = await this.log.append(id, target);
    const loggedAt = performance.now();
    this.receiver.published(n, id);
    const peers = this.peers.live();
    // Without proof that our own subscription delivers, peers we never heard of may exist.
    const blind = !this.subscription.delivers(loggedAt);
    const acked = peers.length === 0 || !settle ? Promise.resolve(true) : this.peers.awaitAcks(id, new Set(peers), loggedAt + this.options.leaseMs);
    // Once logged, a failed publish only costs the wait: peers find it in the log.
    await this.log.send(this.channel, { k: 'inv', o: this.options.instanceId, i: id, n, e: this.receiver.epoch, t: target }).catch(() => undefined);
    if (!settle) return;
    const allAcked = await acked;
    if (allAcked && !blind) return;
    const rest = loggedAt + this.options.leaseMs - performance.now();
    if (rest > 0) await delay(rest);
  }

  /**
   * Raises the fleet's epoch to at least `now` (Redis' clock or ours, whichever is later) and
   * tells every instance, which drops its in-process tier. Returns the epoch.
   */
  async raiseEpoch(): Promise<number> {
    const epoch = await this.log.raiseEpoch(Date.now());
    this.receiver.takeEpoch(epoch);
    await this.publish({ kind: 'all' });
    return epoch;
  }

  /** One sync now (tests, and recovery): resolves when done, rejects when Redis failed. */
  syncNow(): Promise<void> {
    return this.sync(true);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sync()
        .catch(() => undefined) // the lease simply lapses; the next tick tries again
        .finally(() => this.schedule());
    }, this.options.syncIntervalMs);
    this.timer.unref();
  }

  /** One sync at a time; `fresh` asks for one that starts now (after one in flight, if any). */
  private sync(fresh = false): Promise<void> {
    if (this.syncing !== undefined && fresh) return this.syncing.catch(() => undefined).then(() => this.sync(true));
    this.syncing ??= this.runSync().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async runSync(): Promise<void> {
    // The lease counts from before the request: whatever the log held then is applied below.
    const startedAt = performance.now();
    const generation = this.subscription.syncStarting();
    const window = this.options.leaseMs + this.options.syncIntervalMs;
    const position = this.receiver.position();
    const reply = await this.log.sync(position.applied, position.catchUp, position.newest?.n ?? -1, window);
    this.peers.listed(reply.synced, this.options.instanceId, performance.now());
    this.receiver.synced(position, reply);
    // Renew only if the subscription held throughout (no loss, no new one): messages while it
    // was down are in the log, and the next sync fetches them.
    this.subscription.syncCompleted(generation, startedAt);
    this.hooks.synced?.();
  }

  private readonly onSubscriberLost = (): void => {
    this.subscription.lost();
  };

  private readonly resubscribe = (): void => {
    // 'ready' after a reconnect; not while subscribed, nor before start() subscribed at all.
    if (this.stopped || !this.subscription.wantsResubscribe) return;
    this.options.subscriber
      .subscribe(this.channel, this.ackChannel)
      .then(() => {
        this.subscription.confirmed();
        // Catch up at once rather than at the next tick.
        return this.sync(true);
      })
      .catch((error: unknown) => {
        this.logger.warn(`Resubscribing to invalidations after a reconnect failed: ${describeError(error)}`);
      });
  };

  private readonly onMessage = (channelBuffer: Buffer, raw: Buffer): void => {
    let message: BusMessage;
    try {
      message = JSON.parse(raw.toString()) as BusMessage;
    } catch {
      return;
    }
    const now = performance.now();
    if (message.o === this.options.instanceId) {
      if (message.k === 'hb') this.subscription.heardSelf(now);
      return;
    }
    this.peers.heard(message.o, now);
    const channel = channelBuffer.toString();
    if (message.k === 'inv' && channel === this.channel) {
      try {
        this.receiver.received(message);
      } finally {
        void this.log.send(this.log.keys.ackChannel(message.o), { k: 'ack', o: this.options.instanceId, i: message.i }).catch(() => undefined);
      }
    } else if (message.k === 'ack' && channel === this.ackChannel) {
      this.peers.acked(message.i, message.o);
    }
  };
}
