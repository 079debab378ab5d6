import { Logger, Module } from '@nestjs/common';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { resolve } from 'node:path';
import { appConfig, type AppConfigType } from '../config/app.config';
import {
  describeDatabaseUrl,
  EMBEDDED_POOL_SIZE,
  embeddedDataSourceOptions,
  externalDataSourceOptions,
} from './database-options';
import { EmbeddedPostgresService } from './embedded-postgres.service';

const logger = new Logger('Database');

async function dataSourceOptions(
  config: AppConfigType,
  embedded: EmbeddedPostgresService,
): Promise<TypeOrmModuleOptions> {
  const { url, dataDir, poolSize } = config.database;
  if (url !== undefined) {
    logger.log(`Database: Postgres at ${describeDatabaseUrl(url)} (pool of ${poolSize})`);
    return externalDataSourceOptions(url, poolSize);
  }
  if (config.nodeEnv === 'production') {
    // validateAppConfig refuses this already; kept so no other path can open it in production.
    throw new Error('NODE_ENV=production requires DATABASE_URL: the embedded PGlite database is for development only');
  }
  const endpoint = await embedded.start(dataDir);
  const where = endpoint.socketPath !== undefined ? `the Unix socket ${endpoint.socketPath} (this user only)` : `${endpoint.host}:${endpoint.port}`;
  logger.log(
    `Database: embedded PGlite in ${resolve(dataDir)}, served on ${where} ` +
      `(pool of ${EMBEDDED_POOL_SIZE}; set DATABASE_URL for an external Postgres)`,
  );
  return embeddedDataSourceOptions(endpoint);
}

/**
 * The TypeORM connection: the Postgres named by DATABASE_URL, or else the embedded PGlite database.
 * Migrations in ./migrations run at start; the schema is never synchronized from entities.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [appConfig.KEY, EmbeddedPostgresService],
      // Registered inside TypeORM's module so the options factory can start it before connecting.
      extraProviders: [EmbeddedPostgresService],
      useFactory: dataSourceOptions,
    }),
  ],
})
export class DatabaseModule {}
