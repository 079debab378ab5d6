import { Inject, Injectable } from '@nestjs/common';
import { CACHE_TIERED_STORE } from './cache.constants';
import type { CacheMaintenanceReport, TieredCacheStore } from './stores/tiered.store';

/** Memory figures and key count of the app's Redis (summed over Cluster masters). */
export interface RedisServerInfo {
  keys: number;
  usedMemoryBytes: number;
  maxMemoryBytes: number;
}

/**
 * What an operator's tooling needs from the engine beyond `CacheService`: housekeeping and the
 * Redis server's figures. It delegates to the store, so an app never injects the store itself.
 *
 * @example
 * const report = await administration.maintenance(); // { store: 'redis', expiredLocalEntries: 3, … }
 */
@Injectable()
export class CacheAdministrationService {
  constructor(@Inject(CACHE_TIERED_STORE) private readonly store: TieredCacheStore) {}

  /**
   * Purges expired in-process entries and, on Redis, tag-set members whose entries have
   * expired; only the in-process store while Redis is unreachable.
   */
  maintenance(): Promise<CacheMaintenanceReport> {
    return this.store.maintenance();
  }

  /** The Redis server's figures; null on the in-process store, while Redis is unreachable, or when INFO fails. */
  async redisServerInfo(): Promise<RedisServerInfo | null> {
    const remote = this.store.remote;
    if (remote === undefined || this.store.fallbackActive) return null;
    try {
      return await remote.serverInfo();
    } catch {
      return null;
    }
  }
}
