import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { CacheModuleOptions, CacheRedisOptions } from '../../libs/cache/src/cache-options.interface';
import { deferred, sleep, startCacheInstance, type CacheTestInstance } from '../../libs/cache/src/testing/cache-test-app';
import { uniquePrefix } from '../../libs/cache/src/testing/store-contract';
import { redisClusterNodes, redisTlsCaPath, redisTlsUrl, redisUrl } from '../support/env';

const topologies: [string, () => CacheRedisOptions][] = [
  ['standalone Redis', () => ({ url: redisUrl(), commandTimeoutMs: 1_000 })],
  ['3-master Redis Cluster', () => ({ cluster: { nodes: redisClusterNodes() }, commandTimeoutMs: 1_000 })],
];

describe.each(topologies)('two instances sharing %s', (_name, redis) => {
  let a: CacheTestInstance;
  let b: CacheTestInstance;

  async function pair(extra: Partial<CacheModuleOptions> = {}): Promise<void> {
    const options: CacheModuleOptions = { keyPrefix: uniquePrefix(), ttlJitter: 0, redis: redis(), ...extra };
    a = await startCacheInstance(options);
    b = await startCacheInstance(options);
    // let each instance hear the other's heartbeat, so invalidations wait for its acknowledgement
    await waitFor(async () => (await a.sut.health()).status === 'healthy' && (await b.sut.health()).status === 'healthy');
    await sleep(50);
  }

  afterEach(async () => {
    await a?.sut.clear();
    await Promise.all([a?.close(), b?.close()]);
  });

  it('runs the loader once for a cold key read 100 times on each instance at once', async () => {
    await pair();
    let loads = 0;
    const loader = async () => {
      loads++;
      await sleep(100);
      return { n: 42 };
    };
    const calls = [a, b].flatMap((x) => Array.from({ length: 100 }, () => x.sut.getOrSet('cold', loader, { namespace: 'dash', org: 'o1' })));
    const values = await Promise.all(calls);
    expect(values.every((v) => v.n === 42)).toBe(true);
    expect(loads).toBe(1);
    const coalesced = a.sut.stats().totals.coalesced + b.sut.stats().totals.coalesced;
    expect(coalesced).toBe(199);
  });

  it('serves a value loaded on one instance to the other from Redis (L2 hit)', async () => {
    await pair({ l1: { enabled: false } });
    await a.sut.getOrSet('1', () => 'from-a', { namespace: 'users', org: 'o1' });
    const other = await b.sut.lookup('1', () => 'from-b', { namespace: 'users', org: 'o1' });
    expect(other).toMatchObject({ status: 'hit', value: 'from-a' });
  });

  it('drops L1 copies on every instance when a tag is invalidated anywhere (read-your-writes)', async () => {
    await pair();
    let version = 1;
    const load = () => `v${version}`;
    const opts = { namespace: 'users', org: 'o1', tags: ['user:1'] };
    expect(await a.sut.getOrSet('1', load, opts)).toBe('v1');
    expect(await b.sut.getOrSet('1', load, opts)).toBe('v1'); // now in both L1s
    version = 2; // a write commits...
    await b.sut.invalidateTags(['user:1'], { org: 'o1' }); // ...and evicts, on B
    expect(await a.sut.lookup('1', load, opts)).toMatchObject({ status: 'miss', value: 'v2' });
    expect(await b.sut.getOrSet('1', load, opts)).toBe('v2');
  });

  it('drops L1 copies on every instance for key, pattern and organization invalidations', async () => {
    await pair();
    const opts = { namespace: 'users', org: 'o1' };
    const fill = async () => {
      for (const x of [a, b]) {
        await x.sut.getOrSet('1', () => 'old', opts);
        await x.sut.getOrSet('list:1', () => 'old', opts);
      }
    };
    const readOnA = async () => [await a.sut.get('1', opts), await a.sut.get('list:1', opts)];
    await fill();
    await b.sut.delete('1', opts);
    expect(await readOnA()).toEqual([undefined, 'old']);
    await fill();
    await b.sut.invalidatePattern('users:list:*', { org: 'o1' });
    expect(await readOnA()).toEqual(['old', undefined]);
    await fill();
    await b.sut.invalidateOrg('o1');
    expect(await readOnA()).toEqual([undefined, undefined]);
  });

  it('never lets a load that an invalidation on another instance overlapped store its older value', async () => {
    await pair();
    const opts = { namespace: 'users', org: 'o1', tags: ['user:7'] };
    const gate = deferred<string>();
    const slowOnA = a.sut.getOrSet('7', () => gate.promise, opts); // A read the row: 'old'
    await sleep(20);
    await b.sut.invalidateTags(['user:7'], { org: 'o1' }); // B's write commits and evicts
    gate.resolve('old'); // A's load finishes after the invalidation returned
    expect(await slowOnA).toBe('old');
    await sleep(20);
    for (const x of [a, b]) expect(await x.sut.get('7', opts)).toBeUndefined();
    expect(await b.sut.getOrSet('7', () => 'new', opts)).toBe('new');
    expect(await a.sut.getOrSet('7', () => 'stale!', opts)).toBe('new');
  });

  it('lets an explicit set on one instance replace the L1 copy on the other', async () => {
    await pair();
    const opts = { namespace: 'users', org: 'o1' };
    await a.sut.getOrSet('1', () => 'old', opts);
    await b.sut.set('1', 'new', opts);
    expect(await a.sut.getOrSet('1', () => 'loaded', opts)).toBe('new');
  });

  it('keeps counters shared between instances', async () => {
    await pair();
    await a.sut.incr('c', 1, { ttlMs: 10_000 });
    await b.sut.incr('c', 2);
    expect(await a.sut.incr('c', 0)).toBe(3);
  });

  it('reports Redis, its mode and latency in health', async () => {
    await pair();
    const health = await a.sut.health();
    expect(health).toMatchObject({ status: 'healthy', store: 'redis', fallbackActive: false, redis: { connected: true } });
    expect(health.redis!.mode).toBe(_name.includes('Cluster') ? 'cluster' : 'standalone');
    expect(health.redis!.latencyMs).toBeGreaterThan(0);
  });
});

