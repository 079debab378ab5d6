import { Module } from '@nestjs/common';
import { CacheMetricsExporter } from './cache-metrics.exporter';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';
import { createPrometheusRegistry, PROMETHEUS_REGISTRY } from './prometheus.registry';

/**
 * `GET /metrics`: cache results and latencies by namespace, the fallback state, HTTP traffic, Node.
 * The HTTP counters' middleware is mounted by createApp (src/app.setup.ts) as plain Express
 * middleware right after the request id, rather than here for every route: a Nest middleware
 * bound to `{*path}` costs a route match per request.
 */
@Module({
  controllers: [MetricsController],
  providers: [{ provide: PROMETHEUS_REGISTRY, useFactory: createPrometheusRegistry }, CacheMetricsExporter, HttpMetricsMiddleware],
  exports: [HttpMetricsMiddleware],
})
export class MetricsModule {}
