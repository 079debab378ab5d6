// The domain TTLs come from the validated configuration when the app starts (CACHE_TTL_*, in
// seconds), not from the environment the decorators saw when their modules were imported: the
// variables are set only by the harness's start, after this file imported the app.
import { CacheService } from '@app/cache';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { bearer, createHarness, createOrg, type Harness, type TestOrg } from './api-harness';

let harness: Harness;
let app: NestExpressApplication;
let org: TestOrg;

beforeAll(async () => {
  harness = await createHarness({ redis: true, env: { CACHE_TTL_USER: '7', CACHE_TTL_USER_LIST: '11', CACHE_TTL_DASHBOARD_REALTIME: '3' } });
  app = await harness.start();
  org = await createOrg(app, 'Ttl');
});

afterAll(async () => {
  await harness?.close();
});

const get = (path: string) => request(app.getHttpServer()).get(`/api/v1${path}`).set(...bearer(org.apiKey)).expect(200);

/** Remaining life (ms) of the one stored answer of `namespace` in the org. */
async function storedTtlMs(namespace: string, kind: string): Promise<number> {
  const cache = app.get(CacheService);
  const { keys } = await cache.scan(`*{${org.id}}:${namespace}:*`, '0', 1000);
  const infos = await Promise.all(keys.map((key) => cache.inspect(key)));
  const entries = infos.filter((info) => info !== undefined && info.tags.some((tag) => tag === kind || tag.startsWith(`${kind}:`)));
  expect(entries).toHaveLength(1);
  return entries[0]?.ttlMs ?? Number.NaN;
}

it('stores a user, a user list and the realtime dashboard for the configured TTLs', async () => {
  const created = await request(app.getHttpServer())
    .post('/api/v1/users')
    .set(...bearer(org.apiKey))
    .send({ email: 'ttl@example.com', name: 'Ttl' })
    .expect(201);

  expect((await get(`/users/${created.body.id}`)).headers['x-cache']).toBe('MISS');
  expect((await get('/users')).headers['x-cache']).toBe('MISS');
  expect((await get('/dashboard/realtime')).headers['x-cache']).toBe('MISS');

  const user = await storedTtlMs('users', 'user');
  const list = await storedTtlMs('users', 'users');
  const realtime = await storedTtlMs('dashboard', 'dashboard');
  // At most the configured TTL (jitter only shortens it), far below the contract's defaults (15 min, 5 min, 30 s).
  expect(user).toBeGreaterThan(0);
  expect(user).toBeLessThanOrEqual(7_000);
  expect(list).toBeGreaterThan(7_000 * 0.5);
  expect(list).toBeLessThanOrEqual(11_000);
  expect(realtime).toBeGreaterThan(0);
  expect(realtime).toBeLessThanOrEqual(3_000);
});
