import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { OperatorGuard } from '../auth';
import { CacheAdminService } from './cache-admin.service';
import type {
  CacheHealthResponse,
  CacheReportResponse,
  CacheStatsResponse,
  FleetResetResponse,
  FlushResponse,
  InvalidateResponse,
  KeyInfoResponse,
  KeyPageResponse,
  MaintenanceResponse,
  WarmResponse,
} from './dto/cache-admin.responses';
import { FlushQueryDto } from './dto/flush-query.dto';
import { InvalidateDto } from './dto/invalidate.dto';
import { ListKeysQueryDto } from './dto/list-keys-query.dto';
import { ScopeQueryDto } from './dto/scope-query.dto';
import { StatsQueryDto } from './dto/stats-query.dto';
import { WarmDto } from './dto/warm.dto';

/** The part of Express's response the health route uses. */
interface StatusSettable {
  status(code: number): unknown;
}

/**
 * Operator routes over the cache (`Authorization: Bearer <ADMIN_TOKEN>`; no or unknown
 * credentials 401, a tenant key 403). Stats and the report are this instance's, or with
 * `?scope=fleet` every live instance's (through Redis); keys, invalidation, warming,
 * maintenance and flushes act on the shared store.
 */
@Controller('cache')
@UseGuards(OperatorGuard)
export class CacheAdminController {
  constructor(private readonly admin: CacheAdminService) {}

  /** 200 when healthy or degraded (serving from the in-process fallback); 503 when down (caching disabled). */
  @Get('health')
  async health(@Res({ passthrough: true }) response: StatusSettable): Promise<CacheHealthResponse> {
    const health = await this.admin.health();
    if (health.status === 'down') response.status(503);
    return health;
  }

  /** This instance's stats; `?scope=fleet`: every live instance's, summed, with the instances listed. */
  @Get('stats')
  stats(@Query() query: StatsQueryDto): Promise<CacheStatsResponse> {
    return this.admin.stats(query.org, query.scope);
  }

  /** 204 for this instance; `?scope=fleet`: 200 saying whether every instance was reached (`reset: fleet`) or only this one. */
  @Post('stats/reset')
  async resetStats(@Query() query: ScopeQueryDto, @Res({ passthrough: true }) response: StatusSettable): Promise<FleetResetResponse | undefined> {
    if (query.scope === 'fleet') {
      response.status(200);
      return this.admin.resetFleetStats();
    }
    response.status(204);
    this.admin.resetStats();
    return undefined;
  }

  @Get('keys')
  listKeys(@Query() query: ListKeysQueryDto): Promise<KeyPageResponse> {
    return this.admin.listKeys(query);
  }

  @Get('keys/:key')
  inspectKey(@Param('key') key: string): Promise<KeyInfoResponse> {
    return this.admin.inspectKey(key);
  }

  @Delete('keys/:key')
  @HttpCode(204)
  deleteKey(@Param('key') key: string): Promise<void> {
    return this.admin.deleteKey(key);
  }

  @Post('invalidate')
  @HttpCode(200)
  invalidate(@Body() body: InvalidateDto): Promise<InvalidateResponse> {
    return this.admin.invalidate(body);
  }

  @Post('warm')
  @HttpCode(200)
  warm(@Body() body: WarmDto): Promise<WarmResponse> {
    return this.admin.warm(body);
  }

  @Post('maintenance')
  @HttpCode(200)
  maintenance(): Promise<MaintenanceResponse> {
    return this.admin.maintenance();
  }

  @Delete()
  flush(@Query() _query: FlushQueryDto): Promise<FlushResponse> {
    return this.admin.flush();
  }

  @Get('report')
  report(@Query() query: ScopeQueryDto): Promise<CacheReportResponse> {
    return this.admin.report(query.scope);
  }
}
