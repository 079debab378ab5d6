// The HTTP cache as a tenant sees it on /api/v1/users and /api/v1/orders: X-Cache MISS then
// HIT, a public key naming the organization and no secret, ETag/304, answers never shared
// between organizations, and writes that make the next read a MISS.
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { bearer, createHarness, createOrg, type Harness, type TestOrg } from './api-harness';

let harness: Harness;
let app: NestExpressApplication;
let alpha: TestOrg;
let beta: TestOrg;

beforeAll(async () => {
  harness = await createHarness({ redis: true });
  app = await harness.start();
  alpha = await createOrg(app, 'Alpha');
  beta = await createOrg(app, 'Beta');
});

afterAll(async () => {
  await harness?.close();
});

const get = (org: TestOrg, path: string) => request(app.getHttpServer()).get(`/api/v1${path}`).set(...bearer(org.apiKey));
const post = (org: TestOrg, path: string, body: object) =>
  request(app.getHttpServer()).post(`/api/v1${path}`).set(...bearer(org.apiKey)).send(body).expect(201);

it('answers MISS then HIT with the cache headers, and 304 for a matching If-None-Match', async () => {
  const user = await post(alpha, '/users', { email: 'h@example.com', name: 'Headers' });

  const miss = await get(alpha, `/users/${user.body.id}`).expect(200);
  const hit = await get(alpha, `/users/${user.body.id}`).expect(200);
  const notModified = await get(alpha, `/users/${user.body.id}`).set('if-none-match', hit.headers.etag).expect(304);

  expect(miss.headers['x-cache']).toBe('MISS');
  expect(hit.headers['x-cache']).toBe('HIT');
  expect(hit.headers['x-cache-key']).toContain(alpha.id);
  expect(hit.headers['x-cache-key']).not.toContain(alpha.apiKey);
  expect(hit.headers['cache-status']).toBeDefined();
  expect(hit.headers.age).toBeDefined();
  expect(hit.headers.etag).toBe(miss.headers.etag);
  // An answer for this key's organization: no shared cache may keep it, and a client revalidates each reuse.
  expect(hit.headers['cache-control']).toBe('private, no-cache');
  expect(hit.headers.vary).toMatch(/(^|, )Authorization(,|$)/);
  expect(hit.body).toEqual(miss.body);
  expect(notModified.text).toBe('');
});

it('never serves one organization\'s cached answer to another', async () => {
  await post(alpha, '/users', { email: 'only-alpha@example.com', name: 'Only Alpha' });
  await get(alpha, '/users?search=only').expect(200);
  const alphaHit = await get(alpha, '/users?search=only').expect(200);

  const betaRead = await get(beta, '/users?search=only').expect(200);

  expect(alphaHit.headers['x-cache']).toBe('HIT');
  expect(alphaHit.body.total).toBe(1);
  expect(betaRead.headers['x-cache']).toBe('MISS');
  expect(betaRead.body).toEqual({ items: [], page: 1, limit: 20, total: 0 });
  expect(betaRead.headers['x-cache-key']).toContain(beta.id);
});

it('makes the next read of what a write changed a MISS, and does not cache errors', async () => {
  const user = await post(alpha, '/users', { email: 'o@example.com', name: 'Orders' });
  const order = await post(alpha, '/orders', { userId: user.body.id, currency: 'EUR', items: [{ sku: 'A', quantity: 1, unitPriceCents: 5 }] });
  const path = `/orders/${order.body.id}`;
  await get(alpha, path).expect(200);
  await get(alpha, '/orders').expect(200);
  expect((await get(alpha, path).expect(200)).headers['x-cache']).toBe('HIT');

  await request(app.getHttpServer()).patch(`/api/v1${path.toUpperCase()}`).set(...bearer(alpha.apiKey)).send({ status: 'paid' }).expect(200);
  const afterPatch = await get(alpha, path).expect(200);
  const list = await get(alpha, '/orders').expect(200);

  expect(afterPatch.headers['x-cache']).toBe('MISS');
  expect(afterPatch.body.status).toBe('paid');
  expect(list.headers['x-cache']).toBe('MISS');
  expect(list.body.items[0].status).toBe('paid');

  const unknown = '/orders/00000000-0000-4000-8000-000000000000';
  await get(alpha, unknown).expect(404);
  const again = await get(alpha, unknown).expect(404);
  expect(again.headers['x-cache']).not.toBe('HIT');
});
