import { startDecoratedProviders, type DecoratedProvidersInstance } from '@app/cache/testing';
import { NotFoundException } from '@nestjs/common';
import { UsersRepository } from '../users/users.repository';
import type { Order } from './order.entity';
import { type NewOrder, OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

const ORG = 'org-1';
const USER = 'user-1';
const ID = 'order-1';

const started: DecoratedProvidersInstance[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((instance) => instance.close()));
});

/** The service with fake repositories; evictions come from its `@CacheEvict`s, wired by CacheModule. */
async function setup() {
  const events: string[] = [];
  const inserted: NewOrder[] = [];
  const orders = {
    insert: async (_org: string, order: NewOrder) => {
      inserted.push(order);
      events.push('insert');
      return { id: ID, orgId: ORG, status: 'pending', createdAt: new Date(0), updatedAt: new Date(0), ...order } as Order;
    },
  } as unknown as OrdersRepository;
  const users = { findById: async (org: string, id: string) => (org === ORG && id === USER ? { id } : null) } as unknown as UsersRepository;
  const instance = await startDecoratedProviders(
    [OrdersService, { provide: OrdersRepository, useValue: orders }, { provide: UsersRepository, useValue: users }],
    {},
    events,
  );
  started.push(instance);
  return { sut: instance.get(OrdersService), events, inserted };
}

describe(OrdersService.name, () => {
  it('computes the total itself, then evicts the lists and the dashboard (no entry names the new order yet)', async () => {
    const { sut, events, inserted } = await setup();

    const order = await sut.create(ORG, {
      userId: USER,
      currency: 'EUR',
      items: [{ sku: 'A', quantity: 3, unitPriceCents: 199 }, { sku: 'B', quantity: 1, unitPriceCents: 1 }],
    });

    expect(order.totalCents).toBe(598);
    expect(inserted[0].totalCents).toBe(598);
    expect(events).toEqual(['insert', `evict orders,dashboard in ${ORG}`]);
  });

  it('treats a user of another organization as unknown, writing nothing', async () => {
    const { sut, events } = await setup();

    await expect(sut.create('org-2', { userId: USER, currency: 'EUR', items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] })).rejects.toThrow(
      NotFoundException,
    );
    expect(events).toEqual([]);
  });
});
