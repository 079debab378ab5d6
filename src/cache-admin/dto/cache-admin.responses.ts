import type { CacheCounters, CacheHealth, CacheMaintenanceReport, FleetInstance, WarmJobReport } from '@app/cache';
import type { CacheReport } from '../cache-report';
import type { StatsScope } from './scope-query.dto';

/** An organization's counters, with its name (null for ids that are no organization's, e.g. `_global`). */
export type NamedCounters = CacheCounters & { name: string | null };

/** One of a namespace's most read keys: public form, estimated hits (sampled), and its organization's name. */
export interface HotKeyResponse {
  key: string;
  hits: number;
  orgName: string | null;
}

/** Where the fleet's figures come from, and the instances they cover (`?scope=fleet` only). */
export interface FleetScopeFields {
  /** `redis`: every instance that published in the last CACHE_FLEET_INSTANCE_TTL_MS; `this-instance`: no usable Redis. */
  source: 'redis' | 'this-instance';
  /** Why the fleet is this instance alone. */
  note?: string;
  instances: FleetInstance[];
}

/**
 * `GET /cache/stats[?scope=fleet]`: this instance's counters (or every live instance's,
 * summed, percentiles from the merged histograms) and the Redis it uses.
 */
export interface CacheStatsResponse extends Partial<FleetScopeFields> {
  scope: StatsScope;
  /** The instance that answered. */
  instance: { id: string; startedAt: string };
  totals: CacheCounters;
  namespaces: Record<string, CacheCounters>;
  orgs: Record<string, NamedCounters>;
  /** Per namespace, the most read keys (1 hit in CACHE_HOT_KEYS_SAMPLE_EVERY counted, so hits are estimates). */
  hotKeys: Record<string, HotKeyResponse[]>;
  /**
   * The Redis server's figures (summed over Cluster masters): `keys` counts the whole
   * database, other apps sharing it included. Null on the in-process store and while Redis
   * is unreachable.
   */
  redis: { keys: number; usedMemoryBytes: number; maxMemoryBytes: number } | null;
}

export type CacheHealthResponse = CacheHealth;

export interface KeyPageResponse {
  /** Public forms (`org:namespace:id`). */
  keys: string[];
  /** Pass it back for the next page; `0` when the scan is complete. */
  cursor: string;
}

export interface KeyInfoResponse {
  key: string;
  /** Remaining lifetime (freshness plus grace) in ms; null when the key never expires. */
  ttlMs: number | null;
  sizeBytes: number;
  /** How the value is stored, `json`, `json+deflate` or `counter` (`object` on the in-process store). */
  encoding: string;
  tags: readonly string[];
}

export interface InvalidateResponse {
  invalidated: number;
}

export interface WarmResponse {
  jobs: WarmJobReport[];
}

export type MaintenanceResponse = CacheMaintenanceReport;

export interface FlushResponse {
  flushed: number;
}

export interface CacheReportResponse extends CacheReport, Partial<Omit<FleetScopeFields, 'instances'>> {
  scope: StatsScope;
  /** Instances the figures cover (1 for `instance`). */
  instances: number;
  generatedAt: string;
}

/** `POST /cache/stats/reset?scope=fleet`: whether every instance was reached. */
export interface FleetResetResponse {
  reset: 'fleet' | 'this-instance';
  note?: string;
}
