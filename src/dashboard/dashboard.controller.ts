import { CacheRoute, HttpCacheInterceptor } from '@app/cache';
import { Controller, Get, UseGuards, UseInterceptors } from '@nestjs/common';
import { CurrentOrg, TenantGuard } from '../auth';
import { DASHBOARD_NAMESPACE, DASHBOARD_TAG, METRICS_TTL_MS, REALTIME_TTL_MS } from './dashboard-cache.constants';
import { DashboardService } from './dashboard.service';
import type { DashboardMetricsDto } from './dto/dashboard-metrics.dto';
import type { DashboardRealtimeDto } from './dto/dashboard-realtime.dto';

/** The organization's figures: headline metrics and the last hour's activity, cached under `dashboard`. */
@Controller('api/v1/dashboard')
@UseGuards(TenantGuard)
@UseInterceptors(HttpCacheInterceptor)
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get('metrics')
  @CacheRoute({ namespace: DASHBOARD_NAMESPACE, ttlMs: METRICS_TTL_MS, tags: [DASHBOARD_TAG] })
  metrics(@CurrentOrg() orgId: string): Promise<DashboardMetricsDto> {
    return this.dashboard.metrics(orgId);
  }

  @Get('realtime')
  @CacheRoute({ namespace: DASHBOARD_NAMESPACE, ttlMs: REALTIME_TTL_MS, tags: [DASHBOARD_TAG] })
  realtime(@CurrentOrg() orgId: string): Promise<DashboardRealtimeDto> {
    return this.dashboard.realtime(orgId);
  }
}
