// A request refused by the rate limit costs no database work, and neither does a malformed key:
// unknown and malformed keys are counted against the caller's address before any lookup, an
// unknown key is looked up once and then remembered, and the operator has a budget of its own.
// Database work is counted as the statements TypeORM sends to Postgres (every query the app runs
// goes through PostgresQueryRunner.query), against the rig's Postgres and Redis.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { bearer, createHarness, createOrg, OPERATOR_TOKEN, type Harness } from './api-harness';

const LIMIT = 20;
const ANONYMOUS_LIMIT = 50;
const OPERATOR_LIMIT = 40;
const WINDOW_SECONDS = 3600;

let harness: Harness;
let app: NestExpressApplication;
let queries: jest.SpyInstance;

/** Statements sent to Postgres while `run` runs. */
async function databaseWork(run: () => Promise<void>): Promise<number> {
  const before = queries.mock.calls.length;
  await run();
  return queries.mock.calls.length - before;
}

/** GET /api/v1/users from `address` (X-Forwarded-For, trusted from loopback) with `token`. */
function get(address: string, token: string, path = '/api/v1/users') {
  return request(app.getHttpServer()).get(path).set('X-Forwarded-For', address).set(...bearer(token));
}

const randomKey = () => `ck_${randomBytes(32).toString('base64url')}`;

beforeAll(async () => {
  // Windows are fixed (floor(now / ttl)): never start in the last seconds of one.
  const left = WINDOW_SECONDS * 1000 - (Date.now() % (WINDOW_SECONDS * 1000));
  if (left < 20_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
  harness = await createHarness({
    redis: true,
    env: {
      RATE_LIMIT_LIMIT: String(LIMIT),
      RATE_LIMIT_ANONYMOUS_LIMIT: String(ANONYMOUS_LIMIT),
      RATE_LIMIT_OPERATOR_LIMIT: String(OPERATOR_LIMIT),
      RATE_LIMIT_TTL_SECONDS: String(WINDOW_SECONDS),
      TRUST_PROXY: 'loopback',
    },
  });
  app = await harness.start();
  queries = jest.spyOn(PostgresQueryRunner.prototype, 'query');
}, 60_000);

afterAll(async () => {
  queries?.mockRestore();
  await harness?.close();
});

describe('what refused requests cost', () => {
  it('200 random well-formed keys from one address: one lookup for each admitted (401), none for the 429s', async () => {
    const statuses: number[] = [];
    const admitted = await databaseWork(async () => {
      for (let i = 0; i < ANONYMOUS_LIMIT; i++) statuses.push((await get('203.0.113.1', randomKey())).status);
    });
    const refused = await databaseWork(async () => {
      for (let i = ANONYMOUS_LIMIT; i < 200; i++) {
        const response = await get('203.0.113.1', randomKey());
        statuses.push(response.status);
        expect(response.headers['retry-after']).toBeDefined();
      }
    });

    expect(statuses).toEqual([...Array<number>(ANONYMOUS_LIMIT).fill(401), ...Array<number>(200 - ANONYMOUS_LIMIT).fill(429)]);
    expect(admitted).toBeGreaterThan(0);
    expect(admitted).toBeLessThanOrEqual(ANONYMOUS_LIMIT); // one lookup per key, not one per guard
    expect(refused).toBe(0);
  }, 60_000);

  it('200 malformed keys: refused 401 naming the format, then 429, without a single query', async () => {
    const malformed = [
      () => `sk_${randomBytes(32).toString('base64url')}`,
      () => `ck_${randomBytes(40).toString('base64url')}`,
      () => `ck_${randomBytes(32).toString('base64')}`,
      () => randomBytes(16).toString('hex'),
    ];
    const responses: request.Response[] = [];
    const work = await databaseWork(async () => {
      for (let i = 0; i < 200; i++) responses.push(await get('203.0.113.2', malformed[i % malformed.length]()));
    });

    expect(work).toBe(0);
    expect(responses.map((r) => r.status)).toEqual([...Array<number>(ANONYMOUS_LIMIT).fill(401), ...Array<number>(200 - ANONYMOUS_LIMIT).fill(429)]);
    expect(responses[0].body).toMatchObject({
      statusCode: 401,
      message: 'The API key is malformed: an API key is ck_ followed by 43 base64url characters',
    });
  }, 60_000);

  it('an unknown key presented again is remembered: one lookup for 40 requests', async () => {
    const key = randomKey();
    const statuses: number[] = [];
    const work = await databaseWork(async () => {
      for (let i = 0; i < 40; i++) statuses.push((await get('203.0.113.3', key)).status);
    });
    expect(statuses).toEqual(Array<number>(40).fill(401));
    expect(work).toBe(1);
  });

  it('a known key past its limit is refused without a query', async () => {
    const org = await createOrg(app, 'Limited');
    for (let i = 0; i < LIMIT; i++) await get('203.0.113.4', org.apiKey).expect(200);
    const work = await databaseWork(async () => {
      for (let i = 0; i < 10; i++) {
        const response = await get('203.0.113.4', org.apiKey).expect(429);
        expect(response.headers['ratelimit-limit']).toBe(String(LIMIT));
      }
    });
    expect(work).toBe(0);
  });

  it("a burst with a real key the cache does not know yet spends one of the address's requests, not one each", async () => {
    const org = await createOrg(app, 'Bursty'); // its key's lookup is not cached yet
    for (let i = 0; i < ANONYMOUS_LIMIT - 3; i++) await request(app.getHttpServer()).get('/demo/items/1').set('X-Forwarded-For', '203.0.113.7');
    const statuses = await Promise.all(Array.from({ length: 15 }, async () => (await get('203.0.113.7', org.apiKey)).status));
    expect(statuses).toEqual(Array<number>(15).fill(200));
  });

  it('gives the operator a budget of its own: ten dashboard tabs do not starve DELETE /admin/keys', async () => {
    const org = await createOrg(app, 'Revoked soon');
    const operator = (method: 'get' | 'delete', path: string) =>
      request(app.getHttpServer())[method](path).set('X-Forwarded-For', '203.0.113.5').set(...bearer(OPERATOR_TOKEN));
    // Ten tabs, each polling health, stats and report: more than a tenant key's budget.
    for (let tab = 0; tab < 10; tab++) {
      for (const path of ['/cache/health', '/cache/stats', '/cache/report']) {
        const response = await operator('get', path).expect(200);
        expect(response.headers['ratelimit-limit']).toBe(String(OPERATOR_LIMIT));
      }
    }
    const revoked = await operator('delete', `/admin/keys/${org.keyId}`).expect(204);
    expect(10 * 3 + 1).toBeGreaterThan(LIMIT); // premise: the tenant budget would have refused it
    expect(revoked.headers['ratelimit-limit']).toBe(String(OPERATOR_LIMIT));
    expect(Number(revoked.headers['ratelimit-remaining'])).toBeGreaterThan(0);
    await get('203.0.113.6', org.apiKey).expect(401);
  });
});
