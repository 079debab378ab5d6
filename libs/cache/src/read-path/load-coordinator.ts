import { Logger } from '@nestjs/common';
import type { ResolvedCacheOptions } from '../cache-options.interface';
import { CacheLoaderTimeoutError, type CacheLookup, type GetOrSetOptions } from '../cache.types';
import type { CacheMetrics } from '../metrics/cache-metrics';
import { createEntry, entryState, jitterTtl, type CacheEntry } from '../serialization/cache-entry';
import type { BeginLoadResult } from '../stores/cache-store.interface';
import type { TieredCacheStore, TieredTicket } from '../stores/tiered.store';
import { delay, describeError, settlesWithin, withTimeout } from '../common/async';

/** Marks an error thrown by the caller's loader, so it surfaces as is and is never mistaken for a cache failure. */
export class LoaderFailure {
  constructor(readonly cause: unknown) {}
}

interface Call<T> {
  key: string;
  namespace: string;
  org: string;
  loader: () => T | Promise<T>;
  options: GetOrSetOptions;
}

const MAX_POLL_DELAY_MS = 50;

/**
 * The cache-aside read: L1, then L2, then the loader, with stampede protection at both
 * levels. In one process concurrent calls for a key share one flight; across processes the
 * first to miss takes a Redis lock (token, TTL, safe release) and the others wait for its
 * value instead of loading. Within grace the old value is served while one refresh runs;
 * a failed or slow refresh keeps serving it (fail-safe).
 */
export class LoadCoordinator {
  private readonly logger = new Logger('CacheLoader');
  private readonly flights = new Map<string, Promise<CacheLookup<unknown>>>();
  private readonly refreshes = new Map<string, Promise<CacheLookup<unknown>>>();
  private readonly background = new Set<Promise<unknown>>();

  constructor(
    private readonly options: ResolvedCacheOptions,
    private readonly store: TieredCacheStore,
    private readonly metrics: CacheMetrics,
  ) {}

  /** Resolves a call that missed L1: joins a flight for the key or starts one. */
  lookup<T>(call: Call<T>): Promise<CacheLookup<T>> {
    const existing = this.flights.get(call.key) as Promise<CacheLookup<T>> | undefined;
    if (existing !== undefined) {
      this.metrics.count(call.namespace, call.org, 'coalesced');
      return existing;
    }
    // `fetch` leaves the map itself when it ends (its first await comes after this set).
    const flight = this.fetch(call);
    this.flights.set(call.key, flight);
    return flight;
  }

  /**
   * Probabilistic early refresh (XFetch) of a fresh entry just served: starts one background
   * reload when `now - loadMs * beta * ln(random) >= expiresAt`. The cheap checks come first, so
   * a hit far from expiry costs two comparisons.
   */
  refreshEarlyIfDue<T>(call: Call<T>, entry: CacheEntry, now: number): void {
    const asked = call.options.earlyRefresh;
    if (asked === false || entry.loadMs === undefined) return;
    if (asked !== true && entry.expiresAt - entry.createdAt < this.options.earlyRefresh.minTtlMs) return;
    const scale = Math.max(entry.loadMs, 1) * this.options.earlyRefresh.beta;
    const remaining = entry.expiresAt - now;
    if (remaining > 20 * scale) return; // the chance is below e^-20
    if (remaining > -scale * Math.log(Math.random())) return;
    if (this.refreshes.has(call.key) || this.flights.has(call.key)) return;
    this.track(call, this.load(call, undefined, entry), 'Early refresh');
  }

