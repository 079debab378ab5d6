// What anonymous callers, one tenant and odd input could do (issue 12), on the real app with a
// database and a Redis of this file's own (so Redis' command counters are this suite's alone):
// anonymous writes, keyspace sweeps on a request's path, demo routes in production, bodies
// nested to overflow the stack, and 304s refused to clients that send Cache-Control: no-cache.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { bearer, createHarness, createOrg, type Harness, OPERATOR_TOKEN, type TestOrg } from './api-harness';
import { closeClient } from './support/redis-client';
import { type RedisServerHandle, startRedisServer } from './support/redis-server';

let redisServer: RedisServerHandle;
let harness: Harness;
let app: NestExpressApplication;
let tenant: TestOrg;
let other: TestOrg;

beforeAll(async () => {
  redisServer = await startRedisServer();
  harness = await createHarness({ env: { REDIS_URL: redisServer.url, RATE_LIMIT_ENABLED: 'false' } });
  app = await harness.start();
  tenant = await createOrg(app, 'Hardening A');
  other = await createOrg(app, 'Hardening B');
});

afterAll(async () => {
  await harness?.close();
  // The server of this file is stopped by test/support/redis-server after the file.
});

const server = () => app.getHttpServer();
const operator = bearer(OPERATOR_TOKEN);

/** How many SCAN commands this Redis has served so far. */
async function scans(): Promise<number> {
  const redis = new Redis(redisServer.url);
  try {
    const stats = await redis.info('commandstats');
    return Number(/cmdstat_scan:calls=(\d+)/.exec(stats)?.[1] ?? 0);
  } finally {
    await closeClient(redis);
  }
}

async function demoRow(id: number): Promise<unknown> {
  return app.get(DataSource).query('SELECT id, name FROM demo_items WHERE id = $1', [id]).then((rows: unknown[]) => rows[0]);
}

describe('writes need a principal', () => {
  it('refuses an anonymous PUT /demo/items/:id with 401 and writes nothing; a tenant key is 403', async () => {
    const id = 2_147_483_000;
    const anonymous = await request(server()).put(`/demo/items/${id}`).send({ name: 'anonymous' }).expect(401);
    await request(server()).put(`/demo/items/${id}`).set(...bearer(tenant.apiKey)).send({ name: 'tenant' }).expect(403);

    expect(anonymous.body.message).toMatch(/operator token/);
    expect(await demoRow(id)).toBeUndefined();
  });

  it('takes the operator token, and the write invalidates without sweeping the keyspace', async () => {
    const id = 2_147_483_001;
    await request(server()).put(`/demo/items/${id}`).set(...operator).send({ name: 'first' }).expect(200);
    expect((await request(server()).get(`/demo/items/${id}`).expect(200)).body.source).toBe('database');
    expect((await request(server()).get(`/demo/items/${id}`).expect(200)).body.source).toBe('cache');

    const before = await scans();
    await request(server()).put(`/demo/items/${id}`).set(...operator).send({ name: 'second' }).expect(200);
    const after = await scans();

    expect(after - before).toBe(0);
    expect((await request(server()).get(`/demo/items/${id}`).expect(200)).body).toMatchObject({ source: 'database', item: { name: 'second' } });
  });

  it('invalidates a tag in every organization without a SCAN (the registry of organizations)', async () => {
    for (const org of [tenant, other]) {
      await request(server()).post('/api/v1/users').set(...bearer(org.apiKey)).send({ email: `r@${org.id}.example`, name: 'R' }).expect(201);
      await request(server()).get('/api/v1/users').set(...bearer(org.apiKey)).expect(200);
      expect((await request(server()).get('/api/v1/users').set(...bearer(org.apiKey)).expect(200)).headers['x-cache']).toBe('HIT');
    }

    const before = await scans();
    const response = await request(server()).post('/cache/invalidate').set(...operator).send({ tags: ['users'] }).expect(200);
    const after = await scans();

    expect(after - before).toBe(0);
    expect(response.body.invalidated).toBeGreaterThanOrEqual(2);
    for (const org of [tenant, other]) {
      expect((await request(server()).get('/api/v1/users').set(...bearer(org.apiKey)).expect(200)).headers['x-cache']).toBe('MISS');
    }
  });
});

describe('demo routes in production', () => {
  it('are not there (404), reads and writes alike', async () => {
    const savedNodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    let production: NestExpressApplication;
    try {
      production = await harness.start();
    } finally {
      process.env.NODE_ENV = savedNodeEnv;
    }
    // (The harness closes it with the others.)
    await request(production.getHttpServer()).get('/demo/items/1').expect(404);
    await request(production.getHttpServer()).put('/demo/items/1').set(...operator).send({ name: 'x' }).expect(404);
    await request(production.getHttpServer()).get('/health/live').expect(200);
    // The development instance still has them.
    await request(server()).get('/demo/items/1').expect(200);
  });
});

describe('deeply nested JSON', () => {
  it('is a 400 naming the nesting, not a 500, on every JSON route', async () => {
    const deep = `{"name":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    expect(deep.length).toBeLessThan(100_000);
    for (const [method, path, auth] of [
      ['post', '/api/v1/users', bearer(tenant.apiKey)],
      ['put', '/demo/items/7', operator],
      ['post', '/cache/invalidate', operator],
    ] as const) {
      const response = await request(server())[method](path).set(...auth).set('content-type', 'application/json').send(deep);
      expect([path, response.status]).toEqual([path, 400]);
      expect(response.body).toMatchObject({ statusCode: 400, message: expect.stringMatching(/nested deeper than 32 levels/) });
    }
  });

  it('still takes bodies nested as deep as the API needs', async () => {
    const response = await request(server())
      .post('/api/v1/staff')
      .set(...bearer(tenant.apiKey))
      .send({ name: 'Deep enough', timezone: 'Europe/Rome', workingHours: { mon: [['09:00', '17:00']] } })
      .expect(201);
    expect(response.body.timezone).toBe('Europe/Rome');
  });
});

describe('conditional GETs', () => {
  it('answer 304 to a matching If-None-Match with Cache-Control: no-cache, weak tags, lists and *', async () => {
    const first = await request(server()).get('/api/v1/users').set(...bearer(tenant.apiKey)).expect(200);
    const etag: string = first.headers.etag;
    expect(etag).toMatch(/^(W\/)?"/);
    const opaque = etag.replace(/^W\//, '');

    for (const condition of [etag, `W/${opaque}`, `"nope", ${etag}`, '*']) {
      const response = await request(server())
        .get('/api/v1/users')
        .set(...bearer(tenant.apiKey))
        .set('if-none-match', condition)
        .set('cache-control', 'no-cache')
        .set('pragma', 'no-cache');
      expect([condition, response.status, response.text]).toEqual([condition, 304, '']);
    }
    await request(server()).get('/api/v1/users').set(...bearer(tenant.apiKey)).set('if-none-match', '"nope"').set('cache-control', 'no-cache').expect(200);
  });

  it('do so on routes outside the HTTP cache too, wherever an ETag is sent', async () => {
    const first = await request(server()).get('/health/live').expect(200);
    expect(first.headers.etag).toBeDefined();
    await request(server()).get('/health/live').set('if-none-match', first.headers.etag).set('cache-control', 'no-cache').expect(304);
  });
});
