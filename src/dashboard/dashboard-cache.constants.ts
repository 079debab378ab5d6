import { ttlMsFromEnv } from '../availability/cache-ttl';
import { DomainTags } from '../common/cache/domain-cache-tags';

export const DASHBOARD_NAMESPACE = 'dashboard';

/** Every dashboard answer: user, order and appointment writes evict it within their org. */
export const DASHBOARD_TAG = DomainTags.dashboard;

/** TTLs from the API contract, each overridable in seconds by its variable. */
export const METRICS_TTL_MS = ttlMsFromEnv('CACHE_TTL_DASHBOARD_METRICS', 60_000);
export const REALTIME_TTL_MS = ttlMsFromEnv('CACHE_TTL_DASHBOARD_REALTIME', 30_000);
