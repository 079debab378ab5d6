import { randomUUID } from 'node:crypto';
import { delay } from '../common/async';
import { CacheKeyBuilder } from '../keys/cache-key.builder';
import type { CacheEntry } from '../serialization/cache-entry';
import type { CacheStore } from '../stores/cache-store.interface';

/** A store under test, made fresh for each test with its own key prefix. */
export interface StoreUnderTest {
  store: CacheStore;
  keys: CacheKeyBuilder;
  /** Closes what the factory opened. */
  close(): Promise<void>;
}

export interface StoreContractOptions {
  /** Whether `beginLoad` takes a lock other callers see (Redis) or always grants it (one process). */
  distributedLock: boolean;
}

/** A fresh, unique key prefix, so suites sharing one Redis never see each other's keys. */
export function uniquePrefix(): string {
  return `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

function entry<T>(value: T, tags: string[] = [], ttlMs = 60_000): CacheEntry<T> {
  const now = Date.now();
  return { value, createdAt: now, expiresAt: now + ttlMs, staleUntil: now + ttlMs, tags };
}


/**
 * The behaviour every store owes the engine, written once and run against the in-process
 * store, a real Redis and a Redis Cluster.
 */
export function describeStoreContract(
  name: string,
  factory: (prefix: string) => Promise<StoreUnderTest>,
  options: StoreContractOptions,
): void {
  describe(`CacheStore contract: ${name}`, () => {
    let sut: StoreUnderTest;
    let store: CacheStore;
    let keys: CacheKeyBuilder;

    beforeEach(async () => {
      sut = await factory(uniquePrefix());
      store = sut.store;
      keys = sut.keys;
    });

    afterEach(async () => {
      await store.invalidate({ kind: 'all' });
      await sut.close();
    });

    it('reads back what it stored, Dates included, and nothing for unknown keys', async () => {
      const key = keys.entry('org1', 'users', '1');
      const when = new Date('2026-01-02T03:04:05.678Z');
      expect(await store.get(key)).toBeUndefined();
      expect(await store.set(key, entry({ name: 'Ada', when }, ['users']), 60_000)).toBe(true);
      const read = await store.get(key);
      expect(read?.value).toEqual({ name: 'Ada', when });
      expect((read?.value as { when: Date }).when).toBeInstanceOf(Date);
      expect(read?.tags).toEqual(['users']);
    });

    it('reads several keys in order with mget', async () => {
      const [a, b, c] = ['a', 'b', 'c'].map((id) => keys.entry('org1', 'ns', id));
      await store.set(a, entry(1), 60_000);
      await store.set(c, entry(3), 60_000);
      const values = (await store.mget([a, b, c])).map((e) => e?.value);
      expect(values).toEqual([1, undefined, 3]);
    });

    it('expires entries after their TTL and reports the TTL left', async () => {
      const key = keys.entry('org1', 'ns', 'short');
      await store.set(key, entry('v'), 80);
      const ttl = await store.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(80);
      await delay(150);
      expect(await store.get(key)).toBeUndefined();
      expect(await store.ttl(key)).toBeUndefined();
    });

    it('deletes keys and counts what it deleted', async () => {
      const a = keys.entry('org1', 'ns', 'a');
      await store.set(a, entry(1), 60_000);
      expect(await store.delete([a, keys.entry('org1', 'ns', 'missing')])).toBe(1);
      expect(await store.get(a)).toBeUndefined();
    });

    it('counts with incr and decr, and gives a new counter its TTL', async () => {
      const key = keys.entry('org1', 'counters', 'hits');
      expect(await store.incr(key, 1, 60_000)).toBe(1);
      expect(await store.incr(key, 5)).toBe(6);
      expect(await store.incr(key, -2)).toBe(4);
      expect((await store.get(key))?.value).toBe(4);
      const ttl = await store.ttl(key);
      expect(ttl).toBeGreaterThan(50_000);
    });

    it('invalidates a tag within one organization only', async () => {
      const mine = keys.entry('org1', 'users', '1');
      const untagged = keys.entry('org1', 'users', '2');
      const theirs = keys.entry('org2', 'users', '1');
      await store.set(mine, entry('a', ['users']), 60_000);
      await store.set(untagged, entry('b', ['other']), 60_000);
      await store.set(theirs, entry('c', ['users']), 60_000);
      expect(await store.invalidate({ kind: 'tags', org: 'org1', tags: ['users'] })).toBe(1);
      expect(await store.get(mine)).toBeUndefined();
      expect((await store.get(untagged))?.value).toBe('b');
      expect((await store.get(theirs))?.value).toBe('c');
    });

    it('invalidates a tag in every organization when none is named', async () => {
      const a = keys.entry('org1', 'users', '1');
      const b = keys.entry('org2', 'users', '1');
      await store.set(a, entry('a', ['users']), 60_000);
      await store.set(b, entry('b', ['users']), 60_000);
      await store.invalidate({ kind: 'tags', org: undefined, tags: ['users'] });
      expect(await store.get(a)).toBeUndefined();
      expect(await store.get(b)).toBeUndefined();
    });

    it('invalidates by pattern, leaving other keys, organizations and prefixes alone', async () => {
      const other = await factory(uniquePrefix());
      try {
        const hit = [keys.entry('org1', 'users', 'list:1'), keys.entry('org1', 'users', 'list:2')];
        const miss = [keys.entry('org1', 'users', 'one:1'), keys.entry('org2', 'users', 'list:1')];
        const foreign = other.keys.entry('org1', 'users', 'list:1');
        for (const key of [...hit, ...miss]) await store.set(key, entry(key, ['users']), 60_000);
        await other.store.set(foreign, entry('foreign'), 60_000);
        expect(await store.invalidate({ kind: 'pattern', pattern: keys.pattern('org1', 'users:list:*') })).toBe(2);
        for (const key of hit) expect(await store.get(key)).toBeUndefined();
        for (const key of miss) expect((await store.get(key))?.value).toBe(key);
        expect((await other.store.get(foreign))?.value).toBe('foreign');
        // tag bookkeeping survives: the tag still reaches the remaining member
        await store.invalidate({ kind: 'tags', org: 'org1', tags: ['users'] });
        expect(await store.get(miss[0])).toBeUndefined();
      } finally {
        await other.store.invalidate({ kind: 'all' });
        await other.close();
      }
    });

    it('invalidates a whole organization', async () => {
      const a = keys.entry('org1', 'users', '1');
      const b = keys.entry('org1', 'orders', '1');
      const c = keys.entry('org2', 'users', '1');
      for (const key of [a, b, c]) await store.set(key, entry(key, ['t']), 60_000);
      await store.invalidate({ kind: 'org', org: 'org1' });
      expect(await store.get(a)).toBeUndefined();
      expect(await store.get(b)).toBeUndefined();
      expect((await store.get(c))?.value).toBe(c);
    });

    it('clears only its own prefix', async () => {
      const other = await factory(uniquePrefix());
      try {
        const mine = keys.entry('org1', 'ns', '1');
        const theirs = other.keys.entry('org1', 'ns', '1');
        await store.set(mine, entry(1), 60_000);
        await other.store.set(theirs, entry(2), 60_000);
        await store.invalidate({ kind: 'all' });
        expect(await store.get(mine)).toBeUndefined();
        expect((await other.store.get(theirs))?.value).toBe(2);
      } finally {
        await other.store.invalidate({ kind: 'all' });
        await other.close();
      }
    });

    describe('the stale-set race: a load that began before an invalidation never stores after it', () => {
      const invalidations: [string, (keys: CacheKeyBuilder, key: string) => Parameters<CacheStore['invalidate']>[0]][] = [
        ['key delete', (_k, key) => ({ kind: 'keys', keys: [key] })],
        ['tag', () => ({ kind: 'tags', org: 'org1', tags: ['users'] })],
        ['tag in every org', () => ({ kind: 'tags', org: undefined, tags: ['users'] })],
        ['pattern', (k) => ({ kind: 'pattern', pattern: k.pattern('org1', 'users:*') })],
        ['organization', () => ({ kind: 'org', org: 'org1' })],
        ['clear', () => ({ kind: 'all' })],
      ];
      it.each(invalidations)('refuses the older value after a %s invalidation', async (_name, target) => {
        const key = keys.entry('org1', 'users', '7');
        await store.set(key, entry('v1', ['users']), 60_000);
        await store.delete([key]);
        const begun = await store.beginLoad(key, ['users'], 5_000);
        // ... the loader reads v1 from the database here; meanwhile a write commits and invalidates:
        await store.invalidate(target(keys, key));
        expect(await store.set(key, entry('v1-old', ['users']), 60_000, begun.ticket)).toBe(false);
        expect(await store.get(key)).toBeUndefined();
      });

      it('stores a load that no invalidation overlapped', async () => {
        const key = keys.entry('org1', 'users', '8');
        const begun = await store.beginLoad(key, ['users'], 5_000);
        await store.invalidate({ kind: 'tags', org: 'org1', tags: ['orders'] });
        await store.invalidate({ kind: 'tags', org: 'org2', tags: ['users'] });
        expect(await store.set(key, entry('v', ['users']), 60_000, begun.ticket)).toBe(true);
        expect((await store.get(key))?.value).toBe('v');
      });

      it('lets an explicit put win over a load still running', async () => {
        const key = keys.entry('org1', 'users', '9');
        const begun = await store.beginLoad(key, [], 5_000);
        await store.set(key, entry('new'), 60_000);
        expect(await store.set(key, entry('old'), 60_000, begun.ticket)).toBe(false);
        expect((await store.get(key))?.value).toBe('new');
      });
    });

    if (options.distributedLock) {
      it('grants the load lock to one caller until it stores or gives up', async () => {
        const key = keys.entry('org1', 'ns', 'locked');
        const first = await store.beginLoad(key, [], 5_000);
        const second = await store.beginLoad(key, [], 5_000);
        expect([first.locked, second.locked]).toEqual([true, false]);
        await store.endLoad(second.ticket); // not the owner: must not release
        expect((await store.beginLoad(key, [], 5_000)).locked).toBe(false);
        await store.set(key, entry('v'), 60_000, first.ticket);
        const third = await store.beginLoad(key, [], 5_000);
        expect(third.locked).toBe(true);
        expect(third.entry?.value).toBe('v');
        await store.endLoad(third.ticket);
        expect((await store.beginLoad(key, [], 5_000)).locked).toBe(true);
      });

      it('frees a lock whose holder died, after the lock TTL', async () => {
        const key = keys.entry('org1', 'ns', 'abandoned');
        expect((await store.beginLoad(key, [], 60)).locked).toBe(true);
        expect((await store.beginLoad(key, [], 60)).locked).toBe(false);
        await delay(120);
        expect((await store.beginLoad(key, [], 60)).locked).toBe(true);
      });
    }

    it('pages through keys by cursor, without its bookkeeping keys', async () => {
      const written = Array.from({ length: 25 }, (_, i) => keys.entry('org1', 'scan', `k${i}`));
      for (const key of written) await store.set(key, entry(1, ['scan']), 60_000);
      const seen = new Set<string>();
      let cursor = '0';
      let rounds = 0;
      do {
        const page = await store.scan(keys.pattern('org1', 'scan:*'), cursor, 10);
        page.keys.forEach((key) => seen.add(key));
        cursor = page.cursor;
        rounds++;
      } while (cursor !== '0' && rounds < 100);
      expect([...seen].sort()).toEqual([...written].sort());
      const all = await store.scan(keys.pattern('org1', '*'), '0', 1000);
      expect(all.keys.every((key) => !keys.isInternal(key))).toBe(true);
    });

    it('describes a key: ttl, size, tags, encoding', async () => {
      const key = keys.entry('org1', 'ns', 'info');
      await store.set(key, entry({ a: 'x'.repeat(50) }, ['t1', 't2']), 60_000);
      const info = await store.inspect(key);
      expect(info).toMatchObject({ key, tags: ['t1', 't2'] });
      expect(info!.sizeBytes).toBeGreaterThan(50);
      expect(info!.ttlMs).toBeGreaterThan(0);
      expect(typeof info!.encoding).toBe('string');
      expect(await store.inspect(keys.entry('org1', 'ns', 'none'))).toBeUndefined();
    });
  });
}
