// Cache busting through the URL (issue 12): HTTP entries are keyed by the route and the query as
// validation reads it, so every spelling of one query shares one entry (and one database load),
// and a URL validation refuses creates none. Real Postgres and the rig's Redis; fast-check
// generates the spellings and shrinks any counterexample.
import { CacheService } from '@app/cache';
import type { NestExpressApplication } from '@nestjs/platform-express';
import fc from 'fast-check';
import request from 'supertest';
import { bearer, createHarness, createOrg, type Harness, type TestOrg } from './api-harness';

let harness: Harness;
let app: NestExpressApplication;
let org: TestOrg;

beforeAll(async () => {
  harness = await createHarness({ redis: true, env: { RATE_LIMIT_ENABLED: 'false' } });
  app = await harness.start();
  org = await createOrg(app, 'Spellings');
  for (const name of ['Ann', 'Bob', 'Annabel']) {
    await request(app.getHttpServer()).post('/api/v1/users').set(...bearer(org.apiKey)).send({ email: `${name}@example.com`, name }).expect(201);
  }
});

afterAll(async () => {
  await harness?.close();
});

/** Keys this organization holds in a namespace, counted in Redis. */
async function keysIn(namespace: string): Promise<number> {
  const cache = app.get(CacheService);
  const pattern = `${cache.keys.orgRoot(org.id)}${namespace}:*`;
  let count = 0;
  let cursor = '0';
  do {
    const page = await cache.scan(pattern, cursor, 1000);
    count += page.keys.length;
    cursor = page.cursor;
  } while (cursor !== '0');
  return count;
}

const get = (url: string) => request(app.getHttpServer()).get(url).set(...bearer(org.apiKey));

/** A users-list query as validation reads it (defaults filled in). */
interface Canonical {
  page: number;
  limit: number;
  search?: string;
}

const canonical: fc.Arbitrary<Canonical> = fc.record(
  { page: fc.integer({ min: 1, max: 3 }), limit: fc.integer({ min: 1, max: 100 }), search: fc.constantFrom('ann', 'bob') },
  { requiredKeys: ['page', 'limit'] },
);

/** Spellings of a whole number that ToNumber reads as that number. */
const numberSpelling = (n: number): fc.Arbitrary<string> =>
  fc.constantFrom(`${n}`, `0${n}`, `00${n}`, `${n}.0`, `${n}.000`, `%2B${n}`, `${n}e0`, `%20${n}`, [...`${n}`].map((d) => `%3${d}`).join(''));

const pathSpelling = fc.constantFrom('/api/v1/users', '/api/v1/Users', '/API/V1/USERS', '/api/v1/users/');

/** One URL for a canonical query: any order, defaults left out or spelled, numbers spelled oddly. */
function spelling(query: Canonical): fc.Arbitrary<string> {
  const page = query.page === 1 ? fc.option(numberSpelling(1), { nil: undefined }) : numberSpelling(query.page);
  const limit = query.limit === 20 ? fc.option(numberSpelling(20), { nil: undefined }) : numberSpelling(query.limit);
  const search = query.search === undefined ? fc.constant(undefined) : fc.constantFrom(query.search, ` ${query.search} `, encodeURIComponent(query.search).replace('a', '%61'));
  return fc.tuple(pathSpelling, page, limit, search, fc.infiniteStream(fc.nat())).map(([path, p, l, s, order]) => {
    const parts = [p === undefined ? undefined : `page=${p}`, l === undefined ? undefined : `limit=${l}`, s === undefined ? undefined : `search=${s.replace(/ /g, '%20')}`]
      .filter((part): part is string => part !== undefined)
      .map((part) => ({ part, rank: order.next().value as number }))
      .sort((a, b) => a.rank - b.rank)
      .map(({ part }) => part);
    return parts.length === 0 ? path : `${path}?${parts.join('&')}`;
  });
}

const sameQuery = (a: Canonical, b: Canonical) => a.page === b.page && a.limit === b.limit && a.search === b.search;

describe('GET /api/v1/users under any spelling', () => {
  it('shares one entry between URLs validation reads as the same query, and only between those', async () => {
    const pairs = canonical.chain((a) =>
      fc.tuple(fc.constant(a), fc.oneof(fc.constant(a), canonical)).chain(([x, y]) => fc.tuple(fc.constant(x), fc.constant(y), spelling(x), spelling(y))),
    );
    await fc.assert(
      fc.asyncProperty(pairs, async ([a, b, urlA, urlB]) => {
        const first = await get(urlA);
        const second = await get(urlB);
        expect([urlA, first.status, urlB, second.status]).toEqual([urlA, 200, urlB, 200]);
        expect(first.body).toMatchObject({ page: a.page, limit: a.limit });
        if (sameQuery(a, b)) {
          expect([urlA, urlB, second.headers['x-cache-key']]).toEqual([urlA, urlB, first.headers['x-cache-key']]);
          expect(second.headers['x-cache']).toBe('HIT');
          expect(second.body).toEqual(first.body);
        } else {
          expect(second.headers['x-cache-key']).not.toBe(first.headers['x-cache-key']);
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('creates no entry for a URL validation refuses', async () => {
    const refused = fc.oneof(
      fc.tuple(canonical.chain(spelling), fc.string({ minLength: 1, maxLength: 8 }).filter((name) => !['page', 'limit', 'search'].includes(name)), fc.nat(30)).map(
        ([url, junk, n]) => `${url}${url.includes('?') ? '&' : '?'}${encodeURIComponent(junk)}=${n}`,
      ),
      fc.constantFrom('limit=0', 'limit=101', 'limit=5.5', 'limit=abc', 'limit=', 'page=0', 'page=-1', 'limit=5&limit=5', `search=${'x'.repeat(201)}`, 'page=1e400').map(
        (query) => `/api/v1/users?${query}`,
      ),
    );
    const before = await keysIn('users');
    await fc.assert(
      fc.asyncProperty(refused, async (url) => {
        const response = await get(url);
        expect([url, response.status]).toEqual([url, 400]);
        expect(response.headers['x-cache-key']).toBeUndefined();
      }),
      { numRuns: 30 },
    );
    expect(await keysIn('users')).toBe(before);
  }, 120_000);
});

describe('unknown query parameters', () => {
  it('are 400 on a route without a query DTO, and cost no entry and no load', async () => {
    for (let n = 1; n <= 30; n++) {
      const response = await get(`/api/v1/dashboard/metrics?junk=${n}`).expect(400);
      expect(response.body.message).toEqual(['property junk should not exist']);
    }
    expect(await keysIn('dashboard')).toBe(0);
    await get('/api/v1/dashboard/metrics').expect(200);
    await get('/api/v1/Dashboard/Metrics/').expect(200);
    expect(await keysIn('dashboard')).toBe(1);
  });

  it('are 400 on public and operator routes too', async () => {
    await request(app.getHttpServer()).get('/health/live?junk=1').expect(400);
    await request(app.getHttpServer()).get('/metrics?junk=1').expect(400);
    await get('/api/v1/users/00000000-0000-4000-8000-000000000000?junk=1').expect(400);
  });

  it('read path parameters by value: an upper-case UUID is the lower-case one', async () => {
    const [user] = (await get('/api/v1/users?search=bob').expect(200)).body.items;
    const lower = await get(`/api/v1/users/${user.id}`).expect(200);
    const upper = await get(`/api/v1/users/${String(user.id).toUpperCase()}`).expect(200);
    expect(upper.headers['x-cache-key']).toBe(lower.headers['x-cache-key']);
    expect(upper.headers['x-cache']).toBe('HIT');
  });
});
