import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ResolvedCacheOptions } from '../cache-options.interface';
import { CACHE_METRICS, CACHE_RESOLVED_OPTIONS, CACHE_TIERED_STORE } from '../cache.constants';
import { CacheKeyBuilder } from '../keys/cache-key.builder';
import { isPublicKeyOf } from '../keys/key-layout';
import type { RedisClient } from '../stores/redis-connection.factory';
import type { TieredCacheStore } from '../stores/tiered.store';
import type { CacheMetrics, CacheMetricsExport } from './cache-metrics';
import type { CounterExport } from './counter-set';
import { FleetRedis } from './fleet-redis';
import { iso, markerTime, mergeFleetStats, type FleetStatsSnapshot, type PublishedInstance, type PublishedMeta, type PublishedStats } from './fleet-stats';
import type { HotKey } from './top-keys';
import { describeError, settlesWithin } from '../common/async';

export type { FleetInstance, FleetStatsSnapshot } from './fleet-stats';

/** What `resetFleet` reached. */
export interface FleetResetResult {
  reset: 'fleet' | 'this-instance';
  note?: string;
}

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
  private readonly redis: FleetRedis;

  constructor(
    @Inject(CACHE_RESOLVED_OPTIONS) private readonly options: ResolvedCacheOptions,
    @Inject(CACHE_TIERED_STORE) private readonly store: TieredCacheStore,
    @Inject(CACHE_METRICS) private readonly metrics: CacheMetrics,
    private readonly keys: CacheKeyBuilder,
  ) {
    this.redis = new FleetRedis(keys.prefix, options.fleet);
  }

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
    let published: PublishedInstance[];
    let marker: string | null;
    try {
      [published, marker] = await this.redis.readOthers(client, this.instanceId, org);
    } catch (error) {
      return this.alone(org, `Redis did not answer (${describeError(error)}): this instance only`);
    }
    const own = this.metrics.export(this.options.fleet.maxOrgs, HOT_KEYS_SHOWN);
    const self = { id: this.instanceId, startedAt: this.startedAt, stats: this.publishable(own), orgNamespaces: own.orgs[org ?? '']?.namespaces ?? (org === undefined ? undefined : {}) };
    return mergeFleetStats(self, published, marker, org, HOT_KEYS_SHOWN);
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
      await this.redis.writeMarker(client, marker);
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
      this.applyReset(await this.redis.readMarker(client));
      const exported = this.metrics.export(this.options.fleet.maxOrgs, HOT_KEYS_SHOWN);
      const now = Date.now();
      const meta: PublishedMeta = { id: this.instanceId, startedAt: this.startedAt, publishedAt: now, reset: this.appliedReset ?? null };
      const fields: Record<string, string> = { meta: JSON.stringify(meta), stats: JSON.stringify(this.publishable(exported)) };
      for (const [org, set] of Object.entries(exported.orgs)) fields[`o:${org}`] = JSON.stringify(set.namespaces);
      await this.redis.write(client, this.instanceId, fields, now);
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
    await settlesWithin(this.redis.remove(client, this.instanceId), WITHDRAW_TIMEOUT_MS);
  }
}

