import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller';
import { DashboardRepository } from './dashboard.repository';
import { DashboardService } from './dashboard.service';
import { DashboardWarmJobs } from './dashboard.warm-jobs';

/** GET /api/v1/dashboard/metrics and /realtime: SQL aggregates over users, orders and appointments. */
@Module({
  controllers: [DashboardController],
  providers: [DashboardRepository, DashboardService, DashboardWarmJobs],
})
export class DashboardModule {}
