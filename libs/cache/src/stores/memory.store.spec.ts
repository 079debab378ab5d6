import { CacheKeyBuilder } from '../keys/cache-key.builder';
import { describeStoreContract } from '../testing/store-contract';
import { MemoryCacheStore } from './memory.store';

describeStoreContract(
  MemoryCacheStore.name,
  async (prefix) => {
    const keys = new CacheKeyBuilder(prefix);
    const store = new MemoryCacheStore(keys, { maxEntries: 1000, maxBytes: 1_000_000 });
    return { store, keys, close: () => store.close() };
  },
  { distributedLock: false },
);

describe(`${MemoryCacheStore.name} bounds`, () => {
  const keys = new CacheKeyBuilder('bounds');

  it('evicts the least recently used entry past its entry bound', async () => {
    const sut = new MemoryCacheStore(keys, { maxEntries: 2, maxBytes: 1_000_000 });
    const [a, b, c] = ['a', 'b', 'c'].map((id) => keys.entry('o', 'n', id));
    const e = { value: 1, createdAt: 0, expiresAt: Date.now() + 60_000, staleUntil: Date.now() + 60_000, tags: ['t'] };
    await sut.set(a, e, 60_000);
    await sut.set(b, e, 60_000);
    sut.peek(a); // a is now more recent than b
    await sut.set(c, e, 60_000);
    expect([sut.peek(a), sut.peek(b), sut.peek(c)].map((x) => x?.value)).toEqual([1, undefined, 1]);
    // the evicted key left the tag index: invalidating the tag counts only live members
    expect(await sut.invalidate({ kind: 'tags', org: 'o', tags: ['t'] })).toBe(2);
  });

  it('keeps its byte bound', async () => {
    const sut = new MemoryCacheStore(keys, { maxEntries: 1000, maxBytes: 1_000 });
    const big = { value: 'x'.repeat(400), createdAt: 0, expiresAt: Date.now() + 60_000, staleUntil: Date.now() + 60_000, tags: [] };
    for (let i = 0; i < 5; i++) await sut.set(keys.entry('o', 'n', String(i)), big, 60_000);
    expect(sut.size).toBeLessThanOrEqual(2);
    expect(await sut.set(keys.entry('o', 'n', 'huge'), { ...big, value: 'x'.repeat(5_000) }, 60_000)).toBe(false);
  });
});

describe(`${MemoryCacheStore.name} ttl`, () => {
  const keys = new CacheKeyBuilder('ttl');

  afterEach(() => jest.restoreAllMocks());

  it('never reports more than the TTL set, even when the LRU clock lags (a busy event loop delays its refresh)', async () => {
    const sut = new MemoryCacheStore(keys, { maxEntries: 10, maxBytes: 1_000_000 });
    const key = keys.entry('o', 'n', 'k');
    const now = Date.now();
    await sut.set(key, { value: 1, createdAt: now, expiresAt: now + 1_000, staleUntil: now + 1_000, tags: [] }, 1_000);
    await new Promise((resolve) => setTimeout(resolve, 5)); // past the LRU's cached-clock window
    const real = performance.now();
    jest.spyOn(performance, 'now').mockReturnValue(real - 50); // its clock reads 50 ms behind

    const ttl = await sut.ttl(key);
    expect(ttl).toBeGreaterThan(900);
    expect(ttl).toBeLessThanOrEqual(1_000);
  });

  it('keeps a counter\'s TTL when it is incremented, and has none for a counter created without one', async () => {
    const sut = new MemoryCacheStore(keys, { maxEntries: 10, maxBytes: 1_000_000 });
    const [withTtl, without] = ['c1', 'c2'].map((id) => keys.entry('o', 'n', id));
    await sut.incr(withTtl, 1, 1_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await sut.incr(withTtl, 2)).toBe(3);
    expect(await sut.ttl(withTtl)).toBeLessThanOrEqual(985);
    await sut.incr(without, 1);
    expect(await sut.ttl(without)).toBeNull();
  });
});
