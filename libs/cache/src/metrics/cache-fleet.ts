import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ResolvedCacheOptions } from '../cache-options.interface';
import { CACHE_METRICS, CACHE_RESOLVED_OPTIONS, CACHE_TIERED_STORE } from '../cache.constants';
import { CacheKeyBuilder } from '../keys/cache-key.builder';
import { fleetKeys, isPublicKeyOf, type FleetKeys } from '../keys/key-layout';
import type { RedisClient } from '../stores/redis-connection.factory';
import type { TieredCacheStore } from '../stores/tiered.store';
import { type CacheCounters, type CacheMetrics, type CacheMetricsExport, type CacheMetricsSnapshot, type CounterExport, sumCounters } from './cache-metrics';
import type { HotKey } from './top-keys';
import { describeError, settlesWithin } from '../common/async';

/** One live instance of the fleet, as `GET /cache/stats?scope=fleet` lists it. */
export interface FleetInstance {
  id: string;
  startedAt: string;
  /** When it last published (this instance: now). */
  lastSeenAt: string;
  totals: CacheCounters;
  /** The instance that answered. */
  self: boolean;
}

/** Stats summed over every live instance (or this one alone, `source` says which). */
export interface FleetStatsSnapshot extends CacheMetricsSnapshot {
  /** `redis`: every instance that published within the silence window; `this-instance`: Redis is absent or unreachable. */
  source: 'redis' | 'this-instance';
  /** Why the fleet is this instance alone (absent when `source` is `redis`). */
  note?: string;
  instances: FleetInstance[];
  /** Per namespace, the most read keys in public form (`org:namespace:id`), estimated hits summed over the instances. */
  hotKeys: Record<string, HotKey[]>;
}

/** What `resetFleet` reached. */
export interface FleetResetResult {
  reset: 'fleet' | 'this-instance';
  note?: string;
}

/** What one instance publishes in its hash (`meta` and `stats`; `o:<org>` holds that org's namespaces). */
interface PublishedMeta {
  id: string;
  startedAt: number;
  publishedAt: number;
  /** The fleet reset this instance's counters date from (null before it first read one). */
  reset: string | null;
}

interface PublishedStats {
  totals: CounterExport;
  namespaces: Record<string, CounterExport>;
  orgs: Record<string, CounterExport>;
  hotKeys: Record<string, HotKey[]>;
}

/** How long a fleet reset marker is kept, so an instance that missed it (Redis was away) still resets later. */
const RESET_MARKER_TTL_MS = 7 * 24 * 3_600_000;
const HOT_KEYS_SHOWN = 10;
const FAILURE_LOG_INTERVAL_MS = 60_000;
const WITHDRAW_TIMEOUT_MS = 1_000;

/**
 * The fleet view of the cache's stats. Every instance publishes its counters and latency
 * histograms to Redis on a timer (never per request): one hash per instance, replaced each
 * time and expiring `instanceTtlMs` after its last publish, so an instance that stops (or
 * crashes) drops out by itself, plus a sorted set of instance ids bounded to `maxInstances`
 * and pruned of silent ones. All keys share the `{__fleet}` hash tag (one Cluster slot) and
 * are internal (`__`), so key listings never show them.
 *
 * Any instance answers for the fleet: counters are summed and histograms merged bucket by
 * bucket, so percentiles come from the merged histogram. A fleet reset writes a marker (time
 * and id) that every instance reads at each publish: one that differs from the last it applied
 * resets its counters, however long it was away. Until an instance has published under the
 * current marker its counters are read as zeros. Without Redis, or while it is unreachable,
 * the fleet is this instance and the answer says so.
 */
