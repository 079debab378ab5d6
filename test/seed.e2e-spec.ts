// The seed (npm run seed) on a real database: two organizations with users and orders whose
// printed keys work, and a second run that adds keys but no duplicate rows.
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { runSeeders } from '../src/database/seed/seed';
import { bearer, createHarness, type Harness } from './api-harness';

let harness: Harness;
let app: NestExpressApplication;

beforeAll(async () => {
  harness = await createHarness();
  app = await harness.start();
});

afterAll(async () => {
  await harness?.close();
});

it('seeds two organizations with users and orders, and is safe to rerun', async () => {
  const first = await runSeeders(app);
  const second = await runSeeders(app);

  expect(first.orgs).toHaveLength(2);
  expect(second.orgs.map((org) => org.id)).toEqual(first.orgs.map((org) => org.id));
  for (const org of [...first.orgs, ...second.orgs]) {
    const users = await request(app.getHttpServer()).get('/api/v1/users').set(...bearer(org.apiKey)).expect(200);
    const orders = await request(app.getHttpServer()).get('/api/v1/orders?limit=100').set(...bearer(org.apiKey)).expect(200);
    expect(users.body.total).toBe(5);
    expect(orders.body.total).toBe(15);
  }
  const paid = await request(app.getHttpServer()).get('/api/v1/orders?status=paid').set(...bearer(first.orgs[0].apiKey)).expect(200);
  expect(paid.body.total).toBeGreaterThan(0);
});
