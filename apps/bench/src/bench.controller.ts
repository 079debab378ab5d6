import { CacheService, type CacheCounters } from '@app/cache';
import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { CurrentOrg } from '../../../src/auth/current-org.decorator';
import { TenantGuard } from '../../../src/auth/tenant.guard';
import { UuidParamPipe } from '../../../src/common/pipes/uuid-param.pipe';
import { DemoItemParamsDto } from '../../../src/demo/dto/demo-item-params.dto';

/**
 * Bench-only routes (the bench app listens on 127.0.0.1 only and is never deployed).
 * The ceilings take the same guards and pipes as the routes they stand for, then return a
 * constant of the same size: what the framework costs with no cache and no database.
 */
@Controller('bench')
export class BenchController {
  private ceilingBody: unknown = {};

  constructor(private readonly cache: CacheService) {}

  /** Sets the constant the ceilings return (the harness posts a real response). */
  @Post('ceiling')
  @HttpCode(204)
  setCeiling(@Body() body: unknown): void {
    this.ceilingBody = body;
  }

  /** Stands for GET /demo/items/:id: same params DTO through the global ValidationPipe. */
  @Get('ceiling/demo/:id')
  demoCeiling(@Param() params: DemoItemParamsDto): unknown {
    void params;
    return this.ceilingBody;
  }

  /** Stands for GET /api/v1/users/:id: TenantGuard (API key lookup), @CurrentOrg, UuidParamPipe. */
  @Get('ceiling/users/:id')
  @UseGuards(TenantGuard)
  usersCeiling(@CurrentOrg() orgId: string, @Param('id', UuidParamPipe) id: string): unknown {
    void orgId;
    void id;
    return this.ceilingBody;
  }

  /** This instance's cache counters (loads, hits, misses…), for the stampede count and the miss-path check. */
  @Get('stats')
  stats(): CacheCounters {
    return this.cache.stats().totals;
  }

  /**
   * CPU time this process has used (µs): the harness reads it around each load run, so every row
   * also has a cost per request, a second view beside req/s.
   */
  @Get('cpu')
  cpu(): { userMicros: number; systemMicros: number } {
    const usage = process.cpuUsage();
    return { userMicros: usage.user, systemMicros: usage.system };
  }

  /** Empties this app's cache everywhere, so the miss path starts each round on cold keys. */
  @Post('cache/clear')
  @HttpCode(204)
  async clear(): Promise<void> {
    await this.cache.clear();
  }
}