@Injectable()
export class CacheFleet implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('CacheFleet');
  readonly startedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private appliedReset: string | null | undefined;
  private lastFailureLog = 0;
  private stopped = false;
  private keysOfFleet: FleetKeys | undefined;

  constructor(
    @Inject(CACHE_RESOLVED_OPTIONS) private readonly options: ResolvedCacheOptions,
    @Inject(CACHE_TIERED_STORE) private readonly store: TieredCacheStore,
    @Inject(CACHE_METRICS) private readonly metrics: CacheMetrics,
    private readonly keys: CacheKeyBuilder,
  ) {}

  /** This instance's id (the tiered store's, also used by the invalidation bus). */
  get instanceId(): string {
    return this.store.instanceId;
  }

  /** Whether this instance publishes (Redis configured, caching and the fleet enabled). */
  get publishing(): boolean {
    return this.options.enabled && this.options.fleet.enabled && this.store.remote !== undefined && !this.stopped;
  }

  onApplicationBootstrap(): void {
    if (!this.publishing) return;
    this.timer = setInterval(() => void this.publishNow(), this.options.fleet.publishIntervalMs);
    this.timer.unref();
    void this.publishNow();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
    await this.withdraw();
  }

  /** Stops publishing (at shutdown; a test uses it to make an instance fall silent). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * Reads the reset marker (applying a fleet reset this instance has not seen yet), then
   * replaces this instance's published stats. Skipped while Redis is unusable; a failure is
   * logged (at most once a minute) and the next tick tries again.
   */
  publishNow(): Promise<void> {
    if (this.running !== undefined) return this.running;
    const run = this.publish().finally(() => {
      this.running = undefined;
    });
    this.running = run;
    return run;
  }

  /** Stats summed over every live instance; with `org`, its totals and namespaces only. */
  async stats(org?: string): Promise<FleetStatsSnapshot> {
    const client = this.client();
    if (client === undefined) return this.alone(org, this.whyAlone());
    let published: { meta: PublishedMeta; stats: PublishedStats; orgNamespaces: Record<string, CounterExport> | undefined }[];
    let marker: string | null;
    try {
      [published, marker] = await this.readOthers(client, org);
    } catch (error) {
      return this.alone(org, `Redis did not answer (${describeError(error)}): this instance only`);
    }
    const own = this.metrics.export(this.options.fleet.maxOrgs, HOT_KEYS_SHOWN);
    const now = Date.now();
    const instances: FleetInstance[] = [];
    const totals: (CounterExport | undefined)[] = [];
    const namespaces = new Map<string, (CounterExport | undefined)[]>();
    const orgs = new Map<string, (CounterExport | undefined)[]>();
    const hot = new Map<string, Map<string, number>>();
    const add = (entry: { id: string; startedAt: number; seenAt: number; self: boolean; stats: PublishedStats; orgNamespaces: Record<string, CounterExport> | undefined }) => {
      const counted = org === undefined ? entry.stats.totals : entry.stats.orgs?.[org];
      instances.push({ id: entry.id, startedAt: iso(entry.startedAt), lastSeenAt: iso(entry.seenAt), totals: sumCounters([counted]), self: entry.self });
      totals.push(counted);
      const nsSource = org === undefined ? entry.stats.namespaces : entry.orgNamespaces;
      for (const [name, set] of Object.entries(nsSource ?? {})) push(namespaces, name, set);
      for (const [name, set] of Object.entries(entry.stats.orgs ?? {})) if (org === undefined || name === org) push(orgs, name, set);
      for (const [namespace, list] of Object.entries(entry.stats.hotKeys ?? {})) {
        if (!Array.isArray(list)) continue;
        let keys = hot.get(namespace);
        if (keys === undefined) hot.set(namespace, (keys = new Map()));
        for (const item of list) {
          if (typeof item?.key !== 'string' || !Number.isFinite(item.hits)) continue;
          if (org !== undefined && !isPublicKeyOf(item.key, org)) continue;
          keys.set(item.key, (keys.get(item.key) ?? 0) + item.hits);
        }
      }
    };
    add({ id: this.instanceId, startedAt: this.startedAt, seenAt: now, self: true, stats: this.publishable(own), orgNamespaces: own.orgs[org ?? '']?.namespaces ?? (org === undefined ? undefined : {}) });
    for (const entry of published) {
      // Published before the current fleet reset reached it: its counters are from before the reset.
      const current = marker === null || entry.meta.reset === marker;
      add({
        id: entry.meta.id,
        startedAt: entry.meta.startedAt,
        seenAt: entry.meta.publishedAt,
        self: false,
        stats: current ? entry.stats : { totals: emptyExport(), namespaces: {}, orgs: {}, hotKeys: {} },
        orgNamespaces: current ? entry.orgNamespaces : undefined,
      });
    }
    instances.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.id < b.id ? -1 : 1));
    const hotKeys: Record<string, HotKey[]> = {};
    for (const [namespace, keys] of hot) {
      const top = [...keys].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, HOT_KEYS_SHOWN);
      if (top.length > 0) hotKeys[namespace] = top.map(([key, hits]) => ({ key, hits }));
    }
    return {
      source: 'redis',
      totals: sumCounters(totals),
      namespaces: mapValues(namespaces, sumCounters),
      orgs: mapValues(orgs, sumCounters),
      instances,
      hotKeys,
    };
  }

  /**
   * Resets every instance: writes a new reset marker, resets this instance at once and
   * republishes; the others reset at their next publish (and their old counters read as zeros
   * until then). Without a usable Redis only this instance is reset, and the answer says so.
   */
  async resetFleet(): Promise<FleetResetResult> {
    const client = this.client();
    if (client === undefined) {
      this.metrics.reset();
      return { reset: 'this-instance', note: this.whyAlone() };
    }
    await this.running; // a publish under way must not apply the old marker after this one
    const marker = `${Date.now()}-${randomUUID()}`;
    try {
      await client.set(this.resetKey, marker, 'PX', RESET_MARKER_TTL_MS);
    } catch (error) {
      this.metrics.reset();
      return { reset: 'this-instance', note: `Redis did not answer (${describeError(error)}): only this instance was reset` };
    }
    this.appliedReset = marker;
    this.metrics.reset();
    await this.publishNow();
    return { reset: 'fleet' };
  }

  /** Hot keys of this instance in public form. */
  localHotKeys(org?: string): Record<string, HotKey[]> {
    return this.publicHotKeys(this.metrics.topKeys(HOT_KEYS_SHOWN), org);
  }

  /** The fleet's keys: one hash tag for every fleet key, and internal (`__`) names. */
  private get fleetKeys(): FleetKeys {
    return (this.keysOfFleet ??= fleetKeys(this.keys.prefix));
  }

  private get instancesKey(): string {
    return this.fleetKeys.instances;
  }

  private get resetKey(): string {
    return this.fleetKeys.reset;
  }

  private instanceKey(id: string): string {
    return this.fleetKeys.instance(id);
  }

  /** The Redis connection for fleet work, or undefined when there is none or it is unusable right now. */
  private client(): RedisClient | undefined {
    if (!this.options.enabled || !this.options.fleet.enabled) return undefined;
    const remote = this.store.remote;
    if (remote === undefined || this.store.fallbackActive) return undefined;
    return remote.bulkClient;
  }

  private whyAlone(): string {
    if (!this.options.enabled) return 'Caching is disabled: the fleet is this instance';
    if (!this.options.fleet.enabled) return 'Fleet stats are turned off: this instance only';
    if (this.store.remote === undefined) return 'No Redis: the fleet is this instance';
    return 'Redis is unreachable (serving from the in-process fallback): this instance only';
  }

  private async publish(): Promise<void> {
    if (this.stopped) return;
    const client = this.client();
    if (client === undefined) return;
    try {
      this.applyReset(await client.get(this.resetKey));
      const exported = this.metrics.export(this.options.fleet.maxOrgs, HOT_KEYS_SHOWN);
      const now = Date.now();
      const meta: PublishedMeta = { id: this.instanceId, startedAt: this.startedAt, publishedAt: now, reset: this.appliedReset ?? null };
      const fields: Record<string, string> = { meta: JSON.stringify(meta), stats: JSON.stringify(this.publishable(exported)) };
      for (const [org, set] of Object.entries(exported.orgs)) fields[`o:${org}`] = JSON.stringify(set.namespaces);
      const key = this.instanceKey(this.instanceId);
      const { instanceTtlMs, maxInstances } = this.options.fleet;
      const results = await client
        .multi()
        .del(key)
        .hset(key, fields)
        .pexpire(key, instanceTtlMs)
        .zadd(this.instancesKey, now, this.instanceId)
        .zremrangebyscore(this.instancesKey, '-inf', now - instanceTtlMs)
        .zremrangebyrank(this.instancesKey, 0, -(maxInstances + 1))
        .pexpire(this.instancesKey, instanceTtlMs)
        .exec();
      const failed = results?.find(([error]) => error !== null)?.[0];
      if (results === null || failed) throw failed ?? new Error('transaction aborted');
    } catch (error) {
      if (Date.now() - this.lastFailureLog >= FAILURE_LOG_INTERVAL_MS) {
        this.lastFailureLog = Date.now();
        this.logger.warn(`Fleet stats not published (${describeError(error)}); retrying every ${this.options.fleet.publishIntervalMs} ms`);
      }
    }
  }

  /**
   * Applies a fleet reset this instance has not applied yet. The first marker it reads counts
   * only if it was written after this instance started (its counters all date from after an
   * older one). A missing marker (never reset, or flushed with the cache) changes nothing.
   */
  private applyReset(marker: string | null): void {
    if (marker === null || marker === this.appliedReset) return;
    const first = this.appliedReset === undefined || this.appliedReset === null;
    if (!first && markerTime(marker) < markerTime(this.appliedReset!)) return; // an older marker read late

    this.appliedReset = marker;
    if (!first || markerTime(marker) >= this.startedAt) this.metrics.reset();
  }

  /** The other live instances' published stats (those whose hash has not expired), and the current reset marker. */
  private async readOthers(
    client: RedisClient,
    org: string | undefined,
  ): Promise<[{ meta: PublishedMeta; stats: PublishedStats; orgNamespaces: Record<string, CounterExport> | undefined }[], string | null]> {
    const [ids, marker] = await Promise.all([client.zrange(this.instancesKey, -this.options.fleet.maxInstances, '-1'), client.get(this.resetKey)]);
    const others = ids.filter((id) => id !== this.instanceId);
    if (others.length === 0) return [[], marker];
    const fields = org === undefined ? ['meta', 'stats'] : ['meta', 'stats', `o:${org}`];
    const pipeline = client.pipeline();
    for (const id of others) pipeline.hmget(this.instanceKey(id), ...fields);
    const replies = (await pipeline.exec()) ?? [];
    const published = [];
    for (const [error, values] of replies) {
      if (error !== null || !Array.isArray(values)) continue;
      const [metaText, statsText, orgText] = values as (string | null)[];
      const meta = parse<PublishedMeta>(metaText);
      const stats = parse<PublishedStats>(statsText);
      if (meta === undefined || stats === undefined || typeof meta.id !== 'string') continue; // expired: silent too long
      published.push({ meta, stats, orgNamespaces: parse<Record<string, CounterExport>>(orgText ?? null) });
    }
    return [published, marker];
  }

  /** The fleet of one: this instance's own stats, saying why. */
  private alone(org: string | undefined, note: string): FleetStatsSnapshot {
    const snapshot = this.metrics.snapshot(org);
    const now = new Date().toISOString();
    return {
      source: 'this-instance',
      note,
      ...snapshot,
      instances: [{ id: this.instanceId, startedAt: iso(this.startedAt), lastSeenAt: now, totals: snapshot.totals, self: true }],
      hotKeys: this.localHotKeys(org),
    };
  }

  /** An export as published: organizations' totals only (their namespaces go to `o:<org>` fields), hot keys in public form. */
  private publishable(exported: CacheMetricsExport): PublishedStats {
    const orgs: Record<string, CounterExport> = {};
    for (const [org, set] of Object.entries(exported.orgs)) orgs[org] = set.totals;
    return { totals: exported.totals, namespaces: exported.namespaces, orgs, hotKeys: this.publicHotKeys(exported.hotKeys) };
  }

  private publicHotKeys(hotKeys: Record<string, HotKey[]>, org?: string): Record<string, HotKey[]> {
    const result: Record<string, HotKey[]> = {};
    for (const [namespace, list] of Object.entries(hotKeys)) {
      const shown: HotKey[] = [];
      for (const { key, hits } of list) {
        let publicKey: string;
        try {
          publicKey = this.keys.publicForm(key);
        } catch {
          continue;
        }
        if (org === undefined || isPublicKeyOf(publicKey, org)) shown.push({ key: publicKey, hits });
      }
      if (shown.length > 0) result[namespace] = shown;
    }
    return result;
  }

  /** Removes this instance's published stats at shutdown, so it leaves the fleet at once. */
  private async withdraw(): Promise<void> {
    const client = this.client();
    if (client === undefined) return;
    const removal = client.multi().del(this.instanceKey(this.instanceId)).zrem(this.instancesKey, this.instanceId).exec();
    await settlesWithin(removal, WITHDRAW_TIMEOUT_MS);
  }
}

/** The time a reset marker (`<ms>-<uuid>`) was written; 0 when malformed. */
function markerTime(marker: string): number {
  const ms = Number(marker.split('-')[0]);
  return Number.isFinite(ms) ? ms : 0;
}

function push<T>(map: Map<string, T[]>, name: string, value: T): void {
  const list = map.get(name);
  if (list === undefined) map.set(name, [value]);
  else list.push(value);
}

function mapValues<T, U>(map: Map<string, T>, fn: (value: T) => U): Record<string, U> {
  const result: Record<string, U> = {};
  for (const [name, value] of map) result[name] = fn(value);
  return result;
}

function emptyExport(): CounterExport {
  return { hits: 0, misses: 0, stale: 0, loads: 0, coalesced: 0, errors: 0, latency: [] };
}

function parse<T>(text: string | null): T | undefined {
  if (text === null) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

function iso(ms: number): string {
  return new Date(Number.isFinite(ms) ? ms : 0).toISOString();
}

