import { CACHE_METRICS, CacheMetrics, type CacheOutcome, CacheService } from '@app/cache';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { PROMETHEUS_REGISTRY } from './prometheus.registry';

/** The library's outcome names as Prometheus label values. */
const RESULTS: Record<CacheOutcome, string> = {
  hits: 'hit',
  misses: 'miss',
  stale: 'stale',
  loads: 'load',
  coalesced: 'coalesced',
  errors: 'error',
};

/**
 * Exports the cache engine's outcomes and latencies to Prometheus, by namespace. Never by
 * organization: one time series per tenant would grow without bound (per-org figures are in
 * `GET /cache/stats`). The fallback gauge is read from `CacheService.health()` at each scrape.
 */
@Injectable()
export class CacheMetricsExporter implements OnModuleInit {
  private readonly results: Counter<'namespace' | 'result'>;
  private readonly latency: Histogram<'namespace' | 'operation'>;

  constructor(
    @Inject(PROMETHEUS_REGISTRY) registry: Registry,
    @Inject(CACHE_METRICS) private readonly metrics: CacheMetrics,
    private readonly cache: CacheService,
  ) {
    this.results = new Counter({
      name: 'cache_results_total',
      help: 'Cache calls by namespace and result (hit, miss, stale, load, coalesced, error)',
      labelNames: ['namespace', 'result'],
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'cache_operation_duration_seconds',
      help: 'Duration of cache operations, by namespace and operation',
      labelNames: ['namespace', 'operation'],
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    const service = this.cache;
    new Gauge({
      name: 'cache_fallback_active',
      help: '1 while the cache serves from the in-process fallback because Redis is unusable',
      registers: [registry],
      async collect() {
        this.set((await service.health()).fallbackActive ? 1 : 0);
      },
    });
  }

  onModuleInit(): void {
    this.metrics.subscribe({
      outcome: (namespace, _org, outcome) => this.results.inc({ namespace, result: RESULTS[outcome] }),
      latency: (namespace, operation, ms) => this.latency.observe({ namespace, operation }, ms / 1000),
    });
  }
}
