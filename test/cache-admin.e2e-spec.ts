// Operator /cache routes against the app as users start it: on the rig's Redis (shared with
// other suites, so this suite's keys have a prefix of their own), on the in-process store, with
// caching disabled, and on a Redis of this file's own that the tests kill.
import { CacheService } from '@app/cache';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { bearer, createHarness, createOrg, type Harness, OPERATOR_TOKEN, type TestOrg } from './api-harness';
import { apiClient } from './support/api-client';
import { closeClient } from './support/redis-client';
import { redisClusterNodes, redisUrl } from './support/env';
import { startRedisServer } from './support/redis-server';

const operator = bearer(OPERATOR_TOKEN);

/** Reads the dashboard as a tenant; returns the X-Cache value and the key's public form. */
async function readDashboard(app: NestExpressApplication, org: TestOrg): Promise<{ xCache: string; key: string }> {
  const response = await apiClient(app, org.apiKey).get('/dashboard/metrics').expect(200);
  return { xCache: response.headers['x-cache'] as string, key: response.headers['x-cache-key'] as string };
}

describe('/cache on Redis', () => {
  let harness: Harness;
  let app: NestExpressApplication;
  let cache: CacheService;
  const server = () => app.getHttpServer();

  beforeAll(async () => {
    harness = await createHarness({ redis: true });
    app = await harness.start();
    cache = app.get(CacheService);
  });

  afterAll(async () => {
    await harness?.close();
  });

  it.each([
    ['get', '/cache/health'],
    ['get', '/cache/stats'],
    ['post', '/cache/stats/reset'],
    ['get', '/cache/keys?pattern=*'],
    ['get', '/cache/keys/o:users:1'],
    ['delete', '/cache/keys/o:users:1'],
    ['post', '/cache/invalidate'],
    ['post', '/cache/warm'],
    ['post', '/cache/maintenance'],
    ['delete', '/cache?confirm=true'],
    ['get', '/cache/report'],
  ] as const)('%s %s is 401 without a token or with a wrong one, 403 with a tenant key', async (method, path) => {
    const org = await createOrg(app, 'Tenant');
    const none = await request(server())[method](path).expect(401);
    await request(server())[method](path).set(...bearer('not-the-token')).expect(401);
    const tenant = await request(server())[method](path).set(...bearer(org.apiKey)).expect(403);
    expect(none.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect(tenant.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
  });

  it('GET /cache/health is healthy on a reachable Redis', async () => {
    const response = await request(server()).get('/cache/health').set(...operator).expect(200);
    expect(response.body).toEqual({
      status: 'healthy',
      store: 'redis',
      fallbackActive: false,
      redis: { connected: true, latencyMs: expect.any(Number), mode: 'standalone' },
    });
  });

  it('GET /cache/stats?org= covers only that organization; POST /cache/stats/reset starts over', async () => {
    const shop = await createOrg(app, 'Shop');
    const other = await createOrg(app, 'Other');
    expect((await readDashboard(app, shop)).xCache).toBe('MISS');
    expect((await readDashboard(app, shop)).xCache).toBe('HIT');
    await readDashboard(app, other);

    const scoped = (await request(server()).get(`/cache/stats?org=${shop.id}`).set(...operator).expect(200)).body;
    const all = (await request(server()).get('/cache/stats').set(...operator).expect(200)).body;

    expect(Object.keys(scoped.orgs)).toEqual([shop.id]);
    expect(scoped.totals).toMatchObject({ hits: 1, misses: 1, loads: 1, hitRatio: 0.5 });
    expect(Object.keys(scoped.namespaces)).toEqual(['dashboard']);
    expect(scoped.namespaces.dashboard).toMatchObject({ hits: 1, misses: 1 });
    expect(scoped.totals).toEqual({
      hits: 1, misses: 1, stale: 0, loads: 1, coalesced: 0, errors: 0, hitRatio: 0.5,
      p50: expect.any(Number), p95: expect.any(Number), p99: expect.any(Number),
    });
    expect(all.totals.misses).toBeGreaterThan(scoped.totals.misses); // the other org and key lookups
    expect(all.orgs[other.id]).toMatchObject({ misses: 1 });
    expect(all.redis).toEqual({ keys: expect.any(Number), usedMemoryBytes: expect.any(Number), maxMemoryBytes: expect.any(Number) });
    expect(all.redis.keys).toBeGreaterThan(0);

    await request(server()).post('/cache/stats/reset').set(...operator).expect(204);
    const after = (await request(server()).get(`/cache/stats?org=${shop.id}`).set(...operator).expect(200)).body;
    expect(after.totals).toMatchObject({ hits: 0, misses: 0 });
    await request(server()).get('/cache/stats?org=bad%20org').set(...operator).expect(400);
  });

  it('GET /cache/keys pages through a pattern by SCAN cursor until the cursor is 0', async () => {
    const org = 'paging-org';
    const ids = Array.from({ length: 23 }, (_, i) => `item-${i}`);
    for (const id of ids) await cache.set(id, { id }, { org, namespace: 'users', ttlMs: 60_000 });
    await cache.set('elsewhere', 1, { org, namespace: 'orders', ttlMs: 60_000 });

    const seen = new Set<string>();
    let cursor = '0';
    let pages = 0;
    do {
      const response = await request(server()).get('/cache/keys').query({ pattern: `${org}:users:*`, cursor, count: 5 }).set(...operator).expect(200);
      for (const key of response.body.keys as string[]) seen.add(key);
      cursor = response.body.cursor as string;
      pages++;
    } while (cursor !== '0' && pages < 1000);

    expect(cursor).toBe('0');
    expect(pages).toBeGreaterThan(1);
    expect([...seen].sort()).toEqual(ids.map((id) => `${org}:users:${id}`).sort());
    const everyOrg = await request(server()).get('/cache/keys').query({ pattern: '*:orders:*', count: 1000 }).set(...operator).expect(200);
    expect(everyOrg.body.keys).toContain(`${org}:orders:elsewhere`);
  });

  it.each([
    ['no pattern', {}],
    ['an empty pattern', { pattern: '' }],
    ['a pattern with no org part', { pattern: 'users' }],
    ['braces that would leave the org slot', { pattern: '*}:*' }],
    ['a pattern over 256 characters', { pattern: `*:${'x'.repeat(300)}` }],
    ['count 0', { pattern: '*', count: 0 }],
    ['count 1001', { pattern: '*', count: 1001 }],
    ['a made-up cursor', { pattern: '*', cursor: 'abc' }],
  ])('GET /cache/keys refuses %s with 400', async (_name, query) => {
    const response = await request(server()).get('/cache/keys').query(query).set(...operator).expect(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('GET /cache/keys/:key shows ttl, size, tags and encoding of the key a route reported; DELETE removes it', async () => {
    const org = await createOrg(app, 'Debug');
    const { key } = await readDashboard(app, org);

    const info = await request(server()).get(`/cache/keys/${encodeURIComponent(key)}`).set(...operator).expect(200);
    expect(info.body).toEqual({ key, ttlMs: expect.any(Number), sizeBytes: expect.any(Number), encoding: expect.stringMatching(/^json/), tags: ['dashboard'] });
    expect(info.body.ttlMs).toBeGreaterThan(0);
    expect(info.body.sizeBytes).toBeGreaterThan(0);

    await request(server()).delete(`/cache/keys/${encodeURIComponent(key)}`).set(...operator).expect(204);
    await request(server()).get(`/cache/keys/${encodeURIComponent(key)}`).set(...operator).expect(404);
    await request(server()).delete(`/cache/keys/${encodeURIComponent(key)}`).set(...operator).expect(404);
    expect((await readDashboard(app, org)).xCache).toBe('MISS');
  });

  it('GET /cache/keys/:key is 400 for a malformed key or an engine-internal one', async () => {
    await request(server()).get('/cache/keys/justone').set(...operator).expect(400);
    await request(server()).get('/cache/keys/org:__tag:dashboard').set(...operator).expect(400);
    await request(server()).get('/cache/keys/bad%20org:users:1').set(...operator).expect(400);
  });

  it('POST /cache/invalidate by tags within one org leaves the other org; without org it reaches every org', async () => {
    const first = await createOrg(app, 'First');
    const second = await createOrg(app, 'Second');
    for (const org of [first, second]) await readDashboard(app, org);

    const scoped = await request(server()).post('/cache/invalidate').set(...operator).send({ tags: ['dashboard'], org: first.id }).expect(200);
    expect(scoped.body).toEqual({ invalidated: 1 });
    expect((await readDashboard(app, first)).xCache).toBe('MISS');
    expect((await readDashboard(app, second)).xCache).toBe('HIT');

    const everywhere = await request(server()).post('/cache/invalidate').set(...operator).send({ tags: ['dashboard'] }).expect(200);
    expect(everywhere.body.invalidated).toBeGreaterThanOrEqual(2);
    expect((await readDashboard(app, first)).xCache).toBe('MISS');
    expect((await readDashboard(app, second)).xCache).toBe('MISS');
  });

  it('POST /cache/invalidate by pattern removes the matching keys, in one org or in all', async () => {
    for (const org of ['pat-a', 'pat-b']) {
      await cache.set('1', 'u', { org, namespace: 'users', ttlMs: 60_000 });
      await cache.set('1', 'o', { org, namespace: 'orders', ttlMs: 60_000 });
    }

    const scoped = await request(server()).post('/cache/invalidate').set(...operator).send({ pattern: 'users:*', org: 'pat-a' }).expect(200);
    expect(scoped.body).toEqual({ invalidated: 1 });
    expect(await cache.get('1', { org: 'pat-a', namespace: 'users' })).toBeUndefined();
    expect(await cache.get('1', { org: 'pat-b', namespace: 'users' })).toBe('u');

    await request(server()).post('/cache/invalidate').set(...operator).send({ pattern: 'orders:*' }).expect(200);
    expect(await cache.get('1', { org: 'pat-a', namespace: 'orders' })).toBeUndefined();
    expect(await cache.get('1', { org: 'pat-b', namespace: 'orders' })).toBeUndefined();
    expect(await cache.get('1', { org: 'pat-b', namespace: 'users' })).toBe('u');
  });

  it.each([
    ['no selector', {}],
    ['an empty tag list', { tags: [] }],
    ['a match-everything pattern without org', { pattern: '*' }],
    // Judged by what they match, not by spelling: each of these matches every entry too.
    ['?* without org', { pattern: '?*' }],
    ['** without org', { pattern: '**' }],
    ['*:* without org', { pattern: '*:*' }],
    ['[^:]* without org', { pattern: '[^:]*' }],
    ['an empty pattern', { pattern: '' }],
    ['a bad org', { tags: ['users'], org: 'a b' }],
    ['an unknown field', { tags: ['users'], everything: true }],
  ])('POST /cache/invalidate refuses %s with 400', async (_name, body) => {
    await cache.set('kept', 'v', { org: 'sweep-org', namespace: 'users' });
    const response = await request(server()).post('/cache/invalidate').set(...operator).send(body).expect(400);
    expect(response.body.statusCode).toBe(400);
    expect(await cache.get('kept', { org: 'sweep-org', namespace: 'users' })).toBe('v');
  });

  it('POST /cache/maintenance removes tag-set members whose entries expired', async () => {
    const org = 'maint-org';
    for (const id of ['a', 'b', 'c']) await cache.set(id, id, { org, namespace: 'users', ttlMs: 30, tags: ['users'] });
    await cache.set('d', 'd', { org, namespace: 'users', ttlMs: 60_000, tags: ['users'] });
    const redis = new Redis(redisUrl());
    try {
      const tagSet = cache.keys.tagSet(org, 'users');
      await new Promise((resolve) => setTimeout(resolve, 80));

      const response = await request(server()).post('/cache/maintenance').set(...operator).expect(200);

      expect(response.body).toEqual({ store: 'redis', expiredLocalEntries: expect.any(Number), tagSetsScanned: expect.any(Number), deadTagMembers: expect.any(Number) });
      expect(response.body.deadTagMembers).toBeGreaterThanOrEqual(3);
      expect(await redis.smembers(tagSet)).toEqual([cache.keys.entry(org, 'users', 'd')]);
    } finally {
      await closeClient(redis);
    }
  });

  it('GET /cache/report lists alerts and recommendations (the rig Redis has no maxmemory)', async () => {
    const response = await request(server()).get('/cache/report').set(...operator).expect(200);
    expect(response.body).toEqual({
      scope: 'instance',
      instances: 1,
      status: expect.stringMatching(/^(ok|warning|critical)$/),
      alerts: expect.any(Array),
      recommendations: expect.arrayContaining([expect.stringContaining('maxmemory')]),
      generatedAt: expect.any(String),
    });
    expect(response.body.alerts.find((a: { metric: string }) => a.metric === 'redisConnection')).toBeUndefined();
  });

  it("DELETE /cache?confirm=true flushes this app's keys and nothing of another prefix in the same Redis", async () => {
    const redis = new Redis(redisUrl());
    const foreign = `other-app-${Date.now()}:{org}:users:1`;
    try {
      await redis.set(foreign, 'keep me', 'PX', 60_000);
      await cache.set('flush-me', 1, { org: 'flush-org', namespace: 'users', ttlMs: 60_000 });

      await request(server()).delete('/cache').set(...operator).expect(400);
      await request(server()).delete('/cache?confirm=yes').set(...operator).expect(400);
      expect(await cache.get('flush-me', { org: 'flush-org', namespace: 'users' })).toBe(1);

      const response = await request(server()).delete('/cache?confirm=true').set(...operator).expect(200);

      expect(response.body.flushed).toBeGreaterThan(0);
      expect(await cache.get('flush-me', { org: 'flush-org', namespace: 'users' })).toBeUndefined();
      const left = await request(server()).get('/cache/keys').query({ pattern: '*', count: 1000 }).set(...operator).expect(200);
      // Only what requests made after the flush wrote (the rate limiter's counters) is there.
      expect((left.body.keys as string[]).filter((key) => !key.includes(':rate-limit:'))).toEqual([]);
      expect(await redis.get(foreign)).toBe('keep me');
    } finally {
      await redis.del(foreign);
      await closeClient(redis);
    }
  });
});

describe('/cache on the in-process store', () => {
  let harness: Harness;
  let app: NestExpressApplication;

  beforeAll(async () => {
    harness = await createHarness();
    app = await harness.start();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('reports the memory store: healthy, no Redis figures, maintenance purges in-process entries', async () => {
    const org = await createOrg(app, 'Local');
    const { key } = await readDashboard(app, org);
    const server = app.getHttpServer();

    expect((await request(server).get('/cache/health').set(...operator).expect(200)).body).toEqual({ status: 'healthy', store: 'memory', fallbackActive: false, redis: null });
    expect((await request(server).get('/cache/stats').set(...operator).expect(200)).body.redis).toBeNull();
    expect((await request(server).post('/cache/maintenance').set(...operator).expect(200)).body).toEqual({ store: 'memory', expiredLocalEntries: 0, tagSetsScanned: 0, deadTagMembers: 0 });
    const listed = await request(server).get('/cache/keys').query({ pattern: `${org.id}:dashboard:*` }).set(...operator).expect(200);
    expect(listed.body).toEqual({ keys: [key], cursor: '0' });
    expect((await request(server).get(`/cache/keys/${encodeURIComponent(key)}`).set(...operator).expect(200)).body).toMatchObject({ key, encoding: 'object', tags: ['dashboard'] });
  });
});

describe('/cache on a Redis Cluster', () => {
  let harness: Harness;
  let app: NestExpressApplication;

  beforeAll(async () => {
    const nodes = redisClusterNodes().map((node) => `${node.host}:${node.port}`).join(',');
    harness = await createHarness({ env: { REDIS_CLUSTER_NODES: nodes, REDIS_COMMAND_TIMEOUT_MS: '500' } });
    app = await harness.start();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('pages keys of every master by cursor, and maintenance and stats cover every master', async () => {
    const cache = app.get(CacheService);
    const orgs = Array.from({ length: 12 }, (_, i) => `cluster-org-${i}`); // spread over the slots
    for (const org of orgs) await cache.set('1', org, { org, namespace: 'users', ttlMs: 60_000, tags: ['users'] });
    const server = app.getHttpServer();

    const seen = new Set<string>();
    let cursor = '0';
    let pages = 0;
    do {
      const response = await request(server).get('/cache/keys').query({ pattern: 'cluster-org-*:users:*', cursor, count: 2 }).set(...operator).expect(200);
      for (const key of response.body.keys as string[]) seen.add(key);
      cursor = response.body.cursor as string;
      pages++;
    } while (cursor !== '0' && pages < 1000);

    expect([...seen].sort()).toEqual(orgs.map((org) => `${org}:users:1`).sort());
    expect((await request(server).get('/cache/health').set(...operator).expect(200)).body.redis.mode).toBe('cluster');
    const maintenance = await request(server).post('/cache/maintenance').set(...operator).expect(200);
    expect(maintenance.body).toMatchObject({ store: 'redis', deadTagMembers: 0 });
    expect(maintenance.body.tagSetsScanned).toBeGreaterThanOrEqual(12);
    expect((await request(server).get('/cache/stats').set(...operator).expect(200)).body.redis.keys).toBeGreaterThanOrEqual(12);
    const invalidated = await request(server).post('/cache/invalidate').set(...operator).send({ tags: ['users'] }).expect(200);
    expect(invalidated.body.invalidated).toBeGreaterThanOrEqual(12);
  });
});

describe('/cache/health when the cache cannot serve as configured', () => {
  it('is 503 down with caching disabled', async () => {
    const harness = await createHarness({ env: { CACHE_ENABLED: 'false' } });
    try {
      const app = await harness.start();
      const response = await request(app.getHttpServer()).get('/cache/health').set(...operator).expect(503);
      expect(response.body).toMatchObject({ status: 'down', store: 'memory' });
    } finally {
      await harness.close();
    }
  });

  it('is 200 degraded once its Redis dies (the fallback serves), and the report says so as critical', async () => {
    const redis = await startRedisServer();
    const harness = await createHarness({ env: { REDIS_URL: redis.url } });
    try {
      const app = await harness.start();
      const server = app.getHttpServer();
      expect((await request(server).get('/cache/health').set(...operator).expect(200)).body.status).toBe('healthy');

      await redis.kill();

      const response = await request(server).get('/cache/health').set(...operator).expect(200);
      expect(response.body).toMatchObject({ status: 'degraded', store: 'redis', redis: { connected: false, mode: 'standalone' } });
      const report = await request(server).get('/cache/report').set(...operator).expect(200);
      expect(report.body.status).toBe('critical');
      expect(report.body.alerts).toContainEqual(expect.objectContaining({ level: 'critical', metric: 'redisConnection' }));
      expect((await request(server).get('/cache/stats').set(...operator).expect(200)).body.redis).toBeNull();
    } finally {
      await harness.close();
    }
  });
});
