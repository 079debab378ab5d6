import type { CacheWarmConfig } from './cache-warm.config';
import type { AlertThresholds, CacheFleetConfig, MetricsConfig } from './observability.config';

/** `NODE_ENV` values the app knows; anything else is rejected at start. */
export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/** `LOG_LEVEL` values, most severe first; a level enables itself and every level before it. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type AppLogLevel = (typeof LOG_LEVELS)[number];

export interface HostPort {
  host: string;
  port: number;
}

/** Redis as configured by the environment; `configured` is false when no variable names a server. */
export interface RedisConfig {
  configured: boolean;
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  tls: boolean;
  /** Contents (PEM) of the CA file named by REDIS_TLS_CA, read once at start. */
  tlsCa?: string;
  clusterNodes: HostPort[];
  sentinels: HostPort[];
  sentinelName?: string;
  commandTimeoutMs: number;
}

export interface CacheConfig {
  enabled: boolean;
  required: boolean;
  defaultTtlSeconds: number;
  keyPrefix: string;
  l1Enabled: boolean;
  l1MaxEntries: number;
  l1MaxBytes: number;
  /** Longest life of any in-process copy, ms (a safety net under the invalidation bus). */
  l1MaxTtlMs: number;
  /** How long one sync with the invalidation log vouches for L1, ms; the longest a write waits for a silent instance. */
  l1LeaseMs: number;
  /** How often each instance syncs with the invalidation log, ms. */
  syncIntervalMs: number;
  /** Most of the L1's bytes and entries one organization may hold, in percent (CACHE_L1_ORG_SHARE_PERCENT). */
  l1OrgSharePercent: number;
  compressionThresholdBytes: number;
  maxEntryBytes: number;
  /** The domain modules' TTLs in ms, by the name their decorators use (CACHE_TTL_*, in seconds). */
  ttls: Readonly<Record<string, number>>;
}

export interface DatabaseConfig {
  /** External Postgres; absent means the embedded PGlite database. */
  url?: string;
  /** Connections TypeORM may open to the external Postgres (the embedded one always gets 1). */
  poolSize: number;
  /** Folder of the embedded PGlite database (unused with `url`). */
  dataDir: string;
}

/** Structured logs (pino). */
export interface LoggingConfig {
  /** One line per HTTP request (LOG_REQUESTS); off for benchmarks. */
  requests: boolean;
  /** The request line also carries both header sets, credentials redacted (LOG_REQUEST_HEADERS). */
  headers: boolean;
}

/** Per-client request limits, counted in Redis (shared by every instance) or in-process without it. */
export interface RateLimitConfig {
  enabled: boolean;
  /** Length of one counting window, in seconds. */
  ttlSeconds: number;
  /** Requests per window for one API key. */
  limit: number;
  /** Requests per window for one address without a (known) API key. */
  anonymousLimit: number;
  /** Requests per window for the operator token: a budget of its own, apart from every tenant's. */
  operatorLimit: number;
  /**
   * Share of a limit (percent) one instance counts on its own before adding it to the shared
   * counter: N instances admit at most N × floor(limit × percent / 100) requests past a limit.
   * 0 (the default): one INCR per request, exact.
   */
  localPercent: number;
  /** The longest a locally counted request waits before it is added to the shared counter (ms). */
  syncIntervalMs: number;
}

/** The whole typed configuration, built once from the environment and validated. */
export interface AppConfig {
  nodeEnv: NodeEnv;
  host: string;
  port: number;
  logLevel: AppLogLevel;
  adminToken: string;
  /** True when ADMIN_TOKEN was absent outside production and a random one was made for this run. */
  adminTokenGenerated: boolean;
  database: DatabaseConfig;
  redis: RedisConfig;
  cache: CacheConfig;
  cacheWarm: CacheWarmConfig;
  /** The fleet view of the cache's stats and the hot-key sampling (CACHE_FLEET_*, CACHE_HOT_KEYS_*). */
  cacheFleet: CacheFleetConfig;
  /** Thresholds of GET /cache/report (CACHE_ALERT_*). */
  alerts: AlertThresholds;
  metrics: MetricsConfig;
  logging: LoggingConfig;
  rateLimit: RateLimitConfig;
  /**
   * Express `trust proxy` (TRUST_PROXY): which proxies may set X-Forwarded-For, so that
   * per-address rate limits see clients, not the load balancer. false: none (the peer is the client).
   */
  trustProxy: boolean | number | string[];
  /** How long SIGTERM waits for in-flight requests before closing connections anyway (ms). */
  shutdownTimeoutMs: number;
}
