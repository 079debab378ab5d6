// /metrics, request ids and JSON logs, on the app as users start it (createApp), with a Redis of
// this file's own so the fallback gauge can be seen turning 1 when it dies.
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createApp, type CreateAppOptions } from '../src/app.setup';
import { bearer, createOrg, OPERATOR_TOKEN } from './api-harness';
import { createTestDatabase, type TestDatabase } from './support/database';
import { databaseKind } from './support/env';
import { LogCapture } from './support/log-capture';
import { startRedisServer, type RedisServerHandle } from './support/redis-server';

const savedEnv = { ...process.env };
let database: TestDatabase;
let redis: RedisServerHandle;
let app: NestExpressApplication | undefined;

async function startApp(extra: Record<string, string> = {}, options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  for (const name of Object.keys(process.env)) if (/^(REDIS_|CACHE_|DATABASE_|LOG_|RATE_LIMIT_)/.test(name)) delete process.env[name];
  Object.assign(process.env, {
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: databaseKind() === 'pglite' ? '1' : '4',
    ADMIN_TOKEN: OPERATOR_TOKEN,
    REDIS_URL: redis.url,
    // Generous, so a loaded machine does not trip the circuit breaker where a test expects Redis up.
    REDIS_COMMAND_TIMEOUT_MS: '1000',
    ...extra,
  });
  const started = await createApp({ logger: false, abortOnError: false, ...options });
  return started.init();
}

