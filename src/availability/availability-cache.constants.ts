import { DomainTags } from '../common/cache/domain-cache-tags';

/** Cache namespaces of this feature (metrics are kept per namespace). */
export const STAFF_NAMESPACE = 'staff';
export const SLOTS_NAMESPACE = 'slots';

/** TTLs from the API contract. */
export const STAFF_TTL_MS = 10 * 60_000;
export const SLOTS_TTL_MS = 2 * 60_000;
export const AVAILABILITY_CHECK_TTL_MS = 60_000;

/** Every staff list of the organization. */
export const STAFF_LIST_TAG = 'staff';

/** One staff member's own entry. */
export const staffTag = (staffId: string): string => `staff:${staffId}`;

/** Everything computed from a staff member's bookings and hours: slots and availability checks. */
export const slotsTag = (staffId: string): string => `slots:${staffId}`;

/** Dashboard figures, which count appointments. */
export const DASHBOARD_TAG = DomainTags.dashboard;
