// /api/v1/users: CRUD, validation naming the field, 409s, paging bounds, and isolation between
// organizations (another org's id is 404, lists never show its rows).
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createHarness, createOrg, type Harness, type TestOrg } from './api-harness';
import { apiClient } from './support/api-client';

let harness: Harness;
let app: NestExpressApplication;
let org: TestOrg;
let other: TestOrg;

beforeAll(async () => {
  harness = await createHarness();
  app = await harness.start();
  org = await createOrg(app, 'Users Org');
  other = await createOrg(app, 'Other Org');
});

afterAll(async () => {
  await harness?.close();
});

const api = (key: string) => apiClient(app, key);

let counter = 0;
const uniqueEmail = (): string => `user${++counter}-${Date.now()}@example.com`;

describe('users CRUD', () => {
  it('creates, reads, updates and deletes a user', async () => {
    const email = uniqueEmail();
    const created = await api(org.apiKey).post('/users', { email: `  ${email.toUpperCase()} `, name: ' Ada ' }).expect(201);
    const id = created.body.id as string;

    expect(created.body).toMatchObject({ email, name: 'Ada', role: 'member' });
    await api(org.apiKey).get(`/users/${id}`).expect(200, created.body);

    const patched = await api(org.apiKey).patch(`/users/${id}`, { name: 'Ada L.', role: 'admin' }).expect(200);
    expect(patched.body).toMatchObject({ id, email, name: 'Ada L.', role: 'admin' });
    const read = await api(org.apiKey).get(`/users/${id}`).expect(200);
    expect(read.body).toMatchObject({ name: 'Ada L.', role: 'admin' });

    await api(org.apiKey).delete(`/users/${id}`).expect(204);
    await api(org.apiKey).get(`/users/${id}`).expect(404);
    await api(org.apiKey).delete(`/users/${id}`).expect(404);
  });

  it('answers 409 for an email already used in the organization, but not in another one', async () => {
    const email = uniqueEmail();
    await api(org.apiKey).post('/users', { email, name: 'First' }).expect(201);

    const clash = await api(org.apiKey).post('/users', { email: email.toUpperCase(), name: 'Second' }).expect(409);
    await api(other.apiKey).post('/users', { email, name: 'Elsewhere' }).expect(201);
    const second = await api(org.apiKey).post('/users', { email: uniqueEmail(), name: 'Third' }).expect(201);
    const patchClash = await api(org.apiKey).patch(`/users/${second.body.id}`, { email }).expect(409);

    expect(clash.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'email already exists' });
    expect(patchClash.body.message).toBe('email already exists');
  });

  it('refuses to delete a user who still has orders (409), and allows it once they are gone', async () => {
    const user = await api(org.apiKey).post('/users', { email: uniqueEmail(), name: 'Buyer' }).expect(201);
    const order = await api(org.apiKey)
      .post('/orders', { userId: user.body.id, currency: 'EUR', items: [{ sku: 'A-1', quantity: 1, unitPriceCents: 100 }] })
      .expect(201);

    const refused = await api(org.apiKey).delete(`/users/${user.body.id}`).expect(409);
    await api(org.apiKey).get(`/users/${user.body.id}`).expect(200);
    await api(org.apiKey).delete(`/orders/${order.body.id}`).expect(204);
    await api(org.apiKey).delete(`/users/${user.body.id}`).expect(204);

    expect(refused.body).toMatchObject({ statusCode: 409, error: 'Conflict', message: expect.stringContaining('orders') });
  });
});

