import {
  CACHE_TIERED_STORE,
  CacheService,
  CacheWarmerService,
  type TieredCacheStore,
  UnknownWarmJobError,
} from '@app/cache';
import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CacheKeyPatternError, checkInvalidationPattern, toFullKeyGlob } from './cache-key-pattern';
import { buildCacheReport } from './cache-report';
import type {
  CacheReportResponse,
  CacheStatsResponse,
  FlushResponse,
  InvalidateResponse,
  KeyInfoResponse,
  KeyPageResponse,
  MaintenanceResponse,
  WarmResponse,
} from './dto/cache-admin.responses';
import type { InvalidateDto } from './dto/invalidate.dto';
import type { ListKeysQueryDto } from './dto/list-keys-query.dto';
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
    @Inject(CACHE_TIERED_STORE) private readonly store: TieredCacheStore,
  ) {}

  health() {
    return this.cache.health();
  }

  async stats(org: string | undefined): Promise<CacheStatsResponse> {
    return { ...this.cache.stats(org), redis: await this.redisInfo() };
  }

  resetStats(): void {
    this.cache.resetStats();
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
    return this.store.maintenance();
  }

  async flush(): Promise<FlushResponse> {
    return { flushed: await this.cache.clear() };
  }

  async report(): Promise<CacheReportResponse> {
    const [health, redisMemory] = await Promise.all([this.cache.health(), this.redisInfo()]);
    const totals = this.cache.stats().totals;
    const report = buildCacheReport({
      enabled: this.cache.enabled,
      served: totals.hits + totals.stale + totals.misses,
      hitRatio: totals.hitRatio,
      p95Ms: totals.p95,
      connectionLost: health.redis !== null && (health.fallbackActive || !health.redis.connected),
      redisMemory,
    });
    return { ...report, generatedAt: new Date().toISOString() };
  }

  /** The Redis server's figures, or null on the in-process store and while Redis is unreachable. */
  private async redisInfo(): Promise<CacheStatsResponse['redis']> {
    const remote = this.store.remote;
    if (remote === undefined || this.store.fallbackActive) return null;
    try {
      return await remote.serverInfo();
    } catch {
      return null;
    }
  }

  private fullKey(publicKey: string): string {
    const { org, namespace, id } = this.parsePublic(publicKey);
    return this.cache.keys.entry(org, namespace, id);
  }

  /** `org:namespace:id` into its parts; ids may hold further colons (`http:…`). Malformed: 400. */
  private parsePublic(publicKey: string): { org: string; namespace: string; id: string } {
    const [org, namespace, ...rest] = publicKey.split(':');
    const id = rest.join(':');
    if (rest.length === 0 || org === '' || namespace === '' || id === '' || publicKey.length > 1024) {
      throw new BadRequestException(['key must be a public cache key, org:namespace:id']);
    }
    try {
      // Refuses organizations and namespaces no key has, and the engine's own `__` names.
      this.cache.keys.entry(org, namespace, id);
    } catch (error) {
      throw new BadRequestException([`key: ${error instanceof Error ? error.message : String(error)}`]);
    }
    return { org, namespace, id };
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
