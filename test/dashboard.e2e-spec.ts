// /api/v1/dashboard: figures computed by Postgres, fresh after every user, order and appointment
// write (read-your-writes through the cache), and per organization.
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createHarness, createOrg, type Harness } from './api-harness';
import { ALWAYS_OPEN, type ApiClient, apiClient, createStaff, createUser } from './support/api-client';

let harness: Harness;
let app: NestExpressApplication;

beforeAll(async () => {
  harness = await createHarness();
  app = await harness.start();
});

afterAll(async () => {
  await harness?.close();
});

const newOrg = async (name: string): Promise<ApiClient> => apiClient(app, (await createOrg(app, name)).apiKey);
const metrics = async (api: ApiClient) => (await api.get('/dashboard/metrics').expect(200)).body;
const order = (userId: string, unitPriceCents: number) => ({
  userId,
  currency: 'EUR',
  items: [{ sku: 'CUT', quantity: 1, unitPriceCents }],
});

describe('GET /dashboard/metrics', () => {
  it('is all zeros for a new organization', async () => {
    const api = await newOrg('Empty');

    const sut = await metrics(api);

    expect(sut).toEqual({
      users: { total: 0, newLast7d: 0 },
      orders: {
        total: 0,
        byStatus: { pending: 0, paid: 0, shipped: 0, completed: 0, cancelled: 0 },
        revenueCents: { today: 0, last7d: 0, last30d: 0 },
      },
      appointments: { today: 0, upcoming: 0 },
      generatedAt: expect.any(String),
    });
  });

  it('changes right after user and order writes, counting revenue of paid, shipped and completed orders', async () => {
    const api = await newOrg('Shop');
    const other = await newOrg('Other shop');
    await metrics(api);

    const userId = await createUser(api);
    expect((await metrics(api)).users).toEqual({ total: 1, newLast7d: 1 });

    const first = (await api.post('/orders', order(userId, 1000)).expect(201)).body.id as string;
    const second = (await api.post('/orders', order(userId, 250)).expect(201)).body.id as string;
    expect((await metrics(api)).orders).toEqual({
      total: 2,
      byStatus: { pending: 2, paid: 0, shipped: 0, completed: 0, cancelled: 0 },
      revenueCents: { today: 0, last7d: 0, last30d: 0 },
    });

    await api.patch(`/orders/${first}`, { status: 'paid' }).expect(200);
    await api.patch(`/orders/${second}`, { status: 'shipped' }).expect(200);
    expect((await metrics(api)).orders.revenueCents).toEqual({ today: 1250, last7d: 1250, last30d: 1250 });

    await api.patch(`/orders/${second}`, { status: 'cancelled' }).expect(200);
    const after = await metrics(api);
    expect(after.orders.byStatus).toEqual({ pending: 0, paid: 1, shipped: 0, completed: 0, cancelled: 1 });
    expect(after.orders.revenueCents).toEqual({ today: 1000, last7d: 1000, last30d: 1000 });
    expect((await metrics(other)).orders.total).toBe(0);
  });

  it('buckets revenue and new users by creation time', async () => {
    const api = await newOrg('History');
    const userId = await createUser(api);
    const ids = [];
    for (const cents of [100, 200, 400]) {
      const id = (await api.post('/orders', order(userId, cents)).expect(201)).body.id as string;
      await api.patch(`/orders/${id}`, { status: 'completed' }).expect(200);
      ids.push(id);
    }
    const dataSource = app.get(DataSource);
    await dataSource.query(`UPDATE orders SET created_at = now() - interval '10 days' WHERE id = $1`, [ids[1]]);
    await dataSource.query(`UPDATE orders SET created_at = now() - interval '40 days' WHERE id = $1`, [ids[2]]);
    await dataSource.query(`UPDATE users SET created_at = now() - interval '8 days' WHERE id = $1`, [userId]);
    // Rows changed behind the API's back: a write through the API evicts the cached figures.
    await createUser(api);

    const sut = await metrics(api);

    expect(sut.orders.revenueCents).toEqual({ today: 100, last7d: 100, last30d: 300 });
    expect(sut.users).toEqual({ total: 2, newLast7d: 1 });
  });

  it('counts upcoming appointments and changes right after a booking and a cancellation', async () => {
    const api = await newOrg('Salon');
    const staffId = await createStaff(api, { workingHours: ALWAYS_OPEN });
    const userId = await createUser(api);
    const start = new Date(Math.ceil(Date.now() / 900_000) * 900_000 + 900_000);
    const isToday = start.toISOString().slice(0, 10) === new Date().toISOString().slice(0, 10);
    expect((await metrics(api)).appointments).toEqual({ today: 0, upcoming: 0 });

    const booked = await api.post('/appointments', { staffId, userId, start: start.toISOString(), duration: 15 }).expect(201);
    await api.post('/appointments', { staffId, userId, start: new Date(start.getTime() + 7 * 86_400_000).toISOString(), duration: 15 }).expect(201);

    expect((await metrics(api)).appointments).toEqual({ today: isToday ? 1 : 0, upcoming: 2 });
    await api.delete(`/appointments/${booked.body.id}`).expect(204);
    expect((await metrics(api)).appointments).toEqual({ today: 0, upcoming: 1 });
  });

  it('serves repeated reads from the cache until a write evicts them', async () => {
    const api = await newOrg('Cached');
    const xCache = async (path: string) => (await api.get(path).expect(200)).headers['x-cache'];
    for (const path of ['/dashboard/metrics', '/dashboard/realtime']) {
      expect([await xCache(path), await xCache(path)]).toEqual(['MISS', 'HIT']);
    }

    await createUser(api);

    expect([await xCache('/dashboard/metrics'), await xCache('/dashboard/realtime')]).toEqual(['MISS', 'MISS']);
  });

  it('needs an API key', async () => {
    await request(app.getHttpServer()).get('/api/v1/dashboard/metrics').expect(401);
  });
});

