import type { EnvReader } from './env-reader';

/** A threshold pair of the cache report and of deploy/prometheus/cache-alerts.rules.yml. */
export interface AlertLevels {
  warning: number;
  critical: number;
}

/**
 * When `GET /cache/report` raises an alert (CACHE_ALERT_*). Defaults as docs/api.md: hit ratio
 * below 50 % warning, below 30 % critical; p95 latency above 100 / 500 ms; Redis memory above
 * 80 / 95 % of maxmemory; error rate above 1 / 5 % of reads.
 */
export interface AlertThresholds {
  /** Ratio of reads served from the cache (0-1); alerts below. */
  hitRatio: AlertLevels;
  /** p95 of cache reads in ms; alerts above. */
  latencyP95Ms: AlertLevels;
  /** used_memory / maxmemory (0-1); alerts above. */
  redisMemoryRatio: AlertLevels;
  /** Cache errors per read (0-1); alerts above. */
  errorRate: AlertLevels;
  /** Below this many reads since the last reset the hit and error ratios say nothing and are not judged. */
  minReads: number;
}

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  hitRatio: { warning: 0.5, critical: 0.3 },
  latencyP95Ms: { warning: 100, critical: 500 },
  redisMemoryRatio: { warning: 0.8, critical: 0.95 },
  errorRate: { warning: 0.01, critical: 0.05 },
  minReads: 50,
};

/** Every CACHE_ALERT_* variable and the threshold it sets, e.g. for the Prometheus rules' check. */
export const ALERT_VARIABLES = {
  CACHE_ALERT_HIT_RATIO_WARNING: (t: AlertThresholds) => t.hitRatio.warning,
  CACHE_ALERT_HIT_RATIO_CRITICAL: (t: AlertThresholds) => t.hitRatio.critical,
  CACHE_ALERT_LATENCY_P95_WARNING_MS: (t: AlertThresholds) => t.latencyP95Ms.warning,
  CACHE_ALERT_LATENCY_P95_CRITICAL_MS: (t: AlertThresholds) => t.latencyP95Ms.critical,
  CACHE_ALERT_REDIS_MEMORY_WARNING: (t: AlertThresholds) => t.redisMemoryRatio.warning,
  CACHE_ALERT_REDIS_MEMORY_CRITICAL: (t: AlertThresholds) => t.redisMemoryRatio.critical,
  CACHE_ALERT_ERROR_RATE_WARNING: (t: AlertThresholds) => t.errorRate.warning,
  CACHE_ALERT_ERROR_RATE_CRITICAL: (t: AlertThresholds) => t.errorRate.critical,
  CACHE_ALERT_MIN_READS: (t: AlertThresholds) => t.minReads,
} as const;

/** The fleet view (every instance publishes its stats to Redis) and the hot-key sampling. */
export interface CacheFleetConfig {
  enabled: boolean;
  publishIntervalMs: number;
  /** An instance silent this long drops out of the fleet. */
  instanceTtlMs: number;
  /** Organizations one instance publishes (its busiest). */
  maxOrgs: number;
  /** 1 cache hit in this many (on average) is counted for the hot-key tables. */
  hotKeySampleEvery: number;
}

/** What /metrics exports beyond its bounded defaults. */
export interface MetricsConfig {
  /** `cache_org_results_total{org,result}` (METRICS_ORG_LABELS): off by default, organizations are unbounded. */
  orgLabels: boolean;
  /** Organizations given their own label value at most; later ones count as `org="other"`. */
  orgLabelLimit: number;
}

