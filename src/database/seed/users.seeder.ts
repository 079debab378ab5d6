import { UsersRepository } from '../../users/users.repository';
import { UsersService } from '../../users/users.service';
import type { Seeder } from './seeder';

const DEMO_USERS = [
  { name: 'Ada Lovelace', role: 'admin' },
  { name: 'Grace Hopper', role: 'member' },
  { name: 'Alan Turing', role: 'member' },
  { name: 'Katherine Johnson', role: 'member' },
  { name: 'Linus Torvalds', role: 'member' },
];

/** Five users per organization, found again by email on a rerun; ids saved as `users:<slug>`. */
export const usersSeeder: Seeder = {
  name: 'users',
  async run(context) {
    const service = context.app.get(UsersService, { strict: false });
    const repository = context.app.get(UsersRepository, { strict: false });
    for (const org of context.orgs) {
      const ids: string[] = [];
      for (const demo of DEMO_USERS) {
        const email = `${demo.name.split(' ')[0].toLowerCase()}@${org.slug}.example.com`;
        const existing = await repository.findByEmail(org.id, email);
        ids.push(existing?.id ?? (await service.create(org.id, { email, name: demo.name, role: demo.role })).id);
      }
      context.ids.set(`users:${org.slug}`, ids);
    }
  },
};
