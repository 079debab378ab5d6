// /api/v1/orders: CRUD with server-computed totals, validation naming the field (nested items
// included), filters and paging, and isolation between organizations.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createHarness, createOrg, type Harness, type TestOrg } from './api-harness';
import { apiClient } from './support/api-client';

let harness: Harness;
let app: NestExpressApplication;
let org: TestOrg;
let other: TestOrg;
let userId: string;
let otherUserId: string;

const api = (key: string) => apiClient(app, key);

async function createUser(key: string): Promise<string> {
  const response = await api(key).post('/users', { email: `o${Date.now()}${Math.random()}@example.com`, name: 'Buyer' }).expect(201);
  return response.body.id as string;
}

const line = (sku: string, quantity: number, unitPriceCents: number) => ({ sku, quantity, unitPriceCents });

beforeAll(async () => {
  harness = await createHarness();
  app = await harness.start();
  org = await createOrg(app, 'Orders Org');
  other = await createOrg(app, 'Other Org');
  userId = await createUser(org.apiKey);
  otherUserId = await createUser(other.apiKey);
});

afterAll(async () => {
  await harness?.close();
});

describe('orders CRUD', () => {
  it('creates an order with the total computed by the server, reads, updates and deletes it', async () => {
    const created = await api(org.apiKey)
      .post('/orders', { userId, currency: 'EUR', items: [line('TEE-M', 2, 1999), line('CAP', 1, 1250)] })
      .expect(201);
    const id = created.body.id as string;

    expect(created.body).toMatchObject({ userId, currency: 'EUR', status: 'pending', totalCents: 5248 });
    expect(created.body.items).toEqual([line('TEE-M', 2, 1999), line('CAP', 1, 1250)]);
    await api(org.apiKey).get(`/orders/${id}`).expect(200, created.body);

    const paid = await api(org.apiKey).patch(`/orders/${id}`, { status: 'paid' }).expect(200);
    expect(paid.body).toMatchObject({ id, status: 'paid', totalCents: 5248 });
    expect((await api(org.apiKey).get(`/orders/${id}`).expect(200)).body.status).toBe('paid');

    await api(org.apiKey).delete(`/orders/${id}`).expect(204);
    await api(org.apiKey).get(`/orders/${id}`).expect(404);
    await api(org.apiKey).patch(`/orders/${id}`, { status: 'shipped' }).expect(404);
  });

  it('refuses a client-sent total like any unknown field', async () => {
    const response = await api(org.apiKey)
      .post('/orders', { userId, currency: 'USD', items: [line('A', 1, 100)], totalCents: 1 })
      .expect(400);

    expect(response.body.message).toEqual(['property totalCents should not exist']);
  });

  it('answers 404 for a user of another organization or no user at all', async () => {
    const theirs = await api(org.apiKey).post('/orders', { userId: otherUserId, currency: 'EUR', items: [line('A', 1, 1)] }).expect(404);
    await api(org.apiKey)
      .post('/orders', { userId: '00000000-0000-4000-8000-000000000000', currency: 'EUR', items: [line('A', 1, 1)] })
      .expect(404);

    expect(theirs.body.message).toContain('userId');
  });
});

