// Typed access to what scripts/test.js (`npm test`) provisions for the tests. Each getter
// throws when the variable is missing, so a test run outside the rig fails with a reason
// instead of quietly reaching for the machine's own services.
import { readFileSync } from 'node:fs';

export type RigEnvName =
  | 'TEST_REDIS_URL'
  | 'TEST_REDIS_TLS_URL'
  | 'TEST_REDIS_TLS_CA'
  | 'TEST_REDIS_CLUSTER_NODES'
  | 'TEST_DATABASE_URL'
  | 'TEST_DATABASE_KIND';

export type DatabaseKind = 'postgres' | 'pglite';

export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** The value of a variable the rig sets; throws a clear error when it is missing. */
export function requireEnv(name: RigEnvName): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set. Run the tests with \`npm test\` (e.g. \`npm test -- path/to/file\`), ` +
        'which starts the Redis servers and the database and passes them in TEST_* variables.',
    );
  }
  return value;
}

/** redis://127.0.0.1:PORT of the rig's standalone redis-server (shared by all suites). */
export function redisUrl(): string {
  return requireEnv('TEST_REDIS_URL');
}

/** rediss://:PASSWORD@127.0.0.1:PORT of the rig's TLS-only redis-server. */
export function redisTlsUrl(): string {
  return requireEnv('TEST_REDIS_TLS_URL');
}

/** Path of the PEM file of the CA that signed the TLS server's certificate. */
export function redisTlsCaPath(): string {
  return requireEnv('TEST_REDIS_TLS_CA');
}

/** The CA certificate (PEM), ready for `tls: { ca }`. */
export function redisTlsCa(): Buffer {
  return readFileSync(redisTlsCaPath());
}

/** The masters of the rig's 3-master Redis Cluster. */
export function redisClusterNodes(): RedisNodeAddress[] {
  return requireEnv('TEST_REDIS_CLUSTER_NODES')
    .split(',')
    .map((address) => {
      const [host, port] = address.trim().split(':');
      return { host, port: Number(port) };
    });
}

/**
 * postgres:// URL of this run's database (a fresh one on a real Postgres, or this Jest
 * worker's PGlite). With PGlite, use one connection at a time: a pool of size 1.
 */
export function databaseUrl(): string {
  return requireEnv('TEST_DATABASE_URL');
}

/** Which database `databaseUrl()` reaches. */
export function databaseKind(): DatabaseKind {
  const kind = requireEnv('TEST_DATABASE_KIND');
  if (kind !== 'postgres' && kind !== 'pglite') {
    throw new Error(`TEST_DATABASE_KIND must be postgres or pglite, not ${kind}`);
  }
  return kind;
}
