import { performance } from 'node:perf_hooks';

/**
 * What this instance knows about its own subscription to the bus, and the lease it earns: the
 * in-process tier may be served only within `leaseMs` of the start of a sync that ran while
 * the subscription held throughout (no loss, no new one). Times are `performance.now()`.
 */
export class BusSubscription {
  private subscribed = false;
  /** Counts subscriptions and their losses, so a sync can tell whether one happened while it ran. */
  private generation = 0;
  /** When the current subscription was confirmed (its SUBSCRIBE reply proves it delivered then). */
  private subscribedAt = -Infinity;
  /** Whether a sync that started after the current subscription was confirmed has completed (it lists the live peers). */
  private syncedSinceSubscribe = false;
  /** When this instance last heard its own heartbeat: proof its subscription delivers. */
  private heardSelfAt = -Infinity;
  /** Until when the in-process tier may be served. */
  private leaseUntil = 0;

  constructor(private readonly leaseMs: number) {}

  get isSubscribed(): boolean {
    return this.subscribed;
  }

  /** Whether the in-process tier may be served now. */
  get l1Trusted(): boolean {
    return performance.now() < this.leaseUntil;
  }

  /** Whether a lost subscription should be made again (one was made before, and it is down now). */
  get wantsResubscribe(): boolean {
    return !this.subscribed && this.generation > 0;
  }

  confirmed(): void {
    this.subscribed = true;
    this.generation += 1;
    this.subscribedAt = performance.now();
    this.syncedSinceSubscribe = false;
  }

  /** A dropped subscription loses messages: stop vouching for L1 until a sync catches up. */
  lost(): void {
    this.subscribed = false;
    this.generation += 1;
    this.syncedSinceSubscribe = false;
    this.leaseUntil = 0;
  }

  heardSelf(at: number): void {
    this.heardSelfAt = at;
  }

  /** A token for a sync starting now: `syncCompleted` renews the lease only if the subscription held since. */
  syncStarting(): number {
    return this.subscribed ? this.generation : -1;
  }

  syncCompleted(token: number, startedAt: number): void {
    if (!this.subscribed || token !== this.generation) return;
    this.leaseUntil = startedAt + this.leaseMs;
    this.syncedSinceSubscribe = true;
  }

  /** Whether the subscription is proven to deliver at `now` (a sync since it was made, and its own heartbeat came back lately). */
  delivers(now: number): boolean {
    return this.subscribed && this.syncedSinceSubscribe && now - Math.max(this.heardSelfAt, this.subscribedAt) < this.leaseMs;
  }
}
