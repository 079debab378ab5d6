import {
  CacheAdministrationService,
  type CacheCounters,
  CacheFleet,
  CacheService,
  CacheWarmerService,
  type HotKey,
  UnknownWarmJobError,
  describeError,
  orgOfPublicKey,
  splitPublicKey,
} from '@app/cache';
import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CacheKeyPatternError, checkInvalidationPattern, toFullKeyGlob } from './cache-key-pattern';
import { buildCacheReport } from './cache-report';
import { appConfig, type AppConfigType } from '../config/app.config';
import type {
  CacheReportResponse,
  CacheStatsResponse,
  FleetResetResponse,
  HotKeyResponse,
  NamedCounters,
  FlushResponse,
  InvalidateResponse,
  KeyInfoResponse,
  KeyPageResponse,
  MaintenanceResponse,
  WarmResponse,
} from './dto/cache-admin.responses';
import type { InvalidateDto } from './dto/invalidate.dto';
import type { ListKeysQueryDto } from './dto/list-keys-query.dto';
import type { StatsScope } from './dto/scope-query.dto';
import { OrgNames } from './org-names';
import type { WarmDto } from './dto/warm.dto';

/**
 * The operator's view of the cache: health, stats, keys, invalidation, warming, housekeeping
 * and a report. Every key an operator sees or names is in public form (`org:namespace:id`);
 * only this app's prefix is ever reached.
 */
@Injectable()
export class CacheAdminService {
  constructor(
    private readonly cache: CacheService,
    private readonly warmer: CacheWarmerService,
    private readonly administration: CacheAdministrationService,
    private readonly fleet: CacheFleet,
    private readonly orgNames: OrgNames,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
  ) {}

  health() {
    return this.cache.health();
  }

  /**
   * This instance's stats, or with `scope=fleet` every live instance's summed (percentiles from
   * the merged histograms), listing the instances; organizations carry their names either way.
   */
  async stats(org: string | undefined, scope: StatsScope = 'instance'): Promise<CacheStatsResponse> {
    const instance = { id: this.fleet.instanceId, startedAt: new Date(this.fleet.startedAt).toISOString() };
    const redis = this.administration.redisServerInfo();
    if (scope === 'fleet') {
      const { source, note, instances, totals, namespaces, orgs, hotKeys } = await this.fleet.stats(org);
      const named = await this.withNames(orgs, hotKeys);
      return { scope, instance, source, ...(note === undefined ? {} : { note }), instances, totals, namespaces, ...named, redis: await redis };
    }
    const { totals, namespaces, orgs } = this.cache.stats(org);
    const named = await this.withNames(orgs, this.fleet.localHotKeys(org));
    return { scope, instance, totals, namespaces, ...named, redis: await redis };
  }

  resetStats(): void {
    this.cache.resetStats();
  }

  /** Resets every instance's stats (through a marker in Redis each one checks), or only this one's without Redis. */
  resetFleetStats(): Promise<FleetResetResponse> {
    return this.fleet.resetFleet();
  }

  async listKeys(query: ListKeysQueryDto): Promise<KeyPageResponse> {
    const glob = badRequestOnPattern(() => toFullKeyGlob(this.cache.keys.prefix, query.pattern));
    const page = await this.cache.scan(glob, query.cursor, query.count);
    return { keys: page.keys.map((key) => this.cache.keys.publicForm(key)), cursor: page.cursor };
  }

  async inspectKey(publicKey: string): Promise<KeyInfoResponse> {
    const info = await this.cache.inspect(this.fullKey(publicKey));
    if (info === undefined) throw new NotFoundException(`No cache key ${publicKey}`);
    return { key: publicKey, ttlMs: info.ttlMs, sizeBytes: info.sizeBytes, encoding: info.encoding, tags: info.tags };
  }

  async deleteKey(publicKey: string): Promise<void> {
    const { org, namespace, id } = this.parsePublic(publicKey);
    const removed = await this.cache.delete(id, { org, namespace });
    if (removed === 0) throw new NotFoundException(`No cache key ${publicKey}`);
  }

