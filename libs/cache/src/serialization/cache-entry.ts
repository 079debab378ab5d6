/** One cached value with the times that decide whether it is fresh, stale (in grace) or gone. */
export interface CacheEntry<T = unknown> {
  value: T;
  /** When it was written (ms since epoch). */
  createdAt: number;
  /** End of freshness (ms since epoch). */
  expiresAt: number;
  /** End of grace: until then it may be served stale while a refresh runs. */
  staleUntil: number;
  /** Tags it was written with, for tag invalidation. */
  tags: readonly string[];
  /** How long the load that produced it took (ms), when a loader did: weighs early refresh. */
  loadMs?: number;
}

/** How an entry looks at a given time. */
export type EntryState = 'fresh' | 'stale' | 'expired';

export function entryState(entry: CacheEntry, now: number): EntryState {
  if (now < entry.expiresAt) return 'fresh';
  if (now < entry.staleUntil) return 'stale';
  return 'expired';
}