  /** Waits (bounded) for refreshes still running in the background, e.g. at shutdown. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.background.size === 0) return;
    await settlesWithin(Promise.allSettled([...this.background]), timeoutMs);
  }

  /**
   * A warm: runs the loader ahead of the reads that would, through the same guarded load. It
   * takes the key's load lock (an instance already loading the key wins: nothing runs, false)
   * and its value is refused when an invalidation of the key or one of its tags lands while it
   * runs. Returns whether it was stored; the loader's own error is thrown as is.
   */
  async warm<T>(call: Call<T>): Promise<boolean> {
    const tags = call.options.tags ?? [];
    const begun = await this.store.beginLoad(call.key, tags, this.options.lock.ttlMs);
    if (!begun.locked) {
      await this.store.endLoad(begun.ticket);
      return false;
    }
    let value: T;
    try {
      value = await this.runLoader(call);
    } catch (error) {
      await this.store.endLoad(begun.ticket);
      throw error;
    }
    return this.storeLoaded(call, this.newEntry(call, value, tags), begun.ticket);
  }

  /** A flight: the read through the tiers and, on a miss, the load; it leaves `flights` as it ends. */
  private async fetch<T>(call: Call<T>): Promise<CacheLookup<T>> {
    try {
      // On a miss in both tiers the load is begun in the same round trip (when L1 is on).
      const { entry, begun } = await this.store.readOrBeginLoad(call.key, call.options.tags ?? [], this.options.lock.ttlMs, call.options);
      if (entry !== undefined) {
        const now = Date.now();
        const state = entryState(entry, now);
        if (state === 'fresh') {
          this.metrics.hit(call.namespace, call.org, call.key);
          this.refreshEarlyIfDue(call, entry, now);
          return served(entry as CacheEntry<T>, 'hit');
        }
        if (state === 'stale') return await this.serveStale(call, entry as CacheEntry<T>);
      }
      // An early refresh of this key is under way: its value comes sooner than a load of our own.
      const early = this.refreshes.get(call.key) as Promise<CacheLookup<T>> | undefined;
      if (early !== undefined) {
        const result = await early.catch(() => undefined);
        if (result !== undefined && result.status !== 'stale' && Date.now() < result.expiresAt) {
          if (begun !== undefined) await this.store.endLoad(begun.ticket);
          return result;
        }
      }
      this.metrics.count(call.namespace, call.org, 'misses');
      return await this.load(call, undefined, undefined, begun);
    } finally {
      this.flights.delete(call.key);
    }
  }

  /** Runs a refresh in the background, one per key; a failure is counted and logged, never thrown. */
  private track<T>(call: Call<T>, refresh: Promise<CacheLookup<T>>, what: string): Promise<CacheLookup<T>> {
    this.refreshes.set(call.key, refresh);
    const tracked = refresh.then(
      () => undefined,
      (error: unknown) => {
        // Fail-safe: the value already cached keeps being served; the failure is counted.
        this.metrics.count(call.namespace, call.org, 'errors');
        this.logger.warn(`${what} of ${call.key} failed, serving what is cached: ${describeError(error)}`);
      },
    );
    this.background.add(tracked);
    void tracked.finally(() => {
      this.background.delete(tracked);
      this.refreshes.delete(call.key);
    });
    return refresh;
  }

  private async serveStale<T>(call: Call<T>, stale: CacheEntry<T>): Promise<CacheLookup<T>> {
    let refresh = this.refreshes.get(call.key) as Promise<CacheLookup<T>> | undefined;
    if (refresh === undefined) refresh = this.track(call, this.load(call, stale), 'Refresh');
    const softTimeoutMs = call.options.timeoutMs ?? 0;
    if (softTimeoutMs > 0) {
      const winner = await withTimeout(refresh, softTimeoutMs, 'refresh still running').catch(() => undefined);
      if (winner !== undefined && winner.status !== 'stale') return winner;
    }
    this.metrics.count(call.namespace, call.org, 'stale');
    return served(stale, 'stale');
  }

