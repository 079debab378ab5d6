import { CacheRoute, HttpCacheInterceptor } from '@app/cache';
import { Controller, Get, UseGuards, UseInterceptors } from '@nestjs/common';
import { CurrentOrg, TenantGuard } from '../auth';
import { DashboardCache } from './dashboard.cache';
import { DashboardService } from './dashboard.service';
import type { DashboardMetricsDto } from './dto/dashboard-metrics.dto';
import type { DashboardRealtimeDto } from './dto/dashboard-realtime.dto';

/**
 * The organization's figures: headline metrics and the last hour's activity, cached under
 * `dashboard` per HTTP answer (`@CacheRoute`: the answer carries X-Cache, ETag and 304s); the
 * writes that change a figure evict the tag in their own services (`@CacheEvict`).
 */
@Controller('api/v1/dashboard')
@UseGuards(TenantGuard)
@UseInterceptors(HttpCacheInterceptor)
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get('metrics')
  @CacheRoute({ namespace: DashboardCache.namespace, ttl: DashboardCache.ttl.metrics, tags: [DashboardCache.tags.dashboard] })
  metrics(@CurrentOrg() orgId: string): Promise<DashboardMetricsDto> {
    return this.dashboard.metrics(orgId);
  }

  @Get('realtime')
  @CacheRoute({ namespace: DashboardCache.namespace, ttl: DashboardCache.ttl.realtime, tags: [DashboardCache.tags.dashboard] })
  realtime(@CurrentOrg() orgId: string): Promise<DashboardRealtimeDto> {
    return this.dashboard.realtime(orgId);
  }
}
