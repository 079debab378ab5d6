import type { CacheModuleOptions } from './cache-options.interface';
import { resolveCacheOptions } from './cache-options.resolver';

describe(resolveCacheOptions.name, () => {
  const sut = resolveCacheOptions;

  it('applies the defaults', () => {
    expect(sut()).toEqual({
      enabled: true,
      keyPrefix: 'app',
      defaultTtlMs: 300_000,
      ttls: {},
      defaultGraceMs: 0,
      redis: undefined,
      l1: { enabled: true, maxEntries: 10_000, maxBytes: 64 * 1024 * 1024, maxTtlMs: 60_000, maxOrgShare: 0.5 },
      ttlJitter: 0.1,
      compressionThresholdBytes: 16 * 1024,
      maxEntryBytes: 1024 * 1024,
      lock: { ttlMs: 10_000, waitMs: 5_000, waitAfterOutageMs: 1_000 },
      loaderSoftTimeoutMs: undefined,
      earlyRefresh: { beta: 1, minTtlMs: 30_000 },
      circuitBreaker: { failureThreshold: 3, probeIntervalMs: 500, confirmTimeoutMs: 1_000 },
      invalidation: { leaseMs: 1_000, syncIntervalMs: 200, logSize: 10_000, writeTimeoutMs: 1_000 },
      outageJournalSize: 10_000,
      httpPrincipalHeaders: ['Authorization'],
      fleet: { enabled: true, publishIntervalMs: 2_000, instanceTtlMs: 30_000, maxOrgs: 200, maxInstances: 1_000 },
      hotKeys: { sampleEvery: 16, capacity: 64 },
    });
    expect(sut({})).toEqual(sut());
  });

  it('keeps what is given, filling the rest of nested groups with defaults', () => {
    const resolved = sut({
      enabled: false,
      keyPrefix: 'my-app_2',
      defaultTtlMs: 1,
      defaultGraceMs: 5,
      redis: { url: 'redis://localhost:6379' },
      l1: { maxEntries: 5 },
      ttlJitter: 0,
      compressionThresholdBytes: 0,
      lock: { waitMs: 1 },
      loaderSoftTimeoutMs: 250,
      circuitBreaker: { probeIntervalMs: 50 },
      outageJournalSize: 0,
    });
    expect(resolved).toMatchObject({
      enabled: false,
      keyPrefix: 'my-app_2',
      defaultTtlMs: 1,
      defaultGraceMs: 5,
      redis: { url: 'redis://localhost:6379' },
      l1: { enabled: true, maxEntries: 5, maxBytes: 64 * 1024 * 1024 },
      ttlJitter: 0,
      compressionThresholdBytes: 0,
      lock: { ttlMs: 10_000, waitMs: 1 },
      loaderSoftTimeoutMs: 250,
      circuitBreaker: { failureThreshold: 3, probeIntervalMs: 50 },
      outageJournalSize: 0,
    });
  });

  it.each<[string, CacheModuleOptions, string]>([
    ['an empty keyPrefix', { keyPrefix: '' }, 'keyPrefix'],
    ['a keyPrefix with a colon', { keyPrefix: 'a:b' }, 'keyPrefix'],
    ['a keyPrefix with a hash-tag brace', { keyPrefix: 'a{b}' }, 'keyPrefix'],
    ['a keyPrefix over 64 characters', { keyPrefix: 'x'.repeat(65) }, 'keyPrefix'],
    ['a zero defaultTtlMs', { defaultTtlMs: 0 }, 'defaultTtlMs'],
    ['a negative defaultTtlMs', { defaultTtlMs: -1 }, 'defaultTtlMs'],
    ['a NaN defaultTtlMs', { defaultTtlMs: Number.NaN }, 'defaultTtlMs'],
    ['a negative defaultGraceMs', { defaultGraceMs: -1 }, 'defaultGraceMs'],
    ['a NaN defaultGraceMs', { defaultGraceMs: Number.NaN }, 'defaultGraceMs'],
    ['a negative ttlJitter', { ttlJitter: -0.1 }, 'ttlJitter'],
    ['a ttlJitter of 1', { ttlJitter: 1 }, 'ttlJitter'],
    ['a NaN ttlJitter', { ttlJitter: Number.NaN }, 'ttlJitter'],
    ['a zero maxEntryBytes', { maxEntryBytes: 0 }, 'maxEntryBytes'],
    ['a NaN maxEntryBytes', { maxEntryBytes: Number.NaN }, 'maxEntryBytes'],
    ['a zero l1.maxEntries', { l1: { maxEntries: 0 } }, 'l1'],
    ['a negative l1.maxBytes', { l1: { maxBytes: -1 } }, 'l1'],
    ['a NaN l1.maxEntries', { l1: { maxEntries: Number.NaN } }, 'l1'],
    ['a zero l1.maxTtlMs', { l1: { maxTtlMs: 0 } }, 'l1'],
    ['a lease shorter than two syncs', { invalidation: { leaseMs: 300, syncIntervalMs: 200 } }, 'invalidation'],
    ['a zero sync interval', { invalidation: { syncIntervalMs: 0 } }, 'invalidation'],
    ['an invalidation log under 100', { invalidation: { logSize: 10 } }, 'invalidation'],
    ['a zero confirmation timeout', { circuitBreaker: { confirmTimeoutMs: 0 } }, 'circuitBreaker'],
    ['a zero early-refresh beta', { earlyRefresh: { beta: 0 } }, 'earlyRefresh'],
    ['a zero l1.maxOrgShare', { l1: { maxOrgShare: 0 } }, 'l1.maxOrgShare'],
    ['an l1.maxOrgShare over 1', { l1: { maxOrgShare: 1.5 } }, 'l1.maxOrgShare'],
    ['a NaN l1.maxOrgShare', { l1: { maxOrgShare: Number.NaN } }, 'l1.maxOrgShare'],
  ])('rejects %s, naming it', (_name, options, named) => {
    expect(() => sut(options)).toThrow(new RegExp(`^Invalid cache options: .*\\b${named}\\b`));
  });

  it('accepts the edges of the valid ranges', () => {
    expect(() => sut({ keyPrefix: 'x'.repeat(64), defaultGraceMs: 0, ttlJitter: 0.999, maxEntryBytes: 1, l1: { maxOrgShare: 1 } })).not.toThrow();
  });

  it('names every invalid option at once', () => {
    expect(() =>
      sut({ keyPrefix: '', defaultTtlMs: 0, defaultGraceMs: -1, ttlJitter: 2, maxEntryBytes: -1, l1: { maxBytes: 0 } }),
    ).toThrow(/^Invalid cache options: keyPrefix .*; defaultTtlMs .*; defaultGraceMs .*; ttlJitter .*; maxEntryBytes .*; l1 /);
  });

  it('names only the invalid option', () => {
    expect(() => sut({ ttlJitter: 5 })).toThrow('Invalid cache options: ttlJitter must be in [0, 1)');
  });
});
