import { Logger } from '@nestjs/common';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { CacheRedisOptions } from '../cache-options.interface';
import { withTimeout } from '../common/async';

/** A connection the Redis store can use: one server (standalone, TLS, Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster;

/** How the engine reaches Redis, as the health view reports it. */
export type RedisMode = 'standalone' | 'cluster' | 'sentinel';

/** The three connections the engine keeps: hot path, bulk work, and pub/sub. */
export interface RedisConnections {
  mode: RedisMode;
  main: RedisClient;
  bulk: RedisClient;
  subscriber: RedisClient;
}

/**
 * Opens the engine's connections. The hot-path connection fails fast: a short command
 * timeout, no offline queue and no retries, so a slow or absent Redis costs a request tens
 * of milliseconds once and then the circuit breaker routes around it.
 */
export function createRedisConnections(options: CacheRedisOptions): RedisConnections {
  const commandTimeout = options.commandTimeoutMs ?? 50;
  const bulkTimeout = options.bulkCommandTimeoutMs ?? 5_000;
  const autoPipelining = options.autoPipelining ?? false;
  const base = baseOptions(options);
  if (options.cluster !== undefined) {
    const make = (timeout: number | undefined, autoPipelining: boolean): Cluster =>
      new Cluster(options.cluster!.nodes, {
        enableOfflineQueue: false,
        enableAutoPipelining: autoPipelining,
        scaleReads: 'master',
        clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
        slotsRefreshTimeout: options.connectTimeoutMs ?? 2_000,
        // An explicit `commandTimeout: undefined` makes ioredis' Cluster drop its subscriber: leave the key out.
        redisOptions: { ...base, ...(timeout === undefined ? {} : { commandTimeout: timeout }), maxRetriesPerRequest: 0 },
      } satisfies ClusterOptions);
    return withErrorLogging({ mode: 'cluster', main: make(commandTimeout, autoPipelining), bulk: make(bulkTimeout, false), subscriber: make(undefined, false) });
  }
  const sentinel = options.sentinel;
  const connection: RedisOptions = sentinel ? { ...base, ...sentinelOptions(sentinel) } : base;
  const make = (timeout: number | undefined, autoPipelining: boolean, offlineQueue: boolean, extra: RedisOptions = {}): Redis =>
    new Redis({
      ...connection,
      ...(timeout === undefined ? {} : { commandTimeout: timeout }),
      enableAutoPipelining: autoPipelining,
      enableOfflineQueue: offlineQueue,
      maxRetriesPerRequest: offlineQueue ? null : 0,
      retryStrategy: (times) => Math.min(50 * times, 1_000),
      ...extra,
    });
  const connections = withErrorLogging({
    mode: sentinel ? 'sentinel' : 'standalone',
    main: make(commandTimeout, autoPipelining, false),
    bulk: make(bulkTimeout, false, false),
    // After a reconnect the subscriber's channels are subscribed again by InvalidationBus, not by
    // ioredis: its own resubscription leaves the SUBSCRIBE promise unhandled, and when the
    // connection closes before the reply (a shutdown right after a Redis restart) that rejection
    // ("Connection is closed.") would end the process.
    subscriber: make(undefined, false, true, { autoResubscribe: false }),
  });
  if (sentinel) for (const client of [connections.main, connections.bulk, connections.subscriber]) reviveOnUnexpectedEnd(client as Redis);
  return connections;
}

/** Connections closeRedisClient is closing: their end is wanted. */
const closing = new WeakSet<RedisClient>();

/**
 * ioredis 6 ends a Sentinel connection for good (status `end`, no retry) when its failover
 * detector fires while it is reconnecting: the detector of the connection to a killed primary
 * hears `+switch-master` mid-reconnect, and the reconnect fails with "Connection is closed.".
 * The instance would then stay on its fallback until restarted. Such an end starts a new connect.
 */
