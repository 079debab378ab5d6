// Readiness as Kubernetes sees it while the app's Redis goes away: degraded but ready, unless
// CACHE_REQUIRED=true. The app runs as users start it, on the rig's database and a Redis of
// this file's own, which the tests kill.
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createApp } from '../src/app.setup';
import { createTestDatabase, type TestDatabase } from './support/database';
import { databaseKind } from './support/env';
import { startRedisServer, type RedisServerHandle } from './support/redis-server';

const savedEnv = { ...process.env };
let database: TestDatabase;
let redis: RedisServerHandle;

async function startApp(extra: Record<string, string>): Promise<NestExpressApplication> {
  for (const name of Object.keys(process.env)) if (/^(REDIS_|CACHE_|DATABASE_)/.test(name)) delete process.env[name];
  Object.assign(process.env, {
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: databaseKind() === 'pglite' ? '1' : '4',
    ADMIN_TOKEN: 'e2e-operator-token-0123456789',
    REDIS_URL: redis.url,
    REDIS_COMMAND_TIMEOUT_MS: '50',
    ...extra,
  });
  const app = await createApp({ logger: false, abortOnError: false });
  return app.init();
}

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  process.env = savedEnv;
  await database?.drop();
});

describe('/health/ready with the cache on Redis', () => {
  let app: NestExpressApplication | undefined;

  beforeEach(async () => {
    redis = await startRedisServer();
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await redis.stop();
  });

  it('is up with Redis, and degraded but still 200 while Redis is down', async () => {
    app = await startApp({});
    const up = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(up.body.info).toMatchObject({ database: { status: 'up' }, cache: { status: 'up', store: 'redis', mode: 'standalone' } });

    await redis.kill();
    const degraded = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.info.cache).toMatchObject({ status: 'degraded', store: 'redis' });
  });

  it('is 503 while Redis is down when CACHE_REQUIRED=true', async () => {
    app = await startApp({ CACHE_REQUIRED: 'true' });
    await request(app.getHttpServer()).get('/health/ready').expect(200);
    await redis.kill();
    const down = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(down.body.error).toMatchObject({ cache: { status: 'down' } });
  });
});
