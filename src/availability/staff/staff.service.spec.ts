import { startDecoratedProviders, type DecoratedProvidersInstance } from '@app/cache/testing';
import { NotFoundException } from '@nestjs/common';
import type { Staff } from './staff.entity';
import { type StaffFields, StaffRepository } from './staff.repository';
import { StaffService } from './staff.service';

const ORG = 'org-1';
const ID = 'staff-1';

const started: DecoratedProvidersInstance[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((instance) => instance.close()));
});

/** The service with a fake repository; evictions come from its `@CacheEvict`s, wired by CacheModule. */
async function setup() {
  const events: string[] = [];
  const row = (fields: Partial<StaffFields>): Staff =>
    ({ id: ID, orgId: ORG, name: 'Ana', timezone: 'UTC', workingHours: {}, createdAt: new Date(0), updatedAt: new Date(0), ...fields }) as Staff;
  const staff = {
    create: async (_org: string, fields: StaffFields) => (events.push(`create ${fields.timezone}`), row(fields)),
    update: async (org: string, id: string, changes: Partial<StaffFields>) =>
      org === ORG && id === ID ? (events.push(`update ${Object.keys(changes).join(',')}`), row(changes)) : null,
  } as unknown as StaffRepository;
  const instance = await startDecoratedProviders([StaffService, { provide: StaffRepository, useValue: staff }], {}, events);
  started.push(instance);
  return { sut: instance.get(StaffService), events };
}

describe(StaffService.name, () => {
  it('stores the canonical time zone and evicts the lists after creating', async () => {
    const { sut, events } = await setup();

    const created = await sut.create(ORG, { name: 'Ana', timezone: 'europe/paris', workingHours: {} });

    expect(created.timezone).toBe('Europe/Paris');
    expect(events).toEqual(['create Europe/Paris', `evict staff in ${ORG}`]);
  });

  it('evicts the staff member, the lists and their slots after an update', async () => {
    const { sut, events } = await setup();

    await sut.update(ORG, ID, { workingHours: { mon: [['09:00', '10:00']] } });

    expect(events).toEqual(['update workingHours', `evict staff:${ID},staff,slots:${ID} in ${ORG}`]);
  });

  it('evicts nothing when the staff member is unknown in the org', async () => {
    const { sut, events } = await setup();

    await expect(sut.update('org-2', ID, { name: 'x' })).rejects.toThrow(NotFoundException);
    expect(events).toEqual([]);
  });
});
