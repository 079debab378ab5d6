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
