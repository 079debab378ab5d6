import type { CacheModuleOptions } from '../../libs/cache/src/cache-options.interface';
import { sleep, type CacheTestInstance } from '../../libs/cache/src/testing/cache-test-app';
import { uniquePrefix } from '../../libs/cache/src/testing/store-contract';
import { useDisposableRedis } from '../support/disposable-redis';
import type { RedisServerHandle } from '../support/redis-server';

/** Options that make outages quick to detect and to recover from in a test. */
function outageOptions(server: RedisServerHandle, prefix = uniquePrefix()): CacheModuleOptions {
  return {
    keyPrefix: prefix,
    ttlJitter: 0,
    redis: { url: server.url, commandTimeoutMs: 50, connectTimeoutMs: 500 },
    circuitBreaker: { failureThreshold: 3, probeIntervalMs: 100, confirmTimeoutMs: 200 },
    invalidation: { writeTimeoutMs: 200 },
  };
}

interface TrafficReport {
  calls: number;
  failures: unknown[];
  /** The slowest cache call (read, write or invalidation), timed on its own. */
  slowestMs: number;
  /** The slowest `health()`, timed on its own: it pings Redis with its own bound (confirmTimeoutMs). */
  slowestHealthMs: number;
  sawFallback: boolean;
}

/** Reads, writes and invalidations in a loop until `stop` resolves; records every failure. */
async function traffic(sut: CacheTestInstance['sut'], stop: Promise<void>): Promise<TrafficReport> {
  const report: TrafficReport = { calls: 0, failures: [], slowestMs: 0, slowestHealthMs: 0, sawFallback: false };
  let done = false;
  void stop.then(() => (done = true));
  let i = 0;
  while (!done) {
    try {
      const key = String(i % 10);
      const op = i % 5;
      const started = performance.now();
      if (op === 3) await sut.invalidateTags([`item:${key}`], { org: 'o1' });
      else if (op === 4) await sut.incr('counter', 1, { org: 'o1', ttlMs: 60_000 });
      else {
        const value = await sut.getOrSet(key, async () => ({ key }), { org: 'o1', namespace: 'items', tags: [`item:${key}`] });
        if (value.key !== key) throw new Error(`wrong value for ${key}`);
      }
      const checked = performance.now();
      report.slowestMs = Math.max(report.slowestMs, checked - started);
      report.sawFallback ||= (await sut.health()).fallbackActive;
      report.slowestHealthMs = Math.max(report.slowestHealthMs, performance.now() - checked);
    } catch (error) {
      report.failures.push(error);
    }
    report.calls++;
    i++;
    await sleep(2);
  }
  return report;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('surviving Redis failures', () => {
  jest.setTimeout(30_000);

  const redis = useDisposableRedis();
  let server: RedisServerHandle;
  const start = redis.start;

  beforeEach(() => {
    server = redis.server();
  });

  it('fails no call while Redis is killed and restarted mid-traffic, then trusts Redis again', async () => {
    const { sut } = await start(outageOptions(server));
    let endTraffic!: () => void;
    const running = traffic(sut, new Promise<void>((resolve) => (endTraffic = resolve)));
    await sleep(150);
    await server.kill();
    await sleep(400);
    await server.restart();
    await waitFor(async () => !(await sut.health()).fallbackActive);
    await sleep(100);
    endTraffic();
    const report = await running;
    expect(report.failures).toEqual([]);
    expect(report.sawFallback).toBe(true);
    expect(report.calls).toBeGreaterThan(50);
    expect((await sut.health()).status).toBe('healthy');
    // Redis is written to again after recovery
    await sut.set('after', 'yes', { org: 'o1' });
    expect(await sut.get('after', { org: 'o1' })).toBe('yes');
  });

  it('bounds every call by the command timeout while Redis is paused (SIGSTOP), and recovers on SIGCONT', async () => {
    const { sut } = await start(outageOptions(server));
    let endTraffic!: () => void;
    const running = traffic(sut, new Promise<void>((resolve) => (endTraffic = resolve)));
    await sleep(150);
    server.pause();
    // Paused until the breaker has confirmed the outage, however long a loaded machine takes to
    // count the failures and confirm them (a fixed pause raced it: only invalidations and counters
    // reach Redis here, the reads are L1 hits), then a while longer with the circuit open.
    await waitFor(async () => (await sut.health()).fallbackActive);
    await sleep(300);
    server.resume();
    await waitFor(async () => !(await sut.health()).fallbackActive);
    endTraffic();
    const report = await running;
    expect(report.failures).toEqual([]);
    expect(report.sawFallback).toBe(true);
    // A paused Redis never answers: only the command timeout (50 ms, 200 ms for an
    // invalidation) ends each wait, and then the open circuit stops calls from waiting at all.
    // Without it a call would hang the whole pause. Each call is timed on its own, health() too.
    expect(report.slowestMs).toBeLessThan(500);
    expect(report.slowestHealthMs).toBeLessThan(500);
  });

  it('serves no stale value after recovery: invalidations made during the outage are replayed and L1 is emptied', async () => {
    const prefix = uniquePrefix();
    const a = await start(outageOptions(server, prefix));
    const b = await start(outageOptions(server, prefix));
    let row = 'v1';
    const load = async () => row;
    const opts = { org: 'o1', namespace: 'users', tags: ['user:1'] };
    expect(await a.sut.getOrSet('1', load, opts)).toBe('v1'); // in Redis and in A's L1
    expect(await b.sut.getOrSet('1', load, opts)).toBe('v1'); // and in B's L1

    server.pause();
    row = 'v2'; // a write commits during the outage...
    await b.sut.invalidateTags(['user:1'], { org: 'o1' }); // ...and B cannot reach Redis to evict
    let probe = 0; // reads of uncached keys reach Redis, time out, and open each circuit
    for (const x of [a, b]) await waitFor(async () => (await x.sut.get(`probe${probe++}`, { org: 'o1' }), (await x.sut.health()).fallbackActive));
    server.resume();
    await waitFor(async () => !(await a.sut.health()).fallbackActive && !(await b.sut.health()).fallbackActive);

    expect(await a.sut.getOrSet('1', load, opts)).toBe('v2');
    expect(await b.sut.getOrSet('1', load, opts)).toBe('v2');
  });

  it('starts on the in-process store when Redis is down at start-up, and moves to Redis when it comes up', async () => {
    await server.kill();
    const { sut } = await start(outageOptions(server));
    expect(await sut.health()).toMatchObject({ status: 'degraded', store: 'redis', fallbackActive: true });
    expect(await sut.getOrSet('k', () => 'v', { org: 'o1' })).toBe('v');
    await server.restart();
    await waitFor(async () => !(await sut.health()).fallbackActive);
    expect(await sut.health()).toMatchObject({ status: 'healthy', redis: { connected: true } });
    // the value cached in-process during the outage was dropped: Redis is the truth again
    expect(await sut.get('k', { org: 'o1' })).toBeUndefined();
  });

  it('keeps delivering invalidations between instances after Redis restarted (the bus subscribes again)', async () => {
    const prefix = uniquePrefix();
    const a = await start(outageOptions(server, prefix));
    const b = await start(outageOptions(server, prefix));
    await server.restart();
    for (const x of [a, b]) await waitFor(async () => (await x.sut.health()).status === 'healthy');
    await sleep(300); // the subscribers reconnect on their own schedule

    let row = 'v1';
    const load = async () => row;
    const opts = { org: 'o1', namespace: 'users', tags: ['user:1'] };
    expect(await a.sut.getOrSet('1', load, opts)).toBe('v1');
    expect(await b.sut.getOrSet('1', load, opts)).toBe('v1'); // now in B's L1 too
    row = 'v2';
    await a.sut.invalidateTags(['user:1'], { org: 'o1' }); // reaches B's L1 only through pub/sub
    expect(await b.sut.getOrSet('1', load, opts)).toBe('v2');
  });

  it('does not make the next load of a key wait for the lock its failed write left behind', async () => {
    const { sut } = await start({ ...outageOptions(server), lock: { ttlMs: 10_000, waitMs: 3_000 } });
    // The load takes the key's lock in Redis; Redis stops answering before its write, so the
    // write (which would release the lock) times out and the lock stays behind.
    const first = await sut.getOrSet('k', async () => {
      server.pause();
      return 'v1';
    }, { org: 'o1' });
    expect(first).toBe('v1');
    server.resume();
    await sut.delete(['k'], { org: 'o1' }); // as a write would: the next read loads again

    const started = performance.now();
    expect(await sut.getOrSet('k', async () => 'v2', { org: 'o1' })).toBe('v2');
    // Without giving the orphaned lock back, this load would wait lock.waitMs (3 s) for a value
    // that no one is loading.
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('gives such a lock back by itself soon after, so other instances do not wait for it either', async () => {
    const prefix = uniquePrefix();
    const options = { ...outageOptions(server, prefix), lock: { ttlMs: 10_000, waitMs: 3_000 } };
    const a = await start(options);
    const b = await start(options);
    await a.sut.getOrSet('k', async () => {
      server.pause();
      return 'v1';
    }, { org: 'o1' });
    server.resume();
    await sleep(400); // a few probe intervals (100 ms)

    const started = performance.now();
    expect(await b.sut.getOrSet('k', async () => 'from b', { org: 'o1' })).toBe('from b');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('finishes a request that was in flight when Redis restarted', async () => {
    const { sut } = await start(outageOptions(server));
    const inFlight = sut.getOrSet('slow', async () => {
      await server.restart();
      return 'done';
    }, { org: 'o1' });
    await expect(inFlight).resolves.toBe('done');
  });
});
