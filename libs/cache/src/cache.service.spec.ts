import { Logger } from '@nestjs/common';
import { CacheLoaderTimeoutError } from './cache.types';
import { deferred, sleep, startCacheInstance, type CacheTestInstance } from './testing/cache-test-app';
import { CacheService } from './cache.service';

describe(CacheService.name, () => {
  let instance: CacheTestInstance;
  let sut: CacheService;

  beforeEach(async () => {
    instance = await startCacheInstance({ keyPrefix: 'unit', ttlJitter: 0 });
    sut = instance.sut;
  });

  afterEach(async () => {
    await instance.close();
  });

  it('loads on a miss and serves the stored value on the next call', async () => {
    const loader = jest.fn(async () => ({ id: 1, at: new Date(0) }));
    const first = await sut.lookup('1', loader, { namespace: 'users', org: 'o1' });
    const second = await sut.lookup('1', loader, { namespace: 'users', org: 'o1' });
    expect([first.status, second.status]).toEqual(['miss', 'hit']);
    expect(second.value).toEqual({ id: 1, at: new Date(0) });
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('answers the hits of one in-process entry with one settled promise, and a new value with another', async () => {
    await sut.getOrSet('k', () => 'v1', { namespace: 'ns' });
    const first = sut.getOrSet('k', () => 'unused', { namespace: 'ns' });
    const second = sut.getOrSet('k', () => 'unused', { namespace: 'ns' });
    expect(second).toBe(first);
    expect(await first).toBe('v1');

    await sut.set('k', 'v2', { namespace: 'ns' });
    const afterWrite = sut.getOrSet('k', () => 'unused', { namespace: 'ns' });
    expect(afterWrite).not.toBe(first);
    expect(await afterWrite).toBe('v2');
    expect(sut.stats().namespaces.ns).toMatchObject({ hits: 3, misses: 1, loads: 1 });
  });

  it('rejects, never throws, when the key cannot be built or a loader throws with caching off', async () => {
    let rejected: Promise<unknown> | undefined;
    expect(() => (rejected = sut.getOrSet('k', () => 'v', { namespace: 'bad:namespace' }))).not.toThrow();
    await expect(rejected).rejects.toThrow();

    const disabled = await startCacheInstance({ keyPrefix: 'unit-off', enabled: false });
    try {
      let failed: Promise<unknown> | undefined;
      const throwing = (): string => {
        throw new Error('db down');
      };
      expect(() => (failed = disabled.sut.getOrSet('k', throwing))).not.toThrow();
      await expect(failed).rejects.toThrow('db down');
      await expect(disabled.sut.getOrSet('k', () => 'loaded')).resolves.toBe('loaded');
    } finally {
      await disabled.close();
    }
  });

  it('keeps organizations apart: the same id in two orgs is two entries', async () => {
    await sut.getOrSet('1', () => 'mine', { namespace: 'users', org: 'o1' });
    expect(await sut.getOrSet('1', () => 'theirs', { namespace: 'users', org: 'o2' })).toBe('theirs');
  });

  it('runs the loader once for concurrent misses of one key (single-flight)', async () => {
    const gate = deferred<string>();
    const loader = jest.fn(() => gate.promise);
    const calls = Array.from({ length: 50 }, () => sut.getOrSet('k', loader, { namespace: 'ns' }));
    gate.resolve('v');
    expect(await Promise.all(calls)).toEqual(Array(50).fill('v'));
    expect(loader).toHaveBeenCalledTimes(1);
    expect(sut.stats().namespaces.ns).toMatchObject({ loads: 1, misses: 1, coalesced: 49 });
  });

  it("surfaces the loader's error, caches nothing, and loads again next time", async () => {
    await expect(sut.getOrSet('k', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await sut.getOrSet('k', () => 'ok')).toBe('ok');
    expect(sut.stats().totals.errors).toBe(1);
  });

  it('fails a loader past its hard timeout', async () => {
    const slow = () => sleep(200).then(() => 'late');
    await expect(sut.getOrSet('k', slow, { hardTimeoutMs: 20 })).rejects.toBeInstanceOf(CacheLoaderTimeoutError);
  });

  it('does not cache undefined, but caches null', async () => {
    const none = jest.fn(async () => undefined);
    await sut.getOrSet('u', none);
    await sut.getOrSet('u', none);
    expect(none).toHaveBeenCalledTimes(2);
    const nil = jest.fn(async () => null);
    await sut.getOrSet('n', nil);
    await sut.getOrSet('n', nil);
    expect(nil).toHaveBeenCalledTimes(1);
  });

  describe('grace', () => {
    it('serves the old value as stale while one refresh runs, then the new one', async () => {
      await sut.getOrSet('g', () => 'v1', { ttlMs: 30, graceMs: 60_000 });
      await sleep(50);
      const gate = deferred<string>();
      const refresh = jest.fn(() => gate.promise);
      const during = await Promise.all([1, 2, 3].map(() => sut.lookup('g', refresh, { ttlMs: 30_000, graceMs: 60_000 })));
      expect(during.map((r) => [r.status, r.value])).toEqual([
        ['stale', 'v1'],
        ['stale', 'v1'],
        ['stale', 'v1'],
      ]);
      gate.resolve('v2');
      await sleep(10);
      expect(refresh).toHaveBeenCalledTimes(1);
      expect(await sut.lookup('g', refresh)).toMatchObject({ status: 'hit', value: 'v2' });
    });

    it('keeps serving the stale value when the refresh fails, and counts the failure (fail-safe)', async () => {
      await sut.getOrSet('g', () => 'v1', { ttlMs: 30, graceMs: 60_000 });
      await sleep(50);
      const failing = () => Promise.reject(new Error('db down'));
      expect(await sut.lookup('g', failing, { ttlMs: 30, graceMs: 60_000 })).toMatchObject({ status: 'stale', value: 'v1' });
      await sleep(10);
      expect(await sut.lookup('g', failing, { ttlMs: 30, graceMs: 60_000 })).toMatchObject({ status: 'stale', value: 'v1' });
      expect(sut.stats().totals.errors).toBeGreaterThanOrEqual(1);
    });

    it('waits for the refresh up to the soft timeout, then serves stale and lets it finish', async () => {
      await sut.getOrSet('g', () => 'v1', { ttlMs: 30, graceMs: 60_000 });
      await sleep(50);
      const quick = await sut.lookup('g', () => 'v2', { ttlMs: 30, graceMs: 60_000, timeoutMs: 200 });
      expect(quick).toMatchObject({ status: 'miss', value: 'v2' });
      await sleep(50);
      const slow = () => sleep(150).then(() => 'v3');
      const started = Date.now();
      expect(await sut.lookup('g', slow, { ttlMs: 30_000, timeoutMs: 20 })).toMatchObject({ status: 'stale', value: 'v2' });
      expect(Date.now() - started).toBeLessThan(140);
      await sleep(200);
      expect(await sut.get('g')).toBe('v3');
    });

    it('surfaces the error when there is no stale value to fall back on', async () => {
      await sut.getOrSet('g', () => 'v1', { ttlMs: 20, graceMs: 20 });
      await sleep(60);
      await expect(sut.getOrSet('g', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    });
  });

  it('never stores a load that an invalidation overlapped (the stale-set race)', async () => {
    const gate = deferred<string>();
    const pending = sut.getOrSet('7', () => gate.promise, { namespace: 'users', org: 'o1', tags: ['user:7'] });
    await sleep(5); // the loader has read 'old' from the database...
    await sut.invalidateTags(['user:7'], { org: 'o1' }); // ...then a write commits and invalidates
    gate.resolve('old');
    expect(await pending).toBe('old'); // the caller that asked before the write may see it
    expect(await sut.get('7', { namespace: 'users', org: 'o1' })).toBeUndefined();
    expect(await sut.getOrSet('7', () => 'new', { namespace: 'users', org: 'o1' })).toBe('new');
  });

  it('invalidates by pattern and by organization', async () => {
    for (const org of ['o1', 'o2']) {
      await sut.set('list:1', 'a', { namespace: 'users', org });
      await sut.set('1', 'b', { namespace: 'users', org });
    }
    expect(await sut.invalidatePattern('users:list:*', { org: 'o1' })).toBe(1);
    expect(await sut.get('list:1', { namespace: 'users', org: 'o1' })).toBeUndefined();
    expect(await sut.get('1', { namespace: 'users', org: 'o1' })).toBe('b');
    expect(await sut.get('list:1', { namespace: 'users', org: 'o2' })).toBe('a');
    await sut.invalidateOrg('o2');
    expect(await sut.get('1', { namespace: 'users', org: 'o2' })).toBeUndefined();
    expect(await sut.get('1', { namespace: 'users', org: 'o1' })).toBe('b');
  });

  it('does batch reads and writes, counters, has, ttl and delete', async () => {
    await sut.mset([{ key: 'a', value: 1 }, { key: 'b', value: 2, ttlMs: 1_000 }], { namespace: 'n' });
    expect(await sut.mget(['a', 'x', 'b'], { namespace: 'n' })).toEqual([1, undefined, 2]);
    expect(await sut.has('a', { namespace: 'n' })).toBe(true);
    expect(await sut.ttl('b', { namespace: 'n' })).toBeLessThanOrEqual(1_000);
    expect(await sut.delete(['a', 'b'], { namespace: 'n' })).toBe(2);
    expect(await sut.has('a', { namespace: 'n' })).toBe(false);
    expect(await sut.incr('c', 2, { ttlMs: 10_000 })).toBe(2);
    expect(await sut.decr('c')).toBe(1);
  });

  it('shortens TTLs by random jitter so keys written together expire apart', async () => {
    const jittery = await startCacheInstance({ keyPrefix: 'jitter', ttlJitter: 0.2 });
    try {
      const lifetimes = new Set<number>();
      for (let i = 0; i < 50; i++) {
        const r = await jittery.sut.lookup(`k${i}`, () => i, { ttlMs: 10_000 });
        const life = r.expiresAt - r.createdAt;
        expect(life).toBeGreaterThanOrEqual(8_000);
        expect(life).toBeLessThanOrEqual(10_000);
        lifetimes.add(life);
      }
      expect(lifetimes.size).toBeGreaterThan(10);
    } finally {
      await jittery.close();
    }
  });

  it('does not cache a value over the size limit, and says so', async () => {
    const small = await startCacheInstance({ keyPrefix: 'size', maxEntryBytes: 100 });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const loader = jest.fn(async () => 'x'.repeat(500));
      await small.sut.getOrSet('big', loader);
      await small.sut.getOrSet('big', loader);
      expect(loader).toHaveBeenCalledTimes(2);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('over the 100-byte limit'));
    } finally {
      warn.mockRestore();
      await small.close();
    }
  });

  it('goes straight to the loader when disabled', async () => {
    const off = await startCacheInstance({ enabled: false });
    try {
      const loader = jest.fn(async () => 'v');
      expect(await off.sut.lookup('k', loader)).toMatchObject({ status: 'bypass', value: 'v' });
      await off.sut.getOrSet('k', loader);
      expect(loader).toHaveBeenCalledTimes(2);
      expect((await off.sut.health()).status).toBe('down');
    } finally {
      await off.close();
    }
  });

  it('keeps counters and latency per namespace and per organization', async () => {
    await sut.getOrSet('1', () => 1, { namespace: 'users', org: 'o1' });
    await sut.getOrSet('1', () => 1, { namespace: 'users', org: 'o1' });
    await sut.getOrSet('1', () => 1, { namespace: 'orders', org: 'o2' });
    const stats = sut.stats();
    expect(stats.namespaces.users).toMatchObject({ hits: 1, misses: 1, loads: 1, hitRatio: 0.5 });
    expect(stats.orgs.o2).toMatchObject({ hits: 0, misses: 1, loads: 1 });
    expect(stats.totals.p99).toBeGreaterThan(0);
    expect(Object.keys(sut.stats('o1').orgs)).toEqual(['o1']);
    sut.resetStats();
    expect(sut.stats().totals.hits).toBe(0);
  });

  it('reports the in-process store as healthy when no Redis is configured', async () => {
    expect(await sut.health()).toEqual({ status: 'healthy', store: 'memory', fallbackActive: false, redis: null });
  });
});
