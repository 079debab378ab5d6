import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  type AppConfig,
  type CacheConfig,
  type DatabaseConfig,
  LOG_LEVELS,
  type LoggingConfig,
  NODE_ENVS,
  type RateLimitConfig,
  type RedisConfig,
} from './app-config.interface';
import { readCacheTtls } from './cache-ttls.config';
import { readCacheWarm } from './cache-warm.config';
import { type Env, EnvReader } from './env-reader';
import { readAlertThresholds, readCacheFleet, readMetrics } from './observability.config';

/** Thrown at start when the environment is unusable; the message names every bad variable. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigValidationError';
  }
}

export interface ConfigValidationDeps {
  /** Reads the REDIS_TLS_CA file; injectable so tests need no file on disk. */
  readFile?: (path: string) => string;
  /** Makes the development ADMIN_TOKEN when none is set. */
  generateAdminToken?: () => string;
}

export const ADMIN_TOKEN_MIN_LENGTH = 16;
const KEY_PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const MIB = 1024 * 1024;

/**
 * Builds the typed configuration from environment variables, applying defaults.
 * Throws one {@link ConfigValidationError} listing every bad variable, never just the first.
 */
export function validateAppConfig(env: Env, deps: ConfigValidationDeps = {}): AppConfig {
  const reader = new EnvReader(env);
  const nodeEnv = reader.oneOf('NODE_ENV', NODE_ENVS, 'development');
  const config: AppConfig = {
    nodeEnv,
    host: reader.string('HOST', '127.0.0.1'),
    port: reader.integer('PORT', 3000, { min: 0, max: 65_535 }, 'an integer from 0 to 65535'),
    logLevel: reader.oneOf('LOG_LEVEL', LOG_LEVELS, 'log'),
    ...readAdminToken(reader, nodeEnv === 'production', deps),
    database: readDatabase(reader, nodeEnv === 'production'),
    redis: readRedis(reader, deps),
    cache: readCache(reader),
    cacheWarm: readCacheWarm(reader),
    cacheFleet: readCacheFleet(reader),
    alerts: readAlertThresholds(reader),
    metrics: readMetrics(reader),
    logging: readLogging(reader),
    rateLimit: readRateLimit(reader),
    trustProxy: readTrustProxy(reader),
    shutdownTimeoutMs: reader.integer('SHUTDOWN_TIMEOUT_MS', 10_000, { min: 0 }, 'a non-negative integer (milliseconds)'),
  };
  if (reader.problems.length > 0) throw new ConfigValidationError(reader.problems);
  return config;
}

function readAdminToken(
  reader: EnvReader,
  production: boolean,
  deps: ConfigValidationDeps,
): Pick<AppConfig, 'adminToken' | 'adminTokenGenerated'> {
  const token = reader.string('ADMIN_TOKEN');
  if (token === undefined && !production) {
    const generate = deps.generateAdminToken ?? (() => randomBytes(24).toString('base64url'));
    return { adminToken: generate(), adminTokenGenerated: true };
  }
  if (token === undefined || token.length < ADMIN_TOKEN_MIN_LENGTH) {
    reader.problem(
      'ADMIN_TOKEN',
      token === undefined
        ? `is required in production (at least ${ADMIN_TOKEN_MIN_LENGTH} characters)`
        : `must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters`,
    );
  }
  return { adminToken: token ?? '', adminTokenGenerated: false };
}

function readDatabase(reader: EnvReader, production: boolean): DatabaseConfig {
  const url = reader.url('DATABASE_URL', ['postgres:', 'postgresql:'], 'a postgres:// or postgresql:// URL');
  // The embedded database checks no password and serves one process: never in production.
  if (production && !reader.isSet('DATABASE_URL')) {
    reader.problem('DATABASE_URL', 'is required in production (the embedded PGlite database is for development only)');
  }
  return {
    url,
    poolSize: reader.integer('DATABASE_POOL_SIZE', 10, { min: 1, max: 1000 }, 'an integer from 1 to 1000'),
    dataDir: reader.string('DATABASE_DATA_DIR', './.data/pglite'),
  };
}

