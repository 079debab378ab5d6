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

/** How long a new entry is fresh, then stale, and what it is tagged with. */
export interface EntryLifetime {
  ttlMs: number;
  graceMs: number;
  tags: readonly string[];
  /** How long its load took, when a loader produced it. */
  loadMs?: number;
}

/**
 * A new entry of `value`, written at `now`: fresh for `ttlMs`, then stale for `graceMs`. It
 * lives `ttlMs + graceMs` in a store.
 */
export function createEntry<T>(value: T, lifetime: EntryLifetime, now = Date.now()): CacheEntry<T> {
  const expiresAt = now + lifetime.ttlMs;
  const entry: CacheEntry<T> = { value, createdAt: now, expiresAt, staleUntil: expiresAt + lifetime.graceMs, tags: lifetime.tags };
  if (lifetime.loadMs !== undefined) entry.loadMs = lifetime.loadMs;
  return entry;
}

/**
 * Shortens a TTL by up to `jitter` (a fraction in [0, 1)) at random: keys written together
 * (a warm run, a burst of misses) then expire apart instead of all reloading at once.
 */
export function jitterTtl(ttlMs: number, jitter: number): number {
  return jitter > 0 ? Math.max(1, Math.round(ttlMs * (1 - Math.random() * jitter))) : ttlMs;
}
