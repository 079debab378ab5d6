import type { Order, OrderLine } from '../order.entity';
import type { OrderStatus } from '../order-status';

/** An order as the API shows it; `totalCents` is computed by the server. */
export interface OrderDto {
  id: string;
  userId: string;
  status: OrderStatus;
  currency: string;
  items: OrderLine[];
  totalCents: number;
  createdAt: string;
  updatedAt: string;
}

export function toOrderDto(order: Order): OrderDto {
  return {
    id: order.id,
    userId: order.userId,
    status: order.status,
    currency: order.currency,
    items: order.items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
    totalCents: order.totalCents,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}
