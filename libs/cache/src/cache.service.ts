import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ResolvedCacheOptions } from './cache-options.interface';
import { CACHE_METRICS, CACHE_RESOLVED_OPTIONS, CACHE_TIERED_STORE, DEFAULT_NAMESPACE, GLOBAL_ORG } from './cache.constants';
import { CacheInvalidationUnconfirmedError, type CacheLookup, type CacheScope, type CacheWriteOptions, type GetOrSetOptions } from './cache.types';
import { CacheKeyBuilder } from './keys/cache-key.builder';
import { LoadCoordinator, LoaderFailure } from './read-path/load-coordinator';
import type { CacheMetrics, CacheMetricsSnapshot } from './metrics/cache-metrics';
import { createEntry, entryState, type CacheEntry } from './serialization/cache-entry';
import { describeError } from './common/async';
import type { StoredKeyInfo } from './stores/cache-store.interface';
import type { InvalidationTarget } from './stores/cache-store.interface';
import type { TieredCacheStore, TieredStoreHealth } from './stores/tiered.store';

/** Health of the cache as `/cache/health` and the readiness probe report it. */
export interface CacheHealth extends TieredStoreHealth {
  status: 'healthy' | 'degraded' | 'down';
}

/**
 * The cache, as application code uses it. Keys given here are ids within a namespace and an
 * organization (`{ org, namespace }`); the full key is built by `CacheKeyBuilder`. No method
 * fails because the cache failed: Redis errors fall back to the in-process tier, and only a
 * loader's own error reaches the caller.
 *
 * @example
 * const user = await cache.getOrSet(id, () => repo.findOne(id), { org, namespace: 'users', ttlMs: 900_000, tags: [`user:${id}`] });
 */
