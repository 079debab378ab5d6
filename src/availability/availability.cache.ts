import type { CacheTtlSetting } from '../common/cache/cache-ttl-setting';

/**
 * Caching of staff and availability. Staff answers live in `staff` (one member under
 * `staff:<id>`, lists under `staff`); slots and checks in `slots`, under `slots:<staffId>`:
 * everything computed from a member's bookings and hours. Ids are lower-cased so a tag built
 * from a request names what a write evicts.
 */
export const AvailabilityCache = {
  namespaces: { staff: 'staff', slots: 'slots' },
  tags: {
    staffList: 'staff',
    staff: (staffId: string): string => `staff:${staffId.toLowerCase()}`,
    slots: (staffId: string): string => `slots:${staffId.toLowerCase()}`,
  },
  ttl: { staff: 'availability.staff', slots: 'availability.slots', check: 'availability.check' },
} as const;

/** TTLs from the API contract, each overridable in seconds by its variable. */
export const AVAILABILITY_CACHE_TTLS: readonly CacheTtlSetting[] = [
  { name: AvailabilityCache.ttl.staff, variable: 'CACHE_TTL_STAFF', defaultSeconds: 10 * 60 },
  { name: AvailabilityCache.ttl.slots, variable: 'CACHE_TTL_SLOTS', defaultSeconds: 2 * 60 },
  { name: AvailabilityCache.ttl.check, variable: 'CACHE_TTL_AVAILABILITY_CHECK', defaultSeconds: 60 },
];

/** The first value of a query parameter as a string ('' when absent), for tags built from requests. */
export function queryParam(query: Readonly<Record<string, unknown>>, name: string): string {
  const value = query[name];
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  return typeof first === 'string' ? first : '';
}