describe('GET /dashboard/realtime', () => {
  it("lists the last hour's orders and bookings, newest first, fresh after writes", async () => {
    const api = await newOrg('Realtime');
    const other = await newOrg('Realtime other');
    const staffId = await createStaff(api, { workingHours: ALWAYS_OPEN });
    const userId = await createUser(api);
    const empty = (await api.get('/dashboard/realtime').expect(200)).body;
    expect(empty).toMatchObject({ orders: { count: 0, items: [] }, bookings: { count: 0, items: [] } });

    const orderId = (await api.post('/orders', order(userId, 500)).expect(201)).body.id as string;
    const start = new Date(Math.ceil(Date.now() / 900_000) * 900_000 + 86_400_000).toISOString();
    const booking = (await api.post('/appointments', { staffId, userId, start, duration: 30 }).expect(201)).body;
    const oldOrder = (await api.post('/orders', order(userId, 900)).expect(201)).body.id as string;
    await app.get(DataSource).query(`UPDATE orders SET created_at = now() - interval '2 hours' WHERE id = $1`, [oldOrder]);
    await api.patch(`/orders/${orderId}`, { status: 'paid' }).expect(200);

    const sut = (await api.get('/dashboard/realtime').expect(200)).body;

    expect(Date.parse(sut.generatedAt) - Date.parse(sut.since)).toBe(3_600_000);
    expect(sut.orders).toEqual({
      count: 1,
      items: [{ id: orderId, userId, status: 'paid', totalCents: 500, currency: 'EUR', createdAt: expect.any(String) }],
    });
    expect(sut.bookings).toEqual({
      count: 1,
      items: [{ id: booking.id, staffId, userId, start: booking.start, end: booking.end, createdAt: booking.createdAt }],
    });
    expect((await other.get('/dashboard/realtime').expect(200)).body.orders.count).toBe(0);
  });
});
