import { OrdersRepository } from '../../orders/orders.repository';
import { OrdersService } from '../../orders/orders.service';
import { ORDER_STATUSES } from '../../orders/order-status';
import type { Seeder } from './seeder';

const CATALOGUE = [
  { sku: 'CUT-CLASSIC', unitPriceCents: 2500 },
  { sku: 'BEARD-TRIM', unitPriceCents: 1500 },
  { sku: 'POMADE-100ML', unitPriceCents: 1299 },
  { sku: 'GIFT-CARD', unitPriceCents: 5000 },
];

/** Orders for each seeded user who has none yet, in every status, so lists and filters show something. */
export const ordersSeeder: Seeder = {
  name: 'orders',
  async run(context) {
    const service = context.app.get(OrdersService, { strict: false });
    const repository = context.app.get(OrdersRepository, { strict: false });
    let created = 0;
    for (const org of context.orgs) {
      const users = context.ids.get(`users:${org.slug}`) ?? [];
      for (const [index, userId] of users.entries()) {
        if ((await repository.countForUser(org.id, userId)) > 0) continue;
        for (let n = 0; n < 3; n++) {
          const product = CATALOGUE[(index + n) % CATALOGUE.length];
          const order = await service.create(org.id, { userId, currency: 'EUR', items: [{ ...product, quantity: n + 1 }] });
          const status = ORDER_STATUSES[(index + n) % ORDER_STATUSES.length];
          if (status !== 'pending') await service.updateStatus(org.id, order.id, status);
          created++;
        }
      }
    }
    context.notes.push(`orders: ${created} created`);
  },
};
