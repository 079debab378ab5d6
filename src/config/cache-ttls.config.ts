import { AVAILABILITY_CACHE_TTLS } from '../availability/availability.cache';
import type { CacheTtlSetting } from '../common/cache/cache-ttl-setting';
import { DASHBOARD_CACHE_TTLS } from '../dashboard/dashboard.cache';
import { DEMO_CACHE_TTLS } from '../demo/demo.cache';
import { ORDERS_CACHE_TTLS } from '../orders/orders.cache';
import { USERS_CACHE_TTLS } from '../users/users.cache';
import type { EnvReader } from './env-reader';

/** Every domain module's configurable TTLs (each module declares its own in `<feature>.cache.ts`). */
export const CACHE_TTL_SETTINGS: readonly CacheTtlSetting[] = [
  ...USERS_CACHE_TTLS,
  ...ORDERS_CACHE_TTLS,
  ...AVAILABILITY_CACHE_TTLS,
  ...DASHBOARD_CACHE_TTLS,
  ...DEMO_CACHE_TTLS,
];

/** The TTLs in ms by name, for the cache module's `ttls`; a bad variable is one more problem of the start-up message. */
export function readCacheTtls(reader: EnvReader, settings: readonly CacheTtlSetting[] = CACHE_TTL_SETTINGS): Record<string, number> {
  const ttls: Record<string, number> = {};
  for (const { name, variable, defaultSeconds } of settings) {
    ttls[name] = reader.integer(variable, defaultSeconds, { min: 1 }, 'a positive integer (seconds)') * 1000;
  }
  return ttls;
}
