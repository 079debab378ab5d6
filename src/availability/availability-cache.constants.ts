import { DomainTags } from '../common/cache/domain-cache-tags';
import { ttlMsFromEnv } from './cache-ttl';

/** Cache namespaces of this feature (metrics are kept per namespace). */
export const STAFF_NAMESPACE = 'staff';
export const SLOTS_NAMESPACE = 'slots';

/** TTLs from the API contract, each overridable in seconds by its variable. */
export const STAFF_TTL_MS = ttlMsFromEnv('CACHE_TTL_STAFF', 10 * 60_000);
export const SLOTS_TTL_MS = ttlMsFromEnv('CACHE_TTL_SLOTS', 2 * 60_000);
export const AVAILABILITY_CHECK_TTL_MS = ttlMsFromEnv('CACHE_TTL_AVAILABILITY_CHECK', 60_000);

/** Every staff list of the organization. */
export const STAFF_LIST_TAG = 'staff';

/** One staff member's own entry. */
export const staffTag = (staffId: string): string => `staff:${staffId.toLowerCase()}`;

/** Everything computed from a staff member's bookings and hours: slots and availability checks. */
export const slotsTag = (staffId: string): string => `slots:${staffId.toLowerCase()}`;

/** Dashboard figures, which count appointments. */
export const DASHBOARD_TAG = DomainTags.dashboard;

/** The first value of a query parameter as a string ('' when absent), for tags built from requests. */
export function queryParam(query: Readonly<Record<string, unknown>>, name: string): string {
  const value = query[name];
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  return typeof first === 'string' ? first : '';
}
