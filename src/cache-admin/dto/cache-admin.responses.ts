import type { CacheCounters, CacheHealth, CacheMaintenanceReport, WarmJobReport } from '@app/cache';
import type { CacheReport } from '../cache-report';

/** `GET /cache/stats`: this instance's counters and the Redis it uses. */
export interface CacheStatsResponse {
  totals: CacheCounters;
  namespaces: Record<string, CacheCounters>;
  orgs: Record<string, CacheCounters>;
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

export interface CacheReportResponse extends CacheReport {
  generatedAt: string;
}
