import { Cluster, type Redis, type RedisOptions } from 'ioredis';
import type { CacheRedisOptions } from '../cache-options.interface';
import { withTimeout } from '../common/async';
import type { RedisClient, RedisConnections } from './redis-connection.factory';

/** Connections closeRedisClient is closing: their end is wanted. */
const closing = new WeakSet<RedisClient>();

/**
 * ioredis 6 ends a Sentinel connection for good (status `end`, no retry) when its failover
 * detector fires while it is reconnecting: the detector of the connection to a killed primary
 * hears `+switch-master` mid-reconnect, and the reconnect fails with "Connection is closed.".
 * The instance would then stay on its fallback until restarted. Such an end starts a new connect.
 */
export function reviveOnUnexpectedEnd(client: Redis): void {
  client.on('end', () => {
    if (closing.has(client)) return;
    const timer = setTimeout(() => {
      if (!closing.has(client) && client.status === 'end') client.connect().catch(() => undefined);
    }, 100);
    timer.unref();
  });
}

/**
 * Sentinel mode, made to follow a failover at once. A failover promotes the replica but leaves
 * the old primary a writable master until the sentinels convert it, 8 s or more later: a client
 * that stays connected keeps writing there, and everything it writes (invalidations included)
 * is dropped when the old primary resyncs from the new one, so stale entries written before
 * the failover come back. So each connection:
 * - subscribes to the sentinels' `+switch-master` (`failoverDetector`) and reconnects as soon
 *   as they announce the new primary, asking them where it is (ioredis checks its role);
 * - reconnects when a server answers READONLY (it was demoted under us): the command fails,
 *   the circuit breaker counts it, and the next one goes to the primary the sentinels name.
 */
export function sentinelOptions(sentinel: NonNullable<CacheRedisOptions['sentinel']>): RedisOptions {
  return {
    sentinels: sentinel.sentinels,
    name: sentinel.name,
    failoverDetector: true,
    reconnectOnError: (error) => isReadOnlyError(error),
  };
}

/** A write refused by a replica: `READONLY You can't write against a read only replica.` */
export function isReadOnlyError(error: Error): boolean {
  return /\bREADONLY\b/.test(error.message);
}

/**
 * Calls `onChange` when the primary the engine writes to is another server than before: in
 * Sentinel mode the hot-path connection is ready again on another address; in a Cluster the
 * masters after a slots refresh are not the ones before (a replica took over). Writes the old
 * primary acknowledged but had not replicated are gone then (asynchronous replication; after
 * `SENTINEL FAILOVER` the old primary even takes writes until the clients switch), invalidations
 * among them: the caller treats the change as an outage. A standalone server never changes.
 * Returns a function that stops watching.
 */
export function watchPrimary(connections: RedisConnections, onChange: (description: string) => void): () => void {
  const main = connections.main;
  if (main instanceof Cluster) {
    let masters = clusterMasters(main);
    const onRefresh = (): void => {
      const now = clusterMasters(main);
      const before = masters;
      masters = now;
      if (before !== '' && now !== '' && now !== before) onChange(`Redis Cluster masters changed from ${before} to ${now}`);
    };
    main.on('refresh', onRefresh);
    return () => main.off('refresh', onRefresh);
  }
  if (connections.mode !== 'sentinel') return () => undefined;
  let address = streamAddress(main);
  const onReady = (): void => {
    const now = streamAddress(main);
    const before = address;
    address = now;
    if (before !== undefined && now !== undefined && now !== before) onChange(`Redis primary changed from ${before} to ${now}`);
  };
  main.on('ready', onReady);
  return () => main.off('ready', onReady);
}

function streamAddress(client: Redis): string | undefined {
  const stream = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
  return stream?.remoteAddress !== undefined && stream.remotePort !== undefined ? `${stream.remoteAddress}:${stream.remotePort}` : undefined;
}

function clusterMasters(cluster: Cluster): string {
  return cluster
    .nodes('master')
    .map((node) => `${node.options.host ?? ''}:${node.options.port ?? ''}`)
    .sort()
    .join(',');
}

/** Closes a connection, politely when it answers and at once when it does not. */
export async function closeRedisClient(client: RedisClient): Promise<void> {
  closing.add(client);
  if (client.status === 'end') return closeFailoverDetector(client);
  try {
    await withTimeout(client.quit(), 500, 'quit timeout');
  } catch {
    client.disconnect();
  }
  closeFailoverDetector(client);
}

/**
 * ioredis 6 closes a Sentinel connection's `+switch-master` subscriptions only in disconnect(),
 * not when QUIT ends it: they would keep the process alive. Nothing public reaches them, so
 * this goes through the connector (a no-op when the shape differs).
 */
function closeFailoverDetector(client: RedisClient): void {
  const connector = (client as unknown as { connector?: { failoverDetector?: { cleanup?: () => void } | null } }).connector;
  connector?.failoverDetector?.cleanup?.();
}
