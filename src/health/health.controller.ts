import { CacheHealthIndicator } from '@app/cache';
import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, type HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { appConfig, type AppConfigType } from '../config/app.config';

const DATABASE_PING_TIMEOUT_MS = 1_000;

/** Kubernetes-style probes: liveness says the process serves, readiness that its dependencies answer. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly cache: CacheHealthIndicator,
    @Inject(appConfig.KEY) private readonly config: AppConfigType,
  ) {}

  /** 200 while the process can answer HTTP; checks nothing else, so a database outage never restarts it. */
  @Get('live')
  @HealthCheck()
  live(): HealthCheckResult {
    // What `this.health.check([])` answers, without its machinery on the probe every pod is hit with.
    return { status: 'ok', info: {}, error: {}, details: {} };
  }

  /**
   * 503 when Postgres does not answer a ping in time. A Redis outage is `degraded` (still 200:
   * the in-process fallback serves) unless CACHE_REQUIRED=true, when it is 503.
   */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database').withTimeout(DATABASE_PING_TIMEOUT_MS),
      () => this.cache.isHealthy('cache', { required: this.config.cache.required }),
    ]);
  }
}