/** The value of one sample of the scrape, or 0 when it is absent. */
function sample(metrics: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((pair) => line.includes(pair))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

async function scrape(target: NestExpressApplication): Promise<string> {
  const response = await request(target.getHttpServer()).get('/metrics').expect(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text;
}

beforeAll(async () => {
  database = await createTestDatabase();
});

beforeEach(async () => {
  redis = await startRedisServer();
});

afterEach(async () => {
  await app?.close();
  app = undefined;
  await redis.stop();
});

afterAll(async () => {
  process.env = savedEnv;
  await database?.drop();
});

describe('GET /metrics', () => {
  it('is public Prometheus text with cache results by namespace, latency histograms, HTTP by route template and Node defaults', async () => {
    app = await startApp();
    const org = await createOrg(app, 'Metrics Inc');
    const before = await scrape(app);
    const server = app.getHttpServer();
    await request(server).get('/api/v1/users').set(...bearer(org.apiKey)).expect(200);
    await request(server).get('/api/v1/users').set(...bearer(org.apiKey)).expect(200);
    await request(server).get('/demo/items/1').expect(200);
    await request(server).get('/demo/items/1').expect(200);
    const after = await scrape(app);

    expect(sample(after, 'cache_results_total', { result: 'hit' })).toBeGreaterThan(sample(before, 'cache_results_total', { result: 'hit' }));
    expect(sample(after, 'cache_results_total', { result: 'miss' })).toBeGreaterThan(sample(before, 'cache_results_total', { result: 'miss' }));
    expect(sample(after, 'cache_results_total', { namespace: 'api-keys', result: 'hit' })).toBeGreaterThan(0);
    expect(after).toMatch(/^cache_operation_duration_seconds_bucket\{le="[^"]+",namespace="[^"]+",operation="getOrSet"\}/m);
    // Never an organization label: one series per tenant would grow without bound.
    expect(after).not.toContain(org.id);
    expect(after).not.toMatch(/\borg(anization)?="/);

    expect(sample(after, 'http_requests_total', { method: 'GET', route: '/demo/items/:id', status_code: '200' })).toBe(2);
    expect(sample(after, 'http_requests_total', { method: 'GET', route: '/api/v1/users', status_code: '200' })).toBe(2);
    expect(sample(after, 'http_request_duration_seconds_count', { route: '/demo/items/:id' })).toBe(2);
    expect(after).not.toContain('route="/demo/items/1"');
    expect(sample(after, 'cache_fallback_active')).toBe(0);
    expect(after).toMatch(/^process_cpu_user_seconds_total /m);
    expect(after).toMatch(/^nodejs_eventloop_lag_seconds /m);

    await request(server).get('/no/such/route/123').expect(404);
    expect(sample(await scrape(app), 'http_requests_total', { route: 'unmatched', status_code: '404' })).toBe(1);
  });

  it('exports Redis memory for the alert rules, and organization labels only when enabled, capped with org="other"', async () => {
    app = await startApp({ METRICS_ORG_LABELS: 'true', METRICS_ORG_LABEL_LIMIT: '2' });
    const server = app.getHttpServer();
    const orgs = [await createOrg(app, 'Labelled A'), await createOrg(app, 'Labelled B'), await createOrg(app, 'Labelled C')];
    for (const org of orgs) {
      await request(server).get('/api/v1/users').set(...bearer(org.apiKey)).expect(200);
      await request(server).get('/api/v1/users').set(...bearer(org.apiKey)).expect(200);
    }
    const metrics = await scrape(app);

    expect(sample(metrics, 'cache_redis_memory_used_bytes')).toBeGreaterThan(0);
    expect(metrics).toMatch(/^cache_redis_memory_max_bytes \d+/m);
    const labels = new Set([...metrics.matchAll(/^cache_org_results_total\{[^}]*org="([^"]+)"/gm)].map((match) => match[1]));
    expect(labels.has('other')).toBe(true);
    expect([...labels].filter((label) => label !== 'other')).toHaveLength(2); // the limit, whatever the number of organizations
    expect(orgs.filter((org) => labels.has(org.id)).length).toBeLessThanOrEqual(2);
    // Every call is counted once, under its own label or "other".
    const byOrg = [...labels].reduce((sum, org) => sum + sample(metrics, 'cache_org_results_total', { org }), 0);
    expect(byOrg).toBe(sample(metrics, 'cache_results_total'));
  });

  it('shows the fallback gauge at 1 once the app has lost its Redis', async () => {
    app = await startApp({ REDIS_COMMAND_TIMEOUT_MS: '50' });
    const server = app.getHttpServer();
    await request(server).get('/demo/items/2').expect(200);
    expect(sample(await scrape(app), 'cache_fallback_active')).toBe(0);

    await redis.kill();
    let gauge = 0;
    for (let attempt = 0; attempt < 40 && gauge !== 1; attempt++) {
      await request(server).get(`/demo/items/${(attempt % 3) + 1}`).expect(200);
      gauge = sample(await scrape(app), 'cache_fallback_active');
      if (gauge !== 1) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(gauge).toBe(1);
  });
});

describe('request ids', () => {
  it('echoes a sane X-Request-Id and replaces anything else with a fresh one', async () => {
    app = await startApp();
    const server = app.getHttpServer();
    const echoed = await request(server).get('/health/live').set('X-Request-Id', 'gw-abc.123:4_5').expect(200);
    expect(echoed.headers['x-request-id']).toBe('gw-abc.123:4_5');

    const generated = await request(server).get('/health/live').expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    for (const bad of ['has spaces in it', '<script>', 'x'.repeat(200)]) {
      const replaced = await request(server).get('/health/live').set('X-Request-Id', bad).expect(200);
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('JSON logs', () => {
  it('log one line per request with its id, and never an API key, the operator token or a cookie (header sets on)', async () => {
    const logs = new LogCapture();
    app = await startApp({ LOG_REQUEST_HEADERS: 'true' }, { logger: ['fatal', 'error', 'warn', 'log'], logDestination: logs });
    const org = await createOrg(app, 'Logged Ltd');
    await request(app.getHttpServer())
      .get('/api/v1/users')
      .set(...bearer(org.apiKey))
      .set('Cookie', 'session=cookie-secret-value')
      .set('X-Request-Id', 'trace-me-1')
      .expect(200);
    await request(app.getHttpServer()).get('/api/v1/users').set(...bearer('not-a-real-key-secret')).expect(401);

    const records = logs.records();
    const line = records.find((r) => (r.req as { id?: string } | undefined)?.id === 'trace-me-1');
    expect(line).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { method: 'GET', path: '/api/v1/users', headers: { authorization: '[redacted]', cookie: '[redacted]' } },
      res: { statusCode: 200 },
    });
    const text = logs.text();
    for (const secret of [org.apiKey, OPERATOR_TOKEN, 'cookie-secret-value', 'not-a-real-key-secret']) expect(text).not.toContain(secret);
    // Nest's own lines go through pino too.
    expect(records.some((r) => r.context === 'NestApplication')).toBe(true);
  });

  it('log by default a line without header sets: the route, the client, the answer and its cache status', async () => {
    const logs = new LogCapture();
    app = await startApp({}, { logger: ['fatal', 'error', 'warn', 'log'], logDestination: logs });
    const org = await createOrg(app, 'Compact Ltd');
    for (const id of ['compact-1', 'compact-2']) {
      await request(app.getHttpServer())
        .get('/api/v1/users?search=private-term')
        .set(...bearer(org.apiKey))
        .set('Cookie', 'session=cookie-secret-value')
        .set('User-Agent', 'probe/2.0')
        .set('X-Request-Id', id)
        .expect(200);
    }
    const lineOf = (id: string): Record<string, unknown> | undefined => logs.records().find((r) => (r.req as { id?: string } | undefined)?.id === id);
    expect(lineOf('compact-1')).toMatchObject({ level: 30, msg: 'request completed', req: { method: 'GET', path: '/api/v1/users', userAgent: 'probe/2.0' }, res: { statusCode: 200, cache: 'MISS', contentLength: expect.any(Number) } });
    expect(lineOf('compact-2')).toMatchObject({ res: { cache: 'HIT' } });
    expect(lineOf('compact-1')!.req).not.toHaveProperty('headers');
    expect(lineOf('compact-1')!.res).not.toHaveProperty('headers');
    const text = logs.text();
    for (const secret of [org.apiKey, 'cookie-secret-value', 'private-term']) expect(text).not.toContain(secret);
  });

  it('write no per-request line with LOG_REQUESTS=false', async () => {
    const logs = new LogCapture();
    app = await startApp({ LOG_REQUESTS: 'false' }, { logger: ['fatal', 'error', 'warn', 'log'], logDestination: logs });
    const response = await request(app.getHttpServer()).get('/health/live').expect(200);
    expect(response.headers['x-request-id']).toBeDefined();
    expect(logs.records().filter((r) => r.msg === 'request completed')).toEqual([]);
  });
});
