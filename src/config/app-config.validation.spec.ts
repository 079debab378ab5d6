import { ConfigValidationError, validateAppConfig } from './app-config.validation';
import type { Env } from './env-reader';

const deps = {
  generateAdminToken: () => 'generated-token-for-tests',
  readFile: (path: string): string => {
    if (path === '/certs/ca.pem') return '-----BEGIN CERTIFICATE-----';
    throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  },
};

function validate(env: Env) {
  return validateAppConfig(env, deps);
}

function problemsOf(env: Env): readonly string[] {
  try {
    validate(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe(validateAppConfig.name, () => {
  it('applies every default to an empty environment', () => {
    const sut = validate({});

    expect(sut).toEqual({
      nodeEnv: 'development',
      host: '127.0.0.1',
      port: 3000,
      logLevel: 'log',
      adminToken: 'generated-token-for-tests',
      adminTokenGenerated: true,
      database: { url: undefined, poolSize: 10, dataDir: './.data/pglite' },
      redis: {
        configured: false,
        tls: false,
        clusterNodes: [],
        sentinels: [],
        commandTimeoutMs: 50,
      },
      cache: {
        enabled: true,
        required: false,
        defaultTtlSeconds: 300,
        keyPrefix: 'app',
        l1Enabled: true,
        l1MaxEntries: 10_000,
        l1MaxBytes: 64 * 1024 * 1024,
        l1MaxTtlMs: 60_000,
        l1LeaseMs: 1_000,
        syncIntervalMs: 200,
        l1OrgSharePercent: 50,
        compressionThresholdBytes: 16 * 1024,
        maxEntryBytes: 1024 * 1024,
        // The API contract's TTL defaults, in ms, by the names the domain modules' decorators use.
        ttls: {
          'users.user': 900_000,
          'users.list': 300_000,
          'orders.order': 300_000,
          'orders.list': 120_000,
          'availability.staff': 600_000,
          'availability.slots': 120_000,
          'availability.check': 60_000,
          'dashboard.metrics': 60_000,
          'dashboard.realtime': 30_000,
          'demo.item': 60_000,
        },
      },
      cacheWarm: { onStart: false, cron: '*/5 * * * *', concurrency: 4, jobTimeoutMs: 30_000 },
      cacheFleet: { enabled: true, publishIntervalMs: 2_000, instanceTtlMs: 30_000, maxOrgs: 200, hotKeySampleEvery: 16 },
      alerts: {
        hitRatio: { warning: 0.5, critical: 0.3 },
        latencyP95Ms: { warning: 100, critical: 500 },
        redisMemoryRatio: { warning: 0.8, critical: 0.95 },
        errorRate: { warning: 0.01, critical: 0.05 },
        minReads: 50,
      },
      metrics: { orgLabels: false, orgLabelLimit: 100 },
      logging: { requests: true, headers: false },
      rateLimit: { enabled: true, ttlSeconds: 60, limit: 600, anonymousLimit: 120, operatorLimit: 3000, localPercent: 0, syncIntervalMs: 50 },
      trustProxy: false,
      shutdownTimeoutMs: 10_000,
    });
  });

  it('reads a complete production environment', () => {
    const sut = validate({
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: '8080',
      LOG_LEVEL: 'warn',
      ADMIN_TOKEN: 'a-very-long-admin-token',
      DATABASE_URL: 'postgresql://app:secret@db:5432/app',
      DATABASE_POOL_SIZE: '20',
      DATABASE_DATA_DIR: '/var/lib/app/pglite',
      REDIS_URL: 'rediss://default:pw@redis:6380/2',
      REDIS_TLS_CA: '/certs/ca.pem',
      REDIS_COMMAND_TIMEOUT_MS: '75',
      CACHE_ENABLED: 'false',
      CACHE_REQUIRED: 'TRUE',
      CACHE_DEFAULT_TTL: '60',
      CACHE_KEY_PREFIX: 'shop_v2-eu',
      CACHE_L1_ENABLED: '0',
      CACHE_L1_MAX_ENTRIES: '500',
      CACHE_L1_MAX_BYTES: '1048576',
      CACHE_L1_MAX_TTL_MS: '5000',
      CACHE_L1_LEASE_MS: '800',
      CACHE_SYNC_INTERVAL_MS: '100',
      CACHE_L1_ORG_SHARE_PERCENT: '25',
      CACHE_COMPRESSION_THRESHOLD_BYTES: '0',
      CACHE_MAX_ENTRY_BYTES: '2048',
    });

    expect(sut).toMatchObject({
      nodeEnv: 'production',
      host: '0.0.0.0',
      port: 8080,
      logLevel: 'warn',
      adminToken: 'a-very-long-admin-token',
      adminTokenGenerated: false,
      database: { url: 'postgresql://app:secret@db:5432/app', poolSize: 20, dataDir: '/var/lib/app/pglite' },
      redis: {
        configured: true,
        url: 'rediss://default:pw@redis:6380/2',
        tlsCa: '-----BEGIN CERTIFICATE-----',
        commandTimeoutMs: 75,
      },
      cache: {
        enabled: false,
        required: true,
        defaultTtlSeconds: 60,
        keyPrefix: 'shop_v2-eu',
        l1Enabled: false,
        l1MaxEntries: 500,
        l1MaxBytes: 1_048_576,
        l1MaxTtlMs: 5_000,
        l1LeaseMs: 800,
        syncIntervalMs: 100,
        l1OrgSharePercent: 25,
        compressionThresholdBytes: 0,
        maxEntryBytes: 2048,
      },
    });
  });

  it('reads every domain TTL (CACHE_TTL_*, seconds) into ms by name', () => {
    const sut = validate({
      CACHE_TTL_USER: '1',
      CACHE_TTL_USER_LIST: '2',
      CACHE_TTL_ORDER: '3',
      CACHE_TTL_ORDER_LIST: '4',
      CACHE_TTL_STAFF: '5',
      CACHE_TTL_SLOTS: '6',
      CACHE_TTL_AVAILABILITY_CHECK: '7',
      CACHE_TTL_DASHBOARD_METRICS: '8',
      CACHE_TTL_DASHBOARD_REALTIME: '9',
      CACHE_TTL_DEMO_ITEM: '10',
    });

    expect(sut.cache.ttls).toEqual({
      'users.user': 1_000,
      'users.list': 2_000,
      'orders.order': 3_000,
      'orders.list': 4_000,
      'availability.staff': 5_000,
      'availability.slots': 6_000,
      'availability.check': 7_000,
      'dashboard.metrics': 8_000,
      'dashboard.realtime': 9_000,
      'demo.item': 10_000,
    });
  });

  it('names every bad domain TTL in one message, with the other bad variables', () => {
    const env = { CACHE_TTL_USER: '0', CACHE_TTL_ORDER_LIST: '1.5', CACHE_TTL_SLOTS: 'soon', CACHE_TTL_DASHBOARD_REALTIME: '-5', PORT: 'x' };

    expect(() => validate(env)).toThrow(
      'Invalid configuration: PORT must be an integer from 0 to 65535; ' +
        'CACHE_TTL_USER must be a positive integer (seconds); CACHE_TTL_ORDER_LIST must be a positive integer (seconds); ' +
        'CACHE_TTL_SLOTS must be a positive integer (seconds); CACHE_TTL_DASHBOARD_REALTIME must be a positive integer (seconds)',
    );
  });

  it('treats empty values as unset', () => {
    const sut = validate({ PORT: '', REDIS_URL: '  ', CACHE_DEFAULT_TTL: '' });

    expect(sut.port).toBe(3000);
    expect(sut.redis.configured).toBe(false);
    expect(sut.cache.defaultTtlSeconds).toBe(300);
  });

  it('reads Redis host settings, cluster nodes and sentinels', () => {
    expect(validate({ REDIS_HOST: 'cache', REDIS_PORT: '6390', REDIS_DB: '3', REDIS_TLS: 'yes' }).redis).toMatchObject({
      configured: true,
      host: 'cache',
      port: 6390,
      db: 3,
      tls: true,
    });
    expect(validate({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, node-b:7001,[::1]:7002' }).redis.clusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'node-b', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(
      validate({ REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'mymaster' }).redis,
    ).toMatchObject({ sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], sentinelName: 'mymaster' });
  });

  it.each([
    ['PORT', 'http', 'PORT must be an integer from 0 to 65535'],
    ['PORT', '70000', 'PORT must be an integer from 0 to 65535'],
    ['NODE_ENV', 'staging', 'NODE_ENV must be one of development, production, test'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be one of fatal, error, warn, log, debug, verbose'],
    ['ADMIN_TOKEN', 'short', 'ADMIN_TOKEN must be at least 16 characters'],
    ['DATABASE_URL', 'mysql://db/app', 'DATABASE_URL must be a postgres:// or postgresql:// URL'],
    ['DATABASE_POOL_SIZE', '0', 'DATABASE_POOL_SIZE must be an integer from 1 to 1000'],
    ['REDIS_URL', 'http://redis:6379', 'REDIS_URL must be a redis:// or rediss:// URL'],
    ['REDIS_URL', 'not a url', 'REDIS_URL must be a redis:// or rediss:// URL'],
    ['REDIS_COMMAND_TIMEOUT_MS', '0', 'REDIS_COMMAND_TIMEOUT_MS must be a positive integer (milliseconds)'],
    ['CACHE_ENABLED', 'maybe', 'CACHE_ENABLED must be a boolean (true or false)'],
    ['CACHE_REQUIRED', '2', 'CACHE_REQUIRED must be a boolean (true or false)'],
    ['CACHE_DEFAULT_TTL', '-5', 'CACHE_DEFAULT_TTL must be a positive integer (seconds)'],
    ['CACHE_DEFAULT_TTL', '1.5', 'CACHE_DEFAULT_TTL must be a positive integer (seconds)'],
    ['CACHE_DEFAULT_TTL', '0', 'CACHE_DEFAULT_TTL must be a positive integer (seconds)'],
    ['CACHE_KEY_PREFIX', 'app:v1', 'CACHE_KEY_PREFIX must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -'],
    ['CACHE_L1_ENABLED', 'nope', 'CACHE_L1_ENABLED must be a boolean (true or false)'],
    ['CACHE_L1_MAX_ENTRIES', '0', 'CACHE_L1_MAX_ENTRIES must be a positive integer'],
    ['CACHE_L1_MAX_TTL_MS', '0', 'CACHE_L1_MAX_TTL_MS must be a positive integer (ms)'],
    ['CACHE_L1_LEASE_MS', '300', 'CACHE_L1_LEASE_MS must be at least twice CACHE_SYNC_INTERVAL_MS (400)'],
    ['CACHE_L1_MAX_BYTES', '64MiB', 'CACHE_L1_MAX_BYTES must be a positive integer (bytes)'],
    ['CACHE_L1_ORG_SHARE_PERCENT', '0', 'CACHE_L1_ORG_SHARE_PERCENT must be an integer from 1 to 100 (percent)'],
    ['CACHE_L1_ORG_SHARE_PERCENT', '101', 'CACHE_L1_ORG_SHARE_PERCENT must be an integer from 1 to 100 (percent)'],
    [
      'CACHE_COMPRESSION_THRESHOLD_BYTES',
      '-1',
      'CACHE_COMPRESSION_THRESHOLD_BYTES must be a non-negative integer (bytes; 0 disables compression)',
    ],
    ['CACHE_MAX_ENTRY_BYTES', 'lots', 'CACHE_MAX_ENTRY_BYTES must be a positive integer (bytes)'],
    ['LOG_REQUESTS', 'quiet', 'LOG_REQUESTS must be a boolean (true or false)'],
    ['LOG_REQUEST_HEADERS', 'all', 'LOG_REQUEST_HEADERS must be a boolean (true or false)'],
    ['RATE_LIMIT_ENABLED', 'on-ish', 'RATE_LIMIT_ENABLED must be a boolean (true or false)'],
    ['RATE_LIMIT_TTL_SECONDS', '0', 'RATE_LIMIT_TTL_SECONDS must be a positive integer (seconds)'],
    ['RATE_LIMIT_LIMIT', 'many', 'RATE_LIMIT_LIMIT must be a positive integer (requests per window)'],
    ['RATE_LIMIT_ANONYMOUS_LIMIT', '-1', 'RATE_LIMIT_ANONYMOUS_LIMIT must be a positive integer (requests per window)'],
    ['RATE_LIMIT_OPERATOR_LIMIT', '0', 'RATE_LIMIT_OPERATOR_LIMIT must be a positive integer (requests per window)'],
    ['RATE_LIMIT_LOCAL_PERCENT', '25', 'RATE_LIMIT_LOCAL_PERCENT must be an integer from 0 to 10 (percent of a limit)'],
    ['RATE_LIMIT_SYNC_MS', '0', 'RATE_LIMIT_SYNC_MS must be an integer from 5 to 1000 (ms)'],
    [
      'TRUST_PROXY',
      'the load balancer',
      'TRUST_PROXY must be true, false, a number of proxy hops (1-99) or a comma-separated list of addresses, subnets (CIDR), loopback, linklocal or uniquelocal',
    ],
    ['SHUTDOWN_TIMEOUT_MS', 'soon', 'SHUTDOWN_TIMEOUT_MS must be a non-negative integer (milliseconds)'],
  ])('names %s=%j', (name, value, message) => {
    expect(problemsOf({ [name]: value })).toEqual([message]);
  });

  it.each([
    [{ REDIS_HOST: 'cache', REDIS_PORT: '0' }, 'REDIS_PORT must be an integer from 1 to 65535'],
    [{ REDIS_HOST: 'cache', REDIS_DB: 'one' }, 'REDIS_DB must be a non-negative integer'],
    [{ REDIS_HOST: 'cache', REDIS_TLS: 'sure' }, 'REDIS_TLS must be a boolean (true or false)'],
    [{ REDIS_HOST: 'cache', REDIS_TLS_CA: '/missing.pem' }, 'REDIS_TLS_CA must be a readable CA file (ENOENT)'],
    [{ REDIS_CLUSTER_NODES: 'a:7000,b' }, 'REDIS_CLUSTER_NODES must be a comma-separated list of host:port'],
    [{ REDIS_SENTINELS: 's1:26379' }, 'REDIS_SENTINEL_NAME is required with REDIS_SENTINELS'],
    [{ REDIS_HOST: 'cache', REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINEL_NAME is only used with REDIS_SENTINELS'],
    [
      { REDIS_CLUSTER_NODES: 'a:7000', REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm' },
      'REDIS_CLUSTER_NODES cannot be combined with REDIS_SENTINELS',
    ],
    [
      { REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'a:7000' },
      'REDIS_URL cannot be combined with REDIS_CLUSTER_NODES or REDIS_SENTINELS (put credentials in REDIS_USERNAME/REDIS_PASSWORD)',
    ],
    [
      { REDIS_PASSWORD: 'secret' },
      'REDIS_PASSWORD is set but no Redis is configured (set REDIS_URL, REDIS_HOST, REDIS_CLUSTER_NODES or REDIS_SENTINELS)',
    ],
  ])('names the bad Redis setting in %j', (env, message) => {
    expect(problemsOf(env)).toEqual([message]);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['1', 1],
    ['loopback, 10.0.0.0/8,fd00::/8', ['loopback', '10.0.0.0/8', 'fd00::/8']],
  ])('reads TRUST_PROXY=%j', (value, expected) => {
    expect(validate({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it('requires ADMIN_TOKEN in production and never generates one there', () => {
    expect(problemsOf({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/app' })).toEqual([
      'ADMIN_TOKEN is required in production (at least 16 characters)',
    ]);
  });

  it('refuses the embedded database in production: DATABASE_URL is required there', () => {
    expect(problemsOf({ NODE_ENV: 'production', ADMIN_TOKEN: 'a-very-long-admin-token' })).toEqual([
      'DATABASE_URL is required in production (the embedded PGlite database is for development only)',
    ]);
    expect(validate({ NODE_ENV: 'development' }).database.url).toBeUndefined();
  });

  it('names every bad variable in one message', () => {
    const env = { REDIS_URL: 'http://x', CACHE_DEFAULT_TTL: 'soon', PORT: '-1', CACHE_KEY_PREFIX: 'a b' };

    expect(() => validate(env)).toThrow(
      new ConfigValidationError([
        'PORT must be an integer from 0 to 65535',
        'REDIS_URL must be a redis:// or rediss:// URL',
        'CACHE_KEY_PREFIX must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -',
        'CACHE_DEFAULT_TTL must be a positive integer (seconds)',
      ]),
    );
    expect(() => validate(env)).toThrow(
      'Invalid configuration: PORT must be an integer from 0 to 65535; REDIS_URL must be a redis:// or rediss:// URL; ' +
        'CACHE_KEY_PREFIX must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -; ' +
        'CACHE_DEFAULT_TTL must be a positive integer (seconds)',
    );
  });

  it('never puts a secret value in the message', () => {
    const env = { NODE_ENV: 'production', ADMIN_TOKEN: 'tiny-secret', DATABASE_URL: 'mysql://u:hunter2@db/x' };

    expect(() => validate(env)).toThrow(ConfigValidationError);
    expect(problemsOf(env).join(' ')).not.toMatch(/tiny-secret|hunter2/);
  });

  it('reads the report thresholds, the fleet settings and the metrics flags', () => {
    const sut = validate({
      CACHE_ALERT_HIT_RATIO_WARNING: '0.8',
      CACHE_ALERT_HIT_RATIO_CRITICAL: '.6',
      CACHE_ALERT_LATENCY_P95_WARNING_MS: '20',
      CACHE_ALERT_LATENCY_P95_CRITICAL_MS: '50.5',
      CACHE_ALERT_REDIS_MEMORY_WARNING: '0.7',
      CACHE_ALERT_REDIS_MEMORY_CRITICAL: '0.9',
      CACHE_ALERT_ERROR_RATE_WARNING: '0.001',
      CACHE_ALERT_ERROR_RATE_CRITICAL: '0.01',
      CACHE_ALERT_MIN_READS: '0',
      CACHE_FLEET_ENABLED: 'false',
      CACHE_FLEET_PUBLISH_INTERVAL_MS: '500',
      CACHE_FLEET_INSTANCE_TTL_MS: '1000',
      CACHE_FLEET_MAX_ORGS: '10',
      CACHE_HOT_KEYS_SAMPLE_EVERY: '1',
      METRICS_ORG_LABELS: 'true',
      METRICS_ORG_LABEL_LIMIT: '5',
    });

    expect(sut.alerts).toEqual({
      hitRatio: { warning: 0.8, critical: 0.6 },
      latencyP95Ms: { warning: 20, critical: 50.5 },
      redisMemoryRatio: { warning: 0.7, critical: 0.9 },
      errorRate: { warning: 0.001, critical: 0.01 },
      minReads: 0,
    });
    expect(sut.cacheFleet).toEqual({ enabled: false, publishIntervalMs: 500, instanceTtlMs: 1000, maxOrgs: 10, hotKeySampleEvery: 1 });
    expect(sut.metrics).toEqual({ orgLabels: true, orgLabelLimit: 5 });
  });

  it('refuses thresholds out of range, critical levels milder than their warnings, and a silence window shorter than two publishes', () => {
    expect(
      problemsOf({
        CACHE_ALERT_HIT_RATIO_WARNING: '50',
        CACHE_ALERT_ERROR_RATE_WARNING: '1e-2',
        CACHE_ALERT_LATENCY_P95_WARNING_MS: '300',
        CACHE_ALERT_LATENCY_P95_CRITICAL_MS: '200',
        CACHE_ALERT_HIT_RATIO_CRITICAL: '0.6',
        CACHE_FLEET_PUBLISH_INTERVAL_MS: '1000',
        CACHE_FLEET_INSTANCE_TTL_MS: '1500',
        METRICS_ORG_LABEL_LIMIT: '0',
      }),
    ).toEqual([
      'CACHE_FLEET_INSTANCE_TTL_MS must be at least twice CACHE_FLEET_PUBLISH_INTERVAL_MS, or live instances would drop out between publishes',
      'CACHE_ALERT_HIT_RATIO_WARNING must be a number from 0 to 1 (e.g. 0.5 for 50 %)',
      'CACHE_ALERT_ERROR_RATE_WARNING must be a number from 0 to 1 (e.g. 0.5 for 50 %)',
      'CACHE_ALERT_HIT_RATIO_CRITICAL must not be above CACHE_ALERT_HIT_RATIO_WARNING (alerts fire below them)',
      'CACHE_ALERT_LATENCY_P95_CRITICAL_MS must not be below CACHE_ALERT_LATENCY_P95_WARNING_MS (alerts fire above them)',
      'METRICS_ORG_LABEL_LIMIT must be an integer from 1 to 10000',
    ]);
  });
});
