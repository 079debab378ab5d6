import { type AlertThresholds, DEFAULT_ALERT_THRESHOLDS } from '../config/observability.config';

/** How bad an alert is. */
export type AlertLevel = 'warning' | 'critical';

/** One threshold crossed. */
export interface CacheAlert {
  level: AlertLevel;
  metric: 'hitRatio' | 'latencyP95Ms' | 'redisMemoryRatio' | 'errorRate' | 'redisConnection' | 'cacheEnabled';
  value: number | boolean;
  threshold: number | boolean;
  message: string;
}

/** What the report is computed from: this instance's (or the fleet's) stats and the store's state. */
export interface CacheReportInput {
  enabled: boolean;
  /** hits + stale + misses since the last reset. */
  served: number;
  hitRatio: number;
  /** Cache errors since the last reset (the error rate is errors / served). */
  errors: number;
  p95Ms: number;
  /** True when Redis is configured but not serving (the fallback is active or it does not answer). */
  connectionLost: boolean;
  /** Redis memory, null on the in-process store or while Redis is unreachable. */
  redisMemory: { usedMemoryBytes: number; maxMemoryBytes: number } | null;
}

export interface CacheReport {
  status: 'ok' | AlertLevel;
  alerts: CacheAlert[];
  recommendations: string[];
}

/**
 * Alerts and recommendations from the figures, a pure function. With the default thresholds
 * (docs/api.md; each configurable by a CACHE_ALERT_* variable): hit ratio below 50 % is a
 * warning and below 30 % critical; p95 latency above 100 ms a warning and above 500 ms
 * critical; Redis memory above 80 % of maxmemory a warning and above 95 % critical; an error
 * rate above 1 % of reads a warning and above 5 % critical; losing Redis (serving from the
 * fallback) is critical. Each bound itself is still fine. Hit and error ratios are judged once
 * `minReads` reads were served (a fresh instance is all misses).
 */
export function buildCacheReport(input: CacheReportInput, thresholds: AlertThresholds = DEFAULT_ALERT_THRESHOLDS): CacheReport {
  const alerts: CacheAlert[] = [];
  const recommendations: string[] = [];
  const t = thresholds;

  if (!input.enabled) {
    alerts.push({ level: 'warning', metric: 'cacheEnabled', value: false, threshold: true, message: 'Caching is disabled: every read goes to the database' });
    recommendations.push('Set CACHE_ENABLED=true unless caching was turned off on purpose.');
  }

  if (input.connectionLost) {
    alerts.push({ level: 'critical', metric: 'redisConnection', value: false, threshold: true, message: 'Redis is unreachable: serving from the in-process fallback, not shared between instances' });
    recommendations.push('Check Redis (network, credentials, memory, failover); the cache recovers by itself once it answers.');
  }

  if (input.served >= t.minReads && input.served > 0) {
    const ratio = input.hitRatio;
    const level: AlertLevel | undefined = ratio < t.hitRatio.critical ? 'critical' : ratio < t.hitRatio.warning ? 'warning' : undefined;
    if (level !== undefined) {
      const threshold = t.hitRatio[level];
      alerts.push({ level, metric: 'hitRatio', value: ratio, threshold, message: `Hit ratio ${percent(ratio)} is below ${percent(threshold)}` });
      recommendations.push('Raise the TTLs of the busiest namespaces (CACHE_TTL_*), warm them (POST /cache/warm), or look for writes that invalidate too broadly.');
    }
    const errorRate = round(input.errors / input.served);
    const errorLevel: AlertLevel | undefined = errorRate > t.errorRate.critical ? 'critical' : errorRate > t.errorRate.warning ? 'warning' : undefined;
    if (errorLevel !== undefined) {
      const threshold = t.errorRate[errorLevel];
      alerts.push({ level: errorLevel, metric: 'errorRate', value: errorRate, threshold, message: `Error rate ${percent(errorRate)} of reads is above ${percent(threshold)}` });
      recommendations.push('Look at the warnings in the logs: failing loaders (their errors reach callers) or cache failures (Redis timeouts, oversized values) served uncached.');
    }
  } else if (input.enabled) {
    recommendations.push(`Too few reads (${input.served}) since the last reset to judge the hit ratio.`);
  }

  const p95 = input.p95Ms;
  const latencyLevel: AlertLevel | undefined = p95 > t.latencyP95Ms.critical ? 'critical' : p95 > t.latencyP95Ms.warning ? 'warning' : undefined;
  if (latencyLevel !== undefined) {
    const threshold = t.latencyP95Ms[latencyLevel];
    alerts.push({ level: latencyLevel, metric: 'latencyP95Ms', value: p95, threshold, message: `p95 latency ${p95} ms is above ${threshold} ms` });
    recommendations.push('Slow loaders dominate misses: cache them longer, warm them, or speed up their queries; check Redis latency in GET /cache/health.');
  }

  if (input.redisMemory !== null) {
    const { usedMemoryBytes, maxMemoryBytes } = input.redisMemory;
    if (maxMemoryBytes > 0) {
      const ratio = usedMemoryBytes / maxMemoryBytes;
      const level: AlertLevel | undefined = ratio > t.redisMemoryRatio.critical ? 'critical' : ratio > t.redisMemoryRatio.warning ? 'warning' : undefined;
      if (level !== undefined) {
        const threshold = t.redisMemoryRatio[level];
        alerts.push({ level, metric: 'redisMemoryRatio', value: round(ratio), threshold, message: `Redis uses ${percent(ratio)} of maxmemory (above ${percent(threshold)})` });
        recommendations.push('Raise Redis maxmemory, shorten TTLs, or run POST /cache/maintenance; make sure maxmemory-policy evicts (allkeys-lru).');
      }
    } else {
      recommendations.push('Redis has no maxmemory: set one (with maxmemory-policy allkeys-lru) so the cache cannot take the whole server.');
    }
  }

  const status = alerts.some((a) => a.level === 'critical') ? 'critical' : alerts.length > 0 ? 'warning' : 'ok';
  return { status, alerts, recommendations };
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 10_000) / 100} %`;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
