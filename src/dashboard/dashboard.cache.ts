import type { CacheTtlSetting } from '../common/cache/cache-ttl-setting';

/**
 * Caching of the dashboard: its answers live in `dashboard` under the `dashboard` tag, which
 * every write that changes a figure (users created or deleted, orders, appointments) evicts.
 */
export const DashboardCache = {
  namespace: 'dashboard',
  tags: { dashboard: 'dashboard' },
  ttl: { metrics: 'dashboard.metrics', realtime: 'dashboard.realtime' },
} as const;

/** TTLs from the API contract, each overridable in seconds by its variable. */
export const DASHBOARD_CACHE_TTLS: readonly CacheTtlSetting[] = [
  { name: DashboardCache.ttl.metrics, variable: 'CACHE_TTL_DASHBOARD_METRICS', defaultSeconds: 60 },
  { name: DashboardCache.ttl.realtime, variable: 'CACHE_TTL_DASHBOARD_REALTIME', defaultSeconds: 30 },
];
