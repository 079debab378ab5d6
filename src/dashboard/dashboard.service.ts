import { Injectable } from '@nestjs/common';
import { DashboardRepository } from './dashboard.repository';
import { toMetricsDto, toRealtimeDto } from './dashboard.mapper';
import type { DashboardMetricsDto } from './dto/dashboard-metrics.dto';
import type { DashboardRealtimeDto } from './dto/dashboard-realtime.dto';

const HOUR_MS = 3_600_000;
const REALTIME_ITEMS = 100;

/** The expensive reads: aggregates computed by Postgres at one instant, `now`. */
@Injectable()
export class DashboardService {
  constructor(private readonly figures: DashboardRepository) {}

  async metrics(orgId: string): Promise<DashboardMetricsDto> {
    const now = new Date();
    const [users, orders, appointments] = await Promise.all([
      this.figures.userFigures(orgId, now),
      this.figures.orderFigures(orgId, now),
      this.figures.appointmentFigures(orgId, now),
    ]);
    return toMetricsDto(users, orders, appointments, now);
  }

  async realtime(orgId: string): Promise<DashboardRealtimeDto> {
    const now = new Date();
    const since = new Date(now.getTime() - HOUR_MS);
    const [orders, bookings] = await Promise.all([
      this.figures.recentOrders(orgId, since, REALTIME_ITEMS),
      this.figures.recentBookings(orgId, since, REALTIME_ITEMS),
    ]);
    return toRealtimeDto(orders, bookings, since, now);
  }
}