  async invalidate(body: InvalidateDto): Promise<InvalidateResponse> {
    if (body.tags === undefined && body.pattern === undefined) {
      throw new BadRequestException(['tags or pattern is required (at least one selector)']);
    }
    const pattern = body.pattern === undefined ? undefined : badRequestOnPattern(() => checkInvalidationPattern(body.pattern!, body.org));
    let invalidated = 0;
    if (body.tags !== undefined) invalidated += await this.cache.invalidateTags(body.tags, { org: body.org });
    if (pattern !== undefined) invalidated += await this.cache.invalidatePattern(pattern, { org: body.org });
    return { invalidated };
  }

  async warm(body: WarmDto): Promise<WarmResponse> {
    try {
      return { jobs: await this.warmer.run({ org: body.org, jobs: body.jobs }, 'manual') };
    } catch (error) {
      if (error instanceof UnknownWarmJobError) throw new BadRequestException([`jobs: ${error.message}`]);
      throw error;
    }
  }

  maintenance(): Promise<MaintenanceResponse> {
    return this.administration.maintenance();
  }

  async flush(): Promise<FlushResponse> {
    return { flushed: await this.cache.clear() };
  }

  /**
   * Alerts and recommendations on this instance's figures, or with `scope=fleet` on the
   * fleet's (summed counters, p95 of the merged histograms); the Redis connection is judged
   * from this instance, the thresholds are the configured ones (CACHE_ALERT_*).
   */
  async report(scope: StatsScope = 'instance'): Promise<CacheReportResponse> {
    const [health, redisMemory, fleet] = await Promise.all([
      this.cache.health(),
      this.administration.redisServerInfo(),
      scope === 'fleet' ? this.fleet.stats() : Promise.resolve(undefined),
    ]);
    const totals = fleet?.totals ?? this.cache.stats().totals;
    const report = buildCacheReport(
      {
        enabled: this.cache.enabled,
        served: totals.hits + totals.stale + totals.misses,
        hitRatio: totals.hitRatio,
        errors: totals.errors,
        p95Ms: totals.p95,
        connectionLost: health.redis !== null && (health.fallbackActive || !health.redis.connected),
        redisMemory,
      },
      this.config.alerts,
    );
    const fleetFields = fleet === undefined ? {} : { source: fleet.source, ...(fleet.note === undefined ? {} : { note: fleet.note }) };
    return { scope, instances: fleet?.instances.length ?? 1, ...fleetFields, ...report, generatedAt: new Date().toISOString() };
  }

  /** Organization names beside the ids, in the orgs table and in the hot keys (`org:namespace:id`). */
  private async withNames(
    orgs: Record<string, CacheCounters>,
    hotKeys: Record<string, HotKey[]>,
  ): Promise<{ orgs: Record<string, NamedCounters>; hotKeys: Record<string, HotKeyResponse[]> }> {
    const ids = new Set(Object.keys(orgs));
    for (const list of Object.values(hotKeys)) for (const { key } of list) ids.add(orgOfPublicKey(key));
    const names = await this.orgNames.of(ids);
    const named: Record<string, NamedCounters> = {};
    for (const [id, counters] of Object.entries(orgs)) named[id] = { ...counters, name: names.get(id) ?? null };
    const hot: Record<string, HotKeyResponse[]> = {};
    for (const [namespace, list] of Object.entries(hotKeys)) hot[namespace] = list.map(({ key, hits }) => ({ key, hits, orgName: names.get(orgOfPublicKey(key)) ?? null }));
    return { orgs: named, hotKeys: hot };
  }

  private fullKey(publicKey: string): string {
    const { org, namespace, id } = this.parsePublic(publicKey);
    return this.cache.keys.entry(org, namespace, id);
  }

  /** `org:namespace:id` into its parts; ids may hold further colons (`http:…`). Malformed: 400. */
  private parsePublic(publicKey: string): { org: string; namespace: string; id: string } {
    const parts = publicKey.length > 1024 ? undefined : splitPublicKey(publicKey);
    if (parts === undefined) throw new BadRequestException(['key must be a public cache key, org:namespace:id']);
    try {
      // Refuses organizations and namespaces no key has, and the engine's own `__` names.
      this.cache.keys.entry(parts.org, parts.namespace, parts.id);
    } catch (error) {
      throw new BadRequestException([`key: ${describeError(error)}`]);
    }
    return parts;
  }
}

function badRequestOnPattern<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof CacheKeyPatternError) throw new BadRequestException([error.message]);
    throw error;
  }
}
