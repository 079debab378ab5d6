import { Controller, Get, UseGuards } from '@nestjs/common';
import { CurrentOrg, TenantGuard } from '../auth';
import { DashboardService } from './dashboard.service';
import type { DashboardMetricsDto } from './dto/dashboard-metrics.dto';
import type { DashboardRealtimeDto } from './dto/dashboard-realtime.dto';

/** The organization's figures: headline metrics and the last hour's activity. */
@Controller('api/v1/dashboard')
@UseGuards(TenantGuard)
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get('metrics')
  metrics(@CurrentOrg() orgId: string): Promise<DashboardMetricsDto> {
    return this.dashboard.metrics(orgId);
  }

  @Get('realtime')
  realtime(@CurrentOrg() orgId: string): Promise<DashboardRealtimeDto> {
    return this.dashboard.realtime(orgId);
  }
}
