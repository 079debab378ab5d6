import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { HostPort } from '../config/app-config.interface';
import { migrations } from './migrations';

/**
 * How many pool connections TypeORM may open to the embedded database. PGlite is one single-user
 * Postgres backend: pglite-socket can multiplex several sockets onto it, but they would share one
 * session (prepared statements, SET, an open transaction), so the app keeps to a single connection
 * and pg's pool queues the rest.
 */
export const EMBEDDED_POOL_SIZE = 1;

const common = {
  type: 'postgres',
  autoLoadEntities: true,
  synchronize: false,
  migrationsRun: true,
  migrations,
  migrationsTableName: 'migrations',
  connectTimeoutMS: 5_000,
} as const satisfies TypeOrmModuleOptions;

/** TypeORM options for an external Postgres named by DATABASE_URL. */
export function externalDataSourceOptions(url: string, poolSize: number): TypeOrmModuleOptions {
  // A few retries ride out a database that starts alongside the app (docker compose up).
  return { ...common, url, poolSize, retryAttempts: 5, retryDelay: 2_000 };
}

/** TypeORM options for the embedded PGlite database, reached through its loopback socket. */
export function embeddedDataSourceOptions(endpoint: HostPort): TypeOrmModuleOptions {
  return {
    ...common,
    host: endpoint.host,
    port: endpoint.port,
    // PGlite accepts any credentials; these only satisfy the wire protocol.
    username: 'postgres',
    password: 'postgres',
    database: 'postgres',
    poolSize: EMBEDDED_POOL_SIZE,
    // Keep the one connection open: closing idle clients and reconnecting would race the socket
    // server's slot release for nothing, the database being in-process anyway.
    extra: { idleTimeoutMillis: 0 },
    retryAttempts: 1,
  };
}

/** "postgres://app@db:5432/app" with any password left out, for the start-up log line. */
export function describeDatabaseUrl(url: string): string {
  const parsed = new URL(url);
  const user = parsed.username === '' ? '' : `${decodeURIComponent(parsed.username)}@`;
  const port = parsed.port === '' ? '' : `:${parsed.port}`;
  return `${parsed.protocol}//${user}${parsed.hostname}${port}${parsed.pathname}`;
}
