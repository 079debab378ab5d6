import { Logger } from '@nestjs/common';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { CacheRedisOptions } from '../cache-options.interface';
import { WatchedRedis, type LegacyRedisOptions } from './command-watchdog';
import { reviveOnUnexpectedEnd, sentinelOptions } from './redis-failover';

export { closeRedisClient, isReadOnlyError, watchPrimary } from './redis-failover';
export { batchWrites } from './redis-write-batching';

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
 * The hot-path connection never sends a command again after a reconnect: its caller gave up on
 * it at the command timeout and fell back, so a lock script resent to the primary a failover
 * promoted would take a lock nobody gives back (readers then wait `lock.waitMs`).
 */
const NO_LATE_COMMANDS: RedisOptions = { autoResendUnfulfilledCommands: false };

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
    const make = (timeout: number | undefined, autoPipelining: boolean, extra: RedisOptions = {}): Cluster =>
      new Cluster(options.cluster!.nodes, {
        enableOfflineQueue: false,
        enableAutoPipelining: autoPipelining,
        scaleReads: 'master',
        clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
        slotsRefreshTimeout: options.connectTimeoutMs ?? 2_000,
        // An explicit `commandTimeout: undefined` makes ioredis' Cluster drop its subscriber: leave the key out.
        redisOptions: { ...base, ...(timeout === undefined ? {} : { commandTimeout: timeout }), maxRetriesPerRequest: 0, ...extra },
      } satisfies ClusterOptions);
    return withErrorLogging({ mode: 'cluster', main: make(commandTimeout, autoPipelining, NO_LATE_COMMANDS), bulk: make(bulkTimeout, false), subscriber: make(undefined, false) });
  }
  const sentinel = options.sentinel;
  const connection: RedisOptions = sentinel ? { ...base, ...sentinelOptions(sentinel) } : base;
  const make = (timeout: number | undefined, autoPipelining: boolean, offlineQueue: boolean, extra: RedisOptions = {}, watched = false): Redis => {
    const redisOptions: LegacyRedisOptions = {
      ...connection,
      ...(timeout === undefined || watched ? {} : { commandTimeout: timeout }),
      enableAutoPipelining: autoPipelining,
      enableOfflineQueue: offlineQueue,
      maxRetriesPerRequest: offlineQueue ? null : 0,
      retryStrategy: (times) => Math.min(50 * times, 1_000),
      ...extra,
      // ioredis' default, stated: the stores read RESP2 replies.
      replyMapping: 'legacy',
    };
    return watched && timeout !== undefined ? new WatchedRedis(redisOptions, timeout) : new Redis(redisOptions);
  };
  const connections = withErrorLogging({
    mode: sentinel ? 'sentinel' : 'standalone',
    // The hot path's timeouts through one watchdog, not a timer per command (see CommandWatchdog).
    main: make(commandTimeout, autoPipelining, false, NO_LATE_COMMANDS, true),
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

