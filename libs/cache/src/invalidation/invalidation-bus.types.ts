import type { InvalidationTarget } from '../stores/cache-store.interface';
import type { RedisClient } from '../stores/redis-connection.factory';

export type BusMessage =
  /** An invalidation: origin, origin's message id (for acks), its sequence number in the log, the origin's epoch. */
  | { k: 'inv'; o: string; i: number; n: number; e: number; t: InvalidationTarget }
  | { k: 'ack'; o: string; i: number }
  | { k: 'hb'; o: string };

/** What the bus does to this instance's in-process tier. */
export interface InvalidationBusHooks {
  /** Drops the in-process copies one invalidation made stale. */
  apply(target: InvalidationTarget): void;
  /** Drops every in-process entry: history was lost, so any of them may be stale. */
  dropAll(reason: string): void;
  /** Called after each successful sync: Redis answers the bus. */
  synced?(): void;
}

export interface InvalidationBusOptions {
  /** Connection for commands (log, heartbeats, publishes): not the hot-path one, its timeout is generous. */
  publisher: RedisClient;
  subscriber: RedisClient;
  prefix: string;
  instanceId: string;
  /** How long one successful sync vouches for this instance's in-process tier. */
  leaseMs: number;
  /** How often the instance syncs with the invalidation log (and says it is alive). */
  syncIntervalMs: number;
  /** Invalidations kept in Redis for instances that missed their message. */
  logSize: number;
  /** Bound on each of the bus' Redis calls (appending to the log, a sync). */
  timeoutMs: number;
}
