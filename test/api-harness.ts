// Boots the API as users do (createApp, as main.ts and test/app.e2e-spec.ts do) for the domain
// suites: a database of the suite's own, optionally the rig's Redis shared by several instances,
// and a key prefix of the suite's own so suites sharing that Redis never see each other's keys.
import { CacheService } from '@app/cache';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.setup';
import { createTestDatabase, type TestDatabase } from './support/database';
import { databaseKind, redisUrl } from './support/env';

export const OPERATOR_TOKEN = 'e2e-operator-token-0123456789';

export interface Harness {
  database: TestDatabase;
  /** Starts one more instance on the same database (and Redis, when the harness uses it). */
  start(): Promise<NestExpressApplication>;
  /** Closes every instance, removes this suite's cache keys and drops the database. */
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Share the rig's standalone Redis between instances (REDIS_URL = TEST_REDIS_URL). */
  redis?: boolean;
  /** More variables for every instance, e.g. `{ CACHE_WARM_ON_START: 'true' }`. */
  env?: Record<string, string>;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const savedEnv = { ...process.env };
  const database = await createTestDatabase();
  const apps: NestExpressApplication[] = [];
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: databaseKind() === 'pglite' ? '1' : '4',
    ADMIN_TOKEN: OPERATOR_TOKEN,
    CACHE_KEY_PREFIX: `e2e-${randomBytes(4).toString('hex')}`,
    // A warm run on the wall clock's 5-minute marks would turn a suite's expected MISS into a
    // HIT at random; the warmer's suite turns it on where it wants it.
    CACHE_WARM_CRON: 'off',
    // Suites here claim read-your-writes and headers, not timeouts: on a loaded 2-core CI machine
    // the production default of 50 ms opens the circuit breaker at random. Outage suites set their own.
    REDIS_COMMAND_TIMEOUT_MS: '1000',
    ...options.env,
  };
  if (options.redis === true) env.REDIS_URL = redisUrl();

  return {
    database,
    async start() {
      for (const name of Object.keys(process.env)) {
        if (/^(REDIS_|CACHE_|DATABASE_|ADMIN_TOKEN$|PORT$|HOST$|LOG_LEVEL$)/.test(name)) delete process.env[name];
      }
      Object.assign(process.env, env);
      const app = await createApp({ logger: ['error', 'warn'], abortOnError: false });
      await app.init();
      if (databaseKind() === 'pglite') await releaseConnectionsAfterUse(app);
      apps.push(app);
      return app;
    },
    async close() {
      if (apps.length > 0) await apps[0].get(CacheService).clear();
      for (const app of apps) await app.close();
      process.env = savedEnv;
      await database.drop();
    },
  };
}

interface PgPool {
  options: { maxUses?: number };
  connect(): Promise<{ release(): void }>;
}

/**
 * The rig's PGlite serves one connection at a time, and an app's pool keeps its connection open
 * while idle (10 s), so a second instance on the same PGlite would wait for it and time out.
 * With PGlite only, each instance closes its connection whenever it hands it back (pg-pool's
 * `maxUses: 1`); the one left idle by start-up is taken and handed back once to close it.
 */
export async function releaseConnectionsAfterUse(app: NestExpressApplication): Promise<void> {
  const pool = (app.get(DataSource).driver as unknown as { master: PgPool }).master;
  pool.options.maxUses = 1;
  (await pool.connect()).release();
}

export interface TestOrg {
  id: string;
  name: string;
  apiKey: string;
  keyId: string;
}

/** Creates an organization through the operator route. */
export async function createOrg(app: NestExpressApplication, name = 'Acme'): Promise<TestOrg> {
  const response = await request(app.getHttpServer())
    .post('/admin/orgs')
    .set('authorization', `Bearer ${OPERATOR_TOKEN}`)
    .send({ name })
    .expect(201);
  return response.body as TestOrg;
}

export const bearer = (token: string): [string, string] => ['authorization', `Bearer ${token}`];
