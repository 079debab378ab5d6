import type { CacheService } from '@app/cache';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import type { User } from './user.entity';
import type { UserFields, UsersRepository } from './users.repository';
import { UsersService } from './users.service';

const ORG = 'org-1';
const ID = '0b7c6b8e-1111-4000-8000-000000000001';

/** Records the order of repository writes and cache evictions. */
function setup(existing: boolean) {
  const events: string[] = [];
  const row = (fields: Partial<UserFields> = {}): User =>
    ({ id: ID, orgId: ORG, email: 'a@b.c', name: 'A', role: 'member', createdAt: new Date(0), updatedAt: new Date(0), ...fields }) as User;
  const users = {
    insert: async (_org: string, fields: UserFields) => (events.push('insert'), row(fields)),
    update: async (_org: string, _id: string, changes: Partial<UserFields>) => (events.push('update'), existing ? row(changes) : null),
    delete: async () => (events.push('delete'), existing),
  } as unknown as UsersRepository;
  const cache = {
    invalidateTags: async (tags: string[], options: { org?: string }) => (events.push(`evict ${tags.join(',')} in ${options.org}`), 1),
  } as unknown as CacheService;
  return { sut: new UsersService(users, cache), events };
}

describe(UsersService.name, () => {
  it('creates with the default role, then evicts the user, the lists and the dashboard of the org', async () => {
    const { sut, events } = setup(true);

    const user = await sut.create(ORG, { email: 'a@b.c', name: 'A' });

    expect(user.role).toBe('member');
    expect(events).toEqual(['insert', `evict user:${ID},users,dashboard in ${ORG}`]);
  });

  it('evicts after an update and a delete, and not when the user is unknown', async () => {
    const found = setup(true);
    await found.sut.update(ORG, ID, { name: 'B' });
    await found.sut.remove(ORG, ID);
    const missing = setup(false);

    await expect(missing.sut.update(ORG, ID, { name: 'B' })).rejects.toThrow(NotFoundException);
    await expect(missing.sut.remove(ORG, ID)).rejects.toThrow(NotFoundException);
    // A rename leaves the dashboard's user counts as they were; a delete does not.
    expect(found.events).toEqual(['update', `evict user:${ID},users in ${ORG}`, 'delete', `evict user:${ID},users,dashboard in ${ORG}`]);
    expect(missing.events).toEqual(['update', 'delete']);
  });

  it('refuses an update that changes nothing', async () => {
    const { sut, events } = setup(true);

    await expect(sut.update(ORG, ID, {})).rejects.toThrow(BadRequestException);
    expect(events).toEqual([]);
  });
});
