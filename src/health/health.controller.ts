import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';

const DATABASE_PING_TIMEOUT_MS = 1_000;

/** Kubernetes-style probes: liveness says the process serves, readiness that its dependencies answer. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
  ) {}

  /** 200 while the process can answer HTTP; checks nothing else, so a database outage never restarts it. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** 503 when Postgres does not answer a ping in time. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database').withTimeout(DATABASE_PING_TIMEOUT_MS),
      // The cache indicator from @app/cache goes here: degraded (still 200) while Redis is down
      // and the fallback store serves, down (503) only when CACHE_REQUIRED=true.
    ]);
  }
}
