import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { CacheMetricsExporter } from './cache-metrics.exporter';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';
import { createPrometheusRegistry, PROMETHEUS_REGISTRY } from './prometheus.registry';

/** `GET /metrics`: cache results and latencies by namespace, the fallback state, HTTP traffic, Node. */
@Module({
  controllers: [MetricsController],
  providers: [{ provide: PROMETHEUS_REGISTRY, useFactory: createPrometheusRegistry }, CacheMetricsExporter],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('{*path}');
  }
}
