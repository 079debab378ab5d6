// One tenant cannot take the in-process tier (L1) from the others, nor the process's memory.
// An organization floods the API with distinct large answers (orders pages of 240-580 KB of JSON,
// cached by the HTTP cache in L1 in front of Redis) while another keeps a few hot entries: the
// L1 accounts what it really holds (at least the JSON of each answer), stays within its budget,
// holds the flooding organization to its share, leaves the other's entries in place, and the
// heap after GC grows by no more than the budget and a margin.
import { CacheService } from '@app/cache';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DataSource } from 'typeorm';
import { CACHE_TIERED_STORE } from '../libs/cache/src/cache.constants';
import type { StoredAnswer } from '../libs/cache/src/http/http-cache-answer';
import type { TieredCacheStore } from '../libs/cache/src/stores/tiered.store';
import { createHarness, createOrg, type Harness, type TestOrg } from './api-harness';
import { apiClient, createUser } from './support/api-client';

const MIB = 1024 * 1024;
const L1_BUDGET = 16 * MIB;
const ORG_SHARE_PERCENT = 50;
/** Heap growth (after GC) allowed beyond the L1 budget: buffers, Redis and pg state, JIT. */
const HEAP_MARGIN = 16 * MIB;
/** A deliberately generous bound on RSS growth: RSS keeps freed pages, so only a gross leak shows. */
const RSS_BOUND = 256 * MIB;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let harness: Harness;
let app: NestExpressApplication;
let noisy: TestOrg;
let quiet: TestOrg;
let noisyUser: string;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function fullKeyOf(publicKey: string): string {
  const [org, namespace, ...id] = publicKey.split(':');
  return app.get(CacheService).keys.entry(org, namespace, id.join(':'));
}

beforeAll(async () => {
  harness = await createHarness({
    redis: true,
    env: { CACHE_L1_MAX_BYTES: String(L1_BUDGET), CACHE_L1_ORG_SHARE_PERCENT: String(ORG_SHARE_PERCENT), RATE_LIMIT_ENABLED: 'false' },
  });
  app = await harness.start();
  noisy = await createOrg(app, 'Noisy');
  quiet = await createOrg(app, 'Quiet');
  noisyUser = await createUser(apiClient(app, noisy.apiKey));
  const quietUser = await createUser(apiClient(app, quiet.apiKey));
  await apiClient(app, quiet.apiKey).post('/orders', { userId: quietUser, currency: 'EUR', items: [{ sku: 'CAP', quantity: 1, unitPriceCents: 1250 }] }).expect(201);
  // 100 orders of 100 lines each (about 5.8 KB of JSON an order), written in one statement.
  await app.get(DataSource).query(
    `INSERT INTO orders (org_id, user_id, status, currency, items, total_cents)
     SELECT $1, $2, 'paid', 'EUR',
            (SELECT jsonb_agg(jsonb_build_object('sku', 'SKU-' || o || '-' || i, 'quantity', i, 'unitPriceCents', 1000 + i)) FROM generate_series(1, 100) i),
            123456
     FROM generate_series(1, 100) o`,
    [noisy.id, noisyUser],
  );
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

describe('the in-process tier under one tenant’s flood of distinct large answers', () => {
  it('stays within its budget and the tenant’s share, leaves the other tenant’s hot entries, and bounds the heap', async () => {
    const store = app.get<TieredCacheStore>(CACHE_TIERED_STORE);
    const quietApi = apiClient(app, quiet.apiKey);
    const noisyApi = apiClient(app, noisy.apiKey);
    const hotPaths = ['/users', '/orders', '/orders?status=pending'];
    const hotKeys: string[] = [];
    for (const path of hotPaths) {
      const response = await quietApi.get(path).expect(200);
      expect(response.headers['x-cache']).toBe('MISS');
      hotKeys.push(fullKeyOf(response.headers['x-cache-key']));
    }
    await noisyApi.get('/orders?limit=1').expect(200); // warms the code paths the flood takes

    const heapBefore = heapAfterGc();
    const rssBefore = process.memoryUsage.rss();
    const flood = [];
    for (let limit = 41; limit <= 100; limit++) flood.push(`/orders?limit=${limit}`, `/orders?limit=${limit}&userId=${noisyUser}`, `/orders?limit=${limit}&status=paid`);
    let jsonBytes = 0;
    const noisyKeys: string[] = [];
    for (const [i, path] of flood.entries()) {
      const response = await noisyApi.get(path).expect(200);
      expect(response.headers['x-cache']).toBe('MISS'); // distinct: each one a new entry
      jsonBytes += response.text.length;
      noisyKeys.push(fullKeyOf(response.headers['x-cache-key']));
      if (i % 30 === 0) for (const path of hotPaths) await quietApi.get(path).expect(200); // the quiet tenant keeps reading
    }
    expect(flood.length).toBe(180);
    expect(jsonBytes).toBeGreaterThan(4 * L1_BUDGET); // premise: the flood is far more than the tier may hold

    const usage = store.local.usage();
    const noisyUsage = usage.orgs[noisy.id];
    expect(usage.bytes).toBeLessThanOrEqual(L1_BUDGET);
    expect(noisyUsage.bytes).toBeLessThanOrEqual((L1_BUDGET * ORG_SHARE_PERCENT) / 100);
    expect(noisyUsage.entries).toBeGreaterThan(0); // it is still cached, within its share
    // Honest accounts: what the noisy tenant has in L1 counts at least the JSON it holds.
    const held = noisyKeys.map((key) => store.local.peek(key)?.value as StoredAnswer | undefined).filter((answer) => answer !== undefined);
    expect(held.length).toBe(noisyUsage.entries);
    expect(held.reduce((sum, answer) => sum + Buffer.byteLength(answer.json), 0)).toBeLessThanOrEqual(noisyUsage.bytes);
    // The quiet tenant's hot entries are all still in this instance's L1.
    expect(hotKeys.map((key) => store.local.peek(key) !== undefined)).toEqual(hotPaths.map(() => true));
    for (const path of hotPaths) expect((await quietApi.get(path).expect(200)).headers['x-cache']).toBe('HIT');

    const heapGrowth = heapAfterGc() - heapBefore;
    const rssGrowth = process.memoryUsage.rss() - rssBefore;
    expect(heapGrowth).toBeLessThan(L1_BUDGET + HEAP_MARGIN);
    expect(rssGrowth).toBeLessThan(RSS_BOUND);
  }, 180_000);
});
