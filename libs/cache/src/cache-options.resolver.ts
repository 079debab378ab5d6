import type { CacheModuleOptions, ResolvedCacheOptions } from './cache-options.interface';

const KEY_PREFIX_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Applies defaults and rejects options that would make the engine misbehave. */
export function resolveCacheOptions(options: CacheModuleOptions = {}): ResolvedCacheOptions {
  const resolved: ResolvedCacheOptions = {
    enabled: options.enabled ?? true,
    keyPrefix: options.keyPrefix ?? 'app',
    defaultTtlMs: options.defaultTtlMs ?? 300_000,
    ttls: { ...options.ttls },
    defaultGraceMs: options.defaultGraceMs ?? 0,
    redis: options.redis,
    l1: {
      enabled: options.l1?.enabled ?? true,
      maxEntries: options.l1?.maxEntries ?? 10_000,
      maxBytes: options.l1?.maxBytes ?? 64 * 1024 * 1024,
      maxTtlMs: options.l1?.maxTtlMs ?? 60_000,
      maxOrgShare: options.l1?.maxOrgShare ?? 0.5,
    },
    ttlJitter: options.ttlJitter ?? 0.1,
    compressionThresholdBytes: options.compressionThresholdBytes ?? 16 * 1024,
    maxEntryBytes: options.maxEntryBytes ?? 1024 * 1024,
    lock: {
      ttlMs: options.lock?.ttlMs ?? 10_000,
      waitMs: options.lock?.waitMs ?? 5_000,
      waitAfterOutageMs: Math.min(options.lock?.waitAfterOutageMs ?? 1_000, options.lock?.waitMs ?? 5_000),
    },
    loaderSoftTimeoutMs: options.loaderSoftTimeoutMs,
    earlyRefresh: { beta: options.earlyRefresh?.beta ?? 1, minTtlMs: options.earlyRefresh?.minTtlMs ?? 30_000 },
    circuitBreaker: {
      failureThreshold: options.circuitBreaker?.failureThreshold ?? 3,
      probeIntervalMs: options.circuitBreaker?.probeIntervalMs ?? 500,
      confirmTimeoutMs: options.circuitBreaker?.confirmTimeoutMs ?? 1_000,
    },
    invalidation: {
      leaseMs: options.invalidation?.leaseMs ?? 1_000,
      syncIntervalMs: options.invalidation?.syncIntervalMs ?? 200,
      logSize: options.invalidation?.logSize ?? 10_000,
      writeTimeoutMs: options.invalidation?.writeTimeoutMs ?? 1_000,
    },
    outageJournalSize: options.outageJournalSize ?? 10_000,
    httpPrincipalHeaders: options.httpPrincipalHeaders ?? ['Authorization'],
    fleet: {
      enabled: options.fleet?.enabled ?? true,
      publishIntervalMs: options.fleet?.publishIntervalMs ?? 2_000,
      instanceTtlMs: options.fleet?.instanceTtlMs ?? 30_000,
      maxOrgs: options.fleet?.maxOrgs ?? 200,
      maxInstances: options.fleet?.maxInstances ?? 1_000,
    },
    hotKeys: { sampleEvery: options.hotKeys?.sampleEvery ?? 16, capacity: options.hotKeys?.capacity ?? 64 },
  };
  const problems: string[] = [];
  // Written as `!(x >= 0)`, not `x < 0`: NaN (e.g. a malformed number from the environment) fails every comparison.
  if (!KEY_PREFIX_RE.test(resolved.keyPrefix)) problems.push('keyPrefix must match [A-Za-z0-9_-]{1,64}');
  if (!(resolved.defaultTtlMs > 0)) problems.push('defaultTtlMs must be positive');
  const badTtls = Object.entries(resolved.ttls).filter(([, ms]) => !(Number.isFinite(ms) && ms > 0)).map(([name]) => name);
  if (badTtls.length > 0) problems.push(`ttls must be positive (${badTtls.join(', ')})`);
  if (!(resolved.defaultGraceMs >= 0)) problems.push('defaultGraceMs must not be negative');
  if (!(resolved.ttlJitter >= 0 && resolved.ttlJitter < 1)) problems.push('ttlJitter must be in [0, 1)');
  if (!(resolved.maxEntryBytes > 0)) problems.push('maxEntryBytes must be positive');
  if (!(resolved.l1.maxEntries > 0 && resolved.l1.maxBytes > 0 && resolved.l1.maxTtlMs > 0)) problems.push('l1 bounds must be positive');
  const { leaseMs, syncIntervalMs, logSize, writeTimeoutMs } = resolved.invalidation;
  if (!(syncIntervalMs > 0 && leaseMs >= 2 * syncIntervalMs)) problems.push('invalidation.leaseMs must be at least twice invalidation.syncIntervalMs (> 0)');
  if (!(logSize >= 100 && writeTimeoutMs > 0)) problems.push('invalidation.logSize must be at least 100 and writeTimeoutMs positive');
  if (!(resolved.circuitBreaker.confirmTimeoutMs > 0)) problems.push('circuitBreaker.confirmTimeoutMs must be positive');
  if (!(resolved.earlyRefresh.beta > 0 && resolved.earlyRefresh.minTtlMs >= 0)) problems.push('earlyRefresh.beta must be positive and minTtlMs not negative');
  const { fleet } = resolved;
  if (!(fleet.publishIntervalMs >= 50)) problems.push('fleet.publishIntervalMs must be at least 50');
  if (!(fleet.instanceTtlMs >= 2 * fleet.publishIntervalMs)) problems.push('fleet.instanceTtlMs must be at least twice fleet.publishIntervalMs');
  if (!(fleet.maxOrgs >= 0 && fleet.maxInstances >= 1)) problems.push('fleet bounds must be positive');
  if (!(resolved.hotKeys.sampleEvery >= 1 && resolved.hotKeys.capacity >= 1)) problems.push('hotKeys.sampleEvery and hotKeys.capacity must be at least 1');
  if (!(resolved.l1.maxOrgShare > 0 && resolved.l1.maxOrgShare <= 1)) problems.push('l1.maxOrgShare must be in (0, 1]');
  if (problems.length > 0) throw new Error(`Invalid cache options: ${problems.join('; ')}`);
  return resolved;
}
