import { validateAppConfig } from './app-config.validation';
import { buildCacheOptions } from './cache-options';
import type { Env } from './env-reader';

function configFrom(env: Env) {
  return validateAppConfig(env, {
    generateAdminToken: () => 'generated-token-for-tests',
    readFile: () => 'PEM',
  });
}

describe(buildCacheOptions.name, () => {
  it('uses the in-process store only when no Redis is configured', () => {
    const sut = buildCacheOptions(configFrom({}));

    expect(sut).toEqual({
      enabled: true,
      keyPrefix: 'app',
      defaultTtlMs: 300_000,
      ttls: {
        'users.user': 900_000,
        'users.list': 300_000,
        'orders.order': 300_000,
        'orders.list': 120_000,
        'availability.staff': 600_000,
        'availability.slots': 120_000,
        'availability.check': 60_000,
        'dashboard.metrics': 60_000,
        'dashboard.realtime': 30_000,
        'demo.item': 60_000,
      },
      l1: { enabled: true, maxEntries: 10_000, maxBytes: 64 * 1024 * 1024, maxTtlMs: 60_000, maxOrgShare: 0.5 },
      invalidation: { leaseMs: 1_000, syncIntervalMs: 200 },
      compressionThresholdBytes: 16 * 1024,
      maxEntryBytes: 1024 * 1024,
      fleet: { enabled: true, publishIntervalMs: 2_000, instanceTtlMs: 30_000, maxOrgs: 200 },
      hotKeys: { sampleEvery: 16 },
    });
    expect('redis' in sut).toBe(false);
  });

  it('converts seconds to milliseconds and carries the cache settings', () => {
    const sut = buildCacheOptions(
      configFrom({
        CACHE_ENABLED: 'false',
        CACHE_DEFAULT_TTL: '42',
        CACHE_KEY_PREFIX: 'shop',
        CACHE_L1_ENABLED: 'false',
        CACHE_L1_MAX_ENTRIES: '7',
        CACHE_L1_MAX_BYTES: '4096',
        CACHE_L1_MAX_TTL_MS: '3000',
        CACHE_L1_LEASE_MS: '500',
        CACHE_SYNC_INTERVAL_MS: '50',
        CACHE_L1_ORG_SHARE_PERCENT: '100',
        CACHE_COMPRESSION_THRESHOLD_BYTES: '0',
        CACHE_MAX_ENTRY_BYTES: '512',
        CACHE_FLEET_PUBLISH_INTERVAL_MS: '250',
        CACHE_FLEET_INSTANCE_TTL_MS: '1000',
        CACHE_FLEET_MAX_ORGS: '3',
        CACHE_HOT_KEYS_SAMPLE_EVERY: '4',
        CACHE_TTL_USER: '60',
        CACHE_TTL_DASHBOARD_REALTIME: '5',
      }),
    );

    expect(sut).toEqual({
      enabled: false,
      keyPrefix: 'shop',
      defaultTtlMs: 42_000,
      ttls: {
        'users.user': 60_000,
        'users.list': 300_000,
        'orders.order': 300_000,
        'orders.list': 120_000,
        'availability.staff': 600_000,
        'availability.slots': 120_000,
        'availability.check': 60_000,
        'dashboard.metrics': 60_000,
        'dashboard.realtime': 5_000,
        'demo.item': 60_000,
      },
      l1: { enabled: false, maxEntries: 7, maxBytes: 4096, maxTtlMs: 3_000, maxOrgShare: 1 },
      invalidation: { leaseMs: 500, syncIntervalMs: 50 },
      compressionThresholdBytes: 0,
      maxEntryBytes: 512,
      fleet: { enabled: true, publishIntervalMs: 250, instanceTtlMs: 1000, maxOrgs: 3 },
      hotKeys: { sampleEvery: 4 },
    });
  });

  it('passes a Redis URL with the command timeout', () => {
    const sut = buildCacheOptions(configFrom({ REDIS_URL: 'redis://:pw@localhost:6379/1' }));

    expect(sut.redis).toEqual({ url: 'redis://:pw@localhost:6379/1', commandTimeoutMs: 50 });
  });

  it('passes host settings, and TLS with a private CA', () => {
    const sut = buildCacheOptions(
      configFrom({
        REDIS_HOST: 'cache',
        REDIS_PORT: '6380',
        REDIS_USERNAME: 'app',
        REDIS_PASSWORD: 'pw',
        REDIS_DB: '2',
        REDIS_TLS: 'true',
        REDIS_TLS_CA: '/ca.pem',
        REDIS_COMMAND_TIMEOUT_MS: '100',
      }),
    );

    expect(sut.redis).toEqual({
      host: 'cache',
      port: 6380,
      username: 'app',
      password: 'pw',
      db: 2,
      tls: { ca: 'PEM' },
      commandTimeoutMs: 100,
    });
  });

  it('asks for TLS with the system CAs when REDIS_TLS is set without a CA', () => {
    expect(buildCacheOptions(configFrom({ REDIS_HOST: 'cache', REDIS_TLS: 'true' })).redis?.tls).toBe(true);
  });

  it('describes a cluster and a sentinel set', () => {
    const cluster = buildCacheOptions(configFrom({ REDIS_CLUSTER_NODES: 'a:7000,b:7001', REDIS_PASSWORD: 'pw' }));
    const sentinel = buildCacheOptions(configFrom({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'mymaster' }));

    expect(cluster.redis).toEqual({
      password: 'pw',
      cluster: { nodes: [{ host: 'a', port: 7000 }, { host: 'b', port: 7001 }] },
      commandTimeoutMs: 50,
    });
    expect(sentinel.redis).toEqual({
      sentinel: { sentinels: [{ host: 's1', port: 26379 }], name: 'mymaster' },
      commandTimeoutMs: 50,
    });
  });
});
