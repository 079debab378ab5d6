import type { MemoryCacheStore } from './memory.store';
import type { RedisConnections } from './redis-connection.factory';
import type { RemoteTier } from './remote-tier';
import type { CacheMaintenanceReport, TieredStoreHealth } from './tiered-store.types';

/**
 * The tiered store's state for health checks. The ping runs on the bulk connection with a
 * generous bound, and is not charged to the breaker: a health check must not call a busy
 * moment of this process an outage.
 */
export async function tieredStoreHealth(tier: RemoteTier | undefined, connections: RedisConnections | undefined): Promise<TieredStoreHealth> {
  if (tier === undefined || connections === undefined) return { store: 'memory', fallbackActive: false, redis: null };
  const latencyMs = await tier.latencyMs();
  return {
    store: 'redis',
    fallbackActive: !tier.usable,
    redis: { connected: latencyMs !== null, latencyMs: latencyMs === null ? null : Math.round(latencyMs * 1000) / 1000, mode: connections.mode },
  };
}

/**
 * Housekeeping an operator can run at any time: expired in-process entries are purged, and
 * on Redis, tag-set members whose entries have expired are removed.
 */
export async function maintainTieredStore(local: MemoryCacheStore, tier: RemoteTier | undefined): Promise<CacheMaintenanceReport> {
  const expiredLocalEntries = local.purgeExpired();
  if (tier === undefined || !tier.usable) return { store: tier === undefined ? 'memory' : 'fallback', expiredLocalEntries, tagSetsScanned: 0, deadTagMembers: 0 };
  const pruned = await tier.call((remote) => remote.pruneTagSets());
  return { store: 'redis', expiredLocalEntries, tagSetsScanned: pruned.tagSets, deadTagMembers: pruned.deadMembers };
}
