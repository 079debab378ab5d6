import type { OrderLine } from './order.entity';

/** The order's total in integer cents; exact, since validation bounds quantity and price. */
export function orderTotalCents(items: readonly OrderLine[]): number {
  return items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
}
