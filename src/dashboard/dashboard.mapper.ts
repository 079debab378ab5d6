import type {
  AppointmentFigures,
  Counted,
  OrderFigures,
  RecentBookingRow,
  RecentOrderRow,
  UserFigures,
} from './dashboard.repository';
import type { DashboardMetricsDto } from './dto/dashboard-metrics.dto';
import type { DashboardRealtimeDto } from './dto/dashboard-realtime.dto';

/** Postgres figures to the API's shape; sums arrive as bigint text. */
export function toMetricsDto(
  users: UserFigures,
  orders: OrderFigures,
  appointments: AppointmentFigures,
  now: Date,
): DashboardMetricsDto {
  return {
    users: { total: users.total, newLast7d: users.new_last7d },
    orders: {
      total: orders.total,
      byStatus: {
        pending: orders.pending,
        paid: orders.paid,
        shipped: orders.shipped,
        completed: orders.completed,
        cancelled: orders.cancelled,
      },
      revenueCents: {
        today: Number(orders.revenue_today),
        last7d: Number(orders.revenue_7d),
        last30d: Number(orders.revenue_30d),
      },
    },
    appointments: { today: appointments.today, upcoming: appointments.upcoming },
    generatedAt: now.toISOString(),
  };
}

export function toRealtimeDto(
  orders: Counted<RecentOrderRow>,
  bookings: Counted<RecentBookingRow>,
  since: Date,
  now: Date,
): DashboardRealtimeDto {
  return {
    since: since.toISOString(),
    generatedAt: now.toISOString(),
    orders: {
      count: orders.count,
      items: orders.rows.map((row) => ({
        id: row.id,
        userId: row.user_id,
        status: row.status,
        totalCents: Number(row.total_cents),
        currency: row.currency,
        createdAt: new Date(row.created_at).toISOString(),
      })),
    },
    bookings: {
      count: bookings.count,
      items: bookings.rows.map((row) => ({
        id: row.id,
        staffId: row.staff_id,
        userId: row.user_id,
        start: new Date(row.start_at).toISOString(),
        end: new Date(row.end_at).toISOString(),
        createdAt: new Date(row.created_at).toISOString(),
      })),
    },
  };
}
