import { startDecoratedProviders, type DecoratedProvidersInstance } from '@app/cache/testing';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import type { User } from './user.entity';
import { type UserFields, UsersRepository } from './users.repository';
import { UsersService } from './users.service';

const ORG = 'org-1';
const ID = '0b7c6b8e-1111-4000-8000-000000000001';

const started: DecoratedProvidersInstance[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((instance) => instance.close()));
});

/** Records the order of repository writes and the evictions of the service's `@CacheEvict`s (wired by CacheModule). */
async function setup(existing: boolean) {
  const events: string[] = [];
  const row = (fields: Partial<UserFields> = {}): User =>
    ({ id: ID, orgId: ORG, email: 'a@b.c', name: 'A', role: 'member', createdAt: new Date(0), updatedAt: new Date(0), ...fields }) as User;
  const users = {
    insert: async (_org: string, fields: UserFields) => (events.push('insert'), row(fields)),
    update: async (_org: string, _id: string, changes: Partial<UserFields>) => (events.push('update'), existing ? row(changes) : null),
    delete: async () => (events.push('delete'), existing),
  } as unknown as UsersRepository;
  const instance = await startDecoratedProviders([UsersService, { provide: UsersRepository, useValue: users }], {}, events);
  started.push(instance);
  return { sut: instance.get(UsersService), events };
}

describe(UsersService.name, () => {
  it('creates with the default role, then evicts the lists and the dashboard of the org (no entry names the new user yet)', async () => {
    const { sut, events } = await setup(true);

    const user = await sut.create(ORG, { email: 'a@b.c', name: 'A' });

    expect(user.role).toBe('member');
    expect(events).toEqual(['insert', `evict users,dashboard in ${ORG}`]);
  });

  it('evicts after an update and a delete, and not when the user is unknown', async () => {
    const found = await setup(true);
    await found.sut.update(ORG, ID, { name: 'B' });
    await found.sut.remove(ORG, ID);
    const missing = await setup(false);

    await expect(missing.sut.update(ORG, ID, { name: 'B' })).rejects.toThrow(NotFoundException);
    await expect(missing.sut.remove(ORG, ID)).rejects.toThrow(NotFoundException);
    // A rename leaves the dashboard's user counts as they were; a delete does not.
    expect(found.events).toEqual(['update', `evict user:${ID},users in ${ORG}`, 'delete', `evict user:${ID},users,dashboard in ${ORG}`]);
    expect(missing.events).toEqual(['update', 'delete']);
  });

  it('refuses an update that changes nothing', async () => {
    const { sut, events } = await setup(true);

    await expect(sut.update(ORG, ID, {})).rejects.toThrow(BadRequestException);
    expect(events).toEqual([]);
  });
});
