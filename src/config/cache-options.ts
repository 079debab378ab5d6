import type { CacheModuleOptions, CacheRedisOptions } from '@app/cache';
import type { ConnectionOptions } from 'node:tls';
import type { AppConfig, RedisConfig } from './app-config.interface';

/** Maps the validated configuration onto `@app/cache` options; `redis` is left out when no Redis is configured. */
export function buildCacheOptions(config: Pick<AppConfig, 'cache' | 'redis' | 'cacheFleet'>): CacheModuleOptions {
  const { cache, cacheFleet } = config;
  const options: CacheModuleOptions = {
    enabled: cache.enabled,
    keyPrefix: cache.keyPrefix,
    defaultTtlMs: cache.defaultTtlSeconds * 1000,
    ttls: cache.ttls,
    l1: { enabled: cache.l1Enabled, maxEntries: cache.l1MaxEntries, maxBytes: cache.l1MaxBytes, maxTtlMs: cache.l1MaxTtlMs, maxOrgShare: cache.l1OrgSharePercent / 100 },
    invalidation: { leaseMs: cache.l1LeaseMs, syncIntervalMs: cache.syncIntervalMs },
    compressionThresholdBytes: cache.compressionThresholdBytes,
    maxEntryBytes: cache.maxEntryBytes,
    fleet: {
      enabled: cacheFleet.enabled,
      publishIntervalMs: cacheFleet.publishIntervalMs,
      instanceTtlMs: cacheFleet.instanceTtlMs,
      maxOrgs: cacheFleet.maxOrgs,
    },
    hotKeys: { sampleEvery: cacheFleet.hotKeySampleEvery },
  };
  return config.redis.configured ? { ...options, redis: buildRedisOptions(config.redis) } : options;
}

function buildRedisOptions(redis: RedisConfig): CacheRedisOptions {
  // Unset values stay undefined, so the library's own defaults (and the URL's parts) apply.
  return {
    url: redis.url,
    host: redis.host,
    port: redis.port,
    username: redis.username,
    password: redis.password,
    db: redis.db,
    tls: buildTls(redis),
    cluster: redis.clusterNodes.length > 0 ? { nodes: redis.clusterNodes } : undefined,
    sentinel:
      redis.sentinels.length > 0 && redis.sentinelName !== undefined
        ? { sentinels: redis.sentinels, name: redis.sentinelName }
        : undefined,
    commandTimeoutMs: redis.commandTimeoutMs,
  };
}

/** A private CA implies TLS; a `rediss://` URL turns TLS on by itself, so `true` is only sent when asked for. */
function buildTls(redis: RedisConfig): boolean | ConnectionOptions | undefined {
  if (redis.tlsCa !== undefined) return { ca: redis.tlsCa };
  return redis.tls ? true : undefined;
}
