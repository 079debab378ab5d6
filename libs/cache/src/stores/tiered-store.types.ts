import type { LoadTicket } from './cache-store.interface';
import type { MemoryTicket } from './memory.store';
import type { RedisMode } from './redis-connection.factory';
import type { RedisTicket } from './redis.store';

/** A load's ticket across tiers: the Redis half guards L2, the in-process half guards L1. */
export interface TieredTicket extends LoadTicket {
  remote: RedisTicket | undefined;
  local: MemoryTicket;
}

/** Which tier answered a read. */
export type CacheTier = 'l1' | 'l2' | 'fallback';

/** State of the store for health checks. */
export interface TieredStoreHealth {
  store: 'redis' | 'memory';
  fallbackActive: boolean;
  redis: { connected: boolean; latencyMs: number | null; mode: RedisMode } | null;
}

/** What an invalidation achieved. */
export interface InvalidationOutcome {
  /** Entries removed (the larger of Redis' and this instance's count). */
  removed: number;
  /**
   * True when it took effect everywhere before returning: Redis (when configured) took it, and
   * every other instance acknowledged it or can no longer serve an in-process copy it made
   * stale. False when Redis was unreachable: it is kept and replayed, and other instances may
   * serve what it made stale until then.
   */
  confirmed: boolean;
}

/** Per-call limits on the in-process copies of an entry. */
export interface LocalCopyOptions {
  /** Longest life of an in-process copy (L1, and the fallback store during an outage), ms. */
  l1TtlMs?: number;
}

/** What `maintenance()` cleaned, and on which store. */
export interface CacheMaintenanceReport {
  /** `fallback`: Redis is configured but unreachable, so only the in-process store was cleaned. */
  store: 'redis' | 'memory' | 'fallback';
  expiredLocalEntries: number;
  tagSetsScanned: number;
  deadTagMembers: number;
}
