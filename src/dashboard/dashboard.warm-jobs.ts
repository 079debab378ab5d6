import { CacheRouteWarmer, CacheWarmJob, type WarmJobContext } from '@app/cache';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Organization } from '../organizations/organization.entity';
import { DashboardController } from './dashboard.controller';
import { DashboardService } from './dashboard.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Keeps every organization's dashboard answers (`GET /api/v1/dashboard/metrics` and
 * `/realtime`) in the cache: each is computed by the same service call the route makes and
 * stored under the key the route's interceptor reads, so a client's next read is a HIT.
 */
@Injectable()
export class DashboardWarmJobs {
  constructor(
    private readonly dashboard: DashboardService,
    private readonly routes: CacheRouteWarmer,
    private readonly dataSource: DataSource,
  ) {}

  @CacheWarmJob({ name: 'dashboard' })
  async warmDashboards({ org, signal }: WarmJobContext): Promise<number> {
    let written = 0;
    for (const orgId of await this.orgIds(org)) {
      if (signal.aborted) break;
      if (await this.routes.warm({ controller: DashboardController, handler: 'metrics', org: orgId }, () => this.dashboard.metrics(orgId))) written++;
      if (await this.routes.warm({ controller: DashboardController, handler: 'realtime', org: orgId }, () => this.dashboard.realtime(orgId))) written++;
    }
    return written;
  }

  /** The one organization asked for (when it exists), or every organization. */
  private async orgIds(org: string | undefined): Promise<string[]> {
    const orgs = this.dataSource.getRepository(Organization);
    if (org !== undefined) return UUID.test(org) && (await orgs.existsBy({ id: org })) ? [org] : [];
    return (await orgs.find({ select: { id: true }, order: { createdAt: 'ASC' } })).map((row) => row.id);
  }
}
