// No input makes a 500: random bodies, ids and query strings (fast-check) against every tenant
// route, on a real database. A failing case is shrunk and printed by fast-check.
import type { NestExpressApplication } from '@nestjs/platform-express';
import fc from 'fast-check';
import request from 'supertest';
import { bearer, createHarness, createOrg, type Harness, type TestOrg } from './api-harness';

let harness: Harness;
let app: NestExpressApplication;
let org: TestOrg;
let userId: string;
let staffId: string;

const RUNS = 100;

beforeAll(async () => {
  harness = await createHarness({ env: { RATE_LIMIT_ENABLED: 'false' } });
  app = await harness.start();
  org = await createOrg(app, 'Fuzz Org');
  const server = app.getHttpServer();
  userId = (await request(server).post('/api/v1/users').set(...bearer(org.apiKey)).send({ email: 'fuzz@example.com', name: 'Fuzz' }).expect(201)).body.id;
  staffId = (
    await request(server)
      .post('/api/v1/staff')
      .set(...bearer(org.apiKey))
      .send({ name: 'Barber', timezone: 'Europe/Rome', workingHours: { mon: [['09:00', '17:00']] } })
      .expect(201)
  ).body.id;
});

afterAll(async () => {
  await harness?.close();
});

/** Values that stress validation: wrong types, edge numbers, odd strings, nesting. */
const weird = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', 'NaN', '-1', '1e309', '9'.repeat(30), '2026-02-30', '24:61', 'null', '<script>'),
  fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
  fc.double(),
  fc.constant(null),
  fc.uuid(),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const ids = () => fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }), fc.constant(userId), fc.constant(staffId));
const queryValue = fc.oneof(fc.string({ maxLength: 20 }), fc.integer().map(String), fc.uuid(), fc.constantFrom('0', '-5', '101', 'abc', '2026-13-01', ''));

function expectNo5xx(method: string, path: string, status: number, body: unknown): void {
  if (status >= 500) throw new Error(`${method} ${path} answered ${status}: ${JSON.stringify(body)}`);
}

async function send(method: 'post' | 'patch', path: string, body: unknown): Promise<void> {
  const response = await request(app.getHttpServer())[method](`/api/v1${path}`).set(...bearer(org.apiKey)).send(body as object);
  expectNo5xx(method, path, response.status, response.body);
}

async function get(path: string, query: Record<string, string | undefined>): Promise<void> {
  const response = await request(app.getHttpServer()).get(`/api/v1${path}`).query(query).set(...bearer(org.apiKey));
  expectNo5xx('GET', path, response.status, response.body);
}

describe('inputs fast-check found', () => {
  // An object without a usable toString/valueOf: `@Type(() => Number)` called Number() on it and threw (500).
  const unprintable = { toString: null, valueOf: null };

  it('answers 400 naming the field for a number field holding an object without toString', async () => {
    const response = await request(app.getHttpServer())
      .post('/api/v1/appointments')
      .set(...bearer(org.apiKey))
      .send({ staffId, userId, start: '2031-01-06T09:00:00Z', duration: unprintable })
      .expect(400);
    expect(JSON.stringify(response.body.message)).toContain('duration');
  });

  it.each([
    ['/users', { email: unprintable, name: unprintable }],
    ['/orders', { userId: unprintable, items: [{ sku: unprintable, quantity: unprintable, unitPriceCents: unprintable }] }],
    ['/staff', { name: unprintable, timezone: unprintable, workingHours: { mon: [[unprintable, unprintable]] } }],
    ['/appointments', { toString: null, valueOf: null, hasOwnProperty: null }],
  ])('answers 4xx to such objects anywhere in a POST %s body', async (path, body) => {
    const response = await request(app.getHttpServer()).post(`/api/v1${path}`).set(...bearer(org.apiKey)).send(body);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});

describe('random input never yields a 5xx', () => {
  it('POST and PATCH /users', async () => {
    const body = fc.record({ email: maybe(weird), name: maybe(weird), role: maybe(weird), extra: maybe(weird) }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(body, ids(), async (b, id) => {
        await send('post', '/users', b);
        await send('patch', `/users/${encodeURIComponent(id)}`, b);
      }),
      { numRuns: RUNS },
    );
  });

  it('POST and PATCH /orders', async () => {
    const item = fc.record({ sku: maybe(weird), quantity: maybe(weird), unitPriceCents: maybe(weird) }, { requiredKeys: [] });
    const body = fc.record(
      { userId: maybe(fc.oneof(weird, fc.constant(userId))), items: maybe(fc.oneof(fc.array(item, { maxLength: 3 }), weird)), currency: maybe(weird), status: maybe(weird) },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(body, ids(), async (b, id) => {
        await send('post', '/orders', b);
        await send('patch', `/orders/${encodeURIComponent(id)}`, b);
      }),
      { numRuns: RUNS },
    );
  });

  it('POST and PATCH /staff', async () => {
    const hours = fc.oneof(
      weird,
      fc.dictionary(fc.oneof(fc.constantFrom('mon', 'tue', 'sun'), fc.string({ maxLength: 5 })), fc.oneof(weird, fc.array(fc.array(weird, { maxLength: 3 }), { maxLength: 3 })), { maxKeys: 3 }),
    );
    const body = fc.record({ name: maybe(weird), timezone: maybe(fc.oneof(weird, fc.constantFrom('Europe/Rome', 'Mars/Base', 'UTC'))), workingHours: maybe(hours) }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(body, ids(), async (b, id) => {
        await send('post', '/staff', b);
        await send('patch', `/staff/${encodeURIComponent(id)}`, b);
      }),
      { numRuns: RUNS },
    );
  });

  it('POST /appointments', async () => {
    const body = fc.record(
      {
        staffId: maybe(fc.oneof(weird, fc.constant(staffId))),
        userId: maybe(fc.oneof(weird, fc.constant(userId))),
        start: maybe(fc.oneof(weird, fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString()))),
        duration: maybe(weird),
      },
      { requiredKeys: [] },
    );
    await fc.assert(fc.asyncProperty(body, (b) => send('post', '/appointments', b)), { numRuns: RUNS });
  });

  it('list and availability queries', async () => {
    const query = fc.record(
      { page: maybe(queryValue), limit: maybe(queryValue), search: maybe(queryValue), status: maybe(queryValue), userId: maybe(queryValue), staffId: maybe(fc.oneof(queryValue, fc.constant(staffId))), date: maybe(queryValue), duration: maybe(queryValue), start: maybe(queryValue) },
      { requiredKeys: [] },
    );
    const paths = fc.constantFrom('/users', '/orders', '/staff', '/appointments', '/availability/slots', '/availability/check', '/dashboard/metrics', '/dashboard/realtime');
    await fc.assert(fc.asyncProperty(paths, query, (path, q) => get(path, q)), { numRuns: RUNS * 3 });
  });

  it('malformed JSON and wrong content types', async () => {
    const raw = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('{', '{"email":', '[1,2', 'null', '"x"', '{"__proto__":{"a":1}}'));
    const type = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded');
    const path = fc.constantFrom('/users', '/orders', '/staff', '/appointments');
    await fc.assert(
      fc.asyncProperty(raw, type, path, async (body, contentType, p) => {
        const response = await request(app.getHttpServer()).post(`/api/v1${p}`).set(...bearer(org.apiKey)).set('content-type', contentType).send(body);
        expectNo5xx('POST', p, response.status, response.body);
      }),
      { numRuns: RUNS },
    );
  });
});
