import { CreateDemoItems1732360000000 } from './1732360000000-create-demo-items';
import { CreateOrganizationsAndApiKeys1732400000000 } from './1732400000000-create-organizations-and-api-keys';
import { CreateUsersAndOrders1732400100000 } from './1732400100000-create-users-and-orders';
import { CreateStaffAndAppointments1732500000000 } from './1732500000000-create-staff-and-appointments';

/**
 * Every migration, oldest first. Listed as classes rather than a glob so the same list works from
 * the TypeScript sources (Jest) and from dist/ (Node), with no path to get wrong.
 */
export const migrations = [
  CreateDemoItems1732360000000,
  CreateOrganizationsAndApiKeys1732400000000,
  CreateUsersAndOrders1732400100000,
  CreateStaffAndAppointments1732500000000,
];
