// Probabilistic early refresh (XFetch) on two instances sharing the rig's Redis: a hot key under
// steady traffic is reloaded about once per TTL, in the background, so no request waits for it.
import { sleep, startCacheInstance, type CacheTestInstance } from '../../libs/cache/src/testing/cache-test-app';
import { uniquePrefix } from '../../libs/cache/src/testing/store-contract';
import { redisUrl } from '../support/env';

jest.setTimeout(60_000);

// A TTL many loads long, as in production (XFetch refreshes about loadMs * ln(requests per
// loadMs) early, so a TTL only a few loads long would be reloaded more often than once).
const TTL_MS = 3_000;
const LOAD_MS = 100;
const PERIODS = 8;

describe('early refresh of a hot key (XFetch)', () => {
  const instances: CacheTestInstance[] = [];

  afterEach(async () => {
    await instances[0]?.sut.clear();
    await Promise.all(instances.splice(0).map((instance) => instance.close()));
  });

  async function pair(): Promise<[CacheTestInstance, CacheTestInstance]> {
    const options = { keyPrefix: uniquePrefix(), ttlJitter: 0, redis: { url: redisUrl(), commandTimeoutMs: 1_000 } };
    instances.push(await startCacheInstance(options), await startCacheInstance(options));
    return [instances[0], instances[1]];
  }

  async function drive(early: boolean, periods: number): Promise<{ loads: number; slowestMs: number; values: Set<number> }> {
    const [a, b] = await pair();
    let loads = 0;
    const loader = async () => {
      loads += 1;
      await sleep(LOAD_MS);
      return { n: loads };
    };
    const opts = { org: 'o1', namespace: 'hot', ttlMs: TTL_MS, earlyRefresh: early };
    await a.sut.getOrSet('key', loader, opts); // the cold load: the only request allowed to wait for it
    let slowestMs = 0;
    const values = new Set<number>();
    const until = Date.now() + periods * TTL_MS;
    let i = 0;
    while (Date.now() < until) {
      const started = performance.now();
      const value = await (i++ % 2 === 0 ? a : b).sut.getOrSet('key', loader, opts);
      slowestMs = Math.max(slowestMs, performance.now() - started);
      values.add(value.n);
      await sleep(5);
    }
    return { loads, slowestMs, values };
  }

  it('reloads about once per TTL across both instances, and no request waits as long as a load', async () => {
    const { loads, slowestMs, values } = await drive(true, PERIODS);
    // One cold load plus about one per TTL period; never one per instance per period.
    expect(loads).toBeGreaterThanOrEqual(PERIODS - 1);
    expect(loads).toBeLessThanOrEqual(PERIODS + 3);
    expect(values.size).toBeGreaterThanOrEqual(PERIODS - 1); // the reloaded values were served
    expect(slowestMs).toBeLessThan(LOAD_MS);
  });

  it('without it, requests at each expiry wait for the reload (what early refresh removes)', async () => {
    const { slowestMs } = await drive(false, 2);
    expect(slowestMs).toBeGreaterThanOrEqual(LOAD_MS * 0.9);
  });
});