  /**
   * Runs the loader once across instances. A refresh (`stale` given) does not wait for
   * another instance's lock: the stale value is already served, and that instance refreshes.
   * An early refresh (`replacing` given) takes only an entry newer than the one it replaces.
   * A read that already began the load passes it (`begunByRead`).
   */
  private async load<T>(call: Call<T>, stale?: CacheEntry<T>, replacing?: CacheEntry, begunByRead?: BeginLoadResult<TieredTicket>): Promise<CacheLookup<T>> {
    const refreshing = stale !== undefined;
    const isFresh = (entry: CacheEntry | undefined): entry is CacheEntry =>
      isFreshEntry(entry) && (replacing === undefined || entry.createdAt > replacing.createdAt);
    const tags = call.options.tags ?? [];
    let begun = begunByRead ?? (await this.store.beginLoad(call.key, tags, this.options.lock.ttlMs));
    let waited = false;
    if (!begun.locked) {
      if (stale !== undefined) {
        await this.store.endLoad(begun.ticket);
        return served(stale, 'stale');
      }
      const deadline = Date.now() + this.store.lockWaitMs();
      let pause = 2;
      while (!begun.locked && !isFresh(begun.entry)) {
        if (Date.now() >= deadline) break; // the holder is too slow: load without the lock
        await delay(pause);
        pause = Math.min(pause * 2, MAX_POLL_DELAY_MS);
        await this.store.endLoad(begun.ticket);
        begun = await this.store.beginLoad(call.key, tags, this.options.lock.ttlMs);
        waited = true;
      }
    }
    if (!refreshing && isFresh(begun.entry)) {
      // Stored by another instance while we read, or while we waited for its lock.
      await this.store.endLoad(begun.ticket);
      if (waited) this.metrics.count(call.namespace, call.org, 'coalesced');
      return served(begun.entry as CacheEntry<T>, waited ? 'miss' : 'hit');
    }
    return this.runAndStore(call, tags, begun.ticket);
  }

  private async runAndStore<T>(call: Call<T>, tags: readonly string[], ticket: TieredTicket): Promise<CacheLookup<T>> {
    this.metrics.count(call.namespace, call.org, 'loads');
    let value: T;
    const loadStarted = performance.now();
    try {
      value = await this.runLoader(call);
    } catch (error) {
      await this.store.endLoad(ticket);
      this.metrics.count(call.namespace, call.org, 'errors');
      throw new LoaderFailure(error);
    }
    const entry = this.newEntry(call, value, tags, Math.round(performance.now() - loadStarted));
    await this.storeLoaded(call, entry, ticket);
    return served(entry, 'miss');
  }

  /** The entry a load of `call` produced: its TTL jittered, so keys loaded together expire apart. */
  private newEntry<T>(call: Call<T>, value: T, tags: readonly string[], loadMs?: number): CacheEntry<T> {
    const ttlMs = jitterTtl(call.options.ttlMs ?? this.options.defaultTtlMs, this.options.ttlJitter);
    const graceMs = call.options.graceMs ?? this.options.defaultGraceMs;
    return createEntry(value, { ttlMs, graceMs, tags, loadMs });
  }

  /** Stores a load's result under its ticket: refused when an invalidation overlapped the load. */
  private async storeLoaded<T>(call: Call<T>, entry: CacheEntry<T>, ticket: TieredTicket): Promise<boolean> {
    if (entry.value === undefined) {
      await this.store.endLoad(ticket); // undefined is "nothing": not cached
      return false;
    }
    return this.store.set(call.key, entry, entry.staleUntil - entry.createdAt, ticket, call.options);
  }

  private async runLoader<T>(call: Call<T>): Promise<T> {
    const hard = call.options.hardTimeoutMs;
    const result = Promise.resolve().then(call.loader);
    if (hard === undefined || hard <= 0) return result;
    return withTimeout(result, hard, () => new CacheLoaderTimeoutError(call.key, hard));
  }
}

function served<T>(entry: CacheEntry<T>, status: CacheLookup<T>['status']): CacheLookup<T> {
  return { value: entry.value, status, createdAt: entry.createdAt, expiresAt: entry.expiresAt };
}

function isFreshEntry(entry: CacheEntry | undefined): entry is CacheEntry {
  return entry !== undefined && entryState(entry, Date.now()) === 'fresh';
}
