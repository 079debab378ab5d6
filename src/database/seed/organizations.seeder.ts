import { OrganizationsService } from '../../organizations/organizations.service';
import type { Seeder } from './seeder';

/** The two demo tenants; each run finds them again by name and issues each a new key. */
export const DEMO_ORGS = [
  { slug: 'barbers', name: 'Demo Barbers' },
  { slug: 'bikes', name: 'Demo Bike Shop' },
] as const;

export const organizationsSeeder: Seeder = {
  name: 'organizations',
  async run(context) {
    const orgs = context.app.get(OrganizationsService, { strict: false });
    for (const demo of DEMO_ORGS) {
      const org = await orgs.findOrCreate(demo.name);
      context.orgs.push({ id: org.id, name: org.name, apiKey: org.apiKey, slug: demo.slug });
    }
  },
};