describe('over TLS with a password', () => {
  it('caches through rediss:// with a private CA', async () => {
    const instance = await startCacheInstance({
      keyPrefix: uniquePrefix(),
      redis: { url: redisTlsUrl(), tls: { ca: readFileSync(redisTlsCaPath()) } },
    });
    try {
      expect((await instance.sut.health()).status).toBe('healthy');
      const loader = jest.fn(async () => 'secret');
      await instance.sut.getOrSet('k', loader, { org: 'o1' });
      expect(await instance.sut.get('k', { org: 'o1' })).toBe('secret');
      expect(loader).toHaveBeenCalledTimes(1);
    } finally {
      await instance.sut.clear();
      await instance.close();
    }
  });
});

describe('Redis round trips of a read that missed L1 (standalone Redis, L1 on)', () => {
  it('costs two for a miss (read-and-lock, guarded write) and one for what another instance stored, which takes no lock', async () => {
    const options: CacheModuleOptions = { keyPrefix: uniquePrefix(), ttlJitter: 0, redis: { url: redisUrl(), commandTimeoutMs: 1_000 } };
    const a = await startCacheInstance(options);
    const b = await startCacheInstance(options);
    const keys = new Redis(redisUrl());
    const monitor = await keys.monitor();
    // Commands the clients sent that name the key (its entry, lock or version), not those its scripts ran.
    const sent: string[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua' && args.some((arg) => arg.includes('users:round-trips'))) sent.push(args[0].toLowerCase());
    });
    try {
      const opts = { namespace: 'users', org: 'o1', tags: ['user:7'] };
      // Scripts are loaded into Redis on first use (EVALSHA refused, then EVAL): once per server.
      await Promise.all([a, b].map((x) => x.sut.getOrSet('warm-up', () => 'w', opts)));
      expect(await a.sut.lookup('round-trips', () => 'from-a', opts)).toMatchObject({ status: 'miss', value: 'from-a' });
      await waitFor(async () => sent.length >= 2);
      await sleep(100); // nothing more comes
      expect(sent).toEqual(['evalsha', 'evalsha']);

      sent.length = 0;
      expect(await b.sut.lookup('round-trips', () => 'from-b', opts)).toMatchObject({ status: 'hit', value: 'from-a' });
      await waitFor(async () => sent.length >= 1);
      await sleep(100);
      expect(sent).toEqual(['evalsha']);
      // The read found the entry: it took no load lock (a miss's lock would be there until its write).
      expect(await keys.keys(`${options.keyPrefix}:*__lock*`)).toEqual([]);
      // And it filled b's L1: the next read is no round trip at all.
      sent.length = 0;
      expect(await b.sut.lookup('round-trips', () => 'from-b', opts)).toMatchObject({ status: 'hit', value: 'from-a' });
      await sleep(100);
      expect(sent).toEqual([]);
    } finally {
      monitor.disconnect();
      keys.disconnect();
      await a.sut.clear();
      await Promise.all([a.close(), b.close()]);
    }
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}
