import { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { invalidationBusKeys, type InvalidationBusKeys } from '../keys/key-layout';
import type { InvalidationTarget } from '../stores/cache-store.interface';
import type { RedisClient } from '../stores/redis-connection.factory';
import { APPEND_INVALIDATION, BUMP_EPOCH, SYNC_INVALIDATIONS } from '../stores/redis-scripts';
import { delay, withTimeout, describeError } from '../common/async';

type BusMessage =
  /** An invalidation: origin, origin's message id (for acks), its sequence number in the log, the origin's epoch. */
  | { k: 'inv'; o: string; i: number; n: number; e: number; t: InvalidationTarget }
  | { k: 'ack'; o: string; i: number }
  | { k: 'hb'; o: string };

/** What the bus does to this instance's in-process tier. */
export interface InvalidationBusHooks {
  /** Drops the in-process copies one invalidation made stale. */
  apply(target: InvalidationTarget): void;
  /** Drops every in-process entry: history was lost, so any of them may be stale. */
  dropAll(reason: string): void;
  /** Called after each successful sync: Redis answers the bus. */
  synced?(): void;
}

export interface InvalidationBusOptions {
  /** Connection for commands (log, heartbeats, publishes): not the hot-path one, its timeout is generous. */
  publisher: RedisClient;
  subscriber: RedisClient;
  prefix: string;
  instanceId: string;
  /** How long one successful sync vouches for this instance's in-process tier. */
  leaseMs: number;
  /** How often the instance syncs with the invalidation log (and says it is alive). */
  syncIntervalMs: number;
  /** Invalidations kept in Redis for instances that missed their message. */
  logSize: number;
  /** Bound on each of the bus' Redis calls (appending to the log, a sync). */
  timeoutMs: number;
}

/** Missed invalidations fetched from the log at most per sync; past it the in-process tier is dropped instead. */
const MAX_CATCH_UP = 1_000;
/** Sequence numbers heard ahead of a gap, remembered at most. */
const MAX_AHEAD = 10_000;

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
  private readonly busKeys: InvalidationBusKeys;
  private readonly channel: string;
  private readonly ackChannel: string;
  private readonly seqKey: string;
  private readonly logKey: string;
  private readonly epochKey: string;
  private readonly instancesKey: string;
  /** Peers by id, with when (performance.now()) they were last heard. */
  private readonly peers = new Map<string, number>();
  private readonly waiting = new Map<number, { pending: Set<string>; done: () => void }>();
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private stopped = false;
  private listening = false;

  /** Every invalidation numbered up to this one has been applied here. */
  private watermark = -1;
  /** Numbers above the watermark applied already (heard ahead of a gap). */
  private readonly ahead = new Set<number>();
  /** The newest invalidation applied here, to tell when Redis' history was rewritten (a failover that lost writes). */
  private newest: { n: number; id: string } | undefined;
  /** Until when (performance.now()) the in-process tier may be served. */
  private leaseUntil = 0;
  /** When this instance last heard its own heartbeat: proof its subscription delivers. */
  private heardSelfAt = -Infinity;
  private subscribed = false;
  /** Counts subscriptions and their losses, so a sync can tell whether one happened while it ran. */
  private generation = 0;
  /** When the current subscription was confirmed (its SUBSCRIBE reply proves it delivered then). */
  private subscribedAt = -Infinity;
  /** Whether a sync that started after the current subscription was confirmed has completed (it lists the live peers). */
  private syncedSinceSubscribe = false;
  private epochValue = 0;

  constructor(
    private readonly options: InvalidationBusOptions,
    private readonly hooks: InvalidationBusHooks,
  ) {
    this.busKeys = invalidationBusKeys(options.prefix);
    this.channel = this.busKeys.channel;
    this.ackChannel = this.busKeys.ackChannel(options.instanceId);
    this.seqKey = this.busKeys.seq;
    this.logKey = this.busKeys.log;
    this.epochKey = this.busKeys.epoch;
    this.instancesKey = this.busKeys.instances;
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
    this.subscriptionConfirmed();
    await this.sync(true);
  }

  private subscriptionConfirmed(): void {
    this.subscribed = true;
    this.generation += 1;
    this.subscribedAt = performance.now();
    this.syncedSinceSubscribe = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const { subscriber } = this.options;
    subscriber.off('messageBuffer', this.onMessage);
    subscriber.off('close', this.onSubscriberLost);
    subscriber.off('ready', this.resubscribe);
    if (this.timer) clearTimeout(this.timer);
    for (const wait of this.waiting.values()) wait.done();
    this.waiting.clear();
  }

  /** Whether the subscription is up (start() succeeded and no loss since, or a resubscription did). */
  get isSubscribed(): boolean {
    return this.subscribed;
  }

  /** Whether this instance's in-process tier may be served now (see the class comment). */
  get l1Trusted(): boolean {
    return performance.now() < this.leaseUntil;
  }

  /** Entries created at or before this time (ms since epoch) are stale wherever they are. */
  get epoch(): number {
    return this.epochValue;
  }

  /**
   * Whether this instance knows every peer that may hold a lease: a sync since it subscribed
   * listed the instances that synced within a lease (Redis registers each sync), later ones are
   * heard through the subscription, and that subscription still delivers (its own heartbeat
   * comes back). Until then a publish waits out the lease whatever the acks.
   */
  get peersKnown(): boolean {
    return this.subscriptionDelivers(performance.now());
  }

  /** Number of other instances heard from within a lease. */
  get peerCount(): number {
    return this.livePeers().length;
  }

  /**
   * Numbers an invalidation in the log, publishes it, and resolves once every live peer
   * acknowledged it or, at the latest, `leaseMs` after the log took it (with `settle` false, as
   * soon as it is logged and sent). Rejects when Redis did not take it (the caller keeps it for
   * a later attempt).
   */
  async publish(target: InvalidationTarget, settle = true): Promise<void> {
    const id = this.nextId++;
    const member = JSON.stringify({ o: this.options.instanceId, i: id, t: target });
    const append = APPEND_INVALIDATION.run(this.options.publisher, [this.seqKey, this.logKey], [member, this.options.logSize]);
    const n = Number(await withTimeout(append, this.options.timeoutMs, 'appending to the invalidation log timed out'));
    const loggedAt = performance.now();
    this.noteApplied(n, `${this.options.instanceId}:${id}`);
    const peers = this.livePeers();
    // Without proof that our own subscription delivers, peers we never heard of may exist.
    const blind = !this.subscriptionDelivers(loggedAt);
    const acked = peers.length === 0 || !settle ? Promise.resolve(true) : this.awaitAcks(id, new Set(peers), loggedAt + this.options.leaseMs);
    // Once logged, a failed publish only costs the wait: peers find it in the log.
    await this.send(this.channel, { k: 'inv', o: this.options.instanceId, i: id, n, e: this.epochValue, t: target }).catch(() => undefined);
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
    const bump = BUMP_EPOCH.run(this.options.publisher, [this.epochKey], [Date.now()]);
    const epoch = Number(await withTimeout(bump, this.options.timeoutMs, 'raising the epoch timed out'));
    this.takeEpoch(epoch);
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
    const generation = this.subscribed ? this.generation : -1;
    const window = this.options.leaseMs + this.options.syncIntervalMs;
    const newest = this.newest;
    // Everything numbered up to `applied` was applied before the request left, so was in Redis
    // when the script ran: a smaller sequence means Redis lost it.
    const applied = this.watermark;
    const [reply] = await withTimeout(
      Promise.all([
        SYNC_INVALIDATIONS.run(
          this.options.publisher,
          [this.seqKey, this.logKey, this.epochKey, this.instancesKey],
          [Math.max(applied, 0), applied < 0 ? 0 : MAX_CATCH_UP, newest?.n ?? -1, this.options.instanceId, window],
        ),
        this.send(this.channel, { k: 'hb', o: this.options.instanceId }),
      ]),
      this.options.timeoutMs,
      'syncing with the invalidation log timed out',
    );
    const [seqRaw, epochRaw, oldestRaw, checkMember, missing, synced] = reply as [number, string, string, string, string[], string[]];
    const seq = Number(seqRaw);
    const now = performance.now();
    for (const peer of synced) if (peer !== this.options.instanceId && (this.peers.get(peer) ?? -Infinity) < now) this.peers.set(peer, now);
    this.takeEpoch(Number(epochRaw));
    const oldest = oldestRaw === '' ? Infinity : Number(oldestRaw);
    if (applied < 0) {
      // First sync: nothing cached here yet can predate it.
      if (this.watermark < 0) this.reset(seq);
    } else if (seq < applied) {
      this.dropAll(`Redis lost the invalidation log (sequence ${seq}, applied up to ${applied})`, seq);
    } else if (newest !== undefined && newest.n >= oldest && newest.n <= seq && memberId(checkMember) !== newest.id) {
      this.dropAll(`Redis' invalidation history changed (a failover lost writes?)`, seq);
    } else if (seq > applied) {
      if (seq - applied > MAX_CATCH_UP || oldest > applied + 1) {
        this.dropAll(`missed ${seq - applied} invalidations, more than the log still holds`, seq);
      } else {
        for (const raw of missing) this.applyLogged(raw);
        if (seq > this.watermark) this.watermark = seq;
        while (this.ahead.delete(this.watermark + 1)) this.watermark += 1;
        for (const n of this.ahead) if (n <= this.watermark) this.ahead.delete(n);
      }
    }
    // Renew only if the subscription held throughout (no loss, no new one): messages while it
    // was down are in the log, and the next sync fetches them.
    if (this.subscribed && generation === this.generation) {
      this.leaseUntil = startedAt + this.options.leaseMs;
      this.syncedSinceSubscribe = true;
    }
    this.hooks.synced?.();
  }

  private applyLogged(raw: string): void {
    const bar = raw.indexOf('|');
    const n = Number(raw.slice(0, bar));
    if (n <= this.watermark || this.ahead.has(n)) return;
    const { o, i, t } = JSON.parse(raw.slice(bar + 1)) as { o: string; i: number; t: InvalidationTarget };
    if (o !== this.options.instanceId) this.hooks.apply(t);
    this.noteApplied(n, `${o}:${i}`);
  }

  private noteApplied(n: number, id: string): void {
    if (this.newest === undefined || n >= this.newest.n) this.newest = { n, id };
    if (this.watermark < 0 || n <= this.watermark) return;
    if (n === this.watermark + 1) {
      this.watermark = n;
      while (this.ahead.delete(this.watermark + 1)) this.watermark += 1;
    } else if (this.ahead.size < MAX_AHEAD) {
      this.ahead.add(n);
    }
  }

  private dropAll(reason: string, seq: number): void {
    this.logger.warn(`Dropping the in-process tier: ${reason}`);
    this.hooks.dropAll(reason);
    this.reset(seq);
  }

  private reset(seq: number): void {
    this.watermark = seq;
    this.ahead.clear();
    this.newest = undefined;
  }

  private takeEpoch(epoch: number): void {
    if (!(epoch > this.epochValue)) return;
    const first = this.epochValue === 0 && this.watermark < 0;
    this.epochValue = epoch;
    if (!first) this.hooks.dropAll(`the fleet's epoch rose to ${new Date(epoch).toISOString()}`);
  }

  private readonly onSubscriberLost = (): void => {
    this.subscribed = false;
    this.generation += 1;
    this.syncedSinceSubscribe = false;
    this.leaseUntil = 0;
  };

  private readonly resubscribe = (): void => {
    // 'ready' after a reconnect; not while subscribed, nor before start() subscribed at all.
    if (this.stopped || this.subscribed || this.generation === 0) return;
    this.options.subscriber
      .subscribe(this.channel, this.ackChannel)
      .then(() => {
        this.subscriptionConfirmed();
        // Catch up at once rather than at the next tick.
        return this.sync(true);
      })
      .catch((error: unknown) => {
        this.logger.warn(`Resubscribing to invalidations after a reconnect failed: ${describeError(error)}`);
      });
  };

  private awaitAcks(id: number, pending: Set<string>, deadline: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        this.logger.warn(`Invalidation ${id} not acknowledged by ${[...pending].join(', ')}: waited out their lease`);
        resolve(false);
      }, Math.max(0, deadline - performance.now()));
      this.waiting.set(id, {
        pending,
        done: () => {
          clearTimeout(timer);
          this.waiting.delete(id);
          resolve(true);
        },
      });
    });
  }

  private readonly onMessage = (channelBuffer: Buffer, raw: Buffer): void => {
    let message: BusMessage;
    try {
      message = JSON.parse(raw.toString()) as BusMessage;
    } catch {
      return;
    }
    const now = performance.now();
    if (message.o === this.options.instanceId) {
      if (message.k === 'hb') this.heardSelfAt = now;
      return;
    }
    this.peers.set(message.o, now);
    const channel = channelBuffer.toString();
    if (message.k === 'inv' && channel === this.channel) {
      try {
        if (message.e > this.epochValue) this.takeEpoch(message.e);
        if (message.n > this.watermark && !this.ahead.has(message.n)) this.hooks.apply(message.t);
        this.noteApplied(message.n, `${message.o}:${message.i}`);
      } finally {
        void this.send(this.busKeys.ackChannel(message.o), { k: 'ack', o: this.options.instanceId, i: message.i }).catch(() => undefined);
      }
    } else if (message.k === 'ack' && channel === this.ackChannel) {
      const wait = this.waiting.get(message.i);
      if (wait === undefined) return;
      wait.pending.delete(message.o);
      if (wait.pending.size === 0) wait.done();
    }
  };

  /** Peers that may still hold a lease: heard within one (plus a sync interval of slack). */
  private livePeers(): string[] {
    const cutoff = performance.now() - this.options.leaseMs - this.options.syncIntervalMs;
    const live: string[] = [];
    for (const [peer, seen] of this.peers) {
      if (seen < cutoff) this.peers.delete(peer);
      else live.push(peer);
    }
    return live;
  }

  private subscriptionDelivers(now: number): boolean {
    return this.subscribed && this.syncedSinceSubscribe && now - Math.max(this.heardSelfAt, this.subscribedAt) < this.options.leaseMs;
  }

  private async send(channel: string, message: BusMessage): Promise<void> {
    await this.options.publisher.publish(channel, JSON.stringify(message));
  }
}

function memberId(member: string): string {
  if (member === '') return '';
  try {
    const { o, i } = JSON.parse(member.slice(member.indexOf('|') + 1)) as { o: string; i: number };
    return `${o}:${i}`;
  } catch {
    return '';
  }
}