function reviveOnUnexpectedEnd(client: Redis): void {
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
function sentinelOptions(sentinel: NonNullable<CacheRedisOptions['sentinel']>): RedisOptions {
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

/** How long one connection's repeats of an error message stay out of the log. */
const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * Gives each connection an `error` listener. Without one, ioredis prints the connection errors it
 * emits (a failed ready check while Redis restarts, say) with console.error; the circuit breaker
 * already says what an outage means, so these go to the Nest log as warnings, each distinct
 * message at most once per 10 s per connection.
 */
function withErrorLogging(connections: RedisConnections): RedisConnections {
  const logger = new Logger('Redis');
  for (const role of ['main', 'bulk', 'subscriber'] as const) {
    const lastLogged = new Map<string, number>();
    connections[role].on('error', (error: Error) => {
      const now = Date.now();
      if (now - (lastLogged.get(error.message) ?? -Infinity) < ERROR_LOG_INTERVAL_MS) return;
      if (lastLogged.size > 100) lastLogged.clear();
      lastLogged.set(error.message, now);
      logger.warn(`${role} connection: ${error.message}`);
    });
  }
  return connections;
}

function baseOptions(options: CacheRedisOptions): RedisOptions {
  const fromUrl: RedisOptions = {};
  let tlsFromUrl = false;
  if (options.url !== undefined) {
    const url = new URL(options.url);
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new Error(`Redis URL must use redis:// or rediss://, got ${url.protocol}`);
    }
    tlsFromUrl = url.protocol === 'rediss:';
    if (url.hostname) fromUrl.host = url.hostname.replace(/^\[|\]$/g, '');
    if (url.port) fromUrl.port = Number(url.port);
    if (url.username) fromUrl.username = decodeURIComponent(url.username);
    if (url.password) fromUrl.password = decodeURIComponent(url.password);
    if (url.pathname.length > 1) fromUrl.db = Number(url.pathname.slice(1));
  }
  const tlsOption = options.tls ?? tlsFromUrl;
  const result: RedisOptions = {
    ...fromUrl,
    connectTimeout: options.connectTimeoutMs ?? 2_000,
    lazyConnect: false,
  };
  if (options.host !== undefined) result.host = options.host;
  if (options.port !== undefined) result.port = options.port;
  if (options.username !== undefined) result.username = options.username;
  if (options.password !== undefined) result.password = options.password;
  if (options.db !== undefined) result.db = options.db;
  if (tlsOption !== false) result.tls = tlsOption === true ? {} : tlsOption;
  return result;
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

/** Resolves once the connection is ready (connected, authenticated, db selected); rejects after `timeoutMs`. */
export function waitForReady(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`Redis not ready within ${timeoutMs} ms (status ${client.status})`));
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}

/** Sockets corked until the end of the current tick (see `batchWritesThisTick`). */
const corked = new WeakSet<object>();

/**
 * Holds what `client` writes to its socket until the end of the current tick (process.nextTick:
 * the same turn of the event loop, no added wait), then sends it in one write. Commands issued
 * by the continuations of one batch of replies (under concurrency, one socket read wakes many
 * of them) then cost one system call together instead of one each; a lone command goes out at
 * the end of the tick that issued it. Not ioredis' auto-pipelining, which waits for the next
 * turn (setImmediate) and builds a pipeline per batch. A Cluster client has no single socket and
 * is left alone.
 */
export function batchWritesThisTick(client: RedisClient): void {
  const stream = (client as { stream?: NodeJS.WritableStream & { cork?(): void; uncork?(): void; writable?: boolean } }).stream;
  if (stream === undefined || stream.cork === undefined || corked.has(stream) || stream.writable !== true) return;
  stream.cork();
  corked.add(stream);
  process.nextTick(uncorkStream, stream);
}

function uncorkStream(stream: { uncork?(): void }): void {
  corked.delete(stream);
  stream.uncork?.();
}