describe('validation', () => {
  it('names every offending field of a body', async () => {
    const missing = await api(org.apiKey).post('/users', {}).expect(400);
    const bad = await api(org.apiKey).post('/users', { email: 'nope', name: '', role: 'Bad Role!', extra: 1 }).expect(400);
    const wrongTypes = await api(org.apiKey).post('/users', { email: 5, name: ['x'] }).expect(400);
    const emptyPatch = await api(org.apiKey).patch('/users/00000000-0000-4000-8000-000000000000', {}).expect(400);
    const nullPatch = await api(org.apiKey).patch('/users/00000000-0000-4000-8000-000000000000', { name: null }).expect(400);

    const text = (body: { message: string[] }) => body.message.join(' | ');
    expect(text(missing.body)).toMatch(/email/);
    expect(text(missing.body)).toMatch(/name/);
    expect(bad.body.message).toEqual(
      expect.arrayContaining([
        'property extra should not exist',
        'email must be an email address',
        expect.stringMatching(/^name must be/),
        expect.stringMatching(/^role must be/),
      ]),
    );
    expect(text(wrongTypes.body)).toMatch(/email must be a string/);
    expect(text(wrongTypes.body)).toMatch(/name must be a string/);
    expect(emptyPatch.body.message).toEqual(['body must set at least one of email, name, role']);
    expect(nullPatch.body.message).toContain('name must be a string');
  });

  it('answers a malformed id with 400 naming it, and an unknown one with 404', async () => {
    const malformed = await api(org.apiKey).get('/users/not-a-uuid').expect(400);
    await api(org.apiKey).patch('/users/123', { name: 'x' }).expect(400);
    await api(org.apiKey).delete('/users/123').expect(400);
    await api(org.apiKey).get('/users/00000000-0000-4000-8000-000000000000').expect(404);

    expect(malformed.body).toEqual({ statusCode: 400, error: 'Bad Request', message: ['id must be a UUID'] });
  });

  it('keeps page and limit within bounds', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'page=0', 'page=-1', 'page=1.5', 'limit=']) {
      const response = await api(org.apiKey).get(`/users?${query}`).expect(400);
      expect(response.body.message.join(' ')).toMatch(new RegExp(query.split('=')[0]));
    }
    const unknown = await api(org.apiKey).get('/users?orgId=x').expect(400);
    expect(unknown.body.message).toEqual(['property orgId should not exist']);
  });
});

describe('lists', () => {
  it('pages with defaults, searches name and email, and never shows another organization', async () => {
    const listOrg = await createOrg(app, 'List Org');
    const names = ['Alice Smith', 'Bob Stone', 'Carol Smith', 'Dan 100%_off'];
    for (const name of names) await api(listOrg.apiKey).post('/users', { email: uniqueEmail(), name }).expect(201);
    await api(other.apiKey).post('/users', { email: uniqueEmail(), name: 'Eve Smith' }).expect(201);

    const all = await api(listOrg.apiKey).get('/users').expect(200);
    const page2 = await api(listOrg.apiKey).get('/users?page=2&limit=3').expect(200);
    const smiths = await api(listOrg.apiKey).get('/users?search=SMITH').expect(200);
    const literal = await api(listOrg.apiKey).get(`/users?search=${encodeURIComponent('%_')}`).expect(200);
    const byEmail = await api(listOrg.apiKey).get('/users?search=example.com&limit=100').expect(200);

    expect(all.body).toMatchObject({ page: 1, limit: 20, total: 4 });
    expect(all.body.items).toHaveLength(4);
    expect(page2.body).toMatchObject({ page: 2, limit: 3, total: 4 });
    expect(page2.body.items).toHaveLength(1);
    expect(smiths.body.items.map((u: { name: string }) => u.name).sort()).toEqual(['Alice Smith', 'Carol Smith']);
    expect(literal.body.items.map((u: { name: string }) => u.name)).toEqual(['Dan 100%_off']);
    expect(byEmail.body.total).toBe(4);
  });

  it('answers another organization\'s user with 404 on every route', async () => {
    const theirs = await api(other.apiKey).post('/users', { email: uniqueEmail(), name: 'Theirs' }).expect(201);
    const id = theirs.body.id as string;

    await api(org.apiKey).get(`/users/${id}`).expect(404);
    await api(org.apiKey).patch(`/users/${id}`, { name: 'Hijacked' }).expect(404);
    await api(org.apiKey).delete(`/users/${id}`).expect(404);
    const still = await api(other.apiKey).get(`/users/${id}`).expect(200);
    expect(still.body.name).toBe('Theirs');
  });

  it('shows a write in the next read of the list (the cached list is evicted)', async () => {
    const listOrg = await createOrg(app, 'Fresh Lists');
    await api(listOrg.apiKey).get('/users').expect(200, { items: [], page: 1, limit: 20, total: 0 });
    const created = await api(listOrg.apiKey).post('/users', { email: uniqueEmail(), name: 'New' }).expect(201);
    const after = await api(listOrg.apiKey).get('/users').expect(200);
    await api(listOrg.apiKey).patch(`/users/${created.body.id}`, { name: 'Renamed' }).expect(200);
    const renamed = await api(listOrg.apiKey).get('/users').expect(200);

    expect(after.body.total).toBe(1);
    expect(renamed.body.items[0].name).toBe('Renamed');
  });
});
