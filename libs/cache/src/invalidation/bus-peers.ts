import type { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';

/**
 * The other instances on the invalidation bus, by when they were last heard, and the
 * acknowledgements a publisher waits for. A peer counts as live for a lease plus a sync
 * interval after it was last heard: until then it may still serve from its in-process tier.
 */
export class BusPeers {
  /** Peers by id, with when (performance.now()) they were last heard. */
  private readonly peers = new Map<string, number>();
  private readonly waiting = new Map<number, { pending: Set<string>; done: () => void }>();

  constructor(
    private readonly liveForMs: number,
    private readonly logger: Logger,
  ) {}

  heard(peer: string, at: number): void {
    this.peers.set(peer, at);
  }

  /** Peers a sync listed (they synced within a lease), unless heard more recently. */
  listed(peers: readonly string[], self: string, at: number): void {
    for (const peer of peers) if (peer !== self && (this.peers.get(peer) ?? -Infinity) < at) this.peers.set(peer, at);
  }

  /** Peers that may still hold a lease; forgets the others. */
  live(): string[] {
    const cutoff = performance.now() - this.liveForMs;
    const live: string[] = [];
    for (const [peer, seen] of this.peers) {
      if (seen < cutoff) this.peers.delete(peer);
      else live.push(peer);
    }
    return live;
  }

  /** Resolves true once every one of `pending` acknowledged invalidation `id`, false at `deadline` (performance.now()). */
  awaitAcks(id: number, pending: Set<string>, deadline: number): Promise<boolean> {
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

  /** `from` acknowledged invalidation `id`. */
  acked(id: number, from: string): void {
    const wait = this.waiting.get(id);
    if (wait === undefined) return;
    wait.pending.delete(from);
    if (wait.pending.size === 0) wait.done();
  }

  /** Stops every wait (at shutdown). */
  releaseAll(): void {
    for (const wait of this.waiting.values()) wait.done();
    this.waiting.clear();
  }
}
