import type { ConnectionOptions } from 'node:tls';

/** Where and how to reach Redis; leave `redis` out of the options for the in-process store only. */
export interface CacheRedisOptions {
  /** `redis://` or `rediss://` URL; the fields below override its parts. */
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  /** `true` for TLS with the system CAs, or Node TLS options (e.g. `{ ca }` for a private CA). */
  tls?: boolean | ConnectionOptions;
  /** Connect to a Redis Cluster through these seed nodes. */
  cluster?: { nodes: { host: string; port: number }[] };
  /** Connect through Redis Sentinel to the master named `name`. */
  sentinel?: { sentinels: { host: string; port: number }[]; name: string };
  /** Per-command timeout on the hot path (default 50 ms; standalone and Sentinel reject a late command up to a fifth of it later, see CommandWatchdog). */
  commandTimeoutMs?: number;
  /** Timeout of bulk commands: SCAN, pattern and tag invalidation (default 5 s). */
  bulkCommandTimeoutMs?: number;
  /** Connect timeout (default 2 s). */
  connectTimeoutMs?: number;
  /**
   * ioredis auto-pipelining: batches commands of one event-loop turn into one write. It
   * costs a turn per command, which halves sequential throughput here; commands are
   * pipelined on the socket either way. Default false.
   */
  autoPipelining?: boolean;
}

/** Options of `CacheModule.forRoot` / `forRootAsync`. */
export interface CacheModuleOptions {
  /** When false every call goes straight to its loader and nothing is stored (default true). */
  enabled?: boolean;
  /** First segment of every key; keeps apps sharing a Redis apart (default `app`). */
  keyPrefix?: string;
  /** TTL when a call names none (default 5 min). */
  defaultTtlMs?: number;
  /**
   * Named TTLs in ms, e.g. `{ 'users.item': 900_000 }`: a decorator's `ttl: 'users.item'` takes
   * its TTL from here when the module starts, so TTLs can come from validated configuration
   * rather than from whatever the environment held when the decorators were evaluated.
   */
  ttls?: Readonly<Record<string, number>>;
  /** Grace (stale-while-revalidate window) when a call names none (default 0). */
  defaultGraceMs?: number;
  /** Redis as the shared tier; absent means the in-process store only. */
  redis?: CacheRedisOptions;
  /**
   * The in-process tier: L1 in front of Redis, and the fallback while Redis is down.
   * `maxTtlMs` bounds how long any in-process copy lives, whatever the entry's TTL (default
   * 60 s): a safety net under the invalidation bus, and the most an in-process copy can
   * outlive a write that nothing could tell this instance about. `maxBytes` (default 64 MiB)
   * bounds what it holds, each entry counted by its JSON length times 1.5 plus 512 bytes
   * (`l1Footprint`); `maxEntries` defaults to 10 000. `maxOrgShare` ((0, 1], default 0.5) is the
   * most of either bound one organization may hold; when the tier is full, the organization
   * holding the most is evicted from first.
   */
  l1?: { enabled?: boolean; maxEntries?: number; maxBytes?: number; maxTtlMs?: number; maxOrgShare?: number };
  /** TTLs are shortened by up to this fraction at random so keys written together expire apart (default 0.1). */
  ttlJitter?: number;
  /**
   * Payloads larger than this are deflated (default 16 KiB, as Java's memcached clients do; 0
   * disables). Below it compression costs more CPU per write and per L2 read (a zlib stream
   * each: about 20 µs and 10 µs for 2 KB) than the transfer time it saves even at 1 Gbit/s;
   * lower it when Redis memory is what is short.
   */
  compressionThresholdBytes?: number;
  /**
   * Values whose JSON (before compression) is larger than this are not cached, with a warning
   * (default 1 MiB). Reads hold Redis to the same bound: a value that is, or inflates to, more is
   * corrupt and read as a miss.
   */
  maxEntryBytes?: number;
  /** Cross-instance stampede lock: how long a lock lives and how long others wait for its value. */
  lock?: {
    ttlMs?: number;
    waitMs?: number;
    /**
     * The wait for another's lock for `ttlMs` after Redis came back from an outage or a failover
     * (default 1 s): a lock taken before may have lost its release with the old primary.
     */
    waitAfterOutageMs?: number;
  };
  /** Soft loader timeout when a call names none: past it a stale value is served if there is one. */
  loaderSoftTimeoutMs?: number;
  /**
   * Probabilistic early refresh (XFetch, Vattani et al.): on a hit, refresh in the background when
   * `now - loadMs * beta * ln(random) >= expiresAt`. `beta` (default 1) above 1 refreshes earlier;
   * `minTtlMs` (default 30 s): entries with a shorter TTL are not refreshed early unless a call asks.
   */
  earlyRefresh?: { beta?: number; minTtlMs?: number };
  /**
   * Consecutive Redis failures after which the breaker asks whether Redis really is down (a
   * PING bounded by `confirmTimeoutMs`, default 1 s, discounting this process' own event-loop
   * delay) and opens only if it is; the pause between recovery probes (default 500 ms).
   */
  circuitBreaker?: { failureThreshold?: number; probeIntervalMs?: number; confirmTimeoutMs?: number };
  /**
   * How instances keep each other's in-process tier coherent (see InvalidationBus).
   * `leaseMs` (default 1 s): how long one sync with the invalidation log vouches for L1, and so
   * the longest a write waits for an instance that does not acknowledge it. `syncIntervalMs`
   * (default 200 ms): how often each instance syncs and says it is alive. `logSize` (default
   * 10 000): invalidations kept in Redis for instances that missed their message.
   * `writeTimeoutMs` (default 1 s): bound on an invalidation's Redis work.
   */
  invalidation?: { leaseMs?: number; syncIntervalMs?: number; logSize?: number; writeTimeoutMs?: number };
  /** Max invalidations remembered during an outage and replayed on recovery (default 10 000). */
  outageJournalSize?: number;
  /**
   * Request headers that say who asks (the organization is derived from them), named in the
   * `Vary` of every answer of a `@CacheRoute` route so no client-side cache reuses one
   * caller's answer for another (default `['Authorization']`).
   */
  httpPrincipalHeaders?: readonly string[];
  /**
   * The fleet view: every instance publishes its counters to Redis on a timer, so any instance
   * can answer for all of them (`CacheFleet`). Nothing is published without Redis.
   */
  fleet?: CacheFleetOptions;
  /** The most read keys per namespace: 1 hit in `sampleEvery` is counted into a bounded top-k. */
  hotKeys?: { sampleEvery?: number; capacity?: number };
}