describe('validation', () => {
  it('names every offending field, nested items included', async () => {
    const cases: [object, RegExp][] = [
      [{ userId: 'x', currency: 'EUR', items: [line('A', 1, 1)] }, /^userId must be a UUID$/],
      [{ userId, currency: 'eur', items: [line('A', 1, 1)] }, /^currency must be an ISO 4217 code/],
      [{ userId, currency: 'EURO', items: [line('A', 1, 1)] }, /^currency must be/],
      [{ userId, currency: 'EUR', items: [] }, /^items must contain at least 1 elements$/],
      [{ userId, currency: 'EUR', items: 'many' }, /^items must be an array$/],
      [{ userId, currency: 'EUR', items: [line('A', 0, 1)] }, /^items\.0\.quantity must not be less than 1$/],
      [{ userId, currency: 'EUR', items: [line('A', 1.5, 1)] }, /^items\.0\.quantity must be an integer number$/],
      [{ userId, currency: 'EUR', items: [line('A', 1, 1), line('B', 1, -1)] }, /^items\.1\.unitPriceCents must not be less than 0$/],
      [{ userId, currency: 'EUR', items: [line('A', 1, 0.5)] }, /^items\.0\.unitPriceCents must be an integer number$/],
      [{ userId, currency: 'EUR', items: [line('', 1, 1)] }, /^items\.0\.sku must be/],
      [{ userId, currency: 'EUR', items: [{ ...line('A', 1, 1), color: 'red' }] }, /^items\.0\.property color should not exist$/],
      [{ userId, currency: 'EUR', items: Array.from({ length: 101 }, () => line('A', 1, 1)) }, /^items must contain no more than 100 elements$/],
      [{ userId, currency: 'EUR', items: [line('A', 1e9, 1e9)] }, /^items\.0\.quantity must not be greater than/],
    ];
    for (const [body, expected] of cases) {
      const response = await api(org.apiKey).post('/orders', body).expect(400);
      expect(response.body.message).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    }
  });

  it('accepts only the known statuses', async () => {
    const order = await api(org.apiKey).post('/orders', { userId, currency: 'EUR', items: [line('A', 1, 1)] }).expect(201);

    const bad = await api(org.apiKey).patch(`/orders/${order.body.id}`, { status: 'lost' }).expect(400);
    await api(org.apiKey).patch(`/orders/${order.body.id}`, {}).expect(400);
    const badFilter = await api(org.apiKey).get('/orders?status=lost').expect(400);
    const badUser = await api(org.apiKey).get('/orders?userId=nope').expect(400);
    await api(org.apiKey).get('/orders/nope').expect(400);

    expect(bad.body.message).toEqual(['status must be one of: pending, paid, shipped, completed, cancelled']);
    expect(badFilter.body.message[0]).toMatch(/^status must be one of/);
    expect(badUser.body.message).toEqual(['userId must be a UUID']);
  });
});

describe('lists', () => {
  it('filters by status and user, pages, and shows only the organization\'s orders', async () => {
    const listOrg = await createOrg(app, 'List Orders');
    const [alice, bob] = [await createUser(listOrg.apiKey), await createUser(listOrg.apiKey)];
    const ids: string[] = [];
    for (const buyer of [alice, alice, alice, bob]) {
      const response = await api(listOrg.apiKey).post('/orders', { userId: buyer, currency: 'GBP', items: [line('X', 1, 10)] }).expect(201);
      ids.push(response.body.id);
    }
    await api(listOrg.apiKey).patch(`/orders/${ids[0]}`, { status: 'shipped' }).expect(200);
    await api(other.apiKey).post('/orders', { userId: otherUserId, currency: 'GBP', items: [line('X', 1, 10)] }).expect(201);

    const all = await api(listOrg.apiKey).get('/orders').expect(200);
    const shipped = await api(listOrg.apiKey).get('/orders?status=shipped').expect(200);
    const bobs = await api(listOrg.apiKey).get(`/orders?userId=${bob}`).expect(200);
    const alicePending = await api(listOrg.apiKey).get(`/orders?userId=${alice}&status=pending&page=2&limit=1`).expect(200);
    await api(listOrg.apiKey).get('/orders?limit=101').expect(400);

    expect(all.body).toMatchObject({ page: 1, limit: 20, total: 4 });
    expect(shipped.body.items.map((o: { id: string }) => o.id)).toEqual([ids[0]]);
    expect(bobs.body.items.map((o: { id: string }) => o.id)).toEqual([ids[3]]);
    expect(alicePending.body).toMatchObject({ page: 2, limit: 1, total: 2 });
    expect(alicePending.body.items).toHaveLength(1);
  });

  it('answers another organization\'s order with 404 on every route', async () => {
    const theirs = await api(other.apiKey).post('/orders', { userId: otherUserId, currency: 'EUR', items: [line('A', 1, 1)] }).expect(201);
    const id = theirs.body.id as string;

    await api(org.apiKey).get(`/orders/${id}`).expect(404);
    await api(org.apiKey).patch(`/orders/${id}`, { status: 'cancelled' }).expect(404);
    await api(org.apiKey).delete(`/orders/${id}`).expect(404);
    await api(org.apiKey).get(`/orders?userId=${otherUserId}`).expect(200, { items: [], page: 1, limit: 20, total: 0 });
    expect((await api(other.apiKey).get(`/orders/${id}`).expect(200)).body.status).toBe('pending');
  });
});
