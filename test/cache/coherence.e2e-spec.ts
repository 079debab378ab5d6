// Issue 11's promises at the engine's edges, on a redis-server of this file's own (it kills
// pub/sub connections and pauses the server): no stale L1 read after a lost pub/sub message, no
// breaker opened by a busy process, no stale L2 entry after an outage whose writer restarted, and
// no read held on a load lock for lock.waitMs after a pause.
import type { CacheModuleOptions } from '../../libs/cache/src/cache-options.interface';
import type { InvalidationBus } from '../../libs/cache/src/invalidation/invalidation-bus';
import { sleep, type CacheTestInstance } from '../../libs/cache/src/testing/cache-test-app';
import { uniquePrefix } from '../../libs/cache/src/testing/store-contract';
import { Redis } from 'ioredis';
import { useDisposableRedis } from '../support/disposable-redis';
import type { RedisServerHandle } from '../support/redis-server';

jest.setTimeout(60_000);

describe('coherence of the in-process tier, and the breaker, at their edges', () => {
  const redis = useDisposableRedis();
  let server: RedisServerHandle;
  let admin: Redis;
  const start = redis.start;

  beforeEach(() => {
    server = redis.server();
    admin = new Redis(server.url);
  });

  afterEach(() => {
    admin.disconnect();
  });

  function options(prefix: string, extra: Partial<CacheModuleOptions> = {}): CacheModuleOptions {
    return { keyPrefix: prefix, ttlJitter: 0, redis: { url: server.url, commandTimeoutMs: 200, connectTimeoutMs: 500 }, ...extra };
  }

  it('after CLIENT KILL TYPE pubsub, a write on one instance is seen by every following read on the other (10 of 10)', async () => {
    const prefix = uniquePrefix();
    const a = await start(options(prefix));
    const b = await start(options(prefix));
    let row = 0;
    const load = async () => `v${row}`;
    for (let round = 1; round <= 10; round++) {
      const opts = { org: 'o1', namespace: 'users', tags: [`user:${round}`] };
      const key = String(round);
      row = round;
      await b.sut.getOrSet(key, load, opts); // fill B's L1 with the current row...
      expect(await b.sut.lookup(key, load, opts)).toMatchObject({ value: `v${round}`, status: 'hit' });
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub'); // ...lose the bus...
      row = round + 100;
      await a.sut.invalidateTags([`user:${round}`], { org: 'o1' }); // ...and write on A
      expect(await b.sut.getOrSet(key, load, opts)).toBe(`v${round + 100}`);
    }
  });

  it('keeps /health healthy and the circuit closed through a burst of 300 concurrent reads that starve the event loop', async () => {
    const prefix = uniquePrefix();
    // The production command timeout: 50 ms, which the burst's own CPU work overruns.
    const { sut } = await start({ ...options(prefix), redis: { url: server.url, commandTimeoutMs: 50 } });
    let fallbackSeen = false;
    const watch = setInterval(() => {
      void sut.health().then((health) => (fallbackSeen ||= health.fallbackActive));
    }, 20);
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    try {
      for (let burst = 0; burst < 2; burst++) {
        const reads = Array.from({ length: 300 }, (_, i) =>
          sut.getOrSet(`k${burst}-${i}`, () => {
            busy(4); // a loader that costs CPU: the loop is late by > 1 s in all
            return { i };
          }, { org: 'o1', namespace: 'burst' }),
        );
        const values = await Promise.all(reads);
        expect(values.map((v) => v.i)).toEqual(Array.from({ length: 300 }, (_, i) => i));
      }
      await sleep(100);
    } finally {
      clearInterval(watch);
    }
    expect(fallbackSeen).toBe(false);
    expect(await sut.health()).toMatchObject({ status: 'healthy', fallbackActive: false });
  });

  it('still detects a real outage within its bound (confirmation timeout plus probe)', async () => {
    const { sut } = await start({
      ...options(uniquePrefix()),
      redis: { url: server.url, commandTimeoutMs: 50 },
      circuitBreaker: { confirmTimeoutMs: 300, probeIntervalMs: 100 },
    });
    server.pause();
    const started = performance.now();
    let i = 0;
    while (!(await sut.health()).fallbackActive) {
      await sut.get(`probe${i++}`, { org: 'o1' });
      if (performance.now() - started > 5_000) throw new Error('outage not detected in 5 s');
    }
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('serves no value a write during an outage changed, even though the instance that took the write restarted before Redis came back', async () => {
    const prefix = uniquePrefix();
    const opts = { org: 'o1', namespace: 'users', tags: ['user:1'] };
    const outage = options(prefix, { circuitBreaker: { probeIntervalMs: 100, confirmTimeoutMs: 300 }, invalidation: { writeTimeoutMs: 300 } });
    let row = 'v1';
    const load = async () => row;
    const a = await start(outage);
    const b = await start(outage);
    expect(await a.sut.getOrSet('1', load, opts)).toBe('v1'); // in Redis...
    expect(await b.sut.getOrSet('1', load, opts)).toBe('v1'); // ...and in B's L1

    server.pause();
    row = 'v2'; // a write commits on A during the outage; A cannot evict Redis' copy and journals it...
    await a.sut.invalidateTags(['user:1'], { org: 'o1' });
    await redis.close(a); // ...and A restarts before Redis is back: its journal is gone
    const restarted = await start(outage); // starts on the in-process store
    expect((await restarted.sut.health()).fallbackActive).toBe(true);
    server.resume();
    await waitFor(async () => !(await restarted.sut.health()).fallbackActive);

    expect(await b.sut.getOrSet('1', load, opts)).toBe('v2');
    expect(await restarted.sut.getOrSet('1', load, opts)).toBe('v2');
  });

  it('joins the invalidation bus after recovering from an outage it started in, so peers wait for its acknowledgements again', async () => {
    const prefix = uniquePrefix();
    const outage = options(prefix, { circuitBreaker: { probeIntervalMs: 100, confirmTimeoutMs: 300 } });
    const a = await start(outage);
    server.pause();
    const b = await start(outage); // Redis does not answer: b starts on its fallback, its bus not subscribed
    expect((await b.sut.health()).fallbackActive).toBe(true);
    server.resume();
    await waitFor(async () => !(await b.sut.health()).fallbackActive);
    const bus = (instance: CacheTestInstance) => (instance.sut as unknown as { store: { bus: InvalidationBus } }).store.bus;
    expect(bus(b).isSubscribed).toBe(true);
    await waitFor(async () => bus(a).peerCount === 1 && bus(b).l1Trusted);
    let row = 'v1';
    const opts = { org: 'o1', namespace: 'users', tags: ['user:1'] };
    expect(await b.sut.getOrSet('1', async () => row, opts)).toBe('v1');
    row = 'v2';
    const started = performance.now();
    await a.sut.invalidateTags(['user:1'], { org: 'o1' });
    expect(performance.now() - started).toBeLessThan(500); // acknowledged by b, not waited out
    expect(await b.sut.getOrSet('1', async () => row, opts)).toBe('v2');
  });

  it('does not hold a read for lock.waitMs on a lock that a paused Redis took for a call that had already given up', async () => {
    const prefix = uniquePrefix();
    const opts = options(prefix, {
      redis: { url: server.url, commandTimeoutMs: 50 },
      lock: { ttlMs: 10_000, waitMs: 5_000 },
      circuitBreaker: { probeIntervalMs: 200 },
    });
    const a = await start(opts);
    const b = await start(opts);
    server.pause();
    // A's GET and lock script time out here and wait in the paused server's socket; A loads alone.
    expect(await a.sut.getOrSet('k', async () => 'from a', { org: 'o1' })).toBe('from a');
    server.resume(); // Redis runs what it queued: the lock is taken under A's token, for 10 s
    await waitFor(async () => (await admin.keys(`${prefix}:*__lock:*`)).length > 0, 2_000).catch(() => undefined);
    const started = performance.now();
    expect(await b.sut.getOrSet('k', async () => 'from b', { org: 'o1' })).toMatch(/^from [ab]$/);
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}
