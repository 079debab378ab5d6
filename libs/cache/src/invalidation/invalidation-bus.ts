import { Logger } from '@nestjs/common';
import type { InvalidationTarget } from '../stores/cache-store.interface';
import type { RedisClient } from '../stores/redis-connection.factory';

type BusMessage =
  | { k: 'inv'; o: string; i: number; t: InvalidationTarget }
  | { k: 'ack'; o: string; i: number }
  | { k: 'hb'; o: string }
  | { k: 'hello'; o: string };

const HEARTBEAT_MS = 2_000;
const PEER_EXPIRY_MS = 3 * HEARTBEAT_MS;

/**
 * Tells every other instance to drop L1 copies a change made stale (Redis pub/sub), and
 * waits, up to a bound, for each live peer to say it has. A write that returns has thus
 * been seen by every instance that answers, and a read there afterwards cannot hit its L1.
 * Peers are known from their heartbeats.
 */
export class InvalidationBus {
  private readonly logger = new Logger(InvalidationBus.name);
  private readonly channel: string;
  private readonly ackChannel: string;
  private readonly peers = new Map<string, number>();
  private readonly waiting = new Map<number, { pending: Set<string>; done: () => void }>();
  private nextId = 1;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly publisher: RedisClient,
    private readonly subscriber: RedisClient,
    prefix: string,
    private readonly instanceId: string,
    private readonly ackTimeoutMs: number,
    private readonly onRemoteInvalidation: (target: InvalidationTarget) => void,
  ) {
    this.channel = `${prefix}:__bus`;
    this.ackChannel = `${prefix}:__bus:${instanceId}`;
  }

  /**
   * Listens and starts the heartbeat at once; resolves when the subscription is confirmed.
   * When the subscriber's own resubscription is off (`autoResubscribe: false`, as the engine's
   * connections have it), the bus subscribes again after each reconnect, with the failure of
   * that call handled (logged), where ioredis' would be an unhandled rejection.
   */
  async start(): Promise<void> {
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.receive(channel.toString(), message));
    if ((this.subscriber.options as { autoResubscribe?: boolean }).autoResubscribe === false) this.subscriber.on('ready', this.resubscribe);
    this.heartbeat = setInterval(() => this.send(this.channel, { k: 'hb', o: this.instanceId }).catch(() => undefined), HEARTBEAT_MS);
    this.heartbeat.unref();
    await this.subscriber.subscribe(this.channel, this.ackChannel);
    // Peers answer a hello with a heartbeat, so a new instance knows them at once.
    await this.send(this.channel, { k: 'hello', o: this.instanceId }).catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.subscriber.off('ready', this.resubscribe);
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const wait of this.waiting.values()) wait.done();
    this.waiting.clear();
  }

  private readonly resubscribe = (): void => {
    this.subscriber.subscribe(this.channel, this.ackChannel).catch((error: unknown) => {
      this.logger.warn(`Resubscribing to invalidations after a reconnect failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  };

  /** Number of other instances heard from recently. */
  get peerCount(): number {
    this.expirePeers();
    return this.peers.size;
  }

  /** Publishes an invalidation and resolves when every live peer acknowledged it or the bound passed. */
  async publish(target: InvalidationTarget): Promise<void> {
    this.expirePeers();
    const id = this.nextId++;
    const pending = new Set(this.peers.keys());
    const acked = pending.size === 0 ? Promise.resolve() : this.awaitAcks(id, pending);
    await this.send(this.channel, { k: 'inv', o: this.instanceId, i: id, t: target });
    await acked;
  }

  private awaitAcks(id: number, pending: Set<string>): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        this.logger.warn(`Invalidation ${id} not acknowledged by ${[...pending].join(', ')} within ${this.ackTimeoutMs} ms`);
        // Silent peers are forgotten until they speak again (their next heartbeat), so a dead
        // instance costs one timeout, not one per invalidation until it expires.
        for (const peer of pending) this.peers.delete(peer);
        resolve();
      }, this.ackTimeoutMs);
      this.waiting.set(id, {
        pending,
        done: () => {
          clearTimeout(timer);
          this.waiting.delete(id);
          resolve();
        },
      });
    });
  }

  private receive(channel: string, raw: Buffer): void {
    let message: BusMessage;
    try {
      message = JSON.parse(raw.toString()) as BusMessage;
    } catch {
      return;
    }
    if (message.o === this.instanceId) return;
    this.peers.set(message.o, Date.now());
    if (message.k === 'hello') {
      void this.send(this.channel, { k: 'hb', o: this.instanceId }).catch(() => undefined);
    } else if (message.k === 'inv' && channel === this.channel) {
      try {
        this.onRemoteInvalidation(message.t);
      } finally {
        void this.send(`${this.channel}:${message.o}`, { k: 'ack', o: this.instanceId, i: message.i }).catch(() => undefined);
      }
    } else if (message.k === 'ack' && channel === this.ackChannel) {
      const wait = this.waiting.get(message.i);
      if (wait === undefined) return;
      wait.pending.delete(message.o);
      if (wait.pending.size === 0) wait.done();
    }
  }

  private async send(channel: string, message: BusMessage): Promise<void> {
    await this.publisher.publish(channel, JSON.stringify(message));
  }

  private expirePeers(): void {
    const cutoff = Date.now() - PEER_EXPIRY_MS;
    for (const [peer, seen] of this.peers) if (seen < cutoff) this.peers.delete(peer);
  }
}
