import { CacheService, describeError } from '@app/cache';
import { Logger, type OnModuleDestroy } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Cache namespace of the counters (`{prefix}:{_global}:rate-limit:<tracker>:<window>`). */
export const RATE_LIMIT_NAMESPACE = 'rate-limit';

/** How this instance counts against the shared counters (RATE_LIMIT_LOCAL_PERCENT, RATE_LIMIT_SYNC_MS). */
export interface RateLimitCounting {
  /**
   * Share of a limit, in percent, this instance may count on its own before it adds its count to
   * the shared counter: `floor(limit × percent / 100)` requests (its batch). Below 2 every request
   * is counted in Redis as it comes (exact).
   */
  localPercent: number;
  /** The longest a locally counted request waits before it is added to the shared counter. */
  syncIntervalMs: number;
}

/** Counters of one window kept in process at most; beyond it new clients are counted exactly. */
const MAX_LOCAL_COUNTERS = 50_000;

/** One client's window as this instance knows it. */
interface LocalCounter {
  /** Cache key of the shared counter (tracker and window). */
  readonly key: string;
  readonly ttlMs: number;
  /** The window's end (ms since the epoch): after it the counter is dropped. */
  readonly endsAt: number;
  /** The shared total the last reconciliation returned (every instance's requests added by then, ours included). */
  known: number;
  /** Requests this instance counted since, not yet added to the shared total. */
  pending: number;
  /** The reconciliation in flight, which requests over the batch wait for. */
  syncing?: Promise<void>;
}

/**
 * Fixed-window counters shared by every instance through the cache's Redis (an atomic
 * INCRBY + PEXPIRE script in the cache library). While Redis is unusable the cache's circuit
 * breaker sends the increments to its in-process tier, so each instance keeps limiting on its
 * own counts, and a request never fails because Redis did.
 *
 * By default (`localPercent` 0) every request is one INCR, exact. With a share, a request is not
 * a Redis round trip of its own: each instance counts its requests locally
 * and adds them to the shared counter in one INCRBY per client every `syncIntervalMs`, or at
 * once when a client's local count reaches its batch (`floor(limit × localPercent / 100)`);
 * the request that reaches it waits for that reconciliation. A request is admitted while the
 * last shared total plus the local count is within the limit, and refused as soon as it is
 * not (both are real requests, so nobody is refused early). The bound: once a client's
 * shared total reached its limit, each instance admits at most one batch more before its next
 * reconciliation tells it, so N instances admit at most N × batch requests past a limit per
 * window (600 a minute and 1 %: six per instance). Limits whose batch is below 2 (120 a minute
 * at 1 %) are counted exactly, one INCR per request, as are new clients while
 * MAX_LOCAL_COUNTERS are held. Requests counted locally by an instance that stops before
 * reconciling (at most a batch per client) are lost to the shared count. It saves Redis
 * commands, not request time: on one instance the bench measured the route slower with it
 * (apps/bench/README.md), so it is for fleets whose Redis is the limit.
 *
 * The window is part of the key (`floor(now / ttl)`), so its end, and `RateLimit-Reset`, follow
 * from the clock without a second round trip for the TTL.
 */
export class RateLimitStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly logger = new Logger(RateLimitStorage.name);
  private readonly counters = new Map<string, LocalCounter>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly cache: CacheService,
    private readonly counting: RateLimitCounting = { localPercent: 0, syncIntervalMs: 50 },
  ) {}

  async increment(key: string, ttl: number, limit: number, _blockDuration: number, _throttlerName: string): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    const window = Math.floor(now / ttl);
    const endsAt = (window + 1) * ttl;
    const timeToExpire = Math.max(1, Math.ceil((endsAt - now) / 1000));
    const batch = Math.floor((limit * this.counting.localPercent) / 100);
    const counterKey = `${key}:${window}`;
    let counter = this.counters.get(counterKey);
    if (counter === undefined && (batch < 2 || this.counters.size >= MAX_LOCAL_COUNTERS)) {
      // Counted exactly; when the counter cannot be reached the request is let through.
      const total = await this.add(counterKey, ttl, 1).catch(() => 0);
      return this.record(total, limit, timeToExpire);
    }
    if (counter === undefined) {
      counter = { key: counterKey, ttlMs: ttl, endsAt, known: 0, pending: 0 };
      this.counters.set(counterKey, counter);
      this.startTimer();
    }
    counter.pending++;
    if (counter.pending >= batch) await this.reconcile(counter);
    return this.record(counter.known + counter.pending, limit, timeToExpire);
  }

  /** Adds what is pending to the shared counters now (also what the timer does), and forgets windows that ended. */
  async flush(): Promise<void> {
    const now = Date.now();
    const work: Promise<void>[] = [];
    for (const counter of this.counters.values()) {
      if (counter.pending > 0 || counter.syncing !== undefined) work.push(this.reconcile(counter));
      else if (counter.endsAt <= now) this.counters.delete(counter.key);
    }
    await Promise.all(work);
    if (this.counters.size === 0) this.stopTimer();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopTimer();
    await this.flush();
  }

  /**
   * Adds the counter's pending requests to the shared total and learns it. One at a time per
   * counter: a caller arriving meanwhile waits for the one in flight, then starts its own if
   * requests are still pending. When the shared counter cannot be reached the requests stay
   * pending and the counter goes on locally.
   */
  private reconcile(counter: LocalCounter): Promise<void> {
    if (counter.syncing !== undefined) {
      return counter.syncing.then(() => (counter.pending > 0 ? this.reconcile(counter) : undefined));
    }
    const sending = counter.pending;
    if (sending === 0) return Promise.resolve();
    counter.pending -= sending;
    counter.syncing = this.add(counter.key, counter.ttlMs, sending).then(
      (total) => {
        // `known` only grows: replies of one counter arrive in order, but a total from the
        // in-process fallback (Redis unreachable) may be lower than one Redis gave earlier.
        counter.known = Math.max(counter.known + sending, total);
        counter.syncing = undefined;
      },
      () => {
        counter.known += sending;
        counter.syncing = undefined;
      },
    );
    return counter.syncing;
  }

  /** Adds `count` to the shared counter and returns its total; rejects when the counter cannot be reached (logged). */
  private async add(key: string, ttlMs: number, count: number): Promise<number> {
    try {
      // Outlives its window by a second so a slightly slow clock on another instance still counts into it.
      return await this.cache.incr(key, count, { namespace: RATE_LIMIT_NAMESPACE, ttlMs: ttlMs + 1_000 });
    } catch (error) {
      this.logger.warn(`Rate limit counter unavailable (the request is let through, or counted by this instance alone): ${describeError(error)}`);
      throw error;
    }
  }

  private record(totalHits: number, limit: number, timeToExpire: number): ThrottlerStorageRecord {
    const isBlocked = totalHits > limit;
    return { totalHits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
  }

  private startTimer(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.flush(), this.counting.syncIntervalMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
