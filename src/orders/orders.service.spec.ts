import type { CacheService } from '@app/cache';
import { NotFoundException } from '@nestjs/common';
import type { UsersRepository } from '../users/users.repository';
import type { Order } from './order.entity';
import type { NewOrder, OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

const ORG = 'org-1';
const USER = 'user-1';
const ID = 'order-1';

function setup() {
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
  const cache = {
    invalidateTags: async (tags: string[], options: { org?: string }) => (events.push(`evict ${tags.join(',')} in ${options.org}`), 1),
  } as unknown as CacheService;
  return { sut: new OrdersService(orders, users, cache), events, inserted };
}

describe(OrdersService.name, () => {
  it('computes the total itself, then evicts the order, the lists and the dashboard', async () => {
    const { sut, events, inserted } = setup();

    const order = await sut.create(ORG, {
      userId: USER,
      currency: 'EUR',
      items: [{ sku: 'A', quantity: 3, unitPriceCents: 199 }, { sku: 'B', quantity: 1, unitPriceCents: 1 }],
    });

    expect(order.totalCents).toBe(598);
    expect(inserted[0].totalCents).toBe(598);
    expect(events).toEqual(['insert', `evict order:${ID},orders,dashboard in ${ORG}`]);
  });

  it('treats a user of another organization as unknown, writing nothing', async () => {
    const { sut, events } = setup();

    await expect(sut.create('org-2', { userId: USER, currency: 'EUR', items: [{ sku: 'A', quantity: 1, unitPriceCents: 1 }] })).rejects.toThrow(
      NotFoundException,
    );
    expect(events).toEqual([]);
  });
});
