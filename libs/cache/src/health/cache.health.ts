import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { CacheService } from '../cache.service';
import { describeError, withTimeout } from '../common/async';

const DEFAULT_TIMEOUT_MS = 1_000;

/**
 * Terminus indicator of the cache: `up` when Redis (or the in-process store alone) serves,
 * `degraded` while Redis is down and the fallback serves, `down` when `required` and Redis
 * is not serving, or when the check itself times out. Register it beside `TerminusModule`.
 *
 * @example
 * () => this.cacheHealth.isHealthy('cache', { required: config.cache.required })
 */
@Injectable()
export class CacheHealthIndicator {
  constructor(
    private readonly cache: CacheService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async isHealthy<const Key extends string>(
    key: Key,
    options: { required?: boolean; timeoutMs?: number } = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.indicators.check(key);
    try {
      const health = await withTimeout(this.cache.health(), options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'cache health check timed out');
      const data = {
        enabled: this.cache.enabled,
        store: health.store,
        fallbackActive: health.fallbackActive,
        mode: health.redis?.mode ?? null,
        latencyMs: health.redis?.latencyMs ?? null,
      };
      if (health.status === 'healthy' || (health.status === 'down' && !options.required)) return indicator.up(data);
      if (health.status === 'degraded' && !options.required) return indicator.degraded(data);
      return indicator.down(data);
    } catch (error) {
      return indicator.down({ message: describeError(error) });
    }
  }
}
