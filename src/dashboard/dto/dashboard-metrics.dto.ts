import type { OrderStatus } from '../../orders/order-status';

/**
 * The organization's headline figures. Revenue sums `totalCents` of orders whose status is paid,
 * shipped or completed (money taken: not pending, not cancelled), by the order's creation time:
 * `today` is the current UTC day, `last7d`/`last30d` the rolling 7 and 30 days up to now.
 * Appointments: `today` start on the current UTC day, `upcoming` start from now on.
 */
export interface DashboardMetricsDto {
  users: { total: number; newLast7d: number };
  orders: {
    total: number;
    byStatus: Record<OrderStatus, number>;
    revenueCents: { today: number; last7d: number; last30d: number };
  };
  appointments: { today: number; upcoming: number };
  generatedAt: string;
}