export interface CacheFleetOptions {
  /** Publish at all (default true). */
  enabled?: boolean;
  /** How often this instance publishes its counters (default 2 s). */
  publishIntervalMs?: number;
  /** An instance silent this long drops out: its published counters expire (default 30 s). */
  instanceTtlMs?: number;
  /** Organizations one instance publishes, its busiest (default 200). */
  maxOrgs?: number;
  /** Instances listed at most (default 1 000). */
  maxInstances?: number;
}

/** Options with every default applied; what the engine's parts receive. */
export interface ResolvedCacheOptions {
  enabled: boolean;
  keyPrefix: string;
  defaultTtlMs: number;
  ttls: Readonly<Record<string, number>>;
  defaultGraceMs: number;
  redis: CacheRedisOptions | undefined;
  l1: { enabled: boolean; maxEntries: number; maxBytes: number; maxTtlMs: number; maxOrgShare: number };
  ttlJitter: number;
  compressionThresholdBytes: number;
  maxEntryBytes: number;
  lock: { ttlMs: number; waitMs: number; waitAfterOutageMs: number };
  loaderSoftTimeoutMs: number | undefined;
  earlyRefresh: { beta: number; minTtlMs: number };
  circuitBreaker: { failureThreshold: number; probeIntervalMs: number; confirmTimeoutMs: number };
  invalidation: { leaseMs: number; syncIntervalMs: number; logSize: number; writeTimeoutMs: number };
  outageJournalSize: number;
  httpPrincipalHeaders: readonly string[];
  fleet: Required<CacheFleetOptions>;
  hotKeys: { sampleEvery: number; capacity: number };
}
