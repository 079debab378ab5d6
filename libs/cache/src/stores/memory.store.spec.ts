import { CacheKeyBuilder } from '../keys/cache-key.builder';
import { describeStoreContract } from '../testing/store-contract';
import { L1_ENTRY_OVERHEAD_BYTES, l1Footprint, MemoryCacheStore } from './memory.store';

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

describe(`${MemoryCacheStore.name} accounting and fairness`, () => {
  const keys = new CacheKeyBuilder('fair');
  const KB = 1024;
  const entry = (value: unknown = 1) => ({ value, createdAt: Date.now(), expiresAt: Date.now() + 60_000, staleUntil: Date.now() + 60_000, tags: ['t'] });

  it('counts an entry by the JSON it was read from, times 1.5, plus a fixed overhead, not by a compressed size', () => {
    const sut = new MemoryCacheStore(keys, { maxEntries: 100, maxBytes: 10_000_000 });
    // A 533 KB answer that deflated to 11 KB is held decoded: it counts as 533 KB of JSON.
    expect(sut.setSized(keys.entry('o', 'n', 'page'), entry(), 60_000, 533 * KB)).toBe(true);
    expect(sut.usage()).toMatchObject({ bytes: l1Footprint(533 * KB), entries: 1, orgs: { o: { bytes: l1Footprint(533 * KB), entries: 1 } } });
    expect(l1Footprint(533 * KB)).toBe(Math.ceil(533 * KB * 1.5) + L1_ENTRY_OVERHEAD_BYTES);
  });

  it('gives the bytes back when entries go: deleted, replaced, invalidated, expired', async () => {
    const sut = new MemoryCacheStore(keys, { maxEntries: 100, maxBytes: 10_000_000 });
    const [a, b, c] = ['a', 'b', 'c'].map((id) => keys.entry('o', 'n', id));
    sut.setSized(a, entry(), 60_000, 1_000);
    sut.setSized(a, entry(), 60_000, 3_000); // replaced: counted once, at its new size
    sut.setSized(b, entry(), 60_000, 2_000);
    sut.setSized(c, entry(), 20, 2_000);
    expect(sut.usage().bytes).toBe(l1Footprint(3_000) + 2 * l1Footprint(2_000));
    await sut.delete([b]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sut.peek(c)).toBeUndefined(); // expired, dropped when read
    expect(sut.usage()).toMatchObject({ bytes: l1Footprint(3_000), entries: 1 });
    await sut.invalidate({ kind: 'tags', org: 'o', tags: ['t'] });
    expect(sut.usage()).toMatchObject({ bytes: 0, entries: 0, orgs: {} });
  });

  it("keeps one organization's flood of large distinct entries to its share and leaves another's hot entries in place", () => {
    const sut = new MemoryCacheStore(keys, { maxEntries: 10_000, maxBytes: 1_000 * KB, maxOrgShare: 0.5 });
    const hot = Array.from({ length: 5 }, (_, i) => keys.entry('quiet', 'users', `hot${i}`));
    for (const key of hot) expect(sut.setSized(key, entry(), 60_000, 20 * KB)).toBe(true);
    for (let i = 0; i < 500; i++) sut.setSized(keys.entry('noisy', 'orders', `page${i}`), entry(), 60_000, 100 * KB);

    const usage = sut.usage();
    expect(usage.bytes).toBeLessThanOrEqual(1_000 * KB);
    expect(usage.orgs.noisy.bytes).toBeLessThanOrEqual(500 * KB);
    expect(usage.orgs.noisy.entries).toBeGreaterThan(0); // it still caches, within its share
    expect(hot.map((key) => sut.peek(key) !== undefined)).toEqual([true, true, true, true, true]);
    expect(sut.peek(keys.entry('noisy', 'orders', 'page499'))).toBeDefined(); // its newest stay, its oldest went
    expect(sut.peek(keys.entry('noisy', 'orders', 'page0'))).toBeUndefined();
  });

  it('evicts from the organization holding the most when the store is full, even without a cap', () => {
    const sut = new MemoryCacheStore(keys, { maxEntries: 10_000, maxBytes: 1_000 * KB, maxOrgShare: 1 });
    const hot = Array.from({ length: 3 }, (_, i) => keys.entry('quiet', 'users', `hot${i}`));
    for (const key of hot) sut.setSized(key, entry(), 60_000, 50 * KB);
    for (let i = 0; i < 100; i++) sut.setSized(keys.entry('noisy', 'orders', `page${i}`), entry(), 60_000, 100 * KB);
    expect(sut.usage().bytes).toBeLessThanOrEqual(1_000 * KB);
    expect(hot.every((key) => sut.peek(key) !== undefined)).toBe(true);
    // The quiet organization writing now takes its room from the noisy one, not from itself.
    const more = keys.entry('quiet', 'users', 'new');
    expect(sut.setSized(more, entry(), 60_000, 50 * KB)).toBe(true);
    expect([...hot, more].every((key) => sut.peek(key) !== undefined)).toBe(true);
  });

  it('shares the entry bound the same way: a flood of small entries evicts only its own', () => {
    const sut = new MemoryCacheStore(keys, { maxEntries: 20, maxBytes: 10_000_000, maxOrgShare: 0.5 });
    const hot = Array.from({ length: 4 }, (_, i) => keys.entry('quiet', 'n', `hot${i}`));
    for (const key of hot) sut.setSized(key, entry(), 60_000, 10);
    for (let i = 0; i < 1_000; i++) void sut.incr(keys.entry('noisy', 'rate', `c${i}`), 1, 60_000);
    expect(sut.usage().orgs.noisy.entries).toBe(10);
    expect(sut.size).toBe(14);
    expect(hot.every((key) => sut.peek(key) !== undefined)).toBe(true);
  });

  it('evicts an organization\'s least recently used entry first, reads included', () => {
    const sut = new MemoryCacheStore(keys, { maxEntries: 3, maxBytes: 10_000_000, maxOrgShare: 1 });
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => keys.entry('o', 'n', id));
    for (const key of [a, b, c]) sut.setSized(key, entry(), 60_000, 10);
    sut.peek(a);
    sut.setSized(d, entry(), 60_000, 10);
    expect([a, b, c, d].map((key) => sut.peek(key) !== undefined)).toEqual([true, false, true, true]);
  });

  it('keeps the entry just written even when every other entry of its organization was read since', () => {
    const sut = new MemoryCacheStore(keys, { maxEntries: 3, maxBytes: 10_000_000, maxOrgShare: 1 });
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => keys.entry('o', 'n', id));
    for (const key of [a, b, c]) sut.setSized(key, entry(), 60_000, 10);
    for (const key of [a, b, c]) sut.peek(key);
    expect(sut.setSized(d, entry(), 60_000, 10)).toBe(true);
    expect(sut.size).toBe(3);
    expect([a, b, c, d].map((key) => sut.peek(key) !== undefined)).toEqual([false, true, true, true]);
  });

  it('refuses an entry larger than one organization may hold, and drops the older value of its key', () => {
    const sut = new MemoryCacheStore(keys, { maxEntries: 100, maxBytes: 100 * KB, maxOrgShare: 0.5 });
    const key = keys.entry('o', 'n', 'k');
    expect(sut.setSized(key, entry('old'), 60_000, 10 * KB)).toBe(true);
    expect(sut.setSized(key, entry('new'), 60_000, 40 * KB)).toBe(false); // 60 KB + overhead > 50 KB
    expect(sut.peek(key)).toBeUndefined();
    expect(sut.usage()).toMatchObject({ bytes: 0, entries: 0 });
  });
});
