import { CacheService } from '@app/cache';
import { Injectable } from '@nestjs/common';
import { DomainTags } from '../common/cache/domain-cache-tags';
import { DashboardRepository } from './dashboard.repository';
import { toMetricsDto, toRealtimeDto } from './dashboard.mapper';
import type { DashboardMetricsDto } from './dto/dashboard-metrics.dto';
import type { DashboardRealtimeDto } from './dto/dashboard-realtime.dto';

export const DASHBOARD_NAMESPACE = 'dashboard';
/** Every dashboard entry: user, order and appointment writes evict it within their org. */
export const DASHBOARD_TAG = DomainTags.dashboard;
export const METRICS_TTL_MS = 60_000;
export const REALTIME_TTL_MS = 30_000;
const HOUR_MS = 3_600_000;
const REALTIME_ITEMS = 100;

/** The expensive reads: aggregates computed by Postgres, cached per org under `dashboard`. */
@Injectable()
export class DashboardService {
  constructor(
    private readonly figures: DashboardRepository,
    private readonly cache: CacheService,
  ) {}

  metrics(orgId: string): Promise<DashboardMetricsDto> {
    return this.cache.getOrSet(
      'metrics',
      async () => {
        const now = new Date();
        const [users, orders, appointments] = await Promise.all([
          this.figures.userFigures(orgId, now),
          this.figures.orderFigures(orgId, now),
          this.figures.appointmentFigures(orgId, now),
        ]);
        return toMetricsDto(users, orders, appointments, now);
      },
      { org: orgId, namespace: DASHBOARD_NAMESPACE, ttlMs: METRICS_TTL_MS, tags: [DASHBOARD_TAG] },
    );
  }

  realtime(orgId: string): Promise<DashboardRealtimeDto> {
    return this.cache.getOrSet(
      'realtime',
      async () => {
        const now = new Date();
        const since = new Date(now.getTime() - HOUR_MS);
        const [orders, bookings] = await Promise.all([
          this.figures.recentOrders(orgId, since, REALTIME_ITEMS),
          this.figures.recentBookings(orgId, since, REALTIME_ITEMS),
        ]);
        return toRealtimeDto(orders, bookings, since, now);
      },
      { org: orgId, namespace: DASHBOARD_NAMESPACE, ttlMs: REALTIME_TTL_MS, tags: [DASHBOARD_TAG] },
    );
  }
}
