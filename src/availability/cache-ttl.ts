/**
 * A TTL in ms: `defaultMs`, or the variable `name` in seconds when set (e.g. CACHE_TTL_SLOTS=30).
 * Read when the controllers' modules load, since `@CacheRoute` takes its TTL then, like the
 * users/orders TTLs in common/cache/domain-cache-ttls.ts.
 */
export function ttlMsFromEnv(name: string, defaultMs: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return defaultMs;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new Error(`Invalid configuration: ${name} must be a positive integer (seconds)`);
  }
  return Number(raw) * 1000;
}
