// Two instances of the API sharing the rig's Redis and one database: after a 2xx write on one,
// the next read on the other shows the write, for single rows and for lists. Each read is made
// twice on the reading instance first, so its in-process tier holds the entry being invalidated.
import { CacheService } from '@app/cache';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { bearer, createHarness, createOrg, type Harness, type TestOrg } from './api-harness';

let harness: Harness;
let writer: NestExpressApplication;
let reader: NestExpressApplication;
let org: TestOrg;

beforeAll(async () => {
  harness = await createHarness({ redis: true });
  writer = await harness.start();
  reader = await harness.start();
  org = await createOrg(writer, 'Two Instances');
});

afterAll(async () => {
  await harness?.close();
});

const on = (app: NestExpressApplication) => ({
  get: (path: string) => request(app.getHttpServer()).get(`/api/v1${path}`).set(...bearer(org.apiKey)).expect(200),
  post: (path: string, body: object) => request(app.getHttpServer()).post(`/api/v1${path}`).set(...bearer(org.apiKey)).send(body).expect(201),
  patch: (path: string, body: object) => request(app.getHttpServer()).patch(`/api/v1${path}`).set(...bearer(org.apiKey)).send(body).expect(200),
  delete: (path: string) => request(app.getHttpServer()).delete(`/api/v1${path}`).set(...bearer(org.apiKey)).expect(204),
});

/** Reads twice on the reader (a load, then a cached answer, which it checks) and returns the body. */
async function warm(path: string): Promise<unknown> {
  const cache = reader.get(CacheService);
  await on(reader).get(path);
  const hitsBefore = cache.stats(org.id).orgs[org.id]?.hits ?? 0;
  const body = (await on(reader).get(path)).body;
  expect(cache.stats(org.id).orgs[org.id]?.hits).toBe(hitsBefore + 1);
  return body;
}

it('shows a user written on one instance in the next read on the other', async () => {
  const user = (await on(writer).post('/users', { email: 'ryw@example.com', name: 'Before' })).body as { id: string };
  expect(await warm(`/users/${user.id}`)).toMatchObject({ name: 'Before' });
  expect(await warm('/users')).toMatchObject({ total: 1 });

  await on(writer).patch(`/users/${user.id}`, { name: 'After' });
  expect((await on(reader).get(`/users/${user.id}`)).body).toMatchObject({ name: 'After' });
  expect((await on(reader).get('/users')).body.items[0]).toMatchObject({ name: 'After' });

  await on(writer).post('/users', { email: 'second@example.com', name: 'Second' });
  expect((await on(reader).get('/users')).body).toMatchObject({ total: 2 });

  await on(writer).delete(`/users/${user.id}`);
  await request(reader.getHttpServer()).get(`/api/v1/users/${user.id}`).set(...bearer(org.apiKey)).expect(404);
  expect((await on(reader).get('/users')).body).toMatchObject({ total: 1 });
});

it('shows an order written on one instance in the next read on the other, lists and filters included', async () => {
  const buyer = (await on(writer).post('/users', { email: 'buyer@example.com', name: 'Buyer' })).body as { id: string };
  const order = (
    await on(writer).post('/orders', { userId: buyer.id, currency: 'EUR', items: [{ sku: 'A', quantity: 3, unitPriceCents: 250 }] })
  ).body as { id: string };
  expect(await warm(`/orders/${order.id}`)).toMatchObject({ status: 'pending', totalCents: 750 });
  expect(await warm('/orders?status=paid')).toMatchObject({ total: 0 });
  expect(await warm(`/orders?userId=${buyer.id}`)).toMatchObject({ total: 1 });

  await on(writer).patch(`/orders/${order.id}`, { status: 'paid' });
  expect((await on(reader).get(`/orders/${order.id}`)).body).toMatchObject({ status: 'paid' });
  expect((await on(reader).get('/orders?status=paid')).body).toMatchObject({ total: 1 });

  await on(writer).delete(`/orders/${order.id}`);
  await request(reader.getHttpServer()).get(`/api/v1/orders/${order.id}`).set(...bearer(org.apiKey)).expect(404);
  expect((await on(reader).get(`/orders?userId=${buyer.id}`)).body).toMatchObject({ total: 0 });
});
