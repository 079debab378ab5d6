import { CACHE_METRICS, CacheAdministrationService, CacheMetrics, type CacheOutcome, CacheService, type RedisServerInfo } from '@app/cache';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { appConfig, type AppConfigType } from '../config/app.config';
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

/** Label value of the organizations past METRICS_ORG_LABEL_LIMIT. */
export const OTHER_ORGS_LABEL = 'other';

/**
 * Exports the cache engine's outcomes and latencies to Prometheus, by namespace. By
 * organization only when an operator turns it on (METRICS_ORG_LABELS=true): one time series
 * per tenant grows without bound, so then the first METRICS_ORG_LABEL_LIMIT organizations seen
 * get their own `org` label value and the rest share `org="other"` (per-org figures are in
 * `GET /cache/stats` either way). The fallback gauge is read from `CacheService.health()`, and
 * Redis's memory from INFO, at each scrape: what deploy/prometheus/cache-alerts.rules.yml alerts on.
 */
@Injectable()
export class CacheMetricsExporter implements OnModuleInit {
  private readonly results: Counter<'namespace' | 'result'>;
  private readonly latency: Histogram<'namespace' | 'operation'>;
  private readonly orgResults: Counter<'org' | 'result'> | undefined;
  private readonly labelledOrgs = new Set<string>();
  private readonly orgLabelLimit: number;

  constructor(
    @Inject(PROMETHEUS_REGISTRY) registry: Registry,
    @Inject(CACHE_METRICS) private readonly metrics: CacheMetrics,
    private readonly cache: CacheService,
    administration: CacheAdministrationService,
    @Inject(appConfig.KEY) config: AppConfigType,
  ) {
    this.orgLabelLimit = config.metrics.orgLabelLimit;
    if (config.metrics.orgLabels) {
      this.orgResults = new Counter({
        name: 'cache_org_results_total',
        help: `Cache calls by organization id and result; the first ${config.metrics.orgLabelLimit} organizations seen have their own label, the rest org="${OTHER_ORGS_LABEL}" (METRICS_ORG_LABELS)`,
        labelNames: ['org', 'result'],
        registers: [registry],
      });
    }
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
    // Both gauges from one INFO per scrape (Cluster: summed over masters); absent without a usable Redis.
    let memory: Promise<RedisServerInfo | null> | undefined;
    const readMemory = () => {
      memory ??= administration.redisServerInfo().finally(() => {
        setImmediate(() => (memory = undefined));
      });
      return memory;
    };
    for (const [name, help, field] of [
      ['cache_redis_memory_used_bytes', "Redis used_memory (INFO memory), summed over Cluster masters; absent without Redis", 'usedMemoryBytes'],
      ['cache_redis_memory_max_bytes', 'Redis maxmemory (0: no limit), summed over Cluster masters; absent without Redis', 'maxMemoryBytes'],
    ] as const) {
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          const info = await readMemory();
          if (info === null) this.reset();
          else this.set(info[field]);
        },
      });
    }
  }

  onModuleInit(): void {
    // Every cache call lands here (an L1 hit too): the series of a (namespace, result) or
    // (namespace, operation) pair are resolved once, so a call is an increment, not a hash of a
    // label object. Namespaces are the app's own (a handful), operations and results fixed.
    const results = new Map<string, { inc(): void }>();
    const latencies = new Map<string, { observe(seconds: number): void }>();
    this.metrics.subscribe({
      outcome: (namespace, org, outcome) => {
        const id = `${namespace}\u0000${outcome}`;
        let series = results.get(id);
        if (series === undefined) results.set(id, (series = this.results.labels({ namespace, result: RESULTS[outcome] })));
        series.inc();
        if (this.orgResults !== undefined) this.orgResults.inc({ org: this.orgLabel(org), result: RESULTS[outcome] });
      },
      latency: (namespace, operation, ms) => {
        const id = `${namespace}\u0000${operation}`;
        let series = latencies.get(id);
        if (series === undefined) latencies.set(id, (series = this.latency.labels({ namespace, operation })));
        series.observe(ms / 1000);
      },
    });
  }

  /** The org's own label while fewer than the limit have one, else `other`: at most limit + 1 values. */
  private orgLabel(org: string): string {
    if (this.labelledOrgs.has(org)) return org;
    if (this.labelledOrgs.size >= this.orgLabelLimit) return OTHER_ORGS_LABEL;
    this.labelledOrgs.add(org);
    return org;
  }
}