function readRedis(reader: EnvReader, deps: ConfigValidationDeps): RedisConfig {
  const url = reader.url('REDIS_URL', ['redis:', 'rediss:'], 'a redis:// or rediss:// URL');
  const host = reader.string('REDIS_HOST');
  const clusterNodes = reader.hostPortList('REDIS_CLUSTER_NODES');
  const sentinels = reader.hostPortList('REDIS_SENTINELS');
  const sentinelName = reader.string('REDIS_SENTINEL_NAME');
  const tlsCaPath = reader.string('REDIS_TLS_CA');
  const redis: RedisConfig = {
    configured: ['REDIS_URL', 'REDIS_HOST', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'].some((name) =>
      reader.isSet(name),
    ),
    url,
    host,
    port: reader.integer('REDIS_PORT', undefined, { min: 1, max: 65_535 }, 'an integer from 1 to 65535'),
    username: reader.string('REDIS_USERNAME'),
    password: reader.string('REDIS_PASSWORD'),
    db: reader.integer('REDIS_DB', undefined, { min: 0 }, 'a non-negative integer'),
    tls: reader.boolean('REDIS_TLS', false),
    tlsCa: tlsCaPath === undefined ? undefined : readCaFile(reader, tlsCaPath, deps),
    clusterNodes,
    sentinels,
    sentinelName,
    commandTimeoutMs: reader.integer('REDIS_COMMAND_TIMEOUT_MS', 50, { min: 1 }, 'a positive integer (milliseconds)'),
  };

  const direct = reader.isSet('REDIS_URL') || reader.isSet('REDIS_HOST');
  const cluster = reader.isSet('REDIS_CLUSTER_NODES');
  const sentinel = reader.isSet('REDIS_SENTINELS');
  if (cluster && sentinel) reader.problem('REDIS_CLUSTER_NODES', 'cannot be combined with REDIS_SENTINELS');
  if (direct && (cluster || sentinel)) {
    reader.problem(
      reader.isSet('REDIS_URL') ? 'REDIS_URL' : 'REDIS_HOST',
      'cannot be combined with REDIS_CLUSTER_NODES or REDIS_SENTINELS (put credentials in REDIS_USERNAME/REDIS_PASSWORD)',
    );
  }
  if (sentinel && sentinelName === undefined) reader.problem('REDIS_SENTINEL_NAME', 'is required with REDIS_SENTINELS');
  if (!sentinel && sentinelName !== undefined) reader.problem('REDIS_SENTINEL_NAME', 'is only used with REDIS_SENTINELS');
  if (!redis.configured) {
    // Settings that only make sense with a server would be silently ignored: say so instead.
    for (const name of ['REDIS_PORT', 'REDIS_USERNAME', 'REDIS_PASSWORD', 'REDIS_DB', 'REDIS_TLS', 'REDIS_TLS_CA']) {
      if (reader.isSet(name)) {
        reader.problem(name, 'is set but no Redis is configured (set REDIS_URL, REDIS_HOST, REDIS_CLUSTER_NODES or REDIS_SENTINELS)');
      }
    }
  }
  return redis;
}

function readCaFile(reader: EnvReader, path: string, deps: ConfigValidationDeps): string | undefined {
  const readFile = deps.readFile ?? ((file: string) => readFileSync(file, 'utf8'));
  try {
    return readFile(path);
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? ` (${String(error.code)})` : '';
    reader.problem('REDIS_TLS_CA', `must be a readable CA file${code}`);
    return undefined;
  }
}