export function readAlertThresholds(reader: EnvReader): AlertThresholds {
  const d = DEFAULT_ALERT_THRESHOLDS;
  const ratio = (name: string, fallback: number) => reader.decimal(name, fallback, { min: 0, max: 1 }, 'a number from 0 to 1 (e.g. 0.5 for 50 %)');
  const ms = (name: string, fallback: number) => reader.decimal(name, fallback, { min: 0 }, 'a non-negative number (milliseconds)');
  const thresholds: AlertThresholds = {
    hitRatio: { warning: ratio('CACHE_ALERT_HIT_RATIO_WARNING', d.hitRatio.warning), critical: ratio('CACHE_ALERT_HIT_RATIO_CRITICAL', d.hitRatio.critical) },
    latencyP95Ms: { warning: ms('CACHE_ALERT_LATENCY_P95_WARNING_MS', d.latencyP95Ms.warning), critical: ms('CACHE_ALERT_LATENCY_P95_CRITICAL_MS', d.latencyP95Ms.critical) },
    redisMemoryRatio: {
      warning: ratio('CACHE_ALERT_REDIS_MEMORY_WARNING', d.redisMemoryRatio.warning),
      critical: ratio('CACHE_ALERT_REDIS_MEMORY_CRITICAL', d.redisMemoryRatio.critical),
    },
    errorRate: { warning: ratio('CACHE_ALERT_ERROR_RATE_WARNING', d.errorRate.warning), critical: ratio('CACHE_ALERT_ERROR_RATE_CRITICAL', d.errorRate.critical) },
    minReads: reader.integer('CACHE_ALERT_MIN_READS', d.minReads, { min: 0 }, 'a non-negative integer (reads)'),
  };
  // A critical level that is milder than its warning would never be reached first: refuse it.
  if (thresholds.hitRatio.critical > thresholds.hitRatio.warning) reader.problem('CACHE_ALERT_HIT_RATIO_CRITICAL', 'must not be above CACHE_ALERT_HIT_RATIO_WARNING (alerts fire below them)');
  for (const [name, levels] of [
    ['CACHE_ALERT_LATENCY_P95_CRITICAL_MS', thresholds.latencyP95Ms],
    ['CACHE_ALERT_REDIS_MEMORY_CRITICAL', thresholds.redisMemoryRatio],
    ['CACHE_ALERT_ERROR_RATE_CRITICAL', thresholds.errorRate],
  ] as const) {
    if (levels.critical < levels.warning) reader.problem(name, `must not be below ${name.replace('CRITICAL', 'WARNING')} (alerts fire above them)`);
  }
  return thresholds;
}

export function readCacheFleet(reader: EnvReader): CacheFleetConfig {
  const publishIntervalMs = reader.integer('CACHE_FLEET_PUBLISH_INTERVAL_MS', 2_000, { min: 50, max: 600_000 }, 'an integer from 50 to 600000 (milliseconds)');
  const instanceTtlMs = reader.integer('CACHE_FLEET_INSTANCE_TTL_MS', 30_000, { min: 100, max: 3_600_000 }, 'an integer from 100 to 3600000 (milliseconds)');
  if (instanceTtlMs < 2 * publishIntervalMs) reader.problem('CACHE_FLEET_INSTANCE_TTL_MS', 'must be at least twice CACHE_FLEET_PUBLISH_INTERVAL_MS, or live instances would drop out between publishes');
  return {
    enabled: reader.boolean('CACHE_FLEET_ENABLED', true),
    publishIntervalMs,
    instanceTtlMs,
    maxOrgs: reader.integer('CACHE_FLEET_MAX_ORGS', 200, { min: 0, max: 10_000 }, 'an integer from 0 to 10000'),
    hotKeySampleEvery: reader.integer('CACHE_HOT_KEYS_SAMPLE_EVERY', 16, { min: 1, max: 1_000_000 }, 'an integer from 1 to 1000000'),
  };
}

export function readMetrics(reader: EnvReader): MetricsConfig {
  return {
    orgLabels: reader.boolean('METRICS_ORG_LABELS', false),
    orgLabelLimit: reader.integer('METRICS_ORG_LABEL_LIMIT', 100, { min: 1, max: 10_000 }, 'an integer from 1 to 10000'),
  };
}