@Injectable()
export class CacheService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CacheService.name);
  private readonly loads: LoadCoordinator;

  constructor(
    @Inject(CACHE_RESOLVED_OPTIONS) private readonly options: ResolvedCacheOptions,
    @Inject(CACHE_TIERED_STORE) private readonly store: TieredCacheStore,
    @Inject(CACHE_METRICS) private readonly metrics: CacheMetrics,
    readonly keys: CacheKeyBuilder,
  ) {
    this.loads = new LoadCoordinator(options, store, metrics);
  }

  async onModuleInit(): Promise<void> {
    if (this.options.enabled) await this.store.start();
    else this.logger.log('Caching disabled (CACHE_ENABLED=false): every read goes to its loader');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loads.drain(2_000);
    await this.store.stop();
  }

  /** Whether caching is on; when off, reads go to their loaders and writes are no-ops. */
  get enabled(): boolean {
    return this.options.enabled;
  }

  /**
   * Returns the cached value, or runs `loader` once (across instances), caches and returns its result.
   *
   * An in-process hit answers with one promise per entry, made at its first hit and shared by
   * every later one (`settledHits`): no async frame and no promise per call on the hottest path.
   * Every failure is still a rejection, never a throw.
   */
  getOrSet<T>(key: string, loader: () => T | Promise<T>, options: GetOrSetOptions = {}): Promise<T> {
    try {
      if (!this.options.enabled) return Promise.resolve(loader());
      const fullKey = this.keys.entry(options.org, options.namespace, key);
      const local = this.freshLocalHit(fullKey, loader, options);
      if (local !== undefined) {
        let settled = settledHits.get(local);
        if (settled === undefined) settledHits.set(local, (settled = Promise.resolve(local.value)));
        return settled as Promise<T>;
      }
      return this.lookupFullKey(fullKey, loader, options).then(valueOf);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The in-process entry of `fullKey` when it is fresh, counted as a hit (and refreshed early when
   * due); undefined otherwise, for the coordinator's read to handle (it also serves grace). The
   * clock is read only when there is an entry to check (about 0.1 µs a read on some VMs).
   */
  private freshLocalHit<T>(fullKey: string, loader: () => T | Promise<T>, options: GetOrSetOptions): CacheEntry | undefined {
    const local = this.store.peekLocal(fullKey);
    if (local === undefined) return undefined;
    const now = Date.now();
    if (now >= local.expiresAt) return undefined;
    const namespace = options.namespace ?? DEFAULT_NAMESPACE;
    const org = options.org ?? GLOBAL_ORG;
    this.metrics.hit(namespace, org, fullKey);
    this.loads.refreshEarlyIfDue({ key: fullKey, namespace, org, loader, options }, local, now);
    return local;
  }

  /** `getOrSet` that also says how the value was obtained (hit, miss, stale, bypass) and its age. */
  async lookup<T>(key: string, loader: () => T | Promise<T>, options: GetOrSetOptions = {}): Promise<CacheLookup<T>> {
    if (!this.options.enabled) return { value: await loader(), status: 'bypass', createdAt: Date.now(), expiresAt: Date.now() };
    return this.lookupFullKey(this.keys.entry(options.org, options.namespace, key), loader, options);
  }

  /** `lookup` for a key already built with `keys` (decorators and the HTTP interceptor build their own). */
  async lookupFullKey<T>(fullKey: string, loader: () => T | Promise<T>, options: GetOrSetOptions = {}): Promise<CacheLookup<T>> {
    const namespace = options.namespace ?? DEFAULT_NAMESPACE;
    const org = options.org ?? GLOBAL_ORG;
    if (!this.options.enabled) return { value: await loader(), status: 'bypass', createdAt: Date.now(), expiresAt: Date.now() };
    const started = performance.now();
    try {
      const local = this.freshLocalHit(fullKey, loader, options);
      if (local !== undefined) return { value: local.value as T, status: 'hit', createdAt: local.createdAt, expiresAt: local.expiresAt };
      return await this.loads.lookup({ key: fullKey, namespace, org, loader, options });
    } catch (error) {
      if (error instanceof LoaderFailure) throw error.cause;
      // The cache itself failed (not the loader): serve uncached rather than fail the request.
      this.metrics.count(namespace, org, 'errors');
      this.logger.error(`Cache failure on ${fullKey}, serving uncached: ${describeError(error)}`);
      return { value: await loader(), status: 'bypass', createdAt: Date.now(), expiresAt: Date.now() };
    } finally {
      this.metrics.latency(namespace, org, performance.now() - started);
    }
  }

  /**
   * Loads `fullKey` ahead of the reads that would (a warm), through the reads' guarded load: it
   * takes the key's load lock and is not stored when an invalidation overlapped it. Returns
   * whether it was stored; false when another instance was loading the key, or caching is off.
   */
  async warmFullKey<T>(fullKey: string, loader: () => T | Promise<T>, options: GetOrSetOptions = {}): Promise<boolean> {
    if (!this.options.enabled) return false;
    const namespace = options.namespace ?? DEFAULT_NAMESPACE;
    const org = options.org ?? GLOBAL_ORG;
    return this.loads.warm({ key: fullKey, namespace, org, loader, options });
  }

  /**
   * The fresh value of a key, or undefined. `l1TtlMs` bounds the in-process copy a read from
   * Redis leaves, as for `getOrSet` (give the same one as the writes of that key).
   */
  async get<T>(key: string, scope: CacheScope & Pick<CacheWriteOptions, 'l1TtlMs'> = {}): Promise<T | undefined> {
    if (!this.options.enabled) return undefined;
    const { entry } = await this.store.read(this.keys.entry(scope.org, scope.namespace, key), scope);
    return fresh<T>(entry);
  }

  /** Fresh values of several keys of one scope, in order. */
  async mget<T>(keys: readonly string[], scope: CacheScope = {}): Promise<(T | undefined)[]> {
    if (!this.options.enabled) return keys.map(() => undefined);
    const entries = await this.store.mget(keys.map((key) => this.keys.entry(scope.org, scope.namespace, key)));
    return entries.map((entry) => fresh<T>(entry));
  }

  /** Stores a value; it wins over loads of the same key still running. Returns whether it was stored. */
  async set<T>(key: string, value: T, options: CacheWriteOptions = {}): Promise<boolean> {
    if (!this.options.enabled || value === undefined) return false;
    const ttlMs = options.ttlMs ?? this.options.defaultTtlMs;
    const graceMs = options.graceMs ?? this.options.defaultGraceMs;
    const entry = createEntry(value, { ttlMs, graceMs, tags: options.tags ?? [] });
    return this.store.set(this.keys.entry(options.org, options.namespace, key), entry, ttlMs + graceMs, undefined, options);
  }

  /** Stores several values of one scope. */
  async mset<T>(entries: readonly { key: string; value: T; ttlMs?: number; tags?: readonly string[] }[], scope: CacheScope = {}): Promise<boolean[]> {
    return Promise.all(entries.map((e) => this.set(e.key, e.value, { ...scope, ttlMs: e.ttlMs, tags: e.tags })));
  }

  /**
   * Deletes keys everywhere (Redis, this instance's L1 and every other instance's). With
   * `confirm`, throws `CacheInvalidationUnconfirmedError` unless that took effect before returning.
   */
  async delete(keys: string | readonly string[], scope: CacheScope & { confirm?: boolean } = {}): Promise<number> {
    const list = typeof keys === 'string' ? [keys] : keys;
    return this.invalidate({ kind: 'keys', keys: list.map((key) => this.keys.entry(scope.org, scope.namespace, key)) }, scope.confirm);
  }

  private async invalidate(target: InvalidationTarget, confirm = false): Promise<number> {
    const outcome = await this.store.invalidateEverywhere(target);
    if (confirm && !outcome.confirmed) throw new CacheInvalidationUnconfirmedError();
    return outcome.removed;
  }

  async has(key: string, scope: CacheScope = {}): Promise<boolean> {
    return (await this.get(key, scope)) !== undefined;
  }

  /** Remaining lifetime in ms (freshness plus grace), `null` for no expiry, `undefined` when absent. */
  async ttl(key: string, scope: CacheScope = {}): Promise<number | null | undefined> {
    return this.store.ttl(this.keys.entry(scope.org, scope.namespace, key));
  }

  /** Adds to a counter (created at 0); a counter created here lives `ttlMs` when given. */
  async incr(key: string, by = 1, options: CacheScope & { ttlMs?: number } = {}): Promise<number> {
    return this.store.incr(this.keys.entry(options.org, options.namespace, key), by, options.ttlMs);
  }

  async decr(key: string, by = 1, options: CacheScope & { ttlMs?: number } = {}): Promise<number> {
    return this.incr(key, -by, options);
  }

  /** Invalidates every entry written with one of `tags`, in `org`, or in every organization when `org` is omitted. */
  async invalidateTags(tags: readonly string[], options: { org?: string } = {}): Promise<number> {
    if (tags.length === 0) return 0;
    return this.invalidate({ kind: 'tags', org: options.org, tags: [...tags] });
  }

  /**
   * Invalidates keys matching a glob over `namespace:id` (e.g. `users:*`), in `org` or in
   * every organization. Uses SCAN and batched UNLINK, never KEYS.
   */
  async invalidatePattern(pattern: string, options: { org?: string } = {}): Promise<number> {
    if (pattern.trim() === '') throw new Error('An invalidation pattern must not be empty');
    return this.invalidate({ kind: 'pattern', pattern: this.keys.pattern(options.org, pattern) });
  }

  /** Invalidates everything cached for one organization. */
  async invalidateOrg(org: string): Promise<number> {
    return this.invalidate({ kind: 'org', org });
  }

  /** Deletes every key of this app's prefix (never another app's), everywhere. */
  async clear(): Promise<number> {
    return this.invalidate({ kind: 'all' });
  }

  /** Pages through keys matching a glob over full keys, by SCAN cursor. */
  async scan(pattern: string, cursor = '0', count = 100): Promise<{ keys: string[]; cursor: string }> {
    return this.store.scan(pattern, cursor, count);
  }

  /** Debug view of one full key: ttl, size, tags, encoding. */
  async inspect(fullKey: string): Promise<StoredKeyInfo | undefined> {
    return this.store.inspect(fullKey);
  }

  async health(): Promise<CacheHealth> {
    const state = await this.store.health();
    let status: CacheHealth['status'] = 'healthy';
    if (!this.options.enabled) status = 'down';
    else if (state.fallbackActive || (state.redis !== null && !state.redis.connected)) status = 'degraded';
    return { status, ...state };
  }

  stats(org?: string): CacheMetricsSnapshot {
    return this.metrics.snapshot(org);
  }

  resetStats(): void {
    this.metrics.reset();
  }
}

/**
 * The settled promise an in-process entry's hits answer with, made at its first hit. Weak: it
 * goes with its entry (a new value is a new entry). Its few dozen bytes are within the per-entry
 * overhead the in-process tier accounts (`L1_ENTRY_OVERHEAD_BYTES`).
 */
const settledHits = new WeakMap<CacheEntry, Promise<unknown>>();

function valueOf<T>(lookup: CacheLookup<T>): T {
  return lookup.value;
}

function fresh<T>(entry: CacheEntry | undefined): T | undefined {
  return entry !== undefined && entryState(entry, Date.now()) === 'fresh' ? (entry.value as T) : undefined;
}