function readCache(reader: EnvReader): CacheConfig {
  const keyPrefix = reader.string('CACHE_KEY_PREFIX', 'app');
  if (!KEY_PREFIX_PATTERN.test(keyPrefix)) {
    reader.problem('CACHE_KEY_PREFIX', 'must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -');
  }
  const positive = (what: string) => `a positive integer (${what})`;
  return {
    enabled: reader.boolean('CACHE_ENABLED', true),
    required: reader.boolean('CACHE_REQUIRED', false),
    defaultTtlSeconds: reader.integer('CACHE_DEFAULT_TTL', 300, { min: 1 }, positive('seconds')),
    keyPrefix,
    l1Enabled: reader.boolean('CACHE_L1_ENABLED', true),
    l1MaxEntries: reader.integer('CACHE_L1_MAX_ENTRIES', 10_000, { min: 1 }, 'a positive integer'),
    l1MaxBytes: reader.integer('CACHE_L1_MAX_BYTES', 64 * MIB, { min: 1 }, positive('bytes')),
    l1MaxTtlMs: reader.integer('CACHE_L1_MAX_TTL_MS', 60_000, { min: 1 }, positive('ms')),
    l1OrgSharePercent: reader.integer('CACHE_L1_ORG_SHARE_PERCENT', 50, { min: 1, max: 100 }, 'an integer from 1 to 100 (percent)'),
    ...readCoherence(reader),
    compressionThresholdBytes: reader.integer(
      'CACHE_COMPRESSION_THRESHOLD_BYTES',
      16 * 1024,
      { min: 0 },
      'a non-negative integer (bytes; 0 disables compression)',
    ),
    maxEntryBytes: reader.integer('CACHE_MAX_ENTRY_BYTES', MIB, { min: 1 }, positive('bytes')),
    ttls: readCacheTtls(reader),
  };
}

function readCoherence(reader: EnvReader): Pick<CacheConfig, 'l1LeaseMs' | 'syncIntervalMs'> {
  const syncIntervalMs = reader.integer('CACHE_SYNC_INTERVAL_MS', 200, { min: 10 }, 'an integer of at least 10 (ms)');
  const l1LeaseMs = reader.integer('CACHE_L1_LEASE_MS', 1_000, { min: 20 }, 'an integer of at least 20 (ms)');
  if (l1LeaseMs < 2 * syncIntervalMs) reader.problem('CACHE_L1_LEASE_MS', `must be at least twice CACHE_SYNC_INTERVAL_MS (${2 * syncIntervalMs})`);
  return { l1LeaseMs, syncIntervalMs };
}

function readLogging(reader: EnvReader): LoggingConfig {
  return { requests: reader.boolean('LOG_REQUESTS', true), headers: reader.boolean('LOG_REQUEST_HEADERS', false) };
}

function readRateLimit(reader: EnvReader): RateLimitConfig {
  return {
    enabled: reader.boolean('RATE_LIMIT_ENABLED', true),
    ttlSeconds: reader.integer('RATE_LIMIT_TTL_SECONDS', 60, { min: 1 }, 'a positive integer (seconds)'),
    limit: reader.integer('RATE_LIMIT_LIMIT', 600, { min: 1 }, 'a positive integer (requests per window)'),
    anonymousLimit: reader.integer('RATE_LIMIT_ANONYMOUS_LIMIT', 120, { min: 1 }, 'a positive integer (requests per window)'),
    operatorLimit: reader.integer('RATE_LIMIT_OPERATOR_LIMIT', 3000, { min: 1 }, 'a positive integer (requests per window)'),
    localPercent: reader.integer('RATE_LIMIT_LOCAL_PERCENT', 0, { min: 0, max: 10 }, 'an integer from 0 to 10 (percent of a limit)'),
    syncIntervalMs: reader.integer('RATE_LIMIT_SYNC_MS', 50, { min: 5, max: 1_000 }, 'an integer from 5 to 1000 (ms)'),
  };
}

const PROXY_ADDRESS = /^(loopback|linklocal|uniquelocal|[0-9A-Fa-f:.]+(\/[0-9]{1,3})?)$/;

function readTrustProxy(reader: EnvReader): AppConfig['trustProxy'] {
  const value = reader.raw('TRUST_PROXY');
  if (value === undefined) return false;
  const lower = value.toLowerCase();
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  if (['true', 'yes', 'on'].includes(lower)) return true;
  if (/^[1-9][0-9]{0,1}$/.test(value)) return Number(value);
  const addresses = value.split(',').map((part) => part.trim());
  if (addresses.every((address) => PROXY_ADDRESS.test(address))) return addresses;
  reader.problem(
    'TRUST_PROXY',
    'must be true, false, a number of proxy hops (1-99) or a comma-separated list of addresses, subnets (CIDR), loopback, linklocal or uniquelocal',
  );
  return false;
}
